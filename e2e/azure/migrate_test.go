package azure_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// TestMigrateAzureAudience: the behaviour issue 16 decided for workflows moving over from
// Azure/login (read at 833e823; see docs/migrate/azure-login.md). The ID token carries
// api://AzureADTokenExchange in every cloud, as Azure/login's audience default does
// (TestAzureClouds); a credential made with the portal's per-cloud audience works with the
// audience input, and Azure/login's lower-case environment names are taken as they are.
func TestMigrateAzureAudience(t *testing.T) {
	t.Parallel()
	for cloud, aud := range map[string]string{"azureusgovernment": usgovAudience, "azurechinacloud": chinaAudience} {
		t.Run(cloud, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			s := newEntra(t, gh, aud)
			r := harness.Exec(t, step(t, gh, azureInputs(s, "azure-cloud", cloud, "audience", aud)))
			harness.RequireExit(t, r, 0)
			if got := gh.Audiences(); len(got) != 1 || got[0] != aud {
				t.Errorf("ID token audiences requested = %q, want one %s", got, aud)
			}
			if len(s.Issued()) != 1 {
				t.Errorf("Entra issued %d tokens, want 1", len(s.Issued()))
			}
		})
	}
}
