package act_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/core/docexamples"
	"github.com/oidc-login/oidc-login/e2e/internal/alibabafake"
	"github.com/oidc-login/oidc-login/e2e/internal/dockerimage"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/playground/lab"
)

// labWorkflowName is the name of the workflow docs/act.md has the user write for the lab.
const labWorkflowName = "name: oidc-login lab"

// TestActLab is docs/act.md's walk-through under act: the lab serves every provider it can
// (go run ./e2e/playground serve, here in process so that the leak scan knows what its
// emulators issued), the workflow is the one docs/act.md has the user write with its login
// step replaced by the one the lab printed, and act runs the command the lab printed, pasted
// into a shell. The action's image trusts only Debian's roots, so the TLS emulators are
// reached through the SSL_CERT_FILE the lab's step names and nothing else. Every provider
// logs in with the fewest requests its protocol allows, the later step sees the outputs, and
// stopping the lab deletes its CA file.
func TestActLab(t *testing.T) {
	t.Parallel()
	actBinary(t)
	im := &images{Action: dockerimage.Build(t, nil).Tag, Job: jobImage(t)}

	// The clone the user runs act in, where they write the workflow and the lab its CA, both
	// left untracked, as a user would.
	dir := t.TempDir()
	newRepoIn(t, dir, im, "", nil)
	o, err := lab.Parse(append([]string{"-dir", dir, "-image", im.Job}, lab.Providers()...))
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			l.Close()
		}
	}()
	var printed bytes.Buffer
	l.Write(&printed)
	step := labSection(t, printed.String(), "The login step")
	command := labSection(t, printed.String(), "The act command")

	workflow := labWorkflow(t)
	// act names the job's containers after the workflow: the pid keeps two test processes apart.
	workflow = strings.Replace(workflow, labWorkflowName+"\n", labWorkflowName+" "+strconv.Itoa(os.Getpid())+"\n", 1)
	workflow = replaceStep(t, workflow, "login", step)
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(lab.Workflow)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, lab.Workflow), []byte(workflow), 0o644); err != nil {
		t.Fatal(err)
	}

	// The command as a user pastes it into a shell, and the flags an offline test adds.
	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", strings.TrimRight(command, "\n") + ` "$@"`, "sh"}, offline(t)...)...)
	run := execAct(t, ctx, cmd, actOptions{})
	run.Require(t, "Main login", "success")
	run.Require(t, "Main later step", "success")
	if run.Exit != 0 || !run.JobSucceeded {
		t.Fatalf("act exit %d, job succeeded %v, want 0 and true\n%s", run.Exit, run.JobSucceeded, run.Log)
	}

	// The later step prints a title, then the outputs as JSON.
	lines := run.Lines["Main later step"]
	if len(lines) < 2 {
		t.Fatalf("the later step printed %q, want its title and the outputs", lines)
	}
	var outputs map[string]string
	if err := json.Unmarshal([]byte(strings.Join(lines[1:], "\n")), &outputs); err != nil {
		t.Fatalf("the later step's outputs %q: %v", lines[1:], err)
	}
	want := map[string]string{
		"aws-arn":                     stsfake.AssumedRoleARN,
		"aws-account-id":              stsfake.Account,
		"alibaba-assumed-role-arn":    alibabafake.AssumedRoleARN,
		"gcp-access-token":            "***",
		"token-exchange-access-token": "***",
	}
	for k, v := range want {
		if outputs[k] != v {
			t.Errorf("output %s = %q, want %q", k, outputs[k], v)
		}
	}
	// What docs/act.md says success looks like is in the log: each line, or up to its first …
	// the start of a line (the workflow's name without the pid).
	log := strings.ReplaceAll(run.Log, "[oidc-login lab "+strconv.Itoa(os.Getpid())+"/", "[oidc-login lab/")
	for _, want := range labSuccessLines(t) {
		prefix, elided := strings.CutSuffix(want, "…")
		if strings.Contains(prefix, "…") {
			prefix, _, _ = strings.Cut(prefix, "…")
			elided = true
		}
		found := false
		for _, l := range strings.Split(log, "\n") {
			if l == want || elided && strings.HasPrefix(l, prefix) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("docs/act.md shows the act log line %q, which this run did not print", want)
		}
	}
	for _, name := range lab.Providers() {
		w := l.World(name)
		if got, want := w.RequestCount(), w.Calls(); got != want {
			t.Errorf("%s's emulator got %d requests, want the %d of its login", name, got, want)
		}
		if u := w.Unexpected(); len(u) > 0 {
			t.Errorf("%s's emulator got requests its service would not answer: %q", name, u)
		}
	}

	ca := l.CAPath()
	if ca == "" || filepath.Dir(ca) != dir {
		t.Fatalf("the lab's CA file is %q, want one in %s", ca, dir)
	}
	closed = true
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ca); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lab's CA file is still there after it stopped (%v)", err)
	}
	t.Logf("act run: %s", run.Duration.Round(1e6))
}

// labSection returns the body of the section of the lab's output whose title starts with
// title, up to the next section.
func labSection(t *testing.T, printed, title string) string {
	t.Helper()
	_, rest, ok := strings.Cut(printed, "\n── "+title)
	if !ok {
		t.Fatalf("the lab printed no section %q:\n%s", title, printed)
	}
	_, body, _ := strings.Cut(rest, "\n")
	body, _, _ = strings.Cut(body, "\n\n")
	return body + "\n"
}

// labWorkflow is the workflow docs/act.md has the user write for the lab: its YAML example
// named labWorkflowName.
func labWorkflow(t *testing.T) string {
	t.Helper()
	examples, err := docexamples.Extract(harness.Root())
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, e := range examples {
		if e.File == "docs/act.md" && strings.HasPrefix(e.Text, labWorkflowName+"\n") {
			found = append(found, e.Text)
		}
	}
	if len(found) != 1 {
		t.Fatalf("docs/act.md has %d YAML examples starting %q, want the one workflow the lab's walk-through has the user write", len(found), labWorkflowName)
	}
	return found[0]
}

// labSuccessLines are the lines of act's log docs/act.md shows under "What success looks
// like": its one text block there.
func labSuccessLines(t *testing.T) []string {
	t.Helper()
	page, err := os.ReadFile(filepath.Join(harness.Root(), "docs", "act.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, part, ok := strings.Cut(string(page), "### 5. What success looks like\n")
	_, block, ok2 := strings.Cut(part, "```text\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/act.md has no text block under \"### 5. What success looks like\"")
	}
	return strings.Split(strings.TrimRight(block, "\n"), "\n")
}

var stepStart = regexp.MustCompile(`(?m)^      - `)

// replaceStep replaces the step of workflow named name (a step of a job's steps, indented as
// the lab prints one) with step.
func replaceStep(t *testing.T, workflow, name, step string) string {
	t.Helper()
	start := strings.Index(workflow, "      - name: "+name+"\n")
	if start < 0 {
		t.Fatalf("the workflow has no step `      - name: %s`:\n%s", name, workflow)
	}
	end := len(workflow)
	if loc := stepStart.FindStringIndex(workflow[start+1:]); loc != nil {
		end = start + 1 + loc[0]
	}
	return workflow[:start] + step + workflow[end:]
}
