package rfc8693fake_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
)

// TestIssuerKeysKept: the server keeps the issuer's signing keys, so two exchanges fetch its
// JWKS once, not once per subject token.
func TestIssuerKeysKept(t *testing.T) {
	t.Parallel()
	gh := fakegithub.New()
	t.Cleanup(gh.Close)
	s := rfc8693fake.New(rfc8693fake.WorldConfig(gh))
	t.Cleanup(s.Close)
	for i := range 2 {
		res, err := http.PostForm(s.URL, url.Values{
			"grant_type":         {rfc8693fake.GrantType},
			"subject_token_type": {rfc8693fake.TokenTypeID},
			"subject_token":      {gh.Sign(gh.Claims(fakegithub.DefaultAudience))},
		})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("exchange %d: HTTP %d", i+1, res.StatusCode)
		}
	}
	if n := gh.KeyFetches(); n != 1 {
		t.Errorf("two exchanges fetched the issuer's JWKS %d times, want once", n)
	}
}
