package github_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/alibabafake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
	"github.com/oidc-login/oidc-login/internal/idtoken"
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
			sts := worlds.Must(t, alibabafake.NewWorld, gh)
			x := worlds.Must(t, rfc8693fake.NewWorld, gh)
			if refuse {
				x.FailNext(400, "invalid_grant", "subject_token rejected")
			}
			in := sts.Inputs()
			maps.Copy(in, x.Inputs())
			in["provider"] = "alibaba, token-exchange, github"
			r := harness.Exec(t, harness.Step{Inputs: in, IDToken: gh.Env()})
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
			if err != nil || !slices.Contains(gh.Minted(), file) || claims.AudienceString() != fakegithub.DefaultAudience {
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
