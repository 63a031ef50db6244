package azurefake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// TestIssuerKeysKept: Entra ID keeps a federated issuer's signing keys, so two logins with
// the issuer's tokens fetch its JWKS once, not once per client assertion.
func TestIssuerKeysKept(t *testing.T) {
	t.Parallel()
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	gh := fakegithub.New()
	t.Cleanup(gh.Close)
	var fetches atomic.Int32
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		res, err := http.Get(gh.JWKSURL())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.Copy(w, res.Body)
	}))
	t.Cleanup(jwks.Close)
	s, err := azurefake.New(ca, map[string]string{fakegithub.Issuer: jwks.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.AddTenant(azurefake.TenantID)
	s.AddApp(azurefake.TenantID, azurefake.ClientID, azurefake.Credential{
		Name: "main", Issuer: fakegithub.Issuer, Subject: fakegithub.DefaultSubject, Audiences: []string{azurefake.Audience},
	})
	for i := range 2 {
		form := url.Values{
			"grant_type": {azurefake.GrantType}, "client_id": {azurefake.ClientID}, "scope": {azurefake.ARMScope},
			"client_assertion_type": {azurefake.AssertionType}, "client_assertion": {gh.Sign(gh.Claims(azurefake.Audience))},
		}
		res, err := ca.Client().PostForm(s.URL+"/"+azurefake.TenantID+"/oauth2/v2.0/token", form)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			AccessToken string `json:"access_token"`
		}
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || body.AccessToken == "" {
			t.Fatalf("login %d: HTTP %d, no access token (%v)", i+1, res.StatusCode, err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("two logins fetched the issuer's JWKS %d times, want once", n)
	}
}
