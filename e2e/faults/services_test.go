package faults_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/servicefake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// A token exchange of a service's own shape (PyPI's recipe) meets every fault too.
func init() {
	endpoints = append(endpoints, endpoint{name: "token-exchange-pypi", call: "token exchange", setup: pypiRig})
}

func pypiRig(t *testing.T) *rig {
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	gh := harness.NewGitHub(t)
	s, err := servicefake.NewPyPI(gh, ca)
	if err != nil {
		t.Fatal(err)
	}
	harness.CloseChecked(t, "PyPI", s)
	in, err := s.Inputs()
	if err != nil {
		t.Fatal(err)
	}
	return &rig{
		inputs:     in,
		env:        map[string]string{"SSL_CERT_FILE": ca.File},
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
