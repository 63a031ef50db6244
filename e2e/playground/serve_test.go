package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/playground/lab"
)

// TestServeStopsOnSignal runs `go run ./e2e/playground serve gcp` as a user does (the launcher,
// compiled, in the repository), waits until the lab says it is running, and stops it with
// SIGINT or SIGTERM sent to the launcher alone, or with a terminal's Ctrl-C (SIGINT to the
// whole process group): the lab shuts down, exit status 0, its CA file is gone from the folder
// act runs in and nothing is left in the temporary folder.
func TestServeStopsOnSignal(t *testing.T) {
	t.Parallel()
	launcher, env := buildLauncher(t)
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		// group sends it to the launcher's process group, as a terminal's Ctrl-C does: the
		// playground then gets it twice, directly and from the launcher.
		group bool
	}{
		{"SIGINT", syscall.SIGINT, false},
		{"SIGTERM", syscall.SIGTERM, false},
		{"Ctrl-C", syscall.SIGINT, true},
	} {
		sig := tc.sig
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, tmp := t.TempDir(), t.TempDir()
			cmd := exec.Command(launcher, "serve", "-dir", dir, "gcp")
			cmd.Dir = harness.Root()
			cmd.Env = append(env(t), "TMPDIR="+tmp)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			// A group of its own, so that a playground the launcher failed to stop can be.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
			lines := make(chan string)
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					lines <- sc.Text()
				}
			}()
			var printed []string
			deadline := time.After(3 * time.Minute)
		wait:
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						t.Fatalf("the lab ended before it said it runs:\n%s\n%s", strings.Join(printed, "\n"), stderr.String())
					}
					printed = append(printed, l)
					if l == lab.Ready {
						break wait
					}
				case <-deadline:
					cmd.Process.Kill()
					t.Fatalf("the lab did not say it runs in 3 minutes:\n%s\n%s", strings.Join(printed, "\n"), stderr.String())
				}
			}
			ca := filepath.Join(dir, lab.CAFile)
			if _, err := os.Stat(ca); err != nil {
				t.Fatalf("the running lab's CA file: %v", err)
			}
			pid := cmd.Process.Pid
			if tc.group {
				pid = -pid
			}
			if err := syscall.Kill(pid, sig); err != nil {
				t.Fatal(err)
			}
			stopped := time.After(30 * time.Second)
		drain:
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						break drain
					}
					printed = append(printed, l)
				case <-stopped:
					t.Fatalf("the lab did not stop 30 s after %s:\n%s\n%s", sig, strings.Join(printed, "\n"), stderr.String())
				}
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("after %s the launcher ended with %v:\n%s\n%s", sig, err, strings.Join(printed, "\n"), stderr.String())
			}
			if last := printed[len(printed)-1]; last != "Deleted "+ca+"." {
				t.Errorf("the lab's last line is %q, want it to say it deleted %s", last, ca)
			}
			if _, err := os.Stat(ca); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the CA file is still there after %s (%v)", sig, err)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("the temporary folder still holds %d entries after %s: %v", len(left), sig, left)
			}
		})
	}
}
