package faults_test

import (
	"path/filepath"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// azureRig faults the Entra ID token endpoint (the client-credentials grant with the ID token
// as client_assertion); discovery documents are never asked for, so every request is a token
// request.
func azureRig(t *testing.T) *rig {
	gh := harness.NewGitHub(t)
	s := worlds.Must(t, azurefake.NewWorld, gh)
	in := s.Inputs()
	in["output-credentials"] = "true"
	return &rig{
		inputs:     in,
		env:        s.Env(),
		gh:         gh,
		target:     s.Faults,
		okRequests: 1,
		verify: func(t *testing.T, r *harness.Run) {
			issued := s.Issued()
			if len(issued) != 1 {
				t.Fatalf("Entra ID issued %d tokens, want 1", len(issued))
			}
			file := r.Env["AZURE_FEDERATED_TOKEN_FILE"]
			if filepath.Dir(file) != filepath.Join(r.Workspace.Home, ".oidc-login") {
				t.Errorf("AZURE_FEDERATED_TOKEN_FILE = %q", file)
			}
			minted := gh.Minted()
			if got := string(harness.SecretFile(t, file)); len(minted) != 1 || got != minted[0] {
				t.Errorf("the federated token file does not hold the ID token")
			}
			harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
				"AZURE_CLIENT_ID": azurefake.ClientID, "AZURE_TENANT_ID": azurefake.TenantID, "AZURE_FEDERATED_TOKEN_FILE": file,
				"AZURE_AUTHORITY_HOST": s.URL + "/", "ARM_CLIENT_ID": azurefake.ClientID, "ARM_TENANT_ID": azurefake.TenantID,
				"ARM_USE_OIDC": "true", "ARM_ENVIRONMENT": "public",
			})
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{
				"azure-federated-token-file":    file,
				"azure-access-token":            issued[0].AccessToken,
				"azure-access-token-expiration": r.Outputs["expiration"],
				"expiration":                    r.Outputs["expiration"],
				"claims":                        r.Outputs["claims"],
			})
		},
		secrets: s.Secrets,
	}
}
