package core_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// TestStopSummary: an input error, and a job without id-token: write, are explained in the job
// summary as a refusal is, each under its annotation's title, and nothing else is written.
func TestStopSummary(t *testing.T) {
	t.Parallel()
	noToken := "the job cannot request a GitHub OIDC ID token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set. " +
		"Give the job `permissions: id-token: write` (at workflow or job level; when a `permissions:` block exists, every permission it does not list is none). " +
		"Pull requests from forks never get an ID token, whatever the permissions, so run this step only for pushes, same-repository pull requests, or with pull_request_target after review"
	for _, tc := range []struct {
		name    string
		in      []string
		idToken bool
		want    string
	}{
		{"a bad input", []string{"timeout-seconds", "soon"}, true, harness.FailureHeading + "\n\nNothing was exported.\n" +
			"\n**oidc-login: invalid input**:\n\n```text\ninput timeout-seconds: must be a whole number from 1 to 3600, got \"soon\"\n```\n"},
		{"no id-token: write", nil, false, harness.FailureHeading + "\n\nNothing was exported.\n" +
			"\n**oidc-login: no ID token**:\n\n```text\n" + noToken + "\n```\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newSTS(t, gh)
			s := harness.Step{Inputs: awsInputs(sts.URL, tc.in...)}
			if tc.idToken {
				s.IDToken = gh.Env()
			}
			r := harness.Exec(t, s)
			harness.RequireExit(t, r, 1)
			harness.NothingWritten(t, r)
			if r.Summary != tc.want+"\n" { // the runner's file command ends it with a line end
				t.Errorf("job summary:\n%s\nwant:\n%s", r.Summary, tc.want)
			}
		})
	}
}
