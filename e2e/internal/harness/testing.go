package harness

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// Main is the TestMain of every e2e package: the tests run as root, like the runner's
// container (they hand files to uid 1001 and use mount namespaces), against the binary
// built once with the Dockerfile's flags.
func Main(m *testing.M, cleanup ...func()) {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "e2e tests run as root, like the runner's container: they hand files to the runner's uid 1001 and use mount namespaces")
		os.Exit(1)
	}
	if _, err := Binary(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	for _, c := range cleanup {
		c()
	}
	RemoveBinary()
	testca.RemoveShared()
	os.Exit(code)
}

// NewGitHub starts a fake ID-token service for one test.
func NewGitHub(t testing.TB) *fakegithub.Server {
	t.Helper()
	gh := fakegithub.New()
	t.Cleanup(gh.Close)
	return gh
}

// SecretsOf lists every secret the fake GitHub handed out or was given, plus more.
func SecretsOf(gh *fakegithub.Server, more ...string) []string {
	return append(append([]string{gh.RequestToken}, gh.Minted()...), more...)
}

// RequireExit fails unless the run exited with want, showing its output as the runner would
// (mask commands hidden, masked values as ***), so a failure message never holds a secret.
func RequireExit(t testing.TB, r *Run, want int) {
	t.Helper()
	if r.Exit != want {
		t.Fatalf("exit %d, want %d\nlog:\n%s\nstderr:\n%s", r.Exit, want, r.Log(), r.Redact(r.Stderr))
	}
}

// ErrorLines returns the ::error:: annotations of a run.
func ErrorLines(r *Run) []string {
	var out []string
	for _, l := range strings.Split(r.Stdout, "\n") {
		if strings.HasPrefix(l, "::error") {
			out = append(out, l)
		}
	}
	return out
}

// MustEqual compares maps of exact values, both ways. Values may be credentials, so a failure
// names the key and the sizes, never the values.
func MustEqual(t testing.TB, what string, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s %s differs: got %d bytes, want %d bytes", what, k, len(got[k]), len(v))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s has unexpected %s", what, k)
		}
	}
}

// RequireInputRefused checks how a bad input must fail: exit 1, exactly one annotation, and
// that one says want (which names the input); nothing written; and no request to anyone —
// requests are the counters of every server the step could have reached.
func RequireInputRefused(t testing.TB, r *Run, want string, requests ...func() int) {
	t.Helper()
	RequireExit(t, r, 1)
	if errs := ErrorLines(r); len(errs) != 1 || !strings.Contains(errs[0], want) {
		t.Errorf("annotations %q, want one containing %q", errs, want)
	}
	for i, n := range requests {
		if got := n(); got != 0 {
			t.Errorf("a bad input made %d requests to server #%d, want none before the inputs are valid", got, i)
		}
	}
	NothingWritten(t, r)
}

// Emulator is an emulator that records every request its real service would not serve.
type Emulator interface {
	Close()
	Unexpected() []string
}

// CloseChecked closes e when the test ends, then fails the test if e got any request its real
// service would not serve (what names the service): a login that asks for something the real
// service does not know would fail there, even if the emulator's 404 let the test pass.
func CloseChecked(t testing.TB, what string, e Emulator) {
	t.Helper()
	t.Cleanup(func() {
		e.Close()
		if u := e.Unexpected(); len(u) > 0 {
			t.Errorf("the %s emulator got requests %s would not serve: %q", what, what, u)
		}
	})
}
