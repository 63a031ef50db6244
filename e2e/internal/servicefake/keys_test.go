package servicefake_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/servicefake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// TestIssuerKeysKept: PyPI keeps the issuer's signing keys between token mints; the other
// services here verify through the same cache.
func TestIssuerKeysKept(t *testing.T) {
	t.Parallel()
	gh := fakegithub.New()
	t.Cleanup(gh.Close)
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	s, err := servicefake.NewPyPI(gh, ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	gh.RequireKeysKept(t, servicefake.PyPIAudience, func(token string) error {
		body, _ := json.Marshal(map[string]string{"token": token})
		return fakegithub.Accepted(ca.Client().Post(s.URL+"/_/oidc/mint-token", "application/json", bytes.NewReader(body)))
	})
}
