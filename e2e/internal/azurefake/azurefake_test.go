package azurefake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
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
	w, err := azurefake.NewWorld(gh, ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	gh.RequireKeysKept(t, azurefake.Audience, func(token string) error {
		form := url.Values{
			"grant_type": {azurefake.GrantType}, "client_id": {azurefake.ClientID}, "scope": {azurefake.ARMScope},
			"client_assertion_type": {azurefake.AssertionType}, "client_assertion": {token},
		}
		res, err := ca.Client().PostForm(w.URL+"/"+azurefake.TenantID+"/oauth2/v2.0/token", form)
		if err != nil {
			return err
		}
		var body struct {
			AccessToken string `json:"access_token"`
		}
		err = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || body.AccessToken == "" {
			return fmt.Errorf("HTTP %d, no access token (%v)", res.StatusCode, err)
		}
		return nil
	})
}
