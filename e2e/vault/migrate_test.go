package vault_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// The behaviours issue 16 decided for workflows moving over from hashicorp/vault-action
// (read at 4c06c5c, v3.4.0; see docs/migrate/vault-action.md).

// TestMigrateVaultToken: VAULT_TOKEN reaches later steps only with vault-export-token (as
// vault-action's exportToken, default false); the token is an output, as vault-token and as
// vault-action's vault_token, only with output-credentials (its outputToken, default false),
// and HashiCorp's client works with that output. The post step revokes it either way.
func TestMigrateVaultToken(t *testing.T) {
	t.Parallel()
	t.Run("default", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, "", nil)
		ws := harness.NewWorkspace(t)
		in := vaultInputs(w.v.URL)
		r := harness.Exec(t, harness.Step{Inputs: in, IDToken: w.gh.Env(), Workspace: ws})
		harness.RequireExit(t, r, 0)
		tok := w.token(t)
		harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{"VAULT_ADDR": w.v.URL})
		harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{"claims": r.Outputs["claims"], "expiration": r.Outputs["expiration"]})
		if r.State["vault_token"] != tok.Token || r.State["secret_env"] != "" {
			t.Errorf("state: token saved %v, secret_env %q; want the token saved for revocation and nothing to blank", r.State["vault_token"] == tok.Token, r.State["secret_env"])
		}
		if err := ws.NewStep(); err != nil {
			t.Fatal(err)
		}
		post := harness.Exec(t, harness.Step{Inputs: in, Post: true, State: r.State, Workspace: ws})
		harness.RequireExit(t, post, 0)
		harness.MustEqual(t, "post GITHUB_ENV", post.Env, map[string]string{})
		if w.v.Valid(tok.Token) {
			t.Errorf("the post step did not revoke the unexported token")
		}
		harness.NoLeak(t, r, w.secrets()...)
	})
	t.Run("vault_token output", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, "", nil)
		r := harness.Exec(t, harness.Step{Inputs: vaultInputs(w.v.URL, "output-credentials", "true"), IDToken: w.gh.Env()})
		harness.RequireExit(t, r, 0)
		tok := w.token(t)
		if r.Outputs["vault_token"] != tok.Token || r.Outputs["vault-token"] != tok.Token {
			t.Errorf("vault_token and vault-token outputs are not the issued token")
		}
		if _, ok := r.Env["VAULT_TOKEN"]; ok {
			t.Errorf("VAULT_TOKEN exported without vault-export-token")
		}
		c := consumer(t, w.v.URL, r.Outputs["vault_token"], "")
		if c.lookupErr != nil || c.readErr != nil || c.tokenID != tok.Token || c.kv2["api-key"] != w.apiKey {
			t.Errorf("the Vault client with the vault_token output: lookup-self %v, reads %v", c.lookupErr, c.readErr)
		}
		harness.Masked(t, r, tok.Token)
		harness.NoLeak(t, r, w.secrets()...)
	})
	t.Run("bad value", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, "", nil)
		r := harness.Exec(t, harness.Step{Inputs: vaultInputs(w.v.URL, "vault-export-token", "yes"), IDToken: w.gh.Env()})
		harness.RequireInputRefused(t, r, "input vault-export-token: ", w.gh.Requests, w.v.Total)
	})
}

// TestMigrateVaultNames: keys without | NAME are exported under the names vault-action gives
// them (normalizeOutputKey in its src/utils.js): . as __, - and other punctuation dropped,
// upper-cased. Outputs are those names lower-cased, which expressions find case-insensitively.
func TestMigrateVaultNames(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "", nil)
	v := []string{"n1-" + randHex(8), "n2-" + randHex(8), "n3-" + randHex(8), "n4-" + randHex(8)}
	w.v.Put("", "secret", "names", map[string]any{
		"api-key": v[0], "db.password": v[1], "x-y_z": v[2], "npmToken": v[3],
	})
	secrets := "secret/data/names api-key\nsecret/data/names db.password\nsecret/data/names x-y_z\nsecret/data/names npmToken"
	r := harness.Exec(t, harness.Step{Inputs: vaultInputs(w.v.URL, "vault-secrets", secrets), IDToken: w.gh.Env()})
	harness.RequireExit(t, r, 0)
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
		"VAULT_ADDR": w.v.URL, "APIKEY": v[0], "DB__PASSWORD": v[1], "XY_Z": v[2], "NPMTOKEN": v[3],
	})
	harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{
		"apikey": v[0], "db__password": v[1], "xy_z": v[2], "npmtoken": v[3],
		"claims": r.Outputs["claims"], "expiration": r.Outputs["expiration"],
	})
	if n := w.v.Count("GET", "secret/data/names"); n != 1 {
		t.Errorf("secret/data/names read %d times, want once", n)
	}
	harness.Masked(t, r, v...)
	harness.NoLeak(t, r, append(w.secrets(), v...)...)
}

// TestMigrateVaultOutputsBesideGCP: gcp now also sets auth's output names (access_token,
// project_id, …); in a step with both providers a secret whose output would take one of them
// is an input error before any request, so neither value silently wins.
func TestMigrateVaultOutputsBesideGCP(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "", nil)
	in := vaultInputs(w.v.URL, "provider", "gcp, vault", "vault-secrets", "secret/data/ci access_token",
		"gcp-workload-identity-provider", "projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github")
	r := harness.Exec(t, harness.Step{Inputs: in, IDToken: w.gh.Env()})
	harness.RequireInputRefused(t, r, "input vault-secrets: the secret ACCESS_TOKEN would set the output access_token, which the gcp provider of this step sets too; name it with | NAME", w.gh.Requests, w.v.Total)
	// Without gcp in the step the name is free, as before.
	val := "tk-" + randHex(12)
	w.v.Put("", "secret", "tokens", map[string]any{"access_token": val})
	alone := harness.Exec(t, harness.Step{Inputs: vaultInputs(w.v.URL, "vault-secrets", "secret/data/tokens access_token"), IDToken: w.gh.Env()})
	harness.RequireExit(t, alone, 0)
	if alone.Outputs["access_token"] != val || alone.Env["ACCESS_TOKEN"] != val {
		t.Errorf("vault alone: output access_token and ACCESS_TOKEN are not the stored value")
	}
	harness.NoLeak(t, alone, append(w.secrets(), val)...)
}
