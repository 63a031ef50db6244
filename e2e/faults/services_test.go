package faults_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/servicefake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// A token exchange of a service's own shape (PyPI's recipe) meets every fault too.
func init() {
	endpoints = append(endpoints, endpoint{name: "token-exchange-pypi", call: "token exchange", setup: pypiRig})
}

func pypiRig(t *testing.T) *rig {
	gh := harness.NewGitHub(t)
	s := worlds.Must(t, servicefake.NewPyPI, gh)
	return &rig{
		inputs:     s.Inputs(),
		env:        s.Env(),
		gh:         gh,
		target:     s.Faults,
		okRequests: 1,
		verify: func(t *testing.T, r *harness.Run) {
			issued := s.Issued()
			if len(issued) != 1 {
				t.Fatalf("PyPI issued %d tokens, want 1", len(issued))
			}
			harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{"TWINE_PASSWORD": issued[0]})
		},
		secrets: s.Secrets,
	}
}
