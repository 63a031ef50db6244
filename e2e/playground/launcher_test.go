package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildLauncher compiles the launcher as `go run ./e2e/playground` does, and returns it and the
// environment a test runs it in: the compiled playground goes to a cache folder of the test's
// own, while Go's build cache stays the one this test was built with, which has every package.
func buildLauncher(t *testing.T) (string, func(t *testing.T) []string) {
	t.Helper()
	launcher := filepath.Join(t.TempDir(), "playground")
	build := exec.Command("go", "build", "-o", launcher, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build the launcher: %v\n%s", err, out)
	}
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	return launcher, func(t *testing.T) []string {
		return append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir(), "GOCACHE="+strings.TrimSpace(string(gocache)))
	}
}
