package faults_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
)

// endpoints are every remote call the action makes.
var endpoints = []endpoint{
	{name: "github-token", call: "GitHub ID token request", setup: tokenRig},
	// STS answers XML, and says so when an answer is not.
	{name: "aws-sts", call: "AWS STS AssumeRoleWithWebIdentity", setup: awsRig, faultText: map[fault.Kind]string{
		fault.Malformed:        "the answer could not be read as STS XML",
		fault.WrongContentType: `expected an XML answer, got Content-Type "text/html"`,
	}},
	{name: "gcp-sts", call: "Google STS token exchange", setup: gcpSTSRig},
	{name: "gcp-iam", call: "Google IAM Credentials generateAccessToken", setup: gcpIAMRig},
	{name: "gcp-iam-id", call: "Google IAM Credentials generateIdToken", setup: gcpIAMIDRig},
	{name: "azure-token", call: "Microsoft Entra ID token request", setup: azureRig},
	{name: "vault-login", call: "Vault JWT login", setup: vaultLoginRig},
	{name: "vault-kv", call: "Vault read of kv/app", setup: vaultKVRig},
	{name: "alibaba-sts", call: "Alibaba Cloud STS AssumeRoleWithOIDC", setup: alibabaRig},
	{name: "token-exchange", call: "OAuth 2.0 token exchange (RFC 8693)", setup: tokenExchangeRig},
}

const awsRole = "arn:aws:iam::123456789012:role/deploy"

// awsLogin is an AWS login against the trust-checking STS emulator.
func awsLogin(t *testing.T) (*rig, *stsfake.Server) {
	gh := harness.NewGitHub(t)
	sts := stsfake.New(fakegithub.Issuer, gh.JWKSURL(), "sts.amazonaws.com")
	t.Cleanup(sts.Close)
	sts.AddRole(stsfake.Role{ARN: awsRole, Audience: "sts.amazonaws.com", Subject: "repo:octo-org/octo-repo:*"})
	rg := &rig{
		inputs:     map[string]string{"provider": "aws", "aws-role-arn": awsRole, "aws-region": "us-east-1", "aws-sts-endpoint": sts.URL},
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
				"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
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
