package login

import (
	"errors"
	"fmt"
	"testing"

	"github.com/oidc-login/oidc-login/internal/provider/registry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// TestActAdviceNamesWhatWorks: act's refusal of a file tells the user of the provider that
// would hand it on what works instead under act; any other failure to write is left as it is.
func TestActAdviceNamesWhatWorks(t *testing.T) {
	t.Parallel()
	a := &Action{Providers: registry.All}
	refused := fmt.Errorf("not writing f: %w", runner.ErrNoSharedFolder)
	const guide = "https://github.com/oidc-login/oidc-login/blob/main/docs/act.md"
	const why = "not writing f: nektos/act (ACT=true) runs this container action with RUNNER_TEMP=/tmp, its own /tmp, and shares no folder for files with the later steps, so the path would point nowhere there"
	for name, want := range map[string]string{
		"aws":    why + "; under act, aws writes no file without aws-profile and aws-refresh: leave both out, and later steps read the AWS_* variables: " + guide,
		"gcp":    why + "; under act, gcp writes no file with gcp-create-credentials-file: false and gcp-token-format: access_token; a later step reads the gcp-access-token output: " + guide,
		"azure":  why + "; azure cannot log in under act: its login is a file for later steps (AZURE_FEDERATED_TOKEN_FILE); run it on GitHub: " + guide,
		"github": why + "; github cannot log in under act: its login is a file for later steps (GITHUB_ID_TOKEN_FILE); run it on GitHub: " + guide,
		// The native action's state file belongs to no provider.
		"": why + ": " + guide,
	} {
		err := a.withActAdvice(refused, name)
		if err.Error() != want || !errors.Is(err, runner.ErrNoSharedFolder) {
			t.Errorf("%q: %v\nwant %s", name, err, want)
		}
	}
	other := errors.New("disk full")
	if err := a.withActAdvice(other, "aws"); err != other {
		t.Errorf("another failure became %v", err)
	}
}
