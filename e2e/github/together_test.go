package github_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/alibabafake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

const (
	aliRole     = "acs:ram::1234567890123456:role/deploy"
	aliProvider = "acs:ram::1234567890123456:oidc-provider/github"
)

// TestThreeProvidersInOneStep logs into alibaba, token-exchange and github in one step: one
// token per distinct audience (alibaba's, the exchange server's origin, GitHub's default for
// github), one call to each service, and all of it written, or, when one refuses, none of it (no token file).
func TestThreeProvidersInOneStep(t *testing.T) {
	t.Parallel()
	for _, refuse := range []bool{false, true} {
		name := "all succeed"
		if refuse {
			name = "the exchange refuses"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := alibabafake.New()
			t.Cleanup(sts.Close)
			sts.AddProvider(alibabafake.OIDCProvider{ARN: aliProvider, Issuer: fakegithub.Issuer, ClientIDs: []string{"sts.aliyuncs.com"}, JWKSURL: gh.JWKSURL()})
			sts.AddRole(alibabafake.Role{ARN: aliRole, Provider: aliProvider, Audience: "sts.aliyuncs.com", Subject: "repo:octo-org/octo-repo:*"})
			x := rfc8693fake.New(rfc8693fake.Config{Issuer: fakegithub.Issuer, JWKSURL: gh.JWKSURL(), Audiences: []string{"https://github.com/octo-org"}, Subject: "repo:octo-org/*", ExpiresIn: 600})
			t.Cleanup(x.Close)
			t.Cleanup(func() {
				if u := append(sts.Unexpected(), x.Unexpected()...); len(u) > 0 {
					t.Errorf("the emulators got requests no client would send: %q", u)
				}
			})
			if refuse {
				x.FailNext(400, "invalid_grant", "subject_token rejected")
			}
			r := harness.Exec(t, harness.Step{
				Inputs: map[string]string{
					"provider":                  "alibaba, token-exchange, github",
					"alibaba-role-arn":          aliRole,
					"alibaba-oidc-provider-arn": aliProvider,
					"alibaba-sts-endpoint":      sts.URL,
					"token-exchange-url":        x.URL,
				},
				IDToken: gh.Env(),
			})
			if gh.Requests() != 3 || sts.Requests() != 1 || x.Requests() != 1 {
				t.Errorf("requests: token %d (want 3), STS %d (want 1), exchange %d (want 1)", gh.Requests(), sts.Requests(), x.Requests())
			}
			secrets := harness.SecretsOf(gh, append(sts.Secrets(), x.Secrets()...)...)
			harness.NoLeak(t, r, secrets...)
			if refuse {
				harness.RequireExit(t, r, 1)
				if errs := harness.ErrorLines(r); len(errs) != 1 || !strings.Contains(errs[0], "token-exchange: ") {
					t.Errorf("annotations %q, want one for token-exchange", errs)
				}
				harness.NothingWritten(t, r)
				return
			}
			harness.RequireExit(t, r, 0)
			harness.Masked(t, r, secrets[1:]...)
			harness.MasksFirst(t, r)
			for _, name := range []string{"ALIBABA_CLOUD_SECURITY_TOKEN", "OIDC_ACCESS_TOKEN", "GITHUB_ID_TOKEN_FILE"} {
				if r.Env[name] == "" {
					t.Errorf("%s was not exported", name)
				}
			}
			if !strings.Contains(r.Outputs["claims"], `"aud":"sts.aliyuncs.com"`) {
				t.Errorf("the claims output should be the first provider's (alibaba's) token: %s", r.Outputs["claims"])
			}
			file := string(harness.SecretFile(t, r.Env["GITHUB_ID_TOKEN_FILE"]))
			claims, err := idtoken.Decode(file)
			if err != nil || !slices.Contains(gh.Minted(), file) || claims.AudienceString() != "https://github.com/octo-org" {
				t.Errorf("the token file does not hold the minted token of GitHub's default audience (%v)", err)
			}
			for _, p := range []string{"| alibaba |", "| token-exchange |", "| github |"} {
				if !strings.Contains(r.Summary, p) {
					t.Errorf("job summary lacks %s:\n%s", p, r.Summary)
				}
			}
		})
	}
}
