package vault_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/internal/provider/vault"
)

// libraryClient is github.com/hashicorp/vault/api configured from exactly what the step
// exported (VAULT_ADDR, VAULT_TOKEN), as a later step's tool would be. The step exports
// VAULT_TOKEN only when asked (tokenInputs).
func libraryClient(t *testing.T, env map[string]string) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = env["VAULT_ADDR"]
	cfg.MaxRetries = 0
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatalf("api.NewClient: %v", err)
	}
	c.SetToken(env["VAULT_TOKEN"])
	return c
}

// tokenInputs are vaultInputs with vault-export-token: true, for the tests whose later
// "step" is the Vault library using the exported VAULT_TOKEN (off by default, as
// vault-action's exportToken is).
func tokenInputs(url string, more ...string) map[string]string {
	in := vaultInputs(url, more...)
	in["vault-export-token"] = "true"
	return in
}

// kv2 reads secret/<name> (KV v2) with the library: its data, or its error.
func kv2(t *testing.T, c *api.Client, name string) (map[string]any, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := c.KVv2("secret").Get(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.Data, nil
}

// asText is a value as the library decoded it, written the way the step exports it: strings
// as they are, anything else as JSON.
func asText(t *testing.T, v any) string {
	t.Helper()
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestVaultSelectNested selects values inside a JSON object with dotted keys and checks each
// against what the Vault library reads at the same place of the same secret.
func TestVaultSelectNested(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "", nil)
	r := harness.Exec(t, harness.Step{
		Inputs:  tokenInputs(w.v.URL, "vault-secrets", "secret/data/ci config.region | REGION\nsecret/data/ci config.replicas\nsecret/data/ci config"),
		IDToken: w.gh.Env(),
	})
	harness.RequireExit(t, r, 0)
	// One read of the path for all three items.
	if n := w.v.Count("GET", "secret/data/ci"); n != 1 {
		t.Errorf("secret/data/ci was read %d times, want once", n)
	}
	data, err := kv2(t, libraryClient(t, r.Env), "ci")
	if err != nil {
		t.Fatalf("the Vault library could not read secret/data/ci with the exported token: %v", err)
	}
	cfg, ok := data["config"].(map[string]any)
	if !ok {
		t.Fatalf("the library read config as %T", data["config"])
	}
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
		"VAULT_ADDR":       w.v.URL,
		"VAULT_TOKEN":      w.token(t).Token,
		"REGION":           asText(t, cfg["region"]),
		"CONFIG__REPLICAS": asText(t, cfg["replicas"]),
		"CONFIG":           asText(t, cfg),
	})
	// config.replicas is named as vault-action names it: the dot becomes __.
	if r.Env["REGION"] != "eu-west-1" || r.Env["CONFIG__REPLICAS"] != "3" {
		t.Errorf("REGION=%q CONFIG__REPLICAS=%q, want eu-west-1 and 3", r.Env["REGION"], r.Env["CONFIG__REPLICAS"])
	}
	if r.Outputs["region"] != "eu-west-1" || r.Outputs["config__replicas"] != "3" {
		t.Errorf("outputs region=%q config__replicas=%q", r.Outputs["region"], r.Outputs["config__replicas"])
	}
	harness.Masked(t, r, "eu-west-1", "3")
	harness.NoLeak(t, r, w.secrets()...)
}

// TestVaultSelectAll exports every key of a secret with `*`, each under its own name, and
// checks the exported set is exactly the keys the Vault library reads, value for value.
func TestVaultSelectAll(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "", nil)
	r := harness.Exec(t, harness.Step{
		Inputs:  tokenInputs(w.v.URL, "vault-secrets", "secret/data/ci *; kv/app token | APP_TOKEN"),
		IDToken: w.gh.Env(),
	})
	harness.RequireExit(t, r, 0)
	data, err := kv2(t, libraryClient(t, r.Env), "ci")
	if err != nil {
		t.Fatalf("the Vault library could not read secret/data/ci: %v", err)
	}
	want := map[string]string{"VAULT_ADDR": w.v.URL, "VAULT_TOKEN": w.token(t).Token, "APP_TOKEN": w.appToken}
	var names []string
	for k, v := range data {
		want[vault.DefaultName(k)] = asText(t, v)
		names = append(names, vault.DefaultName(k))
	}
	harness.MustEqual(t, "GITHUB_ENV", r.Env, want)
	sort.Strings(names)
	// api-key is named as vault-action names it: APIKEY.
	if strings.Join(names, ",") != "APIKEY,BIG_ID,CERT,CONFIG,DB_PASSWORD" {
		t.Errorf("the library read keys %v", names)
	}
	if r.Env["BIG_ID"] != bigID || r.Env["APIKEY"] != w.apiKey || r.Outputs["apikey"] != w.apiKey || r.Outputs["db_password"] != w.dbPassword {
		t.Errorf("values did not come through exactly (BIG_ID %q)", r.Env["BIG_ID"])
	}
	if !strings.Contains(r.Stdout, "exported 6 secret(s): APIKEY, BIG_ID, CERT, CONFIG, DB_PASSWORD, APP_TOKEN") {
		t.Errorf("the log does not list the exported names in order:\n%s", r.Log())
	}
	harness.Masked(t, r, append([]string{w.token(t).Token}, w.values()...)...)
	harness.MasksFirst(t, r)
	harness.NoLeak(t, r, w.secrets()...)
}

// TestVaultSelectOptional marks secrets that may be absent with `?`: a path that does not
// exist (the library gets ErrSecretNotFound there too) and a key the secret lacks export
// nothing and each gets a notice; the rest is exported as usual.
func TestVaultSelectOptional(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "", nil)
	r := harness.Exec(t, harness.Step{
		Inputs:  tokenInputs(w.v.URL, "vault-secrets", "secret/data/missing *?\nsecret/data/ci nokey? | NOPE\nsecret/data/gone token? | GONE_TOKEN\nsecret/data/ci api-key?\nkv/app token"),
		IDToken: w.gh.Env(),
	})
	harness.RequireExit(t, r, 0)
	// login + four paths, each once (before the library's own reads below).
	if w.v.Total() != 5 {
		t.Errorf("%d Vault requests, want 5", w.v.Total())
	}
	c := libraryClient(t, r.Env)
	for _, name := range []string{"missing", "gone"} {
		if _, err := kv2(t, c, name); !errors.Is(err, api.ErrSecretNotFound) {
			t.Errorf("the Vault library reading secret/data/%s: %v, want ErrSecretNotFound", name, err)
		}
	}
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
		"VAULT_ADDR": w.v.URL, "VAULT_TOKEN": w.token(t).Token, "APIKEY": w.apiKey, "TOKEN": w.appToken,
	})
	for _, n := range []string{
		"::notice::vault: secret/data/missing does not exist; it is marked optional (?) in vault-secrets, so nothing was exported for its keys",
		"::notice::vault: secret/data/ci has no key \"nokey\"; it is marked optional (?) in vault-secrets, so NOPE was not exported",
		"::notice::vault: secret/data/gone does not exist; it is marked optional (?) in vault-secrets, so nothing was exported for GONE_TOKEN",
	} {
		if !strings.Contains(r.Stdout, n+"\n") {
			t.Errorf("output lacks the notice %q:\n%s", n, r.Log())
		}
	}
	if n := len(harness.ErrorLines(r)); n != 0 {
		t.Errorf("%d ::error:: lines for optional secrets", n)
	}
	harness.NoLeak(t, r, w.secrets()...)
}

// TestVaultSelectorRefusals: `?` forgives a secret that does not exist, not a mistake (no such
// mount, a KV v2 path without data/, no permission), and names from `*` must not collide.
func TestVaultSelectorRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, secrets, want string
		reads               int
	}{
		{"optional under no mount", "nomount/app key?", `Vault read of nomount/app refused: HTTP 404: no handler for route "nomount/app"`, 1},
		{"optional KV v2 path without data/", "secret/ci key?", "Invalid path for a versioned K/V secrets engine", 1},
		{"optional without permission", "kv/private key?", "Vault read of kv/private refused: HTTP 403: permission denied", 1},
		{"required and optional on one path", "secret/data/gone a?\nsecret/data/gone b", "Vault read of secret/data/gone refused: HTTP 404", 1},
		{"* collides with a named item", "secret/data/ci *\nkv/app token | APIKEY", `Vault read of secret/data/ci: the key "api-key" (read by secret/data/ci *) and the item "kv/app token" both export APIKEY; name one of them with | NAME`, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, "", nil)
			// The policy allows the unmounted path too, so that Vault's answer is its 404.
			w.v.AddPolicy("", "ci-read", "secret/data/*", "kv/app", "secret/ci", "nomount/*")
			r := harness.Exec(t, harness.Step{Inputs: vaultInputs(w.v.URL, "vault-secrets", tc.secrets), IDToken: w.gh.Env()})
			harness.RequireExit(t, r, 1)
			if errs := harness.ErrorLines(r); len(errs) != 1 || !strings.Contains(errs[0], tc.want) {
				t.Errorf("annotations %q, want one containing %q", errs, tc.want)
			}
			if w.v.Total() != 1+tc.reads+1 || w.v.Valid(w.token(t).Token) {
				t.Errorf("%d Vault requests, want login + %d read(s) + revoke-self, and the token revoked", w.v.Total(), tc.reads)
			}
			harness.NothingWritten(t, r)
			harness.NoLeak(t, r, w.secrets()...)
		})
	}
}

// TestVaultServiceContainerName logs in through a job service's single-label name over plain
// http (vault-url: http://vault:8200), the binary resolving "vault" from its container's own
// /etc/hosts to the loopback emulator; the library then reads with the exported token.
func TestVaultServiceContainerName(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "", nil)
	u, err := url.Parse(w.v.URL)
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://vault:" + u.Port()
	r := harness.Exec(t, harness.Step{
		Inputs:  tokenInputs(addr, "vault-secrets", "secret/data/ci api-key"),
		IDToken: w.gh.Env(),
		Hosts:   map[string]string{"vault": u.Hostname()},
	})
	harness.RequireExit(t, r, 0)
	if r.Env["VAULT_ADDR"] != addr || r.Env["APIKEY"] != w.apiKey {
		t.Errorf("VAULT_ADDR=%q, APIKEY %d bytes", r.Env["VAULT_ADDR"], len(r.Env["APIKEY"]))
	}
	// The test process is not in the container's namespace: it reaches the same server by
	// address, with the exported token.
	data, err := kv2(t, libraryClient(t, map[string]string{"VAULT_ADDR": w.v.URL, "VAULT_TOKEN": r.Env["VAULT_TOKEN"]}), "ci")
	if err != nil || data["api-key"] != w.apiKey {
		t.Errorf("the library read with the exported token: %v", err)
	}
	harness.NoLeak(t, r, w.secrets()...)
}
