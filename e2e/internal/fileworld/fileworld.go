// Package fileworld is the emulators of a step that writes every kind of file the action hands
// to later steps: an AWS profile (moto, the real third-party STS), a Google credentials file, an
// Azure federated-token file and the GitHub ID-token file, with trust set up for the default
// repository. The placement tests and the image tests both run it, the binary on the host or
// in a mount namespace and the real image under dockerd.
package fileworld

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The identities the world trusts.
const (
	AWSAccount = "123456789012"
	AWSRole    = "arn:aws:iam::" + AWSAccount + ":role/deploy"
	// AWSAssumedARN is what moto answers for AWSRole with the default session name.
	AWSAssumedARN = "arn:aws:sts::" + AWSAccount + ":assumed-role/deploy/GitHubActions"
	GCPPool       = "projects/123456789012/locations/global/workloadIdentityPools/github-pool"
	GCPProvider   = GCPPool + "/providers/github-provider"
	GCPAccount    = "deploy@octo-project.iam.gserviceaccount.com"
	GCPScope      = "https://www.googleapis.com/auth/cloud-platform"
	AzureTenant   = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
	AzureClient   = "5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5"
	AzureARMScope = "https://management.azure.com/.default"
)

// World is one test's emulators.
type World struct {
	CA     *testca.CA
	GitHub *fakegithub.Server
	Moto   *moto.Server
	GCP    *gcpfake.Server
	Entra  *azurefake.Server
}

// New starts the emulators for t (moto is shared by the test process: moto.StopShared in
// TestMain stops it).
func New(t *testing.T) *World {
	t.Helper()
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	w := &World{CA: ca, GitHub: harness.NewGitHub(t), Moto: moto.Shared(t)}
	if w.GCP, err = gcpfake.New(ca); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.GCP.Close)
	w.GCP.AddProvider(gcpfake.Provider{Name: GCPProvider, Issuer: fakegithub.Issuer, JWKSURL: w.GitHub.JWKSURL(), Condition: map[string]string{"repository": fakegithub.DefaultRepo}})
	w.GCP.AddServiceAccount(gcpfake.ServiceAccount{Email: GCPAccount, Members: []string{"principalSet://iam.googleapis.com/" + GCPPool + "/attribute.repository/" + fakegithub.DefaultRepo}})
	if w.Entra, err = azurefake.New(ca, map[string]string{fakegithub.Issuer: w.GitHub.JWKSURL()}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Entra.Close)
	w.Entra.AddTenant(AzureTenant)
	w.Entra.AddApp(AzureTenant, AzureClient, azurefake.Credential{Name: "main", Issuer: fakegithub.Issuer, Subject: fakegithub.DefaultSubject, Audiences: []string{"api://AzureADTokenExchange"}})
	return w
}

// Inputs log into all four in one step, the AWS login as profile "ci".
func (w *World) Inputs() map[string]string {
	return map[string]string{
		"provider":                       "aws, gcp, azure, github",
		"aws-role-arn":                   AWSRole,
		"aws-region":                     "eu-west-1",
		"aws-sts-endpoint":               w.Moto.URL,
		"aws-profile":                    "ci",
		"gcp-workload-identity-provider": GCPProvider,
		"gcp-service-account":            GCPAccount,
		"gcp-sts-endpoint":               w.GCP.STSURL,
		"gcp-iam-credentials-endpoint":   w.GCP.IAMURL,
		"azure-client-id":                AzureClient,
		"azure-tenant-id":                AzureTenant,
		"azure-authority-host":           w.Entra.URL,
	}
}

// Secrets is everything secret the emulators issued or hold, plus more.
func (w *World) Secrets(more ...string) []string {
	return harness.SecretsOf(w.GitHub, append(append(w.GCP.Secrets(), w.Entra.Secrets()...), more...)...)
}
