package rfc8693fake

import (
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The authorization server of the e2e worlds trusts GitHub's default audience (as well as its
// own origin, Server.Origin) for every branch of the fake's repository, and issues tokens for
// one API.
const (
	// APIAudience is the only audience (or resource) it issues tokens for.
	APIAudience = "https://api.example.com"
	// ExpiresIn is the lifetime of what it issues.
	ExpiresIn = 900
)

// WorldConfig is the configuration of the world's server, trusting gh's tokens.
func WorldConfig(gh *fakegithub.Server) Config {
	return Config{
		Issuer:    fakegithub.Issuer,
		JWKSURL:   gh.JWKSURL(),
		Audiences: []string{fakegithub.DefaultAudience},
		Subject:   fakegithub.AnyBranch,
		Targets:   []string{APIAudience},
		ExpiresIn: ExpiresIn,
	}
}

// World is the RFC 8693 server of the e2e worlds.
type World struct {
	*Server
}

// NewWorld starts the world on plain http on loopback, which token-exchange-url allows there,
// so ca is not used.
func NewWorld(gh *fakegithub.Server, _ *testca.CA) (*World, error) {
	return &World{Server: New(WorldConfig(gh))}, nil
}

// Inputs are the with: block of an exchange for a token with the server's default audience.
func (w *World) Inputs() map[string]string {
	return map[string]string{"provider": "token-exchange", "token-exchange-url": w.URL}
}

// Env is empty: the step needs nothing more to reach plain http.
func (w *World) Env() map[string]string { return nil }

// Exports are the variables the exchange of Inputs hands later steps.
func (w *World) Exports() []string { return []string{"OIDC_ACCESS_TOKEN"} }

// Calls is what the exchange of Inputs asks the server: one token request.
func (w *World) Calls() int { return 1 }

// RequestCount is every request the server got, faults included.
func (w *World) RequestCount() int { return w.Requests() }

// HostileModes are the switches that make the server malicious.
func (w *World) HostileModes() []*hostile.Mode { return []*hostile.Mode{&w.Hostile} }
