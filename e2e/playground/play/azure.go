package main

import (
	"context"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// azureScope is what the consumer asks a token for.
const azureScope = azurefake.ARMScope

// azurePart starts the azure world, an app whose federated identity credential trusts the main
// branch of the repository, and logs in naming its subscription. The consumer is azidentity's
// WorkloadIdentityCredential (what DefaultAzureCredential uses in CI) given exactly the
// exported AZURE_* values.
func azurePart(l *lab) (*part, error) {
	s, err := azurefake.NewWorld(l.gh, l.ca)
	if err != nil {
		return nil, err
	}
	p := worldPart(s)
	p.inputs["azure-subscription-id"] = azurefake.SubscriptionID
	p.consume = func(r *harness.Run) (string, error) {
		// The values are passed as options rather than through the process environment,
		// which the playground's test shares between scenarios running side by side.
		cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: azcore.ClientOptions{
				Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: r.Env["AZURE_AUTHORITY_HOST"]},
				Transport: l.ca.Client(),
			},
			ClientID:      r.Env["AZURE_CLIENT_ID"],
			TenantID:      r.Env["AZURE_TENANT_ID"],
			TokenFilePath: r.Env["AZURE_FEDERATED_TOKEN_FILE"],
			// Instance discovery would ask login.microsoftonline.com about the emulator.
			DisableInstanceDiscovery: true,
		})
		if err != nil {
			return "", err
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{azureScope}})
		if err != nil {
			return "", fmt.Errorf("azidentity with the exported values: %w", err)
		}
		issued := s.Issued()
		if len(issued) == 0 || issued[len(issued)-1].AccessToken != tok.Token {
			return "", fmt.Errorf("azidentity's token is not the one the emulator issued last")
		}
		return fmt.Sprintf("$ (in process) azidentity.NewWorkloadIdentityCredential with AZURE_CLIENT_ID, AZURE_TENANT_ID,\n"+
			"  AZURE_FEDERATED_TOKEN_FILE = %s and AZURE_AUTHORITY_HOST = %s\n"+
			"got an Entra ID access token for %s (expires %s): *** (a consumer's token is never printed)",
			r.Env["AZURE_FEDERATED_TOKEN_FILE"], r.Env["AZURE_AUTHORITY_HOST"], azureScope, tok.ExpiresOn.UTC().Format(time.RFC3339)), nil
	}
	return p, nil
}
