package hostile_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/servicefake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// The token-exchange recipes of services with shapes of their own join the matrix: crates.io
// (a JSON error list, and a revocation in the post step) and RubyGems (strings beside the key
// in its answer, and its own error shape).
func init() {
	scenarios = append(scenarios,
		scenario{name: "token-exchange-crates", bare: true, setup: serviceWorld(servicefake.NewCrates), refuse: wrongSubject},
		scenario{name: "token-exchange-rubygems", setup: serviceWorld(servicefake.NewRubyGems), refuse: wrongSubject},
	)
}

// serviceWorld is the world of one service emulator, logged into with its recipe.
func serviceWorld(start func(*fakegithub.Server, *testca.CA) (*servicefake.Server, error)) func(t *testing.T) *world {
	return func(t *testing.T) *world {
		t.Helper()
		gh := harness.NewGitHub(t)
		return newWorld(gh, worlds.Must(t, start, gh), nil)
	}
}
