package faults_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
	"github.com/oidc-login/oidc-login/internal/provider/alibaba"
	"github.com/oidc-login/oidc-login/internal/provider/aws"
	"github.com/oidc-login/oidc-login/internal/provider/azure"
	"github.com/oidc-login/oidc-login/internal/provider/gcp"
	"github.com/oidc-login/oidc-login/internal/provider/github"
	"github.com/oidc-login/oidc-login/internal/provider/tokenexchange"
	"github.com/oidc-login/oidc-login/internal/provider/vault"
)

// endpoints are every remote call the action makes; TestFaultMatrix checks every provider of
// the registry has one (the ID-token request is the github provider's whole login).
var endpoints = []endpoint{
	{name: "github-token", provider: github.Name, call: "GitHub ID token request", setup: tokenRig},
	// STS answers XML, and says so when an answer is not.
	{name: "aws-sts", provider: aws.Name, call: "AWS STS AssumeRoleWithWebIdentity", setup: awsRig, faultText: map[fault.Kind]string{
		fault.Malformed:        "the answer could not be read as STS XML",
		fault.WrongContentType: `expected an XML answer, got Content-Type "text/html"`,
	}},
	{name: "gcp-sts", provider: gcp.Name, call: "Google STS token exchange", setup: gcpSTSRig},
	{name: "gcp-iam", provider: gcp.Name, call: "Google IAM Credentials generateAccessToken", setup: gcpIAMRig},
	{name: "gcp-iam-id", provider: gcp.Name, call: "Google IAM Credentials generateIdToken", setup: gcpIAMIDRig},
	{name: "azure-token", provider: azure.Name, call: "Microsoft Entra ID token request", setup: azureRig},
	{name: "vault-login", provider: vault.Name, call: "Vault JWT login", setup: vaultLoginRig},
	{name: "vault-kv", provider: vault.Name, call: "Vault read of kv/app", setup: vaultKVRig},
	{name: "alibaba-sts", provider: alibaba.Name, call: "Alibaba Cloud STS AssumeRoleWithOIDC", setup: alibabaRig},
	{name: "token-exchange", provider: tokenexchange.Name, call: "OAuth 2.0 token exchange (RFC 8693)", setup: tokenExchangeRig},
}

// awsLogin is an AWS login against the trust-checking STS emulator.
func awsLogin(t *testing.T) (*rig, *stsfake.World) {
	gh := harness.NewGitHub(t)
	sts := worlds.Must(t, stsfake.NewWorld, gh)
	rg := &rig{
		inputs:     sts.Inputs(),
		gh:         gh,
		okRequests: 1,
		verify: func(t *testing.T, r *harness.Run) {
			issued := sts.Issued()
			if len(issued) != 1 {
				t.Fatalf("STS issued %d credentials, want 1", len(issued))
			}
			c := issued[0]
			harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
				"AWS_ACCESS_KEY_ID": c.AccessKeyID, "AWS_SECRET_ACCESS_KEY": c.SecretAccessKey, "AWS_SESSION_TOKEN": c.SessionToken,
				"AWS_REGION": stsfake.Region, "AWS_DEFAULT_REGION": stsfake.Region,
			})
		},
		secrets: sts.Secrets,
	}
	return rg, sts
}

func tokenRig(t *testing.T) *rig {
	rg, _ := awsLogin(t)
	rg.target = rg.gh.Faults
	return rg
}

func awsRig(t *testing.T) *rig {
	rg, sts := awsLogin(t)
	rg.target = sts.Faults
	return rg
}
