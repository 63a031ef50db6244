package rfc8693fake_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
)

// TestIssuerKeysKept: the server keeps the issuer's signing keys between subject tokens.
func TestIssuerKeysKept(t *testing.T) {
	t.Parallel()
	gh := fakegithub.New()
	t.Cleanup(gh.Close)
	s := rfc8693fake.New(rfc8693fake.WorldConfig(gh))
	t.Cleanup(s.Close)
	gh.RequireKeysKept(t, fakegithub.DefaultAudience, func(token string) error {
		return fakegithub.Accepted(http.PostForm(s.URL, url.Values{
			"grant_type": {rfc8693fake.GrantType}, "subject_token_type": {rfc8693fake.TokenTypeID}, "subject_token": {token},
		}))
	})
}
