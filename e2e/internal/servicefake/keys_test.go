package servicefake_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/servicefake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// TestIssuerKeysKept: PyPI keeps the issuer's signing keys, so two token mints fetch its JWKS
// once, not once per token; the other services here verify through the same cache.
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
	for i := range 2 {
		body, _ := json.Marshal(map[string]string{"token": gh.Sign(gh.Claims(servicefake.PyPIAudience))})
		res, err := ca.Client().Post(s.URL+"/_/oidc/mint-token", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("mint %d: HTTP %d", i+1, res.StatusCode)
		}
	}
	if n := gh.KeyFetches(); n != 1 {
		t.Errorf("two mints fetched the issuer's JWKS %d times, want once", n)
	}
}
