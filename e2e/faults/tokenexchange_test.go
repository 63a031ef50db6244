package faults_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
)

// tokenExchangeRig faults an RFC 8693 exchange.
func tokenExchangeRig(t *testing.T) *rig {
	gh := harness.NewGitHub(t)
	s := rfc8693fake.New(rfc8693fake.Config{
		Issuer:    fakegithub.Issuer,
		JWKSURL:   gh.JWKSURL(),
		Audiences: []string{"https://github.com/" + fakegithub.DefaultOwner},
		Subject:   "repo:octo-org/octo-repo:ref:refs/heads/*",
	})
	harness.CloseChecked(t, "RFC 8693", s)
	return &rig{
		inputs:     map[string]string{"provider": "token-exchange", "token-exchange-url": s.URL},
		gh:         gh,
		target:     s.Faults,
		okRequests: 1,
		verify: func(t *testing.T, r *harness.Run) {
			issued := s.Issued()
			if len(issued) != 1 {
				t.Fatalf("the server issued %d tokens, want 1", len(issued))
			}
			tok := issued[0].AccessToken
			harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{"OIDC_ACCESS_TOKEN": tok})
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{"token-exchange-access-token": tok, "claims": r.Outputs["claims"]})
		},
		secrets: s.Secrets,
	}
}
