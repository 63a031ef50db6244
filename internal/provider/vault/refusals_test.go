package vault

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/diagnose/diagnosetest"
)

func TestVaultMessage(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"permission denied":                         {"1 error occurred:\n\t* permission denied\n\n"},
		"permission denied; invalid token":          {"2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"},
		`role "x" could not be found; missing role`: {`role "x" could not be found`, "missing role"},
		"": nil,
	}
	for want, errs := range cases {
		if got := serverMessage(errs); got != want {
			t.Errorf("VaultMessage(%q) = %q, want %q", errs, got, want)
		}
	}
}

// TestVaultLogin feeds vault-plugin-auth-jwt's refusals and checks each is explained with the
// setting to change, in the vault CLI's syntax, built from the token's claims.
func TestVaultLogin(t *testing.T) {
	t.Parallel()
	c := diagnosetest.ClaimSets["environment"]
	target := trustTarget{Mount: "jwt", Role: "deploy"}
	cases := []struct {
		name  string
		msg   string
		trust bool
		cause []string
		fix   []string
	}{
		{"unknown role", `role "nope" could not be found`, true,
			[]string{`auth/jwt has no role "nope"`, "vault list auth/jwt/role"},
			[]string{"vault write auth/jwt/role/nope \\", "role_type=jwt", "bound_audiences=sts.amazonaws.com", `bound_claims='{"sub":"repo:octo-org/octo-repo:environment:production"}'`, `bound_claims='{"sub":"repo:octo-org/octo-repo:environment:*"}'`, "bound_claims_type=glob", "token_policies=<policy>", diagnose.NeverTrust}},
		{"missing role", "missing role", false, []string{"vault write auth/jwt/config default_role=<role>"}, nil},
		{"audience (cap/jwt)", "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience", true,
			[]string{"do not include the token's aud sts.amazonaws.com"}, []string{"vault write auth/jwt/role/deploy bound_audiences=sts.amazonaws.com\n"}},
		{"audience (older plugin)", "error validating claims: aud claim does not match any bound audience", true,
			[]string{"do not include the token's aud"}, []string{"bound_audiences=sts.amazonaws.com"}},
		{"no audience bound", "audience claim found in JWT but no audiences bound to the role", true,
			[]string{"binds no audience", "aud sts.amazonaws.com"}, []string{"vault write auth/jwt/role/deploy bound_audiences=sts.amazonaws.com\n"}},
		{"bound claims", `error validating claims: claim "sub" does not match any associated bound claim values`, true,
			[]string{"do not admit the token's sub repo:octo-org/octo-repo:environment:production", "replaced as a whole"},
			[]string{"bound_claims_type=string", `bound_claims='{"sub":"repo:octo-org/octo-repo:environment:production"}'`, "any environment of octo-org/octo-repo", `bound_claims='{"sub":"repo:octo-org/octo-repo:environment:*"}'`}},
		{"bound claim on another claim", `error validating claims: claim "environment" does not match any associated bound claim values`, true,
			[]string{"the token's environment production"}, []string{`bound_claims='{"environment":"production"}'`}},
		{"bound claim missing", `error validating claims: claim "workflow" is missing`, true,
			[]string{`binds the claim "workflow", which this token does not carry`}, []string{`bound_claims='{"sub":"repo:octo-org/octo-repo:environment:production"}'`}},
		{"bound subject", "sub claim does not match bound subject", true,
			[]string{"must equal the token's sub repo:octo-org/octo-repo:environment:production exactly"},
			[]string{"bound_subject=repo:octo-org/octo-repo:environment:production\n", `bound_subject="" \`, "bound_claims_type=glob"}},
		{"user claim", `claim "email" not found in token`, true, []string{`is "email"`}, []string{"vault write auth/jwt/role/deploy user_claim=sub\n"}},
		{"issuer", "error validating token: invalid issuer (iss) claim: issuer does not match", true,
			[]string{"does not match the token's issuer https://token.actions.githubusercontent.com"},
			[]string{"vault write auth/jwt/config \\\n    oidc_discovery_url=https://token.actions.githubusercontent.com \\\n    bound_issuer=https://token.actions.githubusercontent.com\n"}},
		{"signature", "error validating token: failed to verify signature: no known key successfully validated the token signature", true,
			[]string{"could not verify the token's signature"}, []string{"oidc_discovery_url=https://token.actions.githubusercontent.com"}},
		{"expired", "error validating token: invalid expiration time (exp) claim: token is expired", false, []string{"expired before Vault saw it"}, nil},
		{"not yet valid", "error validating token: invalid not before (nbf) claim: token not yet valid", false, []string{"clock is behind", "not_before_leeway"}, []string{"vault write auth/jwt/role/deploy not_before_leeway=300\n"}},
		{"login permission denied", "permission denied", true, []string{"token_bound_cidrs", "vault-namespace"}, nil},
		{"not mounted", `no handler for route "auth/jwt/login". route entry not found.`, false,
			[]string{"No auth method is mounted at auth/jwt"}, []string{"vault auth enable -path=jwt jwt\n"}},
		{"oidc role", "role with oidc role_type is not allowed", false, []string{"role_type=jwt"}, []string{"role_type=jwt"}},
	}
	for _, tc := range cases {
		e := explainLogin(400, []string{tc.msg}, target, c)
		if e.Trust != tc.trust {
			t.Errorf("%s: Trust = %v, want %v", tc.name, e.Trust, tc.trust)
		}
		msg := e.Error()
		if !strings.HasPrefix(msg, "Vault JWT login refused: HTTP 400: "+tc.msg) {
			t.Errorf("%s: message %q does not start with the call, status and Vault's words", tc.name, msg)
		}
		for _, w := range tc.cause {
			if !strings.Contains(e.Cause, w) {
				t.Errorf("%s: cause lacks %q: %s", tc.name, w, e.Cause)
			}
		}
		for _, w := range tc.fix {
			if !strings.Contains(e.Fix, w) {
				t.Errorf("%s: fix lacks %q:\n%s", tc.name, w, e.Fix)
			}
		}
		checkBoundClaimsJSON(t, tc.name, e.Fix)
	}
}

// checkBoundClaimsJSON parses every bound_claims the fix suggests.
func checkBoundClaimsJSON(t *testing.T, name, fix string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`bound_claims='([^']*)'`).FindAllStringSubmatch(fix, -1) {
		var v map[string]string
		if err := json.Unmarshal([]byte(m[1]), &v); err != nil || len(v) != 1 {
			t.Errorf("%s: bound_claims %s is not a one-claim JSON object: %v", name, m[1], err)
		}
		if strings.HasPrefix(v["sub"], "repo:*") {
			t.Errorf("%s: suggested a wildcard over every repository", name)
		}
	}
}

// TestVaultRoleFixEveryShape checks the suggested role for every kind of token: the exact
// bound_claims match the token, and a wildcard is offered only where SubjectFor has one.
func TestVaultRoleFixEveryShape(t *testing.T) {
	t.Parallel()
	for name, c := range diagnosetest.ClaimSets {
		e := explainLogin(400, []string{`role "deploy" could not be found`}, trustTarget{Mount: "github", Role: "deploy", Namespace: "admin/team"}, c)
		exact, _ := json.Marshal(map[string]string{"sub": c.Subject()})
		if !strings.Contains(e.Fix, "bound_claims="+shellQuote(string(exact))) {
			t.Errorf("%s: no exact bound_claims for %s:\n%s", name, c.Subject(), e.Fix)
		}
		if !strings.Contains(e.Fix, "vault write -namespace=admin/team auth/github/role/deploy \\") {
			t.Errorf("%s: the command does not name the namespace and mount:\n%s", name, e.Fix)
		}
		wild := diagnose.SubjectFor(c.Subject()).Wildcard
		if got := strings.Contains(e.Fix, "bound_claims_type=glob"); got != (wild != "") {
			t.Errorf("%s: glob offered=%v, want %v", name, got, wild != "")
		}
		checkBoundClaimsJSON(t, name, e.Fix)
	}
}

func TestVaultDefaultRole(t *testing.T) {
	t.Parallel()
	e := explainLogin(400, []string{"audience claim found in JWT but no audiences bound to the role"}, trustTarget{Mount: "jwt"}, diagnosetest.ClaimSets["branch"])
	if !strings.Contains(e.Cause, "vault-role is empty, so the mount's default_role was used") || !strings.Contains(e.Fix, "auth/jwt/role/<default-role>") {
		t.Errorf("no hint about the default role:\n%s\n%s", e.Cause, e.Fix)
	}
}

func TestVaultRead(t *testing.T) {
	t.Parallel()
	target := trustTarget{Mount: "jwt", Role: "deploy"}
	e := explainRead(403, []string{"1 error occurred:\n\t* permission denied\n\n"}, nil, "secret/data/ci", "", target, []string{"default", "ci"})
	if e.Error() != `Vault read of secret/data/ci refused: HTTP 403: permission denied. The token's policies (default, ci) do not allow reading secret/data/ci. Grant read on it in a policy attached to role "deploy" on auth/jwt (token_policies).` {
		t.Errorf("403 message: %s", e.Error())
	}
	for _, w := range []string{"path \"secret/data/ci\" {\n  capabilities = [\"read\"]\n}", "vault policy write oidc-login-read - <<'EOF'", "vault write auth/jwt/role/deploy token_policies=ci,oidc-login-read\n"} {
		if !strings.Contains(e.Fix, w) {
			t.Errorf("403 fix lacks %q:\n%s", w, e.Fix)
		}
	}
	e = explainRead(404, []string{}, nil, "secret/ci", "", target, nil)
	if !strings.Contains(e.Cause, "There is no secret at secret/ci") || !strings.Contains(e.Cause, "secret/data/ci") {
		t.Errorf("404 cause: %s", e.Cause)
	}
	e = explainRead(404, []string{}, []string{"Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use."}, "team/secret/app", "ns1", target, nil)
	if !strings.Contains(e.Cause, "write it as team/data/secret/app") || !strings.Contains(e.Message, "versioned K/V") {
		t.Errorf("KV v2 cause: %s (%s)", e.Cause, e.Message)
	}
}

func TestVaultShellQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://github.com/octo-org": "https://github.com/octo-org",
		`{"sub":"a"}`:                 `'{"sub":"a"}'`,
		"it's":                        `'it'\''s'`,
		"":                            "''",
		"a,b":                         "a,b",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("vaultShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestVaultAudienceInputAdvice: when the audience input chose the audience the role does not
// bind, the first fix is to remove the input, naming GitHub's default, which Vault roles bind.
func TestVaultAudienceInputAdvice(t *testing.T) {
	t.Parallel()
	target := trustTarget{Mount: "jwt", Role: "deploy", Audience: "https://vault.example.com"}
	e := explainLogin(400, []string{"error validating token: invalid audience (aud) claim: audience claim does not match any expected audience"}, target, diagnose.SampleClaims("https://vault.example.com"))
	want := `The bound_audiences of role "deploy" on auth/jwt do not include the token's aud https://vault.example.com, which the audience input chose. Remove the audience input: the step then asks for GitHub's default audience, https://github.com/<owner>, this provider's default, which the quick start's role binds; or add https://vault.example.com to the role's bound_audiences`
	if e.Cause != want {
		t.Errorf("cause\n  %s\nwant\n  %s", e.Cause, want)
	}
	if fix := "Remove `audience: https://vault.example.com` from the step's with: (the step then asks for GitHub's default audience, https://github.com/<owner>).\n\nOr update the role (fields not named keep their values):\nvault write auth/jwt/role/deploy bound_audiences=https://vault.example.com\n"; !strings.HasPrefix(e.Fix, fix) {
		t.Errorf("fix\n%s\nwant it to start with\n%s", e.Fix, fix)
	}
	// Without the input, the role's binding is what to change.
	e = explainLogin(400, []string{"error validating token: invalid audience (aud) claim: audience claim does not match any expected audience"}, trustTarget{Mount: "jwt", Role: "deploy"}, diagnose.SampleClaims(diagnose.SampleGitHubOwner))
	if want := `The bound_audiences of role "deploy" on auth/jwt do not include the token's aud https://github.com/octo-org. Add it to the role, or set vault-id-token-audience to a value the role binds`; e.Cause != want {
		t.Errorf("cause without the input\n  %s\nwant\n  %s", e.Cause, want)
	}
}
