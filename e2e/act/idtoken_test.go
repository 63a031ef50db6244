package act_test

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/moto"
)

// TestActHasNoIDToken: act has no token service of its own, so without the two ID-token
// variables passed in (act --env, as runAct does for the emulators) the step fails with the
// missing-permission error before it contacts anything, as docs/act.md says.
func TestActHasNoIDToken(t *testing.T) {
	t.Parallel()
	m := moto.Shared(t)
	r := newRepo(t, sharedImages(t), awsWorkflow("no-id-token", m.URL), nil)
	run := runAct(t, r, nil)
	run.Require(t, "Main login", "failure")
	errs := run.errors()
	if len(errs) != 1 || !strings.Contains(errs[0], "the job cannot request a GitHub OIDC ID token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set.") {
		t.Errorf("error annotations %q, want one saying the ID-token variables are not set\n%s", errs, run.Log)
	}
	if got := run.Tagged("Main use", "IDENTITY"); len(got) != 1 || got[0] != "" {
		t.Errorf("the later step's consumer printed %q, want nothing (no credentials were exported)", got)
	}
}
