package native_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/nativeinstall"
)

// launcher lays out native/ (released when sum is set) and returns the run.sh command for one
// github login, as action.yml's bash step starts it for a local `uses: ./native` (no action
// repository or ref) on github.com; the asset comes from the mirror downloadURL (the local
// release) unless it is "". A test appends to cmd.Env what it changes: the last value wins.
func launcher(t *testing.T, sum, cache, downloadURL, path string) (*exec.Cmd, *harness.Workspace, func() int) {
	t.Helper()
	version, sums := "", ""
	if sum != "" {
		version, sums = Version, sum+"  "+asset+"\n"
	}
	native := nativeinstall.Lay(t, version, sums).Dir
	gh := harness.NewGitHub(t)
	ws := harness.NewWorkspace(t)
	cmd := exec.Command("/bin/bash", filepath.Join(native, "run.sh"))
	cmd.Env = []string{"PATH=" + path, "RUNNER_TEMP=" + ws.RunnerTemp, "RUNNER_TOOL_CACHE=" + cache,
		"GITHUB_ENV=" + ws.EnvFile, "GITHUB_OUTPUT=" + ws.OutputFile, "GITHUB_STEP_SUMMARY=" + ws.SummaryFile,
		"GITHUB_REPOSITORY=octo-org/octo-repo", "OIDC_LOGIN_ACTION_PATH=" + native,
		"OIDC_LOGIN_RUNNER_OS=Linux", "OIDC_LOGIN_RUNNER_ARCH=X64", "OIDC_LOGIN_NATIVE_DOWNLOAD_URL=" + downloadURL,
		"OIDC_LOGIN_ACTION_REPOSITORY=", "OIDC_LOGIN_ACTION_REF=", "OIDC_LOGIN_SERVER_URL=https://github.com",
		"INPUT_PROVIDER=github", "INPUT_STAGE=main", "INPUT_EXPORT-ENV=true"}
	for k, v := range gh.Env() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd, ws, gh.Requests
}

// TestLauncherReplacesDamagedCache: a cached binary with the wrong bytes is copied, hashed and
// refused with a warning; the asset is fetched again, checked, run, and replaces the damaged
// file in the tool cache.
func TestLauncherReplacesDamagedCache(t *testing.T) {
	t.Parallel()
	body, rel := builtRelease(t)
	cache := t.TempDir()
	dir := filepath.Join(cache, "oidc-login", strings.TrimPrefix(Version, "v"), "x64")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	damaged := "#!/bin/sh\necho damaged\n"
	if err := os.WriteFile(filepath.Join(dir, "oidc-login"), []byte(damaged), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd, ws, _ := launcher(t, sha256Hex(body), cache, rel.URL, os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	log := harness.Started(t, out)
	if err != nil {
		t.Fatalf("run.sh: %v\n%s", err, log)
	}
	warning := "::warning title=oidc-login native::the cached " + filepath.Join(dir, "oidc-login") + " has SHA-256 " + sha256Hex([]byte(damaged)) +
		", but native/SHA256SUMS says " + sha256Hex(body) + ": not running it, downloading " + asset + " again\n"
	if strings.Contains(log, "damaged\n") || !strings.Contains(string(out), warning) {
		t.Errorf("the damaged cache was not refused before running (want %q):\n%s", warning, log)
	}
	if n := rel.Requests(); n != 1 {
		t.Errorf("%d downloads, want 1", n)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "oidc-login")); sha256Hex(b) != sha256Hex(body) {
		t.Error("the cache does not hold the verified binary")
	}
	if b, _ := os.ReadFile(nativeinstall.JobCopyPath(ws.RunnerTemp, sha256Hex(body))); sha256Hex(b) != sha256Hex(body) {
		t.Error("the job's copy is not the verified binary")
	}
	env, _ := os.ReadFile(ws.EnvFile)
	if !strings.Contains(string(env), "GITHUB_ID_TOKEN_FILE") {
		t.Errorf("the verified binary did not log in: GITHUB_ENV = %q", env)
	}
}

// TestLauncherUnreleasedWithoutGo: with no release pinned in native/ and no go on PATH, the
// step fails saying which ref to use, and no binary runs.
func TestLauncherUnreleasedWithoutGo(t *testing.T) {
	t.Parallel()
	rel := newRelease(t, nil)
	cmd, _, idRequests := launcher(t, "", t.TempDir(), rel.URL, "/usr/bin:/bin")
	out, err := cmd.CombinedOutput()
	shown := harness.Started(t, out)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("run.sh: %v, want exit 1\n%s", err, shown)
	}
	want := "::error title=oidc-login native::this copy of the native action (uses: ./native) is not a release, so there is no verified binary to fetch, and there is no go on PATH to build one from its source: use a release tag (uses: oidc-login/oidc-login/native@v1), or set up Go first (actions/setup-go)\n"
	if string(out) != want {
		t.Errorf("output (as the runner shows it) %q, want %q", shown, want)
	}
	if rel.Requests() != 0 || idRequests() != 0 {
		t.Errorf("requests: release %d, ID token %d; want none", rel.Requests(), idRequests())
	}
}

// TestLauncherFailIsOneLine: a refusal that quotes an input prints one workflow command, its
// line breaks escaped, so an input holding "\n::warning::…" cannot add a command of its own.
func TestLauncherFailIsOneLine(t *testing.T) {
	t.Parallel()
	rel := newRelease(t, nil)
	cmd, _, idRequests := launcher(t, "", t.TempDir(), rel.URL, "/usr/bin:/bin")
	cmd.Env = append(cmd.Env, "INPUT_STAGE=x\r\n::warning::injected 100%")
	out, err := cmd.CombinedOutput()
	shown := harness.Started(t, out)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("run.sh: %v, want exit 1\n%s", err, shown)
	}
	want := "::error title=oidc-login native::stage: 'x%0D%0A::warning::injected 100%25' is not allowed: use main (the default) or post\n"
	if string(out) != want {
		t.Errorf("output %q, want %q", shown, want)
	}
	if idRequests() != 0 {
		t.Errorf("%d ID-token requests, want none", idRequests())
	}
}

// TestCompositeStepCacheHit: the composite's bash step as the runner starts it
// (nativeinstall.Step: native/action.yml's env: mapping and run: line under the runner's bash)
// runs the job's copy of the binary in the tool cache, fetching nothing, and the login reaches
// GITHUB_ENV;
// e2e/bench's BenchmarkPeers times exactly this step.
func TestCompositeStepCacheHit(t *testing.T) {
	t.Parallel()
	body, rel := builtRelease(t)
	a := nativeinstall.Released(t, Version, body)
	cache := t.TempDir()
	a.Seed(t, cache, body)
	gh := harness.NewGitHub(t)
	ws := harness.NewWorkspace(t)
	env := map[string]string{"RUNNER_TOOL_CACHE": cache, "OIDC_LOGIN_NATIVE_DOWNLOAD_URL": rel.URL}
	for k, v := range gh.Env() {
		env[k] = v
	}
	cmd, err := a.Step(ws, map[string]string{"provider": "github"}, env)
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.CombinedOutput()
	if shown := harness.Started(t, out); err != nil {
		t.Fatalf("the composite step: %v\n%s", err, shown)
	}
	if n := rel.Requests(); n != 0 {
		t.Errorf("a cache hit made %d downloads", n)
	}
	raw, err := os.ReadFile(ws.EnvFile)
	if err != nil {
		t.Fatal(err)
	}
	got, err := harness.ParseFileCommands(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	minted := gh.Minted()
	if len(minted) != 1 {
		t.Fatalf("%d ID tokens minted, want 1", len(minted))
	}
	tok, err := os.ReadFile(got["GITHUB_ID_TOKEN_FILE"])
	if err != nil || string(tok) != minted[0] {
		t.Errorf("GITHUB_ID_TOKEN_FILE %q does not hold the minted token (%v)", got["GITHUB_ID_TOKEN_FILE"], err)
	}
	if b, err := os.ReadFile(nativeinstall.JobCopyPath(ws.RunnerTemp, sha256Hex(body))); err != nil || sha256Hex(b) != sha256Hex(body) {
		t.Errorf("the job's copy is not the verified binary (%v)", err)
	}
}

// TestLauncherCacheHitReadsFilesAsWritten: the cache-hit path reads native/ with bash builtins
// (run.sh avoids a fork per file); it must read them as sha256sum and the release commit
// write them: the asset's line among the others, in text or binary ("*name") mode, the last
// line without its newline, VERSION with surrounding blanks, both with CRLF line ends (a copy
// checked out with core.autocrlf=true). The job's copy of the binary in the tool cache then
// runs without a download; two lines for the asset are refused before anything runs.
func TestLauncherCacheHitReadsFilesAsWritten(t *testing.T) {
	t.Parallel()
	body := built(t)
	sum, other := sha256Hex(body), strings.Repeat("ab", 32)
	for _, c := range []struct {
		name, version, sums string
		ok                  bool
	}{
		{"text mode among others", "  " + Version + "\n\n", other + "  oidc-login_darwin_arm64\n" + sum + "  " + asset + "\n" + other + "  oidc-login_windows_amd64.exe\n", true},
		{"binary mode, no final newline", Version, other + " *oidc-login_linux_arm64\n" + sum + " *" + asset, true},
		{"CRLF line ends", Version + "\r\n", other + "  oidc-login_darwin_arm64\r\n" + sum + "  " + asset + "\r\n", true},
		{"two lines for the asset", Version + "\n", sum + "  " + asset + "\n" + other + "  " + asset + "\n", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			rel := newRelease(t, body)
			cache := t.TempDir()
			dir := filepath.Join(cache, "oidc-login", strings.TrimPrefix(Version, "v"), "x64")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "oidc-login"), body, 0o755); err != nil {
				t.Fatal(err)
			}
			cmd, ws, idRequests := launcher(t, sum, cache, rel.URL, os.Getenv("PATH"))
			native := filepath.Dir(cmd.Args[1])
			for name, text := range map[string]string{"VERSION": c.version, "SHA256SUMS": c.sums} {
				if err := os.WriteFile(filepath.Join(native, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, err := cmd.CombinedOutput()
			shown := harness.Started(t, out)
			if !c.ok {
				want := "::error title=oidc-login native::native/SHA256SUMS has no SHA-256 for " + asset + "\n"
				if ee, isExit := err.(*exec.ExitError); !isExit || ee.ExitCode() != 1 || string(out) != want {
					t.Fatalf("run.sh: %v, output (as the runner shows it) %q; want exit 1 and %q", err, shown, want)
				}
				if idRequests() != 0 || rel.Requests() != 0 {
					t.Errorf("requests: ID token %d, release %d; want none", idRequests(), rel.Requests())
				}
				return
			}
			if err != nil {
				t.Fatalf("run.sh: %v\n%s", err, shown)
			}
			if rel.Requests() != 0 || strings.Contains(string(out), "oidc-login native:") {
				t.Errorf("a cache hit downloaded (%d) or warned:\n%s", rel.Requests(), shown)
			}
			if env, _ := os.ReadFile(ws.EnvFile); !strings.Contains(string(env), "GITHUB_ID_TOKEN_FILE") || idRequests() != 1 {
				t.Errorf("the cached binary did not log in (%d ID-token requests): GITHUB_ENV = %q", idRequests(), env)
			}
		})
	}
}
