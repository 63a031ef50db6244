package azure_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// TestAzureSDKConsumer hands exactly what the step exported to the real consumer:
// azidentity's WorkloadIdentityCredential reads AZURE_CLIENT_ID, AZURE_TENANT_ID,
// AZURE_FEDERATED_TOKEN_FILE and AZURE_AUTHORITY_HOST from the process environment and must
// get a token from the emulator with the ID token in the file.
//
// It is not parallel: azidentity reads the process environment, which t.Setenv sets for this
// test alone only when no parallel test runs beside it.
func TestAzureSDKConsumer(t *testing.T) {
	gh := harness.NewGitHub(t)
	s := newEntra(t, gh, publicAudience)
	r := harness.Exec(t, step(t, gh, azureInputs(s, "azure-cloud", "AzureUSGovernment", "azure-subscription-id", subscription)))
	harness.RequireExit(t, r, 0)
	for _, k := range []string{"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"} {
		if r.Env[k] == "" {
			t.Fatalf("%s was not exported", k)
		}
		t.Setenv(k, r.Env[k])
	}
	cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions: azcore.ClientOptions{Transport: testCA(t).Client()},
		// Instance discovery would ask login.microsoftonline.com about the emulator's host.
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const scope = "https://management.usgovcloudapi.net/.default"
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		t.Fatalf("azidentity with the exported env: %v", err)
	}
	issued := s.Issued()
	if len(issued) != 2 || tok.Token != issued[1].AccessToken {
		t.Fatalf("azidentity did not get the emulator's second token (%d issued)", len(issued))
	}
	if issued[1].Subject != fakegithub.DefaultSubject || issued[1].Scope != scope || issued[1].ClientID != clientID {
		t.Errorf("azidentity's grant was for sub %s, scope %q, client %s", issued[1].Subject, issued[1].RawScope, issued[1].ClientID)
	}
	want := "POST /" + tenantID + "/oauth2/v2.0/token," +
		"GET /" + tenantID + "/v2.0/.well-known/openid-configuration," +
		"POST /" + tenantID + "/oauth2/v2.0/token"
	if got := strings.Join(s.Log(), ","); got != want {
		t.Errorf("requests = %s, want ours, then azidentity's discovery and token request: %s", got, want)
	}
	harness.NoLeak(t, r, harness.SecretsOf(gh, issued[0].AccessToken, issued[1].AccessToken)...)
}
