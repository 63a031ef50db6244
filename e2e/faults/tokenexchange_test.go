package faults_test

import (
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// tokenExchangeRig faults an RFC 8693 exchange.
func tokenExchangeRig(t *testing.T) *rig {
	gh := harness.NewGitHub(t)
	s := worlds.Must(t, rfc8693fake.NewWorld, gh)
	return &rig{
		inputs:     s.Inputs(),
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
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{
				"token-exchange-access-token": tok, "token-exchange-expiration": r.Outputs["expiration"], "expiration": r.Outputs["expiration"], "claims": r.Outputs["claims"],
			})
			// The expiry is the action's clock plus expires_in, so within a moment of the
			// server's.
			exp, err := time.Parse(time.RFC3339, r.Outputs["expiration"])
			if d := exp.Sub(issued[0].Expires); err != nil || d < -2*time.Second || d > 2*time.Second {
				t.Errorf("expiration %q is not the issued token's %s (%v)", r.Outputs["expiration"], issued[0].Expires.Format(time.RFC3339), err)
			}
		},
		secrets: s.Secrets,
	}
}
