package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// buildLauncher compiles the launcher as `go run ./e2e/playground` does.
func buildLauncher(t *testing.T) string {
	t.Helper()
	launcher := filepath.Join(t.TempDir(), "playground")
	build := exec.Command("go", "build", "-o", launcher, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build the launcher: %v\n%s", err, out)
	}
	return launcher
}

// interruption is a way a user stops the playground.
type interruption struct {
	name string
	// sig goes to the launcher, or with group to its whole process group, as a terminal's
	// Ctrl-C does: the playground then gets it twice, directly and from the launcher. With no
	// sig, the reader of its output goes away, as `| head` does once it has its lines.
	sig   syscall.Signal
	group bool
}

// interruptions are the signals a user stops the playground with.
var interruptions = []interruption{
	{"SIGINT", syscall.SIGINT, false},
	{"SIGTERM", syscall.SIGTERM, false},
	{"Ctrl-C", syscall.SIGINT, true},
}

// launched is the launcher running as a user runs it, in the repository.
type launched struct {
	cmd *exec.Cmd
	// tmp is its TMPDIR, a folder of the test's own.
	tmp string
	// stdout is the pipe it prints to; closing it is a reader that goes away.
	stdout io.Closer
	lines  <-chan string
	stderr strings.Builder
	// printed are the lines of stdout read so far.
	printed []string
}

// startLauncher starts launcher with args. The compiled playground goes to a cache folder of the
// test's own, while Go's build cache stays the one this test was built with, which has every
// package. The launcher gets a process group of its own, killed when the test ends, so that a
// playground it failed to stop is stopped.
func startLauncher(t *testing.T, launcher string, args ...string) *launched {
	t.Helper()
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	l := &launched{tmp: t.TempDir()}
	l.cmd = exec.Command(launcher, args...)
	l.cmd.Dir = harness.Root()
	l.cmd.Env = append(os.Environ(), "TMPDIR="+l.tmp, "XDG_CACHE_HOME="+t.TempDir(), "GOCACHE="+strings.TrimSpace(string(gocache)))
	stdout, err := l.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	l.stdout = stdout
	l.cmd.Stderr = &l.stderr
	l.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := l.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-l.cmd.Process.Pid, syscall.SIGKILL) })
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	l.lines = lines
	return l
}

// output is what it printed so far, for a failure message.
func (l *launched) output() string { return strings.Join(l.printed, "\n") + "\n" + l.stderr.String() }

// until reads its lines until one is done, and fails the test if none is within d.
func (l *launched) until(t *testing.T, d time.Duration, done func(line string) bool) {
	t.Helper()
	if l.read(t, d, done) {
		t.Fatalf("the playground ended early:\n%s", l.output())
	}
}

// read reads its lines until one is done (done nil: none is) or stdout ends, which it
// reports; it fails the test after d.
func (l *launched) read(t *testing.T, d time.Duration, done func(line string) bool) (ended bool) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case line, ok := <-l.lines:
			if !ok {
				return true
			}
			l.printed = append(l.printed, line)
			if done != nil && done(line) {
				return false
			}
		case <-timeout:
			t.Fatalf("the playground did not get there within %s:\n%s", d, l.output())
		}
	}
}

// interrupt stops it as i says.
func (l *launched) interrupt(t *testing.T, i interruption) {
	t.Helper()
	var err error
	switch {
	case i.sig == 0:
		err = l.stdout.Close()
	case i.group:
		err = syscall.Kill(-l.cmd.Process.Pid, i.sig)
	default:
		err = l.cmd.Process.Signal(i.sig)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// wait reads the rest of its lines and waits for it to end, failing the test after d.
func (l *launched) wait(t *testing.T, d time.Duration) error {
	t.Helper()
	l.read(t, d, nil)
	return l.cmd.Wait()
}

// noTmpLeft fails the test if anything is left in the launcher's temporary folder.
func (l *launched) noTmpLeft(t *testing.T, after string) {
	t.Helper()
	if left, _ := os.ReadDir(l.tmp); len(left) > 0 {
		t.Errorf("the temporary folder still holds %d entries after %s: %v", len(left), after, left)
	}
}
