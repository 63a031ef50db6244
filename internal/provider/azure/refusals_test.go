package azure

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/diagnose/diagnosetest"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

var testTarget = trustTarget{
	ClientID: "11111111-2222-3333-4444-555555555555", TenantID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
	Cloud: "AzureCloud", AuthorityHost: "https://login.microsoftonline.com", Audience: "api://AzureADTokenExchange",
	Graph: "https://graph.microsoft.com",
}

func testClaims(sub, aud string) idtoken.Claims {
	return idtoken.Claims{"iss": "https://token.actions.githubusercontent.com", "sub": sub, "aud": aud, "exp": float64(1700000300), "iat": float64(1700000000)}
}

// parametersJSON extracts the --parameters '<json>' of the az ad app command.
func parametersJSON(t *testing.T, fix string) federatedCredential {
	t.Helper()
	_, rest, ok := strings.Cut(fix, "--parameters '")
	if !ok {
		t.Fatalf("no --parameters in:\n%s", fix)
	}
	body, _, ok := strings.Cut(rest, "'\n")
	if !ok {
		t.Fatalf("unterminated --parameters in:\n%s", fix)
	}
	var f federatedCredential
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("--parameters is not a federated credential: %v\n%s", err, body)
	}
	return f
}

func TestAzureExplainsEveryFederationCode(t *testing.T) {
	t.Parallel()
	sub := "repo:octo-org/octo-repo:environment:production"
	cases := []struct {
		code int
		aud  string
		want []string
	}{
		{70021, "api://AzureADTokenExchange", []string{"all equal", "may not have propagated"}},
		{700211, "api://AzureADTokenExchange", []string{"has the issuer https://token.actions.githubusercontent.com"}},
		{700212, "api://custom", []string{"do not list the token's audience api://custom, which the audience input chose. Remove the audience input: the step then asks for api://AzureADTokenExchange, this provider's default in AzureCloud; or add a credential with audience api://custom"}},
		{700213, "api://AzureADTokenExchange", []string{"has the subject " + sub, "not a wildcard", "environment subject"}},
		{700016, "api://AzureADTokenExchange", []string{"has no application with the client id", "Application (client) ID"}},
		{90002, "api://AzureADTokenExchange", []string{"knows no tenant", "login.microsoftonline.us"}},
		{700024, "api://AzureADTokenExchange", []string{"issued 2023-11-14T22:13:20Z, expires 2023-11-14T22:18:20Z"}},
		{50027, "api://AzureADTokenExchange", []string{"could not read the client assertion as a JWT"}},
		{50013, "api://AzureADTokenExchange", []string{"could not verify the token's signature", "https://token.actions.githubusercontent.com/.well-known/openid-configuration"}},
	}
	for _, tc := range cases {
		e := explain(tc.code, "the service's words", testTarget, testClaims(sub, tc.aud))
		msg := e.Error()
		for _, w := range append(tc.want, "AADSTS", "iss=https://token.actions.githubusercontent.com", "sub="+sub, "aud="+tc.aud) {
			if !strings.Contains(msg, w) {
				t.Errorf("AADSTS%d: message lacks %q:\n%s", tc.code, w, msg)
			}
		}
		f := parametersJSON(t, e.Fix)
		want := federatedCredential{Name: "octo-repo-environment-production", Issuer: "https://token.actions.githubusercontent.com", Subject: sub, Audiences: []string{tc.aud}, Description: "GitHub Actions OIDC: " + sub}
		if f.Name != want.Name || f.Issuer != want.Issuer || f.Subject != want.Subject || strings.Join(f.Audiences, ",") != tc.aud || f.Description != want.Description {
			t.Errorf("AADSTS%d: credential %+v, want %+v", tc.code, f, want)
		}
		for _, w := range []string{
			"az ad app federated-credential create --id " + testTarget.ClientID,
			"az identity federated-credential create",
			`"value": "claims['sub'] matches 'repo:octo-org/octo-repo:environment:*'"`,
			"https://graph.microsoft.com/beta/applications(appId='" + testTarget.ClientID + "')/federatedIdentityCredentials",
			diagnose.NeverTrust,
		} {
			if !strings.Contains(e.Fix, w) {
				t.Errorf("AADSTS%d: fix lacks %q:\n%s", tc.code, w, e.Fix)
			}
		}
	}
}

// TestAzureSovereignAudience: in a sovereign cloud the default audience is Azure/login's
// api://AzureADTokenExchange, as Azure/login's; a credential made with the portal's per-cloud
// audience is named, with the input that fixes it.
func TestAzureSovereignAudience(t *testing.T) {
	t.Parallel()
	tg := testTarget
	tg.Cloud, tg.Audience, tg.CloudAudience = "AzureUSGovernment", "api://AzureADTokenExchange", "api://AzureADTokenExchangeUSGov"
	e := explain(700212, "x", tg, testClaims("repo:o/r:ref:refs/heads/main", "api://AzureADTokenExchange"))
	want := "In AzureUSGovernment this action sends api://AzureADTokenExchange, as Azure/login does, but Microsoft's portal proposes api://AzureADTokenExchangeUSGov for credentials in this cloud: if yours lists that, set `audience: api://AzureADTokenExchangeUSGov`"
	if !strings.Contains(e.Cause, want) {
		t.Errorf("cause = %s", e.Cause)
	}
	// The public cloud has nothing to add.
	e = explain(700212, "x", testTarget, testClaims("repo:o/r:ref:refs/heads/main", "api://AzureADTokenExchange"))
	if strings.Contains(e.Cause, "portal proposes") {
		t.Errorf("public cloud cause = %s", e.Cause)
	}
}

func TestAzureUnknownCodeHasNoFix(t *testing.T) {
	t.Parallel()
	e := explain(7000215, "Invalid client secret provided.", testTarget, testClaims("repo:o/r:pull_request", "api://AzureADTokenExchange"))
	if e.Fix != "" || e.Trust || !strings.Contains(e.Error(), "AADSTS7000215: Invalid client secret provided.") {
		t.Errorf("unexpected explanation: %s / %q", e.Error(), e.Fix)
	}
}

func TestAzureCredentialName(t *testing.T) {
	t.Parallel()
	for sub, want := range map[string]string{
		"repo:octo-org/octo-repo:ref:refs/heads/main":           "octo-repo-branch-main",
		"repo:octo-org/octo-repo:ref:refs/heads/feature/x.y":    "octo-repo-branch-feature-x-y",
		"repo:octo-org/octo-repo:ref:refs/tags/v1.2":            "octo-repo-tag-v1-2",
		"repo:octo-org/octo-repo:pull_request":                  "octo-repo-pull-request",
		"repo:octo-org@1/octo-repo@2:environment:prod":          "octo-repo-environment-prod",
		"repo:octo-org/octo-repo:ref:refs/heads/*":              "octo-repo-branch-any",
		"job_workflow_ref:octo-org/w/.github/workflows/d.yml@x": "job_workflow_ref-octo-org-w-github-workflows-d-yml-x",
		"":   "github-actions",
		"ab": "github-actions",
	} {
		if got := credentialName(sub); got != want {
			t.Errorf("AzureCredentialName(%q) = %q, want %q", sub, got, want)
		}
	}
	if n := credentialName("repo:o/r:ref:refs/heads/" + strings.Repeat("b", 300)); len(n) > 120 {
		t.Errorf("name is %d characters, Entra allows 120", len(n))
	}
}

func TestAzureFixQuotesForShell(t *testing.T) {
	t.Parallel()
	e := explain(700213, "x", testTarget, testClaims("custom:it's", "api://AzureADTokenExchange"))
	if !strings.Contains(e.Fix, `"subject": "custom:it'\''s"`) {
		t.Errorf("a quote in the subject is not shell-escaped:\n%s", e.Fix)
	}
	if strings.Contains(e.Fix, "claimsMatchingExpression") {
		t.Errorf("a custom subject got a wildcard suggestion")
	}
}

// TestFixParametersAdmitTheToken: for every catalog entry and every shape of token, what the
// shell passes as --parameters is a federated identity credential (no field az does not know)
// that admits exactly that token's subject and issuer.
func TestFixParametersAdmitTheToken(t *testing.T) {
	t.Parallel()
	diagnosetest.EachFix(refusals, func(where string, x *diagnose.Error, c idtoken.Claims) {
		for _, cmd := range diagnose.FixCommands(x.Fix, refusals.CLIs) {
			words, _ := diagnose.ShellWords(cmd) // diagnosetest.CheckFixes checks the quoting
			for i := 1; i < len(words); i++ {
				if words[i-1] != "--parameters" {
					continue
				}
				var f federatedCredential
				dec := json.NewDecoder(strings.NewReader(words[i]))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&f); err != nil {
					t.Errorf("%s: --parameters is not a federated credential: %v\n%s", where, err, words[i])
				} else if f.Subject != c.Subject() || f.Issuer != c.Issuer() {
					t.Errorf("%s: the credential %+v does not admit sub %q from %s", where, f, c.Subject(), c.Issuer())
				}
			}
		}
	})
}
