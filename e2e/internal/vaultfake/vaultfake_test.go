package vaultfake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/vaultfake"
)

// TestIssuerKeysKept: Vault's JWT auth method keeps the issuer's signing keys, so two logins
// with the issuer's tokens fetch its JWKS once, not once per login.
func TestIssuerKeysKept(t *testing.T) {
	t.Parallel()
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
	v := vaultfake.New(fakegithub.Issuer, jwks.URL)
	t.Cleanup(v.Close)
	v.AddRole("", vaultfake.AuthMount, vaultfake.DeployRole())
	for i := range 2 {
		body, _ := json.Marshal(map[string]string{"role": vaultfake.RoleName, "jwt": gh.Sign(gh.Claims(""))})
		res, err := http.Post(v.URL+"/v1/auth/"+vaultfake.AuthMount+"/login", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("login %d: HTTP %d", i+1, res.StatusCode)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("two logins fetched the issuer's JWKS %d times, want once", n)
	}
}
