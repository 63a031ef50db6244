package bench_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/nativeinstall"
)

// hostRunner starts logins as a runner whose tool cache already holds the binary runs the
// native action: the composite's bash step (nativeinstall.Action.Step: the runner's bash,
// run.sh, then the binary) as a job's first step or as a later step of the same job, or the
// cached binary alone with the environment that step gives run.sh, to show what the launchers
// add (no runner starts it so).
//
// A job's first step is what a job with one login pays: run.sh copies the cached binary into
// the job's RUNNER_TEMP, hashes the copy against native/SHA256SUMS, and runs it. A later step
// finds that copy and runs it as it is. Every login gets a fresh workspace, so a fresh
// RUNNER_TEMP: a first step as it is; a later step with the copy a first step leaves there.
type hostRunner struct {
	action *nativeinstall.Action
	cache  string // RUNNER_TOOL_CACHE
	bin    string // the binary in it
	sum    string // its SHA-256, as native/SHA256SUMS holds it
	made   string // the job's copy a first step makes, for later steps to find
}

func newHostRunner(b *testing.B, body []byte) *hostRunner {
	a := nativeinstall.Released(b, peerVersion, body)
	cache := b.TempDir()
	made := filepath.Join(b.TempDir(), "oidc-login")
	if err := os.WriteFile(made, body, 0o755); err != nil {
		b.Fatal(err)
	}
	return &hostRunner{action: a, cache: cache, bin: a.Seed(b, cache, body), sum: nativeinstall.SHA256Hex(body), made: made}
}

// firstStep is the native step of one login in ws as a job's first step, env on top of the
// job's variables.
func (h *hostRunner) firstStep(ws *harness.Workspace, inputs, env map[string]string) (*exec.Cmd, error) {
	e := jobEnv()
	e["RUNNER_TOOL_CACHE"] = h.cache
	for k, v := range env {
		e[k] = v
	}
	return h.action.Step(ws, inputs, e)
}

// laterStep is the same login as a later step of the job: ws's RUNNER_TEMP already holds the
// job's copy where run.sh made it (nativeinstall.JobCopyPath, which e2e/native's
// TestLauncherJobCopy holds run.sh to). The copy is a hard link to one verified file, put in
// place before the clock starts.
func (h *hostRunner) laterStep(ws *harness.Workspace, inputs, env map[string]string) (*exec.Cmd, error) {
	copied := nativeinstall.JobCopyPath(ws.RunnerTemp, h.sum)
	if err := os.MkdirAll(filepath.Dir(copied), 0o755); err != nil {
		return nil, err
	}
	if err := os.Link(h.made, copied); err != nil {
		return nil, err
	}
	return h.firstStep(ws, inputs, env)
}

// binary is the cached binary of the same login, started directly.
func (h *hostRunner) binary(ws *harness.Workspace, inputs, env map[string]string) (*exec.Cmd, error) {
	step, err := h.firstStep(ws, inputs, env)
	if err != nil {
		return nil, err
	}
	c := exec.Command(h.bin)
	c.Dir, c.Env = step.Dir, step.Env
	return c, nil
}

// endJob removes ws once its login is checked, as the runner empties RUNNER_TEMP when a job
// ends: the 9 MB copy a first step wrote would otherwise stay dirty in the page cache, and
// the kernel writing hundreds of them back would take the cores from the logins that follow.
func endJob(tb testing.TB, ws *harness.Workspace) {
	tb.Helper()
	if err := os.RemoveAll(ws.Root); err != nil {
		tb.Fatal(err)
	}
}

// runTimeout bounds one login of any subject.
const runTimeout = 2 * time.Minute

// rssRuns is how many extra, untimed logins of each subject measure peak memory.
const rssRuns = 3

// timed is one login as it ran.
type timed struct {
	start    time.Time // just before the fork and exec
	d        time.Duration
	run      *harness.Run // output and exit code; Env and Outputs read from ws
	peakKiB  int64        // with measureRSS
	env, out map[string]string
}

// runTimed runs cmd for one login in ws and reads back its file commands. The clock runs from
// just before the fork and exec, which the runner pays too, to the exit. With measureRSS it
// runs under GNU time(1), which forks it from its own small process, so the peak is the
// child's own (harness.Step.MeasureRSS says why that matters).
func runTimed(b *testing.B, name string, cmd *exec.Cmd, ws *harness.Workspace, measureRSS bool) timed {
	b.Helper()
	var rssFile string
	if measureRSS {
		rssFile = filepath.Join(b.TempDir(), "rss")
		cmd.Args = append([]string{"/usr/bin/time", "--quiet", "--format=%M", "--output=" + rssFile, cmd.Path}, cmd.Args[1:]...)
		cmd.Path = "/usr/bin/time"
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// The emulators share this process: collect its garbage now, not while a login runs (a
	// collection then takes a core from a login of 10 ms, and hardly shows in one of 100).
	runtime.GC()
	b.StartTimer()
	t := timed{start: time.Now()}
	if err := cmd.Start(); err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	kill := time.AfterFunc(runTimeout, func() { _ = cmd.Process.Kill() })
	err := cmd.Wait()
	t.d = time.Since(t.start)
	b.StopTimer()
	kill.Stop()
	t.run = &harness.Run{Stdout: stdout.String(), Stderr: stderr.String(), Workspace: ws}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.run.Exit = ee.ExitCode()
	} else if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	if measureRSS {
		raw, err := os.ReadFile(rssFile)
		if err != nil {
			b.Fatal(err)
		}
		if t.peakKiB, err = strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64); err != nil {
			b.Fatalf("%s: GNU time reported %q, not a peak RSS in KiB", name, raw)
		}
	}
	t.env, t.out = readCommands(b, ws.EnvFile), readCommands(b, ws.OutputFile)
	t.run.Env, t.run.Outputs = t.env, t.out
	return t
}

// readCommands reads a GITHUB_ENV or GITHUB_OUTPUT file as the runner does after the step.
func readCommands(b *testing.B, path string) map[string]string {
	b.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	m, err := harness.ParseFileCommands(string(raw))
	if err != nil {
		b.Fatalf("%s: %v", filepath.Base(path), err)
	}
	return m
}
