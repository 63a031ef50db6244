package servicefake

import (
	"net/http"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The custom API of the first recipe: the shape GitHub's guidance for custom OIDC consumers
// points to, a service's own endpoint that takes the ID token as Authorization: Bearer and,
// again, in a JSON body with RFC 8693's field names (subject_token_type
// urn:ietf:params:oauth:token-type:jwt), checks that both are the same token, verifies it
// for its own origin, and answers {"credentials": {"token"}, "expires_in"}; errors are RFC
// 6749's. Its API then takes the token as a bearer.

// NewCustom starts the custom deploy API, trusting the fake GitHub's repository.
func NewCustom(gh *fakegithub.Server, ca *testca.CA) (*Server, error) {
	s, err := newServer("custom", gh, ca, "token", "error")
	if err != nil {
		return nil, err
	}
	s.origins = []string{"https://deploy.example.com"}
	s.mux.HandleFunc("POST /api/v1/token", s.customExchange)
	s.bearerAPI("GET /api/v1/releases", []any{}, map[string]string{"error": "invalid_token", "error_description": "The access token is invalid"})
	s.unknown(func(w http.ResponseWriter, _ *http.Request) {
		oauthErr(w, http.StatusNotFound, "not_found", "no such endpoint")
	})
	return s, nil
}

func (s *Server) customExchange(w http.ResponseWriter, r *http.Request) {
	m, err := readJSON(r)
	if err != nil {
		oauthErr(w, http.StatusBadRequest, "invalid_request", "the body must be a JSON object")
		return
	}
	st, _ := m["subject_token"].(string)
	switch {
	case bearer(r) == "" || bearer(r) != st:
		oauthErr(w, http.StatusUnauthorized, "invalid_client", "the bearer must be the subject_token")
		return
	case m["grant_type"] != "urn:ietf:params:oauth:grant-type:token-exchange":
		oauthErr(w, http.StatusBadRequest, "unsupported_grant_type", "only token exchange is supported")
		return
	case m["subject_token_type"] != "urn:ietf:params:oauth:token-type:jwt":
		oauthErr(w, http.StatusBadRequest, "invalid_request", "subject_token_type must be urn:ietf:params:oauth:token-type:jwt")
		return
	}
	claims, jerr := s.verify(st, s.URL)
	switch {
	case jerr != nil:
		oauthErr(w, http.StatusBadRequest, "invalid_grant", "subject_token rejected: "+jerr.Msg)
		return
	case !repositoryTrusted(claims):
		oauthErr(w, http.StatusBadRequest, "invalid_grant", "repository not allowed")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"credentials": map[string]string{"token": s.issue("dk_"+fakeAlnum(40), 15*time.Minute)}, "expires_in": 900})
}
