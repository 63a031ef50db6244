package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// TestScenarioStopsOnSignal runs `go run ./e2e/playground aws` as a user does (the launcher,
// compiled, in the repository) and, once the playground says it built the action (moto_server
// is starting next), interrupts it: SIGTERM to the launcher alone, a terminal's Ctrl-C (SIGINT
// to the whole process group), or a reader that goes away (`| head -1`, SIGPIPE on its next
// write). The playground stops, says it was interrupted, exit status 1, and leaves nothing in
// the temporary folder.
func TestScenarioStopsOnSignal(t *testing.T) {
	t.Parallel()
	launcher, env := buildLauncher(t)
	for _, tc := range []struct {
		name string
		// sig is sent to the launcher, or to its process group; with none, the reader of its
		// output goes away.
		sig   syscall.Signal
		group bool
	}{
		{"SIGTERM", syscall.SIGTERM, false},
		{"Ctrl-C", syscall.SIGINT, true},
		{"broken pipe", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(launcher, "aws")
			cmd.Dir = harness.Root()
			cmd.Env = append(env(t), "TMPDIR="+tmp)
			cmd.Stdout = w
			var stderr strings.Builder
			cmd.Stderr = &stderr
			// A group of its own, so that a playground the launcher failed to stop can be.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w.Close()
			t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
			first := make(chan string, 1)
			go func() {
				sc := bufio.NewScanner(r)
				sc.Scan()
				first <- sc.Text()
			}()
			select {
			case l := <-first:
				if !strings.HasPrefix(l, "Building the action with the Dockerfile's flags… built in ") {
					t.Fatalf("the playground's first line is %q\n%s", l, stderr.String())
				}
			case <-time.After(3 * time.Minute):
				t.Fatalf("the playground printed no line in 3 minutes:\n%s", stderr.String())
			}
			pid := cmd.Process.Pid
			if tc.group {
				pid = -pid
			}
			switch {
			case tc.sig == 0:
				err = r.Close()
			default:
				err = syscall.Kill(pid, tc.sig)
				// The rest of its output is read, so that no write of its fails.
				go func() {
					sc := bufio.NewScanner(r)
					for sc.Scan() {
					}
				}()
			}
			if err != nil {
				t.Fatal(err)
			}
			ended := make(chan error, 1)
			go func() { ended <- cmd.Wait() }()
			select {
			case err = <-ended:
			case <-time.After(time.Minute):
				t.Fatalf("the playground did not stop a minute after it was interrupted:\n%s", stderr.String())
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(stderr.String(), "playground: interrupted (") {
				t.Errorf("the interrupted playground ended with %v, want exit status 1 saying it was interrupted:\n%s", err, stderr.String())
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("the temporary folder still holds %d entries: %v", len(left), left)
			}
		})
	}
}
