package faults_test

import (
	"net/http"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// vaultLogin is a Vault JWT login, with one KV v1 secret read when withSecret.
func vaultLogin(t *testing.T, withSecret bool) (*rig, *vaultfake.World) {
	gh := harness.NewGitHub(t)
	v := worlds.Must(t, vaultfake.NewWorld, gh)
	appToken := v.AppToken
	in := v.Inputs()
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
		secrets: v.Secrets,
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
