package hostile_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/servicefake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
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

// serviceWorld is a world of one service emulator, logged into with its recipe.
func serviceWorld(newService func(*fakegithub.Server, *testca.CA) (*servicefake.Server, error)) func(t *testing.T) *world {
	return func(t *testing.T) *world {
		ca, err := testca.Shared()
		if err != nil {
			t.Fatal(err)
		}
		gh := harness.NewGitHub(t)
		s, err := newService(gh, ca)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		in, err := s.Inputs()
		if err != nil {
			t.Fatal(err)
		}
		return &world{inputs: in, env: map[string]string{"SSL_CERT_FILE": ca.File}, gh: gh, idEnv: gh.Env(), modes: []*hostile.Mode{&s.Hostile, &gh.Hostile}}
	}
}
