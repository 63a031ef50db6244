package servicefake

import (
	"net/http"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// Databricks' OAuth token federation, from its documentation
// (https://docs.databricks.com/aws/en/dev-tools/auth/oauth-federation-exchange and
// https://docs.databricks.com/aws/en/dev-tools/auth/provider-github): POST
// https://<workspace>/oidc/v1/token with the RFC 8693 form grant_type=token-exchange,
// subject_token, subject_token_type=urn:ietf:params:oauth:token-type:jwt, scope=all-apis and,
// for a service principal federation policy, client_id (the service principal's UUID); the
// policy names the issuer, the subject, and the audiences (by default the Databricks account
// id). It answers {"access_token", "token_type", "expires_in", "scope"}, errors as RFC 6749
// {"error", "error_description"}. The token then goes to the REST API as a bearer.

// The service principal federation policy of the recipe.
const (
	DatabricksAccountID = "0d26daa6-5e44-4c97-a497-ef015f91254a"
	DatabricksClientID  = "5f0a3b1c-7d2e-4c6b-9a8f-1e2d3c4b5a69"
)

// NewDatabricks starts a Databricks workspace whose service principal trusts the fake GitHub's
// main branch.
func NewDatabricks(gh *fakegithub.Server, ca *testca.CA) (*Server, error) {
	s, err := newServer("databricks", gh, ca, "access_token", "token_type", "error")
	if err != nil {
		return nil, err
	}
	s.origins = []string{"https://dbc-a1b2345c-d6e7.cloud.databricks.com"}
	s.mux.HandleFunc("POST /oidc/v1/token", s.databricksExchange)
	s.bearerAPI("GET /api/2.0/preview/scim/v2/Me",
		map[string]any{"userName": DatabricksClientID, "active": true},
		map[string]string{"error_code": "UNAUTHENTICATED", "message": "Invalid access token."})
	s.unknown(jsonAnswer(http.StatusNotFound, map[string]string{"error_code": "ENDPOINT_NOT_FOUND", "message": "No API found"}))
	return s, nil
}

func oauthErr(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (s *Server) databricksExchange(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.ParseForm() != nil {
		oauthErr(w, http.StatusBadRequest, "invalid_request", "The request must be application/x-www-form-urlencoded")
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange":
		oauthErr(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type")
		return
	case f.Get("subject_token_type") != "urn:ietf:params:oauth:token-type:jwt":
		oauthErr(w, http.StatusBadRequest, "invalid_request", "subject_token_type must be urn:ietf:params:oauth:token-type:jwt")
		return
	case f.Get("client_id") != DatabricksClientID:
		oauthErr(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		return
	case f.Get("scope") != "all-apis":
		oauthErr(w, http.StatusBadRequest, "invalid_scope", "Invalid scope")
		return
	}
	claims, jerr := s.verify(f.Get("subject_token"), DatabricksAccountID)
	switch {
	case jerr != nil:
		oauthErr(w, http.StatusBadRequest, "invalid_request", "Token validation failed: "+jerr.Msg)
		return
	case claims["sub"] != fakegithub.DefaultSubject:
		oauthErr(w, http.StatusBadRequest, "invalid_request", "No federation policy matches the token's subject")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": s.issue("eyJraWQiOiJkYnIifQ."+fakeAlnum(64), time.Hour), "token_type": "Bearer", "expires_in": 3600, "scope": "all-apis"})
}
