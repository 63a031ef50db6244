package core_test

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// TestUndeclaredInputRefused: the runner hands the Docker action every with: key as INPUT_*
// and only warns about the undeclared ones (harness/container.go models it). A typo, and a
// name from the official AWS action, each fail before any request, exit 1, with nothing
// written but the explanation in the job summary.
func TestUndeclaredInputRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   []string
		want string
	}{
		{"a typo", []string{"aws-role-session-nmae", "my-session"},
			"input aws-role-session-nmae: is not an input of this action, so it would be ignored; did you mean aws-role-session-name?"},
		{"configure-aws-credentials' name", []string{"role-duration-seconds", "900"},
			"input role-duration-seconds: is not an input of this action but of aws-actions/configure-aws-credentials; here it is aws-role-duration-seconds (same default, 3600); migration guide: https://github.com/oidc-login/oidc-login/blob/main/docs/migrate/configure-aws-credentials.md#inputs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newSTS(t, gh)
			r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, tc.in...), IDToken: gh.Env()})
			harness.RequireInputRefused(t, r, tc.want, gh.Requests, sts.Requests)
			if !strings.Contains(r.Summary, tc.want) {
				t.Errorf("the job summary lacks the error:\n%s", r.Summary)
			}
		})
	}
}

// TestUndeclaredInputOnTheHost: outside the Docker action (the native action, whose runner
// passes only the inputs native/action.yml declares, or a local run) no INPUT_* variable is
// taken for a with: key, so none is refused.
func TestUndeclaredInputOnTheHost(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "stage", "main", "aws-role-session-nmae", "x"), IDToken: gh.Env(), Placement: harness.NoContainer})
	harness.RequireExit(t, r, 0)
	if r.Outputs["aws-arn"] != "arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions" {
		t.Errorf("aws-arn = %q", r.Outputs["aws-arn"])
	}
}
