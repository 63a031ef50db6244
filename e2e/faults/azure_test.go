package faults_test

import (
	"path/filepath"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

const (
	azureTenant = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
	azureClient = "5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5"
)

// azureRig faults the Entra ID token endpoint (the client-credentials grant with the ID token
// as client_assertion); discovery documents are never asked for, so every request is a token
// request.
func azureRig(t *testing.T) *rig {
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	gh := harness.NewGitHub(t)
	s, err := azurefake.New(ca, map[string]string{fakegithub.Issuer: gh.JWKSURL()})
	if err != nil {
		t.Fatal(err)
	}
	harness.CloseChecked(t, "Entra ID", s)
	s.AddTenant(azureTenant)
	s.AddApp(azureTenant, azureClient, azurefake.Credential{Name: "main", Issuer: fakegithub.Issuer, Subject: fakegithub.DefaultSubject, Audiences: []string{"api://AzureADTokenExchange"}})
	return &rig{
		inputs: map[string]string{
			"provider": "azure", "azure-client-id": azureClient, "azure-tenant-id": azureTenant,
			"azure-authority-host": s.URL, "output-credentials": "true",
		},
		env:        map[string]string{"SSL_CERT_FILE": ca.File},
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
				"AZURE_CLIENT_ID": azureClient, "AZURE_TENANT_ID": azureTenant, "AZURE_FEDERATED_TOKEN_FILE": file,
				"AZURE_AUTHORITY_HOST": s.URL + "/", "ARM_CLIENT_ID": azureClient, "ARM_TENANT_ID": azureTenant,
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
