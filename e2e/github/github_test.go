package github_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

func inputs(more ...string) map[string]string {
	in := map[string]string{"provider": "github"}
	for i := 0; i+1 < len(more); i += 2 {
		in[more[i]] = more[i+1]
	}
	return in
}

// checkTokenPath checks the file is ours, fresh per step, in the home mount.
func checkTokenPath(t *testing.T, w *harness.Workspace, path string) {
	t.Helper()
	rel, err := filepath.Rel(w.Home, path)
	if err != nil || !strings.HasPrefix(rel, ".oidc-login/github-id-token-") || !strings.HasSuffix(rel, ".jwt") {
		t.Errorf("GITHUB_ID_TOKEN_FILE = %q, want a fresh .oidc-login/github-id-token-*.jwt under the home mount %s", path, w.Home)
	}
}

// TestGitHubIDToken checks the token file and every value the step writes, that the login
// makes no request besides the token's own, and the show-claims table and summary row.
func TestGitHubIDToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		in          []string
		audience    string // requested ("" is GitHub's default)
		aud         string // in the token
		credOutputs bool
	}{
		{name: "default audience", aud: "https://github.com/" + fakegithub.DefaultOwner},
		{name: "audience and output-credentials", in: []string{"audience", "sigstore", "output-credentials", "true"}, audience: "sigstore", aud: "sigstore", credOutputs: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			r := harness.Exec(t, harness.Step{Inputs: inputs(append(tc.in, "show-claims", "true")...), IDToken: gh.Env()})
			harness.RequireExit(t, r, 0)
			minted := gh.Minted()
			if gh.Requests() != 1 || len(minted) != 1 {
				t.Fatalf("the github login made %d requests (%d tokens), want exactly the token request", gh.Requests(), len(minted))
			}
			if got := gh.Audiences(); len(got) != 1 || got[0] != tc.audience {
				t.Errorf("audience requested = %q, want %q", got, tc.audience)
			}
			tok := minted[0]
			path := r.Env["GITHUB_ID_TOKEN_FILE"]
			harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{"GITHUB_ID_TOKEN_FILE": path})
			checkTokenPath(t, r.Workspace, path)
			if got := string(harness.SecretFile(t, path)); got != tok {
				t.Errorf("the token file holds %d bytes that are not the minted token (%d bytes)", len(got), len(tok))
			}
			wantOut := map[string]string{
				"github-id-token-file": path,
				"claims":               r.Outputs["claims"],
				"expiration":           r.Outputs["expiration"],
			}
			if tc.credOutputs {
				wantOut["github-id-token"] = tok
			}
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, wantOut)
			// The expiry is the token's exp claim, as the claims output carries it.
			expOut, err := time.Parse(time.RFC3339, r.Outputs["expiration"])
			if err != nil || !strings.Contains(r.Outputs["claims"], `"exp":`+itoa(expOut.Unix())) {
				t.Errorf("expiration %q is not the token's exp claim (claims %s)", r.Outputs["expiration"], r.Outputs["claims"])
			}
			if !strings.Contains(r.Outputs["claims"], `"aud":"`+tc.aud+`"`) {
				t.Errorf("claims output has the wrong aud: %s", r.Outputs["claims"])
			}
			// show-claims: the whole claims table, in a group named after the provider.
			group := "::group::ID token claims (github, audience " + tc.aud + ")"
			if !strings.Contains(r.Stdout, group+"\n") {
				t.Errorf("show-claims output lacks the group %q:\n%s", group, r.Log())
			}
			for name, value := range map[string]string{
				"iss":              fakegithub.Issuer,
				"aud":              tc.aud,
				"sub":              fakegithub.DefaultSubject,
				"repository":       fakegithub.DefaultRepo,
				"job_workflow_ref": fakegithub.DefaultRepo + "/.github/workflows/deploy.yml@refs/heads/main",
				"exp":              itoa(expOut.Unix()) + " (" + expOut.Format(time.RFC3339) + ")",
			} {
				if !claimRow(r.Stdout, name, value) {
					t.Errorf("show-claims table lacks the row %s = %s:\n%s", name, value, r.Log())
				}
			}
			wantRow := "| github | `" + fakegithub.DefaultRepo + "` | `" + fakegithub.DefaultOwner + "` | `" + tc.aud + "` | `" + fakegithub.DefaultSubject + "` | " + expOut.Format(time.RFC3339) + " |"
			if !strings.Contains(r.Summary, wantRow) {
				t.Errorf("job summary lacks the row %s:\n%s", wantRow, r.Summary)
			}
			rel, _ := filepath.Rel(r.Workspace.Home, path)
			if r.State["files"] != rel {
				t.Errorf("the post step would delete %q, want %q", r.State["files"], rel)
			}
			secrets := harness.SecretsOf(gh)
			harness.Masked(t, r, secrets...)
			harness.MasksFirst(t, r)
			harness.NoLeak(t, r, secrets...)
		})
	}
}

// claimRow reports whether the claims table has the row name → value (names are padded to
// the longest one, so the row is matched field by field).
func claimRow(out, name, value string) bool {
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "  ") {
			continue
		}
		if n, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok && n == name && strings.TrimSpace(v) == value {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestGitHubInContainer runs the binary with the runner's container mounts: the exported path
// must be the host path, and the file must outlive the container, 0600, owned by the runner's
// user.
func TestGitHubInContainer(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	r := harness.Exec(t, harness.Step{Inputs: inputs("output-credentials", "true"), IDToken: gh.Env()})
	harness.RequireExit(t, r, 0)
	path := r.Env["GITHUB_ID_TOKEN_FILE"]
	if !strings.HasPrefix(path, r.Workspace.Home+"/") {
		t.Fatalf("GITHUB_ID_TOKEN_FILE = %q, want the host path under %s, not the container's /github/home", path, r.Workspace.Home)
	}
	checkTokenPath(t, r.Workspace, path)
	if r.Outputs["github-id-token-file"] != path {
		t.Errorf("github-id-token-file = %q, want %q", r.Outputs["github-id-token-file"], path)
	}
	if got := string(harness.SecretFile(t, path)); got != gh.Minted()[0] {
		t.Errorf("the token file does not hold the minted token")
	}
	if _, err := os.Stat(filepath.Join(harness.ContainerRoot, "home", ".oidc-login")); err == nil {
		t.Errorf("the container's mounts leaked onto the host")
	}
	harness.NoLeak(t, r, harness.SecretsOf(gh)...)
}

// TestGitHubPostDeletesFile runs main then post: the post step deletes the token file and
// makes no request.
func TestGitHubPostDeletesFile(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	ws := harness.NewWorkspace(t)
	main := harness.Exec(t, harness.Step{Inputs: inputs(), IDToken: gh.Env(), Workspace: ws})
	harness.RequireExit(t, main, 0)
	path := main.Env["GITHUB_ID_TOKEN_FILE"]
	harness.SecretFile(t, path)
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := harness.Exec(t, harness.Step{Inputs: inputs(), Post: true, State: main.State, Workspace: ws})
	harness.RequireExit(t, post, 0)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the post step left the token file (%v)", err)
	}
	if gh.Requests() != 1 {
		t.Errorf("the post step asked for a token")
	}
	harness.NoLeak(t, post, harness.SecretsOf(gh)...)
}

// TestGitHubFailureWritesNothing checks a broken token answer or a bad input leaves no file and
// no variable behind; bad input makes no request.
func TestGitHubFailureWritesNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		setup    func(gh *fakegithub.Server)
		in       []string
		requests int
		want     string
	}{
		{"token answer not JSON", func(gh *fakegithub.Server) { gh.Faults.Queue(fault.Malformed) }, nil, 1, "GitHub ID token request: answer is not valid JSON"},
		{"bad common input", nil, []string{"show-claims", "yes"}, 0, `input show-claims: must be true or false, got "yes"`},
		{"multi-line audience", nil, []string{"audience", "a\nb"}, 0, "input audience: must be a single line"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			if tc.setup != nil {
				tc.setup(gh)
			}
			r := harness.Exec(t, harness.Step{Inputs: inputs(tc.in...), IDToken: gh.Env()})
			harness.RequireExit(t, r, 1)
			if errs := harness.ErrorLines(r); len(errs) != 1 || !strings.Contains(errs[0], tc.want) {
				t.Errorf("annotations %q, want one containing %q", errs, tc.want)
			}
			if gh.Requests() != tc.requests {
				t.Errorf("%d token requests, want %d", gh.Requests(), tc.requests)
			}
			harness.NothingWritten(t, r)
			harness.NoLeak(t, r, harness.SecretsOf(gh)...)
		})
	}
}
