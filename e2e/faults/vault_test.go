package faults_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
)

// vaultLogin is a Vault JWT login, with one KV v1 secret read when withSecret.
func vaultLogin(t *testing.T, withSecret bool) (*rig, *vaultfake.Server) {
	gh := harness.NewGitHub(t)
	v := vaultfake.New(fakegithub.Issuer, gh.JWKSURL())
	harness.CloseChecked(t, "Vault", v)
	v.AddRole("", "jwt", vaultfake.Role{
		Name:            "deploy",
		BoundAudiences:  []string{"https://github.com/" + fakegithub.DefaultOwner},
		BoundClaims:     map[string][]string{"sub": {"repo:octo-org/octo-repo:ref:refs/heads/*"}},
		BoundClaimsType: "glob",
		Policies:        []string{"ci-read"},
	})
	appToken := "at-" + randHex(16)
	v.AddKV("", "kv", 1)
	v.Put("", "kv", "app", map[string]any{"token": appToken})
	v.AddPolicy("", "ci-read", "kv/app")
	in := map[string]string{"provider": "vault", "vault-url": v.URL, "vault-role": "deploy", "vault-export-token": "true"}
	if withSecret {
		in["vault-secrets"] = "kv/app token | APP_TOKEN"
	}
	rg := &rig{
		inputs:     in,
		gh:         gh,
		okRequests: 1,
		verify: func(t *testing.T, r *harness.Run) {
			toks := v.Tokens()
			if len(toks) != 1 {
				t.Fatalf("Vault issued %d tokens, want 1", len(toks))
			}
			wantEnv := map[string]string{"VAULT_ADDR": v.URL, "VAULT_TOKEN": toks[0].Token}
			wantOut := map[string]string{"claims": r.Outputs["claims"], "expiration": r.Outputs["expiration"]}
			if withSecret {
				wantEnv["APP_TOKEN"] = appToken
				wantOut["app_token"] = appToken
			}
			harness.MustEqual(t, "GITHUB_ENV", r.Env, wantEnv)
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, wantOut)
		},
		secrets: func() []string {
			out := []string{appToken}
			for _, tk := range v.Tokens() {
				out = append(out, tk.Token, tk.Accessor)
			}
			return out
		},
		// A step that fails after the login must not leave its token live.
		failed: func(t *testing.T) {
			for _, tk := range v.Tokens() {
				if v.Valid(tk.Token) {
					t.Errorf("the failed step left the Vault token it was issued live (revoke-self sent %d times)", v.Count(http.MethodPost, "auth/token/revoke-self"))
				}
			}
		},
	}
	return rg, v
}

// vaultLoginRig faults the login; without secrets it is the server's only request.
func vaultLoginRig(t *testing.T) *rig {
	rg, v := vaultLogin(t, false)
	rg.target = v.Faults
	return rg
}

// vaultKVRig faults the read of the secret: the login before it and the revoke of the
// unused token after a failure pass untouched and uncounted.
func vaultKVRig(t *testing.T) *rig {
	rg, v := vaultLogin(t, true)
	v.Faults.Match = func(r *http.Request) bool { return r.Method == http.MethodGet && r.URL.Path == "/v1/kv/app" }
	rg.target = v.Faults
	return rg
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
