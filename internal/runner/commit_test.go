package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sethvargo/go-githubactions"
)

// TestCommitWritesWhatGoGithubactionsWrites: Commit's one append per file holds exactly the
// bytes go-githubactions writes command by command, appended after what the files held.
func TestCommitWritesWhatGoGithubactionsWrites(t *testing.T) {
	t.Parallel()
	w := Writes{
		Env:     []Var{{"GOOGLE_APPLICATION_CREDENTIALS", "/tmp/x.json"}, {"MULTI", "a\nb\r\nc"}, {"EMPTY", ""}},
		Outputs: []Var{{"access_token", "ya29.x"}, {"gcp-project-id", "octo-project"}},
		State:   []Var{{"providers", "gcp"}, {"files", "[\"a\"]"}},
		Summary: "### oidc-login\n\n| a | b |\n",
	}
	files := func() map[string]string {
		dir := t.TempDir()
		m := map[string]string{}
		for _, n := range []string{EnvFile, OutputFile, StateFile, SummaryFile} {
			m[n] = filepath.Join(dir, n)
			if err := os.WriteFile(m[n], []byte("before\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return m
	}
	ours, theirs := files(), files()
	if err := New(&bytes.Buffer{}, env(ours)).Commit(w); err != nil {
		t.Fatal(err)
	}
	gha := githubactions.New(githubactions.WithWriter(&bytes.Buffer{}), githubactions.WithGetenv(env(theirs)))
	for _, v := range w.Env {
		gha.SetEnv(v.Name, v.Value)
	}
	for _, v := range w.Outputs {
		gha.SetOutput(v.Name, v.Value)
	}
	for _, v := range w.State {
		gha.SaveState(v.Name, v.Value)
	}
	gha.AddStepSummary(w.Summary)
	for n := range ours {
		a, _ := os.ReadFile(ours[n])
		b, _ := os.ReadFile(theirs[n])
		if !bytes.Equal(a, b) || !strings.HasPrefix(string(a), "before\n") {
			t.Errorf("%s: Commit wrote %q, go-githubactions %q", n, a, b)
		}
	}
}

// TestCommitReportsAMissingFile: a file command file that cannot be opened fails the commit,
// naming it, as go-githubactions' panic did.
func TestCommitReportsAMissingFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m := map[string]string{EnvFile: filepath.Join(dir, "env"), SummaryFile: filepath.Join(dir, "missing", "SUMMARY.md")}
	err := New(&bytes.Buffer{}, env(m)).Commit(Writes{Env: []Var{{"A", "1"}}, Summary: "x"})
	want := "writing the runner's file commands failed: unable to write command to the environment file: open " + m[SummaryFile] + ": "
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want %q…", err, want)
	}
}
