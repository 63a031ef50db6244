package gcp

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/diagnose/diagnosetest"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

var testTarget = trustTarget{
	Provider:       "projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github",
	ProjectNumber:  "123456789012",
	Pool:           "github-pool",
	ProviderID:     "github",
	ServiceAccount: "deploy@octo-project.iam.gserviceaccount.com",
	Project:        "octo-project",
}

func TestGCPCondition(t *testing.T) {
	t.Parallel()
	cases := []struct {
		claims       idtoken.Claims
		exact, broad string
	}{
		{idtoken.Claims{"repository": "octo-org/octo-repo", "ref": "refs/heads/main", "event_name": "push"},
			"assertion.repository == 'octo-org/octo-repo' && assertion.ref == 'refs/heads/main'", "assertion.repository == 'octo-org/octo-repo'"},
		{idtoken.Claims{"repository": "octo-org/octo-repo", "ref": "refs/heads/main", "environment": "prod"},
			"assertion.repository == 'octo-org/octo-repo' && assertion.environment == 'prod'", "assertion.repository == 'octo-org/octo-repo'"},
		{idtoken.Claims{"repository": "octo-org/octo-repo", "ref": "refs/pull/1/merge", "event_name": "pull_request"},
			"assertion.repository == 'octo-org/octo-repo' && assertion.event_name == 'pull_request'", "assertion.repository == 'octo-org/octo-repo'"},
		{idtoken.Claims{"repository": "octo-org/octo-repo", "ref": "refs/tags/it's"},
			`assertion.repository == 'octo-org/octo-repo' && assertion.ref == 'refs/tags/it\'s'`, "assertion.repository == 'octo-org/octo-repo'"},
		{idtoken.Claims{"sub": "custom:subject"}, "assertion.sub == 'custom:subject'", "assertion.sub == 'custom:subject'"},
	}
	for _, tc := range cases {
		if got := attributeCondition(tc.claims, false); got != tc.exact {
			t.Errorf("exact condition = %s, want %s", got, tc.exact)
		}
		if got := attributeCondition(tc.claims, true); got != tc.broad {
			t.Errorf("broad condition = %s, want %s", got, tc.broad)
		}
	}
}

func TestGCPWildcardCondition(t *testing.T) {
	t.Parallel()
	for sub, want := range map[string]string{
		"repo:octo-org/octo-repo:ref:refs/heads/main":             "assertion.sub.startsWith('repo:octo-org/octo-repo:ref:refs/heads/')",
		"repo:octo-org/octo-repo:environment:prod":                "assertion.sub.startsWith('repo:octo-org/octo-repo:environment:')",
		"repo:octo-org@65432/octo-repo@123456:ref:refs/tags/v1":   "assertion.sub.startsWith('repo:octo-org@65432/octo-repo@123456:ref:refs/tags/')",
		"repo:octo-org/octo-repo:pull_request":                    "",
		"repository_owner_id:65432:repository_id:123456:env:prod": "",
	} {
		if got := wildcardCondition(idtoken.Claims{"sub": sub}); got != want {
			t.Errorf("GCPWildcardCondition(%q) = %q, want %q", sub, got, want)
		}
	}
}

func TestGCPSTS(t *testing.T) {
	t.Parallel()
	claims := idtoken.Claims{
		"iss": "https://token.actions.githubusercontent.com", "aud": "https://github.com/octo-org",
		"sub": "repo:octo-org/octo-repo:ref:refs/heads/" + strings.Repeat("b", 120), "repository": "octo-org/octo-repo", "ref": "refs/heads/main",
	}
	cases := []struct {
		code, msg string
		trust     bool
		want      []string
	}{
		{"invalid_target", `The target service indicated by the "audience" parameters is invalid.`, false,
			[]string{"not the pool", "project NUMBER (not the id)", "providers list \\\n  --project=123456789012 --location=global --workload-identity-pool=github-pool"}},
		{"invalid_grant", "The audience in ID Token [https://github.com/octo-org] does not match the expected audience.", true,
			[]string{"update-oidc github \\\n  --project=123456789012 --location=global --workload-identity-pool=github-pool \\\n  --allowed-audiences=https://github.com/octo-org\n"}},
		{"invalid_grant", "The issuer in ID Token https://x does not match the expected ones.", true, []string{"--issuer-uri=https://token.actions.githubusercontent.com"}},
		{"invalid_grant", "The given credential is rejected by the attribute condition.", true,
			[]string{`--attribute-condition="assertion.repository == 'octo-org/octo-repo' && assertion.ref == 'refs/heads/main'"`, "Never leave the condition without the repository",
				"Or, to admit any branch of octo-org/octo-repo:\n  assertion.sub.startsWith('repo:octo-org/octo-repo:ref:refs/heads/')\n"}},
		{"invalid_grant", "Invalid ID Token signature.", true, []string{"--format='value(oidc.issuerUri)'", "--issuer-uri=https://token.actions.githubusercontent.com\n"}},
		{"invalid_grant", "The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping.", true,
			[]string{"Google maps google.subject", "sub (159 bytes)", "--attribute-mapping="}},
		{"invalid_grant", "The ID Token has expired.", false, []string{"re-run the job"}},
	}
	for _, tc := range cases {
		e := explainSTS(tc.code, tc.msg, testTarget, claims)
		text := e.Error() + "\n" + e.Details()
		if e.Trust != tc.trust || e.Cause == "" || strings.Contains(e.Error(), "..") {
			t.Errorf("%s %q: trust %v, cause %q, error %q", tc.code, tc.msg, e.Trust, e.Cause, e.Error())
		}
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s %q: explanation lacks %q:\n%s", tc.code, tc.msg, w, text)
			}
		}
	}
}

func TestGCPIAMPermissionDenied(t *testing.T) {
	t.Parallel()
	claims := idtoken.Claims{"iss": "https://token.actions.githubusercontent.com", "sub": "repo:octo-org/octo-repo:environment:prod", "repository": "octo-org/octo-repo"}
	e := explainIAM("generateAccessToken", 403, "PERMISSION_DENIED", "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).", testTarget, claims)
	want := "gcloud iam service-accounts add-iam-policy-binding deploy@octo-project.iam.gserviceaccount.com \\\n" +
		"  --project=octo-project \\\n" +
		"  --role=roles/iam.workloadIdentityUser \\\n" +
		"  --member=principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github-pool/attribute.repository/octo-org/octo-repo\n"
	if !strings.HasPrefix(e.Fix, want) || !e.Trust {
		t.Errorf("fix:\n%s\nwant it to start with:\n%s", e.Fix, want)
	}
	if !strings.Contains(e.Fix, "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github-pool/subject/repo:octo-org/octo-repo:environment:prod") {
		t.Errorf("fix lacks the subject member:\n%s", e.Fix)
	}
	if e.Call != "Google IAM Credentials generateAccessToken" || !strings.HasPrefix(e.Error(), "Google IAM Credentials generateAccessToken refused: PERMISSION_DENIED: Permission") {
		t.Errorf("error = %s", e.Error())
	}
	for status, want := range map[string]string{"NOT_FOUND": "does not exist", "INVALID_ARGUMENT": "allowServiceAccountCredentialLifetimeExtension", "UNAUTHENTICATED": "same universe"} {
		if e := explainIAM("generateAccessToken", 400, status, "x", testTarget, claims); !strings.Contains(e.Cause, want) {
			t.Errorf("%s cause = %q, want it to mention %q", status, e.Cause, want)
		}
	}
}

// TestWildcardConditionKeepsCustomClaims: for a custom template whose widened part is
// followed by another claim (the environment, then the called workflow), no prefix condition
// can hold it, so none is suggested.
func TestWildcardConditionKeepsCustomClaims(t *testing.T) {
	t.Parallel()
	c := idtoken.Claims{"sub": "repo:o/r:environment:prod:job_workflow_ref:o/infra/.github/workflows/deploy.yml@refs/heads/main",
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"repository": "o/r", "environment": "prod", "job_workflow_ref": "o/infra/.github/workflows/deploy.yml@refs/heads/main"}
	if got := wildcardCondition(c); got != "" {
		t.Errorf("GCP: a prefix cannot hold a claim after the widened part, yet got %s", got)
	}
}

// TestFixConditionIsTheCondition: for every catalog entry and every shape of token, what the
// shell passes as --attribute-condition is exactly the condition for that token, and it
// parses and admits it.
func TestFixConditionIsTheCondition(t *testing.T) {
	t.Parallel()
	diagnosetest.EachFix(refusals, func(where string, x *diagnose.Error, c idtoken.Claims) {
		for _, cmd := range diagnose.FixCommands(x.Fix, refusals.CLIs) {
			words, _ := diagnose.ShellWords(cmd) // diagnosetest.CheckFixes checks the quoting
			for _, w := range words {
				cond, ok := strings.CutPrefix(w, "--attribute-condition=")
				if !ok {
					continue
				}
				if cond != attributeCondition(c, false) {
					t.Errorf("%s: the shell passes %q, not the condition %q", where, cond, attributeCondition(c, false))
				}
				diagnosetest.CheckCEL(t, where, cond, c)
			}
		}
	})
}

// TestGCPAudienceAdvice: when the audience input chose the refused audience, the first fix is
// to remove it, naming the provider's default; when the default was refused, the provider's
// allowed audiences are what to change.
func TestGCPAudienceAdvice(t *testing.T) {
	t.Parallel()
	def := "https://iam.googleapis.com/" + testTarget.Provider
	update := "gcloud iam workload-identity-pools providers update-oidc github \\\n  --project=123456789012 --location=global --workload-identity-pool=github-pool \\\n  --allowed-audiences="
	for _, tc := range []struct {
		aud, cause, fix string
	}{
		{"https://github.com/octo-org",
			`The provider does not accept the token's audience "https://github.com/octo-org", which the audience input chose. Remove the audience input: the step then asks for ` + def + `, this provider's default, which a provider with no allowed audiences configured accepts; or add "https://github.com/octo-org" to the provider's allowed audiences`,
			"Remove `audience: https://github.com/octo-org` from the step's with: (the step then asks for " + def + ").\n\nOr add it to the provider's allowed audiences (list every audience it should accept):\n" + update + "https://github.com/octo-org\n"},
		{def,
			`The provider does not accept the token's audience "` + def + `", the default this action asks for: its allowed audiences are configured and do not list it. Add it to them, or set gcp-github-id-token-audience to one they list`,
			"Add it to the provider's allowed audiences (list every audience it should accept):\n" + update + def + "\n"},
	} {
		e := explainSTS("invalid_grant", "The audience in ID Token ["+tc.aud+"] does not match the expected audience.", testTarget, diagnose.SampleClaims(tc.aud))
		if e.Cause != tc.cause || e.Fix != tc.fix {
			t.Errorf("aud %s:\ncause %s\nwant  %s\nfix\n%s\nwant\n%s", tc.aud, e.Cause, tc.cause, e.Fix, tc.fix)
		}
	}
}
