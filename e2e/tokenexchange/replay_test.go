package tokenexchange_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/hashicorp/vault/api"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
)

// replayWorld is one job with two relying parties: the org's Vault, whose role accepts
// vaultAud, and a third party's token-exchange server, which accepts its own origin and, with
// alsoDefault, GitHub's default audience too (as this README's quick start once said).
func replayWorld(t *testing.T, vaultAud string, alsoDefault bool) (*fakegithub.Server, *vaultfake.Server, *rfc8693fake.Server) {
	t.Helper()
	gh := harness.NewGitHub(t)
	v := vaultfake.New(fakegithub.Issuer, gh.JWKSURL())
	t.Cleanup(v.Close)
	v.AddRole("", "jwt", vaultfake.Role{
		Name: "deploy", BoundAudiences: []string{vaultAud},
		BoundClaims: map[string][]string{"sub": {"repo:octo-org/octo-repo:*"}}, BoundClaimsType: "glob",
		UserClaim: "repository", Policies: []string{"ci"},
	})
	cfg := config(gh)
	if alsoDefault {
		cfg.Audiences = []string{"https://github.com/" + fakegithub.DefaultOwner}
	}
	return gh, v, newServer(t, cfg)
}

// vaultLogin presents jwt at Vault's JWT login, with Vault's own client, as whoever holds the
// token would; it returns Vault's error ("" when Vault issued a token).
func vaultLogin(t *testing.T, v *vaultfake.Server, jwt string) string {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = v.URL
	cfg.MaxRetries = 0
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.ClearToken()
	// POST, as the step sends it: Logical().Write would PUT, which Vault takes alike but the
	// emulator counts as a request the step never makes. RawRequestWithContext (deprecated for
	// general use) is the client's one way to send a POST.
	req := c.NewRequest(http.MethodPost, "/v1/auth/jwt/login")
	if err := req.SetJSONBody(map[string]any{"role": "deploy", "jwt": jwt}); err != nil {
		t.Fatal(err)
	}
	res, err := c.RawRequestWithContext(t.Context(), req)
	if res != nil {
		defer res.Body.Close()
	}
	if err != nil {
		return err.Error()
	}
	secret, err := api.ParseSecret(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if secret == nil || secret.Auth == nil || secret.Auth.ClientToken == "" {
		t.Fatalf("Vault answered neither a token nor an error")
	}
	return ""
}

// exchange presents jwt at the token-exchange server as a subject token, the way the step
// does; it returns the RFC 6749 error code ("" when a token was issued).
func exchange(t *testing.T, s *rfc8693fake.Server, jwt string) string {
	t.Helper()
	res, err := http.PostForm(s.URL, url.Values{"grant_type": {rfc8693fake.GrantType}, "subject_token": {jwt}, "subject_token_type": {rfc8693fake.TokenTypeID}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusOK {
		return ""
	}
	return res.Status
}

func audOf(t *testing.T, token string) []string {
	t.Helper()
	c := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, c); err != nil {
		t.Fatal(err)
	}
	aud, _ := c.GetAudience()
	return aud
}

// TestNoTokenReachesTwoParties (issue 13, item 3): with provider: vault, token-exchange the two
// relying parties get two different ID tokens. The token-exchange server keeps the JWT it was
// sent, and Vault refuses it (its aud is the server's origin), even when the server would
// have taken GitHub's default audience too. A server configured for its origin alone also
// refuses the token Vault got: no single JWT can be replayed from one to the other.
func TestNoTokenReachesTwoParties(t *testing.T) {
	t.Parallel()
	for _, alsoDefault := range []bool{true, false} {
		t.Run(fmt.Sprintf("server also accepts GitHub's default=%v", alsoDefault), func(t *testing.T) {
			t.Parallel()
			gh, v, s := replayWorld(t, "https://github.com/"+fakegithub.DefaultOwner, alsoDefault)
			r := harness.Exec(t, harness.Step{Inputs: map[string]string{
				"provider": "vault, token-exchange", "vault-url": v.URL, "vault-role": "deploy", "token-exchange-url": s.URL,
			}, IDToken: gh.Env()})
			harness.RequireExit(t, r, 0)
			if strings.Contains(r.Stdout, "::warning") {
				t.Errorf("a warning without the audience input:\n%s", r.Log())
			}
			kept := s.SubjectTokens()
			if len(kept) != 1 {
				t.Fatalf("the exchange server got %d subject tokens, want 1", len(kept))
			}
			if aud := audOf(t, kept[0]); !slices.Equal(aud, []string{s.Origin()}) {
				t.Errorf("the exchanged ID token has aud %q, want only the server's origin %s", aud, s.Origin())
			}
			// The replay: the server presents what it got to the org's Vault, within its
			// lifetime.
			if got := vaultLogin(t, v, kept[0]); !strings.Contains(got, "audience claim does not match any expected audience") {
				t.Errorf("Vault's answer to the replayed token = %q, want the audience refusal", got)
			}
			minted := gh.Minted()
			if len(minted) != 2 || minted[0] == minted[1] {
				t.Fatalf("GitHub minted %d tokens (two distinct: %v), want two different ones", len(minted), len(minted) == 2 && minted[0] != minted[1])
			}
			vaultTok := minted[0]
			if vaultTok == kept[0] {
				vaultTok = minted[1]
			}
			// Control: Vault's own token works at Vault.
			if got := vaultLogin(t, v, vaultTok); got != "" {
				t.Errorf("Vault refused its own token: %s", got)
			}
			// And the other way round, for a server configured for its origin alone: what
			// Vault got is no subject token there.
			if !alsoDefault {
				if got := exchange(t, s, vaultTok); got != "400 Bad Request" {
					t.Errorf("the exchange server's answer to Vault's token = %q, want a refusal", got)
				}
			}
			harness.NoLeak(t, r, harness.SecretsOf(gh, s.Secrets()...)...)
		})
	}
}

// TestSharedAudienceWarned: the audience input gives every provider of the step one token.
// The step says so, naming them, once; and the test shows why: that token then opens Vault
// for whoever runs the exchange server.
func TestSharedAudienceWarned(t *testing.T) {
	t.Parallel()
	// The audience both accept is GitHub's default (the input set to it explicitly).
	aud := "https://github.com/" + fakegithub.DefaultOwner
	gh, v, s := replayWorld(t, aud, true)
	r := harness.Exec(t, harness.Step{Inputs: map[string]string{
		"provider": "vault, token-exchange", "vault-url": v.URL, "vault-role": "deploy", "token-exchange-url": s.URL,
		"audience": aud,
	}, IDToken: gh.Env()})
	harness.RequireExit(t, r, 0)
	var warnings []string
	for _, line := range strings.Split(r.Stdout, "\n") {
		if strings.HasPrefix(line, "::warning") {
			warnings = append(warnings, line)
		}
	}
	want := "::warning::audience " + aud + " gives vault and token-exchange the same ID token, so each of them could replay it at the others; leave audience empty (each provider then gets a token for itself) or log in one provider per step"
	if len(warnings) != 1 || warnings[0] != want {
		t.Errorf("warnings %q, want exactly %q", warnings, want)
	}
	if n := len(gh.Minted()); n != 1 {
		t.Errorf("GitHub minted %d tokens, want 1 (one audience)", n)
	}
	if got := vaultLogin(t, v, s.SubjectTokens()[0]); got != "" {
		t.Errorf("with one shared audience the replay should work (which is what the warning is about), Vault said %s", got)
	}
}
