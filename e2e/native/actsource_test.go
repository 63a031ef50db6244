package native_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/actlog"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/nativeinstall"
)

// TestNativeUnderActFollowsForkAndServer: a workflow on a GitHub Enterprise Server uses a
// fork's released native action (uses: octo-fork/oidc-login/native@v9.9.9). Under act in host
// mode the composite's env: hands the launcher github.action_repository, github.action_ref and
// github.server_url, as the runner's does, and the launcher fetches that fork's release from
// that server, nothing else, verifies it and logs in. act takes the fork from a local folder
// (--local-repository, pkg/runner/local_repository_cache.go) and the server URL from
// GITHUB_SERVER_URL (pkg/runner/run_context.go getGithubContext; nektos/act bd86152).
func TestNativeUnderActFollowsForkAndServer(t *testing.T) {
	t.Parallel()
	body, rel := builtRelease(t)
	gh := harness.NewGitHub(t)
	fork := newRepo(t, sha256Hex(body), "# the fork's own CI\n")
	toolCache := t.TempDir()
	wf := fmt.Sprintf(`name: fork-%d
on: push
jobs:
  login:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - name: login
        uses: octo-fork/oidc-login/native@%s
        env:
          RUNNER_TOOL_CACHE: %s
        with:
          provider: github
      - name: use
        shell: bash
        run: echo "TOKEN $(sha256sum <"$GITHUB_ID_TOKEN_FILE" | cut -d' ' -f1)"
`, os.Getpid(), Version, toolCache)
	dir := t.TempDir()
	actlog.Commit(t, dir, map[string]string{".github/workflows/ci.yml": wf}, 0o644, "uses the fork")
	env := gh.Env()
	env["GITHUB_SERVER_URL"] = rel.URL
	run := runAct(t, dir, env, "--local-repository", "octo-fork/oidc-login@"+Version+"="+fork)
	run.Require(t, "Main login", "success")
	run.Require(t, "Main use", "success")
	path := nativeinstall.GitHubPath("octo-fork/oidc-login", Version)
	if got, want := rel.Paths(), []string{"GET " + path}; !reflect.DeepEqual(got, want) {
		t.Errorf("the server was asked for %q, want %q", got, want)
	}
	if !strings.Contains(run.Log, "oidc-login native: downloaded and verified "+asset+" "+Version+" ("+sha256Hex(body)+") from "+rel.URL+path) {
		t.Errorf("no line says the fork's asset was downloaded from the server\n%s", run.Log)
	}
	minted := gh.Minted()
	if len(minted) != 1 {
		t.Fatalf("%d ID tokens minted, want 1", len(minted))
	}
	if got := run.Tagged("Main use", "TOKEN"); len(got) != 1 || got[0] != sha256Hex([]byte(minted[0])) {
		t.Errorf("GITHUB_ID_TOKEN_FILE does not hold the minted token: %q", got)
	}
	cached := filepath.Join(toolCache, "oidc-login", strings.TrimPrefix(Version, "v"), "x64", "oidc-login")
	if b, err := os.ReadFile(cached); err != nil || sha256Hex(b) != sha256Hex(body) {
		t.Errorf("the tool cache holds no verified %s (%v)", cached, err)
	}
}
