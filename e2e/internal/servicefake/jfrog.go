package servicefake

import (
	"net/http"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// JFrog's OIDC token exchange, from its REST API documentation
// (https://jfrog.com/help/r/jfrog-rest-apis/oidc-token-exchange): POST
// /access/api/v1/oidc/token with a JSON object of grant_type
// (urn:ietf:params:oauth:grant-type:token-exchange), subject_token_type
// (urn:ietf:params:oauth:token-type:id_token), subject_token and provider_name, all
// mandatory; the OIDC integration named provider_name says which issuer and audience it
// trusts, and its identity mappings which claims get which scope. It answers an access token
// as the Create Token API does (https://jfrog.com/help/r/jfrog-rest-apis/create-token-api-examples):
// {"access_token", "expires_in", "scope", "token_type"}; JFrog errors are
// {"errors": [{"code", "message"}]}. Artifactory then takes the token as a bearer.

// JFrogAudience is the audience the recipe's OIDC integration is configured with.
const JFrogAudience = "jfrog-github"

// JFrogProvider is the name of the recipe's OIDC integration.
const JFrogProvider = "github-oidc"

// NewJFrog starts a JFrog Platform whose OIDC integration trusts the fake GitHub's repository.
func NewJFrog(gh *fakegithub.Server, ca *testca.CA) (*Server, error) {
	s, err := newServer("jfrog", gh, ca, "access_token", "token_type")
	if err != nil {
		return nil, err
	}
	s.origins = []string{"https://example.jfrog.io"}
	s.mux.HandleFunc("POST /access/api/v1/oidc/token", s.jfrogExchange)
	s.bearerAPI("GET /artifactory/api/repositories",
		[]map[string]string{{"key": "libs-release", "type": "LOCAL"}},
		map[string]any{"errors": []map[string]any{{"status": 401, "message": "Bad credentials"}}})
	s.unknown(func(w http.ResponseWriter, _ *http.Request) {
		jfrogError(w, http.StatusNotFound, "NOT_FOUND", "Not Found")
	})
	return s, nil
}

func jfrogError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]string{{"code": code, "message": msg}}})
}

func (s *Server) jfrogExchange(w http.ResponseWriter, r *http.Request) {
	m, err := readJSON(r)
	if err != nil {
		jfrogError(w, http.StatusBadRequest, "BAD_REQUEST", "Failed to parse the request body")
		return
	}
	for _, k := range []string{"grant_type", "subject_token_type", "subject_token", "provider_name"} {
		if v, _ := m[k].(string); v == "" {
			jfrogError(w, http.StatusBadRequest, "BAD_REQUEST", k+" is mandatory")
			return
		}
	}
	switch {
	case m["grant_type"] != "urn:ietf:params:oauth:grant-type:token-exchange":
		jfrogError(w, http.StatusBadRequest, "BAD_REQUEST", "Unsupported grant type")
		return
	case m["subject_token_type"] != "urn:ietf:params:oauth:token-type:id_token":
		jfrogError(w, http.StatusBadRequest, "BAD_REQUEST", "Unsupported subject token type")
		return
	case m["provider_name"] != JFrogProvider:
		jfrogError(w, http.StatusNotFound, "NOT_FOUND", "OIDC provider "+m["provider_name"].(string)+" not found")
		return
	}
	claims, jerr := s.verify(m["subject_token"].(string), JFrogAudience)
	switch {
	case jerr != nil:
		jfrogError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Failed to validate the OIDC token: "+jerr.Msg)
		return
	case !repositoryTrusted(claims):
		jfrogError(w, http.StatusForbidden, "FORBIDDEN", "No identity mapping matches the OIDC token's claims")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":      s.issue("eyJ2ZXIiOiIyIiwidHlwIjoiSldUIn0."+fakeAlnum(64), time.Hour),
		"expires_in":        3600,
		"scope":             "applied-permissions/groups:readers",
		"token_type":        "access_token",
		"issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
		"username":          "github-" + fakegithub.DefaultOwner,
	})
}
