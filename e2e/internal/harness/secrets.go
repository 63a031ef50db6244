package harness

import (
	"fmt"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/leak"
)

const maskPrefix = "::add-mask::"

// unescape undoes the workflow-command escaping of a mask line's value.
func unescape(v string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(v)
}

func secretLines(secrets []string) []string {
	var out []string
	for _, s := range secrets {
		for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
	}
	return out
}

// NoLeak fails the test when any secret (any line of a multi-line one) appears anywhere the
// binary printed except on an ::add-mask:: line. Failure messages never quote the secret.
func NoLeak(t testing.TB, r *Run, secrets ...string) {
	t.Helper()
	for i, s := range secretLines(secrets) {
		if strings.Contains(r.Stderr, s) {
			t.Errorf("secret #%d (%d bytes) appears on stderr", i, len(s))
		}
		for n, line := range strings.Split(r.Stdout, "\n") {
			if strings.HasPrefix(line, maskPrefix) {
				continue
			}
			if strings.Contains(line, s) {
				t.Errorf("secret #%d (%d bytes) printed on stdout line %d outside a mask", i, len(s), n+1)
			}
		}
		if strings.Contains(r.Summary, s) {
			t.Errorf("secret #%d (%d bytes) written to the job summary", i, len(s))
		}
	}
}

// leaks reports the first secret found anywhere the run printed except a mask line, without
// quoting it. Every Execute calls it with every secret any emulator registered.
func (r *Run) leaks(secrets []string) error {
	lines := strings.Split(r.Stdout, "\n")
	for _, s := range secretLines(secrets) {
		if strings.Contains(r.Stderr, s) {
			return fmt.Errorf("a secret (%d bytes) issued by an emulator appears on stderr", len(s))
		}
		if strings.Contains(r.Summary, s) {
			return fmt.Errorf("a secret (%d bytes) issued by an emulator is in the job summary", len(s))
		}
		if !strings.Contains(r.Stdout, s) {
			continue
		}
		for n, line := range lines {
			if !strings.HasPrefix(line, maskPrefix) && strings.Contains(line, s) {
				return fmt.Errorf("a secret (%d bytes) issued by an emulator is printed on stdout line %d outside a mask", len(s), n+1)
			}
		}
	}
	return nil
}

// Masked fails the test unless every line of every secret was masked, and masked before any
// other output line: the mask must be in place before anything could print the value.
func Masked(t testing.TB, r *Run, secrets ...string) {
	t.Helper()
	lines := strings.Split(r.Stdout, "\n")
	for i, s := range secretLines(secrets) {
		found := false
		for _, line := range lines {
			if strings.HasPrefix(line, maskPrefix) && unescape(strings.TrimPrefix(line, maskPrefix)) == s {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("secret #%d (%d bytes) was never masked", i, len(s))
		}
	}
}

// MasksFirst fails the test when an ordinary line precedes a mask line: every mask of a
// successful login is emitted before the step prints anything else.
func MasksFirst(t testing.TB, r *Run) {
	t.Helper()
	seenOther := false
	for n, line := range strings.Split(r.Stdout, "\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, maskPrefix):
			if seenOther {
				t.Errorf("mask on stdout line %d comes after other output", n+1)
			}
		default:
			seenOther = true
		}
	}
}

// FailureHeading starts the job summary of a failed step (internal/login writes it).
const FailureHeading = "### oidc-login: login failed"

// NothingWritten fails the test when the step wrote any file command or left any file in the
// home mount. The job summary may hold only the failure's explanation: no table of logins.
func NothingWritten(t testing.TB, r *Run) {
	t.Helper()
	if r.Summary != "" && (!strings.HasPrefix(r.Summary, FailureHeading) || strings.Contains(r.Summary, "| Provider |")) {
		t.Errorf("a failed step wrote a job summary other than its explanation:\n%s", r.Summary)
	}
	if r.EnvRaw != "" || r.OutputRaw != "" || r.StateRaw != "" {
		t.Errorf("a failed step wrote file commands:\nGITHUB_ENV=%q\nGITHUB_OUTPUT=%q\nGITHUB_STATE=%q\nSUMMARY=%q",
			redactAll(r.EnvRaw), redactAll(r.OutputRaw), redactAll(r.StateRaw), r.Summary)
	}
	if files := HomeFiles(t, r.Workspace); len(files) > 0 {
		t.Errorf("a failed step left files in the home mount: %v", files)
	}
}

// redactAll keeps only the names of a file-command text, so a failure message cannot print a
// value that might be a credential.
func redactAll(s string) string {
	var names []string
	for _, line := range strings.Split(s, "\n") {
		if name, _, ok := strings.Cut(line, "<<"); ok {
			names = append(names, name)
		}
	}
	return strings.Join(names, ",")
}

// Started checks the output of a run of the binary that Execute did not start (native/run.sh
// or the composite's bash step, which start it themselves) as Execute checks its own: no
// secret any emulator registered outside a mask line. It returns the output as the runner
// would show it (mask lines hidden, masked values replaced), the only form a failure message
// may quote: the raw output holds every secret on its ::add-mask:: line.
func Started(t testing.TB, out []byte) string {
	t.Helper()
	r := &Run{Stdout: string(out)}
	if err := r.leaks(leak.All()); err != nil {
		t.Error(err)
	}
	return r.Log()
}
