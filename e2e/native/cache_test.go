package native_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/nativeinstall"
)

// again is cmd once more, in the same job: same script, environment and folder.
func again(cmd *exec.Cmd) *exec.Cmd {
	c := exec.Command(cmd.Path, cmd.Args[1:]...)
	c.Env, c.Dir = cmd.Env, cmd.Dir
	return c
}

// toolCacheFile is where the launcher keeps the Linux x64 binary of Version in cache.
func toolCacheFile(cache string) string {
	return filepath.Join(cache, "oidc-login", strings.TrimPrefix(Version, "v"), "x64", "oidc-login")
}

// TestLauncherRefusesPlantedCache: whoever can write the tool cache (on a self-hosted runner,
// every earlier job) plants a program of their own beside a marker naming the committed sum
// and the program's size, which the launcher used to trust without hashing. It never runs:
// the job's copy of it is hashed and refused, and the release's asset is downloaded,
// verified, run, and put in the tool cache in its place.
func TestLauncherRefusesPlantedCache(t *testing.T) {
	t.Parallel()
	body, rel := builtRelease(t)
	cache := t.TempDir()
	ran := filepath.Join(t.TempDir(), "planted-ran")
	planted := "#!/bin/sh\ntouch '" + ran + "'\necho planted\n"
	file := toolCacheFile(cache)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(planted), 0o755); err != nil {
		t.Fatal(err)
	}
	marker := sha256Hex(body) + " " + strconv.Itoa(len(planted)) + "\n"
	if err := os.WriteFile(file+".verified", []byte(marker), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, ws, idRequests := launcher(t, sha256Hex(body), cache, rel.URL, os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	shown := harness.Started(t, out)
	if err != nil {
		t.Fatalf("run.sh: %v\n%s", err, shown)
	}
	if _, err := os.Stat(ran); err == nil || strings.Contains(string(out), "planted") {
		t.Fatalf("the planted program ran:\n%s", shown)
	}
	warning := "::warning title=oidc-login native::the cached " + file + " has SHA-256 " + sha256Hex([]byte(planted)) +
		", but native/SHA256SUMS says " + sha256Hex(body) + ": not running it, downloading " + asset + " again\n"
	if !strings.Contains(string(out), warning) {
		t.Errorf("no warning %q in\n%s", warning, shown)
	}
	if n := rel.Requests(); n != 1 {
		t.Errorf("%d downloads, want 1", n)
	}
	if b, _ := os.ReadFile(file); sha256Hex(b) != sha256Hex(body) {
		t.Error("the tool cache still holds the planted program")
	}
	if env, _ := os.ReadFile(ws.EnvFile); !strings.Contains(string(env), "GITHUB_ID_TOKEN_FILE") || idRequests() != 1 {
		t.Errorf("the verified binary did not log in (%d ID-token requests): GITHUB_ENV = %q", idRequests(), env)
	}
}

// TestLauncherJobCopy: a job's first step copies the binary from the tool cache into the
// job's RUNNER_TEMP, hashes the copy and runs it; a later step of the same job runs that copy
// as it is, even with the tool cache gone, and fetches nothing; a new job (a fresh
// RUNNER_TEMP, as the runner gives every job) makes its own copy again, here by downloading.
func TestLauncherJobCopy(t *testing.T) {
	t.Parallel()
	body, rel := builtRelease(t)
	a := nativeinstall.Released(t, Version, body)
	cache := t.TempDir()
	a.Seed(t, cache, body)
	first, ws, idRequests := launcher(t, sha256Hex(body), cache, rel.URL, os.Getenv("PATH"))
	for step, cmd := range []*exec.Cmd{first, again(first)} {
		out, err := cmd.CombinedOutput()
		if shown := harness.Started(t, out); err != nil || strings.Contains(string(out), "oidc-login native") {
			t.Fatalf("step %d: run.sh: %v, or the launcher said something:\n%s", step+1, err, shown)
		}
		if step == 0 {
			// What later steps of the job run no longer depends on the tool cache.
			if err := os.RemoveAll(filepath.Join(cache, "oidc-login")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := rel.Requests(); n != 0 {
		t.Errorf("the job's two steps made %d downloads, want none", n)
	}
	if n := idRequests(); n != 2 {
		t.Errorf("%d ID-token requests, want one per step", n)
	}
	if b, err := os.ReadFile(nativeinstall.JobCopyPath(ws.RunnerTemp, sha256Hex(body))); err != nil || sha256Hex(b) != sha256Hex(body) {
		t.Errorf("the job's copy is not the verified binary (%v)", err)
	}

	next, _, _ := launcher(t, sha256Hex(body), cache, rel.URL, os.Getenv("PATH"))
	if out, err := next.CombinedOutput(); err != nil {
		t.Fatalf("the next job: run.sh: %v\n%s", err, harness.Started(t, out))
	}
	if n := rel.Requests(); n != 1 {
		t.Errorf("the next job, with the tool cache gone, made %d downloads, want 1", n)
	}
	if b, _ := os.ReadFile(toolCacheFile(cache)); sha256Hex(b) != sha256Hex(body) {
		t.Error("the download was not put back in the tool cache")
	}
}

// TestLauncherUnusableToolCache: a tool cache the launcher cannot write (here a path through a
// regular file, which no user can create) costs a warning, not the step: the verified download
// runs from the job's copy.
func TestLauncherUnusableToolCache(t *testing.T) {
	t.Parallel()
	body, rel := builtRelease(t)
	notDir := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(notDir, "tool-cache")
	cmd, ws, idRequests := launcher(t, sha256Hex(body), cache, rel.URL, os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	shown := harness.Started(t, out)
	if err != nil {
		t.Fatalf("run.sh: %v\n%s", err, shown)
	}
	warning := "::warning title=oidc-login native::could not keep " + asset + " in the tool cache (" + filepath.Dir(toolCacheFile(cache)) +
		"); later jobs on this runner will download it again\n"
	if !strings.Contains(string(out), warning) {
		t.Errorf("no warning %q in\n%s", warning, shown)
	}
	if n := rel.Requests(); n != 1 {
		t.Errorf("%d downloads, want 1", n)
	}
	if env, _ := os.ReadFile(ws.EnvFile); !strings.Contains(string(env), "GITHUB_ID_TOKEN_FILE") || idRequests() != 1 {
		t.Errorf("the verified binary did not log in (%d ID-token requests): GITHUB_ENV = %q", idRequests(), env)
	}
}
