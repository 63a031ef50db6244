package diagnose

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSubjectFor(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"branch":            "repo:octo-org/octo-repo:ref:refs/heads/*",
		"tag":               "repo:octo-org/octo-repo:ref:refs/tags/*",
		"environment":       "repo:octo-org/octo-repo:environment:*",
		"pull_request":      "",
		"reusable workflow": "repo:octo-org/octo-repo:ref:refs/heads/*",
		"immutable id":      "repo:octo-org@65432/octo-repo@123456:ref:refs/heads/*",
		"custom template":   "",
	}
	for name, c := range claimSets {
		s := SubjectFor(c.Subject())
		if s.Exact != c.Subject() || s.Wildcard != want[name] {
			t.Errorf("%s: SubjectFor = %+v, want wildcard %q", name, s, want[name])
		}
		if strings.HasPrefix(s.Wildcard, "repo:*") {
			t.Errorf("%s: suggested a wildcard over every repository", name)
		}
	}
}

// TestAWSAccessDenied feeds STS's real AccessDenied for every claim set and checks the
// suggested trust policies parse and match the token exactly.
func TestAWSAccessDenied(t *testing.T) {
	t.Parallel()
	for name, c := range claimSets {
		e := AWS("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "aws", "123456789012", "arn:aws:iam::123456789012:role/deploy", c)
		msg := e.Error()
		for _, w := range []string{"iss=" + c.Issuer(), "sub=" + c.Subject(), "aud=sts.amazonaws.com", c.IssuerHost() + ":sub"} {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message lacks %q: %s", name, w, msg)
			}
		}
		exact := AWSTrustPolicy("aws", "123456789012", c, false)
		var p awsPolicy
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
		if !strings.Contains(e.Details(), NeverTrust) {
			t.Errorf("%s: no warning against repo:*", name)
		}
	}
	if e := AWS("AccessDenied", "", "aws", "1", "r", claimSets["immutable id"]); !strings.Contains(e.Cause, "immutable-id form") {
		t.Errorf("no hint for the immutable-id subject: %s", e.Cause)
	}
	if e := AWS("AccessDenied", "", "aws", "1", "r", claimSets["reusable workflow"]); !strings.Contains(e.Cause, "enterprise issuer") {
		t.Errorf("no hint for another issuer: %s", e.Cause)
	}
}

func TestAWSOtherRefusals(t *testing.T) {
	t.Parallel()
	c := claimSets["branch"]
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
		e := AWS(cm[0], cm[1], "aws", "123456789012", "arn:aws:iam::123456789012:role/deploy", c)
		if !strings.Contains(e.Error()+e.Details(), want[name]) {
			t.Errorf("%s: explanation lacks %q:\n%s\n%s", name, want[name], e.Error(), e.Details())
		}
	}
}
