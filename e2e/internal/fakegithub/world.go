package fakegithub

import (
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// World is the github provider's world: the ID token is the credential, so there is no
// service besides the fake GitHub itself, which every test starts and checks on its own.
type World struct{}

// NewWorld is the world of a login with gh's tokens; neither is used.
func NewWorld(*Server, *testca.CA) (*World, error) { return &World{}, nil }

// Inputs are the with: block of a login that hands on an ID token for the default audience.
func (*World) Inputs() map[string]string { return map[string]string{"provider": "github"} }

// Env is empty.
func (*World) Env() map[string]string { return nil }

// Exports are the variables the login of Inputs hands later steps.
func (*World) Exports() []string { return []string{"GITHUB_ID_TOKEN_FILE"} }

// Calls is zero: the login asks nothing of anyone but GitHub.
func (*World) Calls() int { return 0 }

// RequestCount is zero: there is no service to ask.
func (*World) RequestCount() int { return 0 }

// Secrets is empty: the ID tokens are the fake GitHub's (harness.SecretsOf lists them).
func (*World) Secrets() []string { return nil }

// Unexpected is empty.
func (*World) Unexpected() []string { return nil }

// HostileModes is empty: the fake GitHub's own switch is the test's.
func (*World) HostileModes() []*hostile.Mode { return nil }

// Close does nothing.
func (*World) Close() {}
