// Package actlog reads the plain (non --json) log nektos/act prints: which step ran, each
// step's output lines and act's verdict on each step and on the job. The format is act's
// text formatter, pkg/runner/logger.go at bd86152 ("[<job>]   | <line>" for output), and
// the step markers pkg/runner prints around each stage ("⭐ Run Main x", "✅  Success - Main x").
// It also finds the act it models (Binary) and commits the checkout a test runs act in
// (Commit), which e2e/act and e2e/native share.
package actlog

import (
	"regexp"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/leak"
)

// Run is one act log, split by step.
type Run struct {
	Log string
	// Lines are each step's output lines (act's "| " lines), by "<Stage> <step name>".
	Lines map[string][]string
	// Result is each step's act verdict, "success" or "failure", by "<Stage> <step name>".
	Result map[string]string
	// JobSucceeded is act's final verdict on the job.
	JobSucceeded bool
}

var (
	runLine    = regexp.MustCompile(`^\[[^\]]+\] ⭐ Run (Pre|Main|Post) (.*)$`)
	resultLine = regexp.MustCompile(`^\[[^\]]+\]   (✅  Success|❌  Failure) - (Pre|Main|Post) (.*?) \[[^\]]*\]$`)
	outputLine = regexp.MustCompile(`^\[[^\]]+\]   \| ?(.*)$`)
)

// Parse splits log by step.
func Parse(log string) *Run {
	run := &Run{Log: log, Lines: map[string][]string{}, Result: map[string]string{}}
	current := ""
	for _, line := range strings.Split(log, "\n") {
		if m := runLine.FindStringSubmatch(line); m != nil {
			current = m[1] + " " + m[2]
			continue
		}
		if m := resultLine.FindStringSubmatch(line); m != nil {
			v := "success"
			if strings.Contains(m[1], "Failure") {
				v = "failure"
			}
			run.Result[m[2]+" "+m[3]] = v
			continue
		}
		if m := outputLine.FindStringSubmatch(line); m != nil && current != "" {
			run.Lines[current] = append(run.Lines[current], m[1])
		}
		if strings.HasSuffix(line, "🏁  Job succeeded") {
			run.JobSucceeded = true
		}
	}
	return run
}

// RequireNoSecret fails if log holds any secret an emulator registered with e2e/internal/leak
// (naming only its length: the failure message must not print it either).
func RequireNoSecret(t *testing.T, log string) {
	t.Helper()
	for _, s := range leak.All() {
		if strings.Contains(log, s) {
			t.Fatalf("act's log holds a secret an emulator issued (%d bytes) outside a mask", len(s))
		}
	}
}

// Shown is log with every secret an emulator registered replaced by ***, as a failure
// message may quote a log RequireNoSecret has not passed (act failed before it was checked).
func Shown(log string) string { return leak.Redact(log) }

// Require fails unless step (e.g. "Main login") ended as want, showing the log.
func (r *Run) Require(t *testing.T, step, want string) {
	t.Helper()
	if got := r.Result[step]; got != want {
		t.Fatalf("act step %q = %q, want %q\nlog:\n%s", step, got, want, r.Log)
	}
}

// Tagged returns the values of a step's output lines that start with tag+" ".
func (r *Run) Tagged(step, tag string) []string {
	var out []string
	for _, l := range r.Lines[step] {
		if v, ok := strings.CutPrefix(l, tag+" "); ok {
			out = append(out, v)
		}
	}
	return out
}
