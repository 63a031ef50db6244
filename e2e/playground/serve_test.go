package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/playground/lab"
)

// TestServeStopsOnSignal runs `go run ./e2e/playground serve gcp` as a user does (the launcher,
// compiled, in the repository), waits until the lab says it is running, and stops it with
// SIGINT or SIGTERM sent to the launcher alone, or with a terminal's Ctrl-C (SIGINT to the
// whole process group): the lab shuts down, exit status 0, its CA file is gone from the folder
// act runs in and nothing is left in the temporary folder.
func TestServeStopsOnSignal(t *testing.T) {
	t.Parallel()
	launcher := buildLauncher(t)
	for _, tc := range interruptions {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			l := startLauncher(t, launcher, "serve", "-dir", dir, "gcp")
			l.until(t, 3*time.Minute, func(line string) bool { return line == lab.Ready })
			ca := filepath.Join(dir, lab.CAFile)
			if _, err := os.Stat(ca); err != nil {
				t.Fatalf("the running lab's CA file: %v", err)
			}
			l.interrupt(t, tc)
			if err := l.wait(t, 30*time.Second); err != nil {
				t.Fatalf("after %s the launcher ended with %v:\n%s", tc.name, err, l.output())
			}
			if last := l.printed[len(l.printed)-1]; last != "Deleted "+ca+"." {
				t.Errorf("the lab's last line is %q, want it to say it deleted %s", last, ca)
			}
			if _, err := os.Stat(ca); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the CA file is still there after %s (%v)", tc.name, err)
			}
			l.noTmpLeft(t, tc.name)
		})
	}
}
