package login

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/oidc-login/oidc-login/internal/runner"
)

// TestExitStatus: the one place a stage's end becomes an exit status and its annotations:
// nothing for success; one annotation per joined error under its own title (the main title
// for an untitled one); none for a failure reported where it happened.
func TestExitStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		code int
		out  string
	}{
		{nil, ExitOK, ""},
		{errReported, ExitFailure, ""},
		{fail(titleInput, errors.New("input a: bad")), ExitFailure, "::error title=oidc-login%3A invalid input::input a: bad\n"},
		{errors.Join(fail(titleInput, errors.New("input a: bad")), fail(titleInput, errors.New("input b: bad"))), ExitFailure,
			"::error title=oidc-login%3A invalid input::input a: bad\n::error title=oidc-login%3A invalid input::input b: bad\n"},
		{errors.Join(errReported, fmt.Errorf("untitled")), ExitFailure, "::error title=oidc-login::untitled\n"},
		{fail(titlePost+": vault", errors.New("vault cleanup failed: x")), ExitFailure, "::error title=oidc-login post%3A vault::vault cleanup failed: x\n"},
	} {
		var out bytes.Buffer
		r := runner.New(&out, func(string) string { return "" })
		if code := exitStatus(r, tc.err); code != tc.code || out.String() != tc.out {
			t.Errorf("exitStatus(%v) = %d, printed %q; want %d, %q", tc.err, code, out.String(), tc.code, tc.out)
		}
	}
}

// TestRunRefusesUnknownArguments: a bad command line is reported like any other failure.
func TestRunRefusesUnknownArguments(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	a := &Action{Stdout: &out, Getenv: func(string) string { return "" }}
	if code := a.Run(t.Context(), "oidc-login", []string{"--nope"}); code != ExitFailure {
		t.Errorf("exit %d", code)
	}
	if want := "::error title=oidc-login::unknown argument \"--nope\": the action takes its settings as inputs (with:), and action.yml passes only --runner-temp=, --runner-workspace= and --job-container-id=\n"; out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}
