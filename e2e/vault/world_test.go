package vault_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
)

const (
	mount      = vaultfake.AuthMount
	roleName   = vaultfake.RoleName
	defaultAud = "https://github.com/" + fakegithub.DefaultOwner
	loginPath  = "auth/" + mount + "/login"
	revokePath = "auth/token/revoke-self"
	// bigID does not fit a float64: it must come through digit for digit.
	bigID = "9007199254740993"
)

// world is one test's fake GitHub and fake Vault, and the secret values stored in it.
type world struct {
	gh *fakegithub.Server
	v  *vaultfake.Server
	// Secret values by key.
	apiKey, dbPassword, cert, config, appToken string
}

// deployRole trusts the fake's default token on any branch of octo-org/octo-repo, the way a
// README quick start sets it up: the vault world's.
func deployRole() vaultfake.Role { return vaultfake.DeployRole() }

// newWorld starts the fakes over loopback http, with role in namespace ns (nil: deployRole).
func newWorld(t *testing.T, ns string, role *vaultfake.Role) *world {
	t.Helper()
	gh := harness.NewGitHub(t)
	w := &world{gh: gh, v: vaultfake.New(fakegithub.Issuer, gh.JWKSURL())}
	w.setup(t, ns, role)
	return w
}

// newTLSWorld is newWorld over https with a certificate from the shared test CA.
func newTLSWorld(t *testing.T) (*world, *testca.CA) {
	t.Helper()
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	gh := harness.NewGitHub(t)
	v, err := vaultfake.NewTLS(ca, fakegithub.Issuer, gh.JWKSURL())
	if err != nil {
		t.Fatal(err)
	}
	w := &world{gh: gh, v: v}
	w.setup(t, "", nil)
	return w, ca
}

func (w *world) setup(t *testing.T, ns string, role *vaultfake.Role) {
	t.Helper()
	t.Cleanup(func() {
		if u := w.v.Unexpected(); len(u) > 0 {
			t.Errorf("the Vault emulator got requests it does not implement: %v", u)
		}
		w.v.Close()
	})
	r := deployRole()
	if role != nil {
		r = *role
	}
	w.v.AddRole(ns, mount, r)
	w.v.AddKV(ns, "secret", 2)
	w.v.AddKV(ns, "kv", 1)
	w.apiKey = "ak-" + randHex(16)
	w.dbPassword = "pw-" + randHex(16)
	w.cert = "-----BEGIN CERTIFICATE-----\nMIIB" + randHex(30) + "\n" + randHex(30) + "==\n-----END CERTIFICATE-----"
	w.config = `{"region":"eu-west-1","replicas":3,"tag":"` + randHex(6) + `"}`
	w.appToken = "at-" + randHex(16)
	var cfg map[string]any
	if err := json.Unmarshal([]byte(w.config), &cfg); err != nil {
		t.Fatal(err)
	}
	w.v.Put(ns, "secret", "ci", map[string]any{
		"api-key":     w.apiKey,
		"db_password": w.dbPassword,
		"cert":        w.cert,
		"big_id":      json.Number(bigID),
		"config":      cfg,
	})
	w.v.Put(ns, "kv", "app", map[string]any{"token": w.appToken})
	w.v.Put(ns, "kv", "private", map[string]any{"key": "pk-" + randHex(16)})
	w.v.AddPolicy(ns, "ci-read", "secret/data/*", "kv/app", "secret/ci")
}

// token is the one token the emulator issued.
func (w *world) token(t *testing.T) vaultfake.Token {
	t.Helper()
	toks := w.v.Tokens()
	if len(toks) != 1 {
		t.Fatalf("Vault issued %d tokens, want 1", len(toks))
	}
	return toks[0]
}

// values are every secret value stored, for the leak and mask checks.
func (w *world) values() []string {
	return []string{w.apiKey, w.dbPassword, w.cert, bigID, w.config, w.appToken}
}

// secrets is everything that must never be printed: the fake GitHub's tokens, every Vault
// token and accessor, and the stored secret values.
func (w *world) secrets() []string {
	out := harness.SecretsOf(w.gh)
	for _, tk := range w.v.Tokens() {
		out = append(out, tk.Token, tk.Accessor)
	}
	return append(out, w.values()...)
}

func vaultInputs(url string, more ...string) map[string]string {
	in := map[string]string{
		"provider":   "vault",
		"vault-url":  url,
		"vault-role": roleName,
	}
	for i := 0; i+1 < len(more); i += 2 {
		in[more[i]] = more[i+1]
	}
	return in
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
