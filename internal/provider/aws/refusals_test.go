package aws

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/diagnose/diagnosetest"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// TestAWSAccessDenied feeds STS's real AccessDenied for every claim set and checks the
// suggested trust policies parse and match the token exactly.
func TestAWSAccessDenied(t *testing.T) {
	t.Parallel()
	for name, c := range diagnosetest.ClaimSets {
		e := explainAssume("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "aws", "123456789012", "arn:aws:iam::123456789012:role/deploy", idtoken.AudienceChoice{}, c)
		msg := e.Error()
		for _, w := range []string{"iss=" + c.Issuer(), "sub=" + c.Subject(), "aud=sts.amazonaws.com", c.IssuerHost() + ":sub"} {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message lacks %q: %s", name, w, msg)
			}
		}
		exact := trustPolicy("aws", "123456789012", c, false)
		var p trustDocument
		if err := json.Unmarshal([]byte(exact), &p); err != nil {
			t.Fatalf("%s: policy is not JSON: %v", name, err)
		}
		cond := p.Statement[0].Condition["StringEquals"]
		if cond[c.IssuerHost()+":sub"] != c.Subject() || cond[c.IssuerHost()+":aud"] != "sts.amazonaws.com" {
			t.Errorf("%s: condition %v does not match the token", name, cond)
		}
		if p.Statement[0].Principal["Federated"] != "arn:aws:iam::123456789012:oidc-provider/"+c.IssuerHost() {
			t.Errorf("%s: principal %v", name, p.Statement[0].Principal)
		}
		if !strings.Contains(e.Details(), diagnose.NeverTrust) {
			t.Errorf("%s: no warning against repo:*", name)
		}
	}
	if e := explainAssume("AccessDenied", "", "aws", "1", "r", idtoken.AudienceChoice{}, diagnosetest.ClaimSets["immutable id"]); !strings.Contains(e.Cause, "immutable-id form") {
		t.Errorf("no hint for the immutable-id subject: %s", e.Cause)
	}
	if e := explainAssume("AccessDenied", "", "aws", "1", "r", idtoken.AudienceChoice{}, diagnosetest.ClaimSets["reusable workflow"]); !strings.Contains(e.Cause, "enterprise issuer") {
		t.Errorf("no hint for another issuer: %s", e.Cause)
	}
}

func TestAWSOtherRefusals(t *testing.T) {
	t.Parallel()
	c := diagnosetest.ClaimSets["branch"]
	cases := map[string][2]string{
		"audience":      {"InvalidIdentityToken", "Incorrect token audience"},
		"no provider":   {"InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com"},
		"expired":       {"ExpiredTokenException", "Token expired"},
		"duration":      {"ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		"region":        {"RegionDisabledException", "STS is not activated"},
		"packed policy": {"PackedPolicyTooLarge", "too large"},
		"not validated": {"InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS."},
	}
	want := map[string]string{
		"audience":      "add-client-id-to-open-id-connect-provider",
		"no provider":   "create-open-id-connect-provider",
		"expired":       "re-run the job",
		"duration":      "MaxSessionDuration",
		"region":        "activate it",
		"packed policy": "session policies are too large",
		"not validated": "aws iam get-open-id-connect-provider \\\n  --open-id-connect-provider-arn arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\n",
	}
	for name, cm := range cases {
		e := explainAssume(cm[0], cm[1], "aws", "123456789012", "arn:aws:iam::123456789012:role/deploy", idtoken.AudienceChoice{}, c)
		if !strings.Contains(e.Error()+e.Details(), want[name]) {
			t.Errorf("%s: explanation lacks %q:\n%s\n%s", name, want[name], e.Error(), e.Details())
		}
	}
}

// customClaims is a custom subject template's token: the environment, then the called
// workflow (the shape TestTrustFixesKeepCustomClaims and its gcp twin check).
var customClaims = idtoken.Claims{"sub": "repo:o/r:environment:prod:job_workflow_ref:o/infra/.github/workflows/deploy.yml@refs/heads/main",
	"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
	"repository": "o/r", "environment": "prod", "job_workflow_ref": "o/infra/.github/workflows/deploy.yml@refs/heads/main"}

// TestTrustFixesKeepCustomClaims: the suggested trust policy for a custom template keeps its
// job_workflow_ref, where the old suggestion admitted any workflow.
func TestTrustFixesKeepCustomClaims(t *testing.T) {
	t.Parallel()
	want := "repo:o/r:environment:*:job_workflow_ref:o/infra/.github/workflows/deploy.yml@refs/heads/main"
	fix := explainAssume("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "aws", "123456789012", "arn:aws:iam::123456789012:role/deploy", idtoken.AudienceChoice{}, customClaims).Fix
	if !strings.Contains(fix, `"token.actions.githubusercontent.com:sub": "`+want+`"`) {
		t.Errorf("AWS fix lacks the widened subject %q:\n%s", want, fix)
	}
	if strings.Contains(fix, `"repo:o/r:environment:*"`) || strings.Contains(fix, `"repo:o/r:*"`) {
		t.Errorf("AWS fix still suggests a pattern without the job_workflow_ref:\n%s", fix)
	}
	if !strings.Contains(fix, "any environment of o/r (job_workflow_ref unchanged)") {
		t.Errorf("AWS fix does not say what the pattern admits:\n%s", fix)
	}
}

// TestAWSAdviceThatFixes: the first fix each explanation offers is the one that helps. A
// wrong audience input is removed rather than added to the OIDC provider; AccessDenied, which
// STS also answers for a role that does not exist, says so before the trust policy.
func TestAWSAdviceThatFixes(t *testing.T) {
	t.Parallel()
	const role, provider = "arn:aws:iam::123456789012:role/deploy", "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
	for _, tc := range []struct {
		name, code, msg, aud, input string
		cause, fix                  string
	}{
		{"audience input", "InvalidIdentityToken", "Incorrect token audience", "https://github.com/octo-org", "audience",
			`The IAM OIDC provider ` + provider + ` does not list the token's audience "https://github.com/octo-org", which the audience input chose, as a client ID. Remove the audience input: the step then asks for sts.amazonaws.com, this provider's default, which an OIDC provider for GitHub Actions lists; or add "https://github.com/octo-org" to the provider's client IDs`,
			"Remove `audience: https://github.com/octo-org` from the step's with: (the step then asks for sts.amazonaws.com).\n\nOr add it to the OIDC provider's client IDs:\naws iam add-client-id-to-open-id-connect-provider \\\n  --open-id-connect-provider-arn " + provider + " \\\n  --client-id https://github.com/octo-org\n"},
		{"own audience input", "InvalidIdentityToken", "Incorrect token audience", "https://github.com/octo-org", "aws-id-token-audience",
			`The IAM OIDC provider ` + provider + ` does not list the token's audience "https://github.com/octo-org", which the aws-id-token-audience input chose, as a client ID. Remove the aws-id-token-audience input: the step then asks for sts.amazonaws.com, this provider's default, which an OIDC provider for GitHub Actions lists; or add "https://github.com/octo-org" to the provider's client IDs`,
			"Remove `aws-id-token-audience: https://github.com/octo-org` from the step's with: (the step then asks for sts.amazonaws.com).\n\nOr add it to the OIDC provider's client IDs:\n"},
		{"default audience", "InvalidIdentityToken", "Incorrect token audience", "sts.amazonaws.com", "",
			`The IAM OIDC provider ` + provider + ` does not list the token's audience "sts.amazonaws.com" as a client ID. Add it to the provider, or set aws-id-token-audience to a client ID the provider lists`,
			"aws iam add-client-id-to-open-id-connect-provider \\\n  --open-id-connect-provider-arn " + provider + " \\\n  --client-id sts.amazonaws.com\n"},
		{"access denied", "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "sts.amazonaws.com", "",
			"The trust policy of " + role + " does not admit this token, or no such role in account 123456789012: STS gives the same answer for both (aws iam get-role --role-name deploy tells them apart). The policy's conditions on token.actions.githubusercontent.com:sub and token.actions.githubusercontent.com:aud must match the token's sub and aud, and its Principal must be the OIDC provider " + provider,
			"Check that the role exists:\naws iam get-role --role-name deploy --query Role.Arn\n\nTrust policy for " + role + " that admits exactly this token:\n"},
	} {
		e := explainAssume(tc.code, tc.msg, "aws", "123456789012", role, idtoken.AudienceChoice{Input: tc.input}, diagnose.SampleClaims(tc.aud))
		if e.Cause != tc.cause {
			t.Errorf("%s: cause\n  %s\nwant\n  %s", tc.name, e.Cause, tc.cause)
		}
		if !strings.HasPrefix(e.Fix, tc.fix) {
			t.Errorf("%s: fix\n%s\nwant it to start with\n%s", tc.name, e.Fix, tc.fix)
		}
	}
}
