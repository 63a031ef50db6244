package servicefake

import (
	"net/http"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// Tailscale's workload identity federation: the documentation
// (https://tailscale.com/kb/1581/workload-identity-federation) says a workload sends its OIDC
// token to Tailscale's token exchange endpoint, which validates signature, issuer, audience
// (the one shown for the federated identity in the admin console), expiry and the claim rules,
// and answers a short-lived API token; Tailscale's own client
// (tailscale/tailscale, feature/identityfederation/identityfederation.go,
// exchangeJWTForToken) posts the form client_id=<id>&jwt=<token> to
// <base>/api/v2/oauth/token-exchange through golang.org/x/oauth2, which reads the OAuth token
// answer {"access_token", "token_type", "expires_in"}. The API token then goes to the
// Tailscale API as a bearer; Tailscale API errors are {"message"}.

// The federated identity the recipe names.
const (
	TailscaleClientID = "kJ4tE8wCNTRL"
	TailscaleAudience = "api.tailscale.com/" + TailscaleClientID
)

// NewTailscale starts a Tailscale API whose federated identity trusts the fake GitHub's
// repository.
func NewTailscale(gh *fakegithub.Server, ca *testca.CA) (*Server, error) {
	s, err := newServer("tailscale", gh, ca, "access_token", "token_type")
	if err != nil {
		return nil, err
	}
	s.origins = []string{"https://api.tailscale.com"}
	s.mux.HandleFunc("POST /api/v2/oauth/token-exchange", s.tailscaleExchange)
	s.bearerAPI("GET /api/v2/tailnet/-/devices", map[string]any{"devices": []any{}}, map[string]string{"message": "API token invalid"})
	s.unknown(jsonAnswer(http.StatusNotFound, map[string]string{"message": "not found"}))
	return s, nil
}

func (s *Server) tailscaleExchange(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.ParseForm() != nil {
		s.unexpectedf("the token exchange takes a form")
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "invalid request"})
		return
	}
	clientID, jwt := r.PostForm.Get("client_id"), r.PostForm.Get("jwt")
	switch {
	case clientID == "" || jwt == "":
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "client_id and jwt are required"})
		return
	case clientID != TailscaleClientID:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "invalid client_id"})
		return
	}
	claims, jerr := s.verify(jwt, TailscaleAudience)
	if jerr != nil || !repositoryTrusted(claims) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "the token does not match the federated identity's issuer, audience or claim rules"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": s.issue("tskey-api-"+fakeAlnum(12)+"CNTRL-"+fakeAlnum(32), time.Hour), "token_type": "Bearer", "expires_in": 3600})
}
