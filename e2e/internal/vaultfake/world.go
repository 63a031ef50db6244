package vaultfake

import (
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The Vault of the e2e worlds, as HashiCorp's guide for GitHub sets it up: a JWT auth mount
// trusting GitHub's issuer, a role for every branch of the fake's repository, and a policy
// that reads one secret of each KV version.
const (
	AuthMount = "jwt"
	RoleName  = "deploy"
	Policy    = "ci-read"
	// KVv1 holds the secrets "app" and "other", each with the key "token"; Policy reads only
	// kv/app.
	KVv1 = "kv"
	// KVv2 holds the secret "ci" with the keys api-key, db_password and region; Policy reads
	// secret/data/ci.
	KVv2 = "secret"
	// Region is the (not secret) value of secret/ci's key region.
	Region = "eu-central-2"
)

// World is the Vault emulator of the e2e worlds, trusting gh's tokens, and the secret values
// it holds (fresh for each world, and registered as secrets by Put).
type World struct {
	*Server
	// AppToken and OtherToken are kv/app's and kv/other's token.
	AppToken, OtherToken string
	// APIKey and DBPassword are secret/ci's api-key and db_password.
	APIKey, DBPassword string
}

// NewWorld starts the world on plain http on loopback, which vault-url allows, so ca is not
// used.
func NewWorld(gh *fakegithub.Server, _ *testca.CA) (*World, error) {
	w := &World{
		Server:   New(fakegithub.Issuer, gh.JWKSURL()),
		AppToken: "app-token-" + fakeid.Hex(12), OtherToken: "other-token-" + fakeid.Hex(12),
		APIKey: "ak-" + fakeid.Hex(16), DBPassword: "pw-" + fakeid.Hex(16),
	}
	w.AddRole("", AuthMount, DeployRole())
	w.AddKV("", KVv1, 1)
	w.Put("", KVv1, "app", map[string]any{"token": w.AppToken})
	w.Put("", KVv1, "other", map[string]any{"token": w.OtherToken})
	w.AddKV("", KVv2, 2)
	w.Put("", KVv2, "ci", map[string]any{"api-key": w.APIKey, "db_password": w.DBPassword, "region": Region})
	w.AddPolicy("", Policy, KVv1+"/app", KVv2+"/data/ci")
	return w, nil
}

// DeployRole is the world's role: GitHub's default audience, any branch of the repository,
// the repository as the token's display name, and Policy.
func DeployRole() Role {
	return Role{
		Name:            RoleName,
		BoundAudiences:  []string{fakegithub.DefaultAudience},
		BoundClaims:     map[string][]string{"sub": {fakegithub.AnyBranch}},
		BoundClaimsType: "glob",
		UserClaim:       "repository",
		Policies:        []string{Policy},
	}
}

// Inputs are the with: block of a login as RoleName that exports the token and reads nothing.
func (w *World) Inputs() map[string]string {
	return map[string]string{"provider": "vault", "vault-url": w.URL, "vault-role": RoleName, "vault-export-token": "true"}
}

// Env is empty: the step needs nothing more to reach plain http.
func (w *World) Env() map[string]string { return nil }

// Exports are the variables the login of Inputs hands later steps.
func (w *World) Exports() []string { return []string{"VAULT_TOKEN"} }

// Calls is what the login of Inputs asks Vault: the JWT login, once.
func (w *World) Calls() int { return 1 }

// RequestCount is every request Vault got, faults included.
func (w *World) RequestCount() int { return w.Total() }

// Secrets lists the values the world holds and every token and accessor it issued.
func (w *World) Secrets() []string {
	out := []string{w.AppToken, w.OtherToken, w.APIKey, w.DBPassword}
	for _, t := range w.Tokens() {
		out = append(out, t.Token, t.Accessor)
	}
	return out
}

// HostileModes are the switches that make Vault malicious.
func (w *World) HostileModes() []*hostile.Mode { return []*hostile.Mode{&w.Hostile} }
