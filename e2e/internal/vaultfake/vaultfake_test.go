package vaultfake_test

import (
	"bytes"
	"encoding/json"
	"net/http"
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
	w, err := vaultfake.NewWorld(gh, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	gh.RequireKeysKept(t, "", func(token string) error {
		body, _ := json.Marshal(map[string]string{"role": vaultfake.RoleName, "jwt": token})
		return fakegithub.Accepted(http.Post(w.URL+"/v1/auth/"+vaultfake.AuthMount+"/login", "application/json", bytes.NewReader(body)))
	})
}
