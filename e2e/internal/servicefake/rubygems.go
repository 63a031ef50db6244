package servicefake

import (
	"net/http"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// RubyGems.org's trusted publishing, from rubygems/rubygems.org at commit 3c8ea0d (2026-08):
//   - config/routes.rb: POST /api/v1/oidc/trusted_publisher/exchange_token;
//   - app/controllers/api/v1/oidc/trusted_publisher_controller.rb: reads the jwt parameter,
//     verifies it (app/controllers/concerns/jwt_validation.rb: nbf, iat, exp, iss, jti, the
//     issuer's JWKS), finds the trusted publisher whose access policy admits the claims
//     (app/models/oidc/trusted_publisher/github_action.rb: repository, owner id, workflow, and
//     aud equal to Gemcutter::HOST, "rubygems.org" in config/rubygems.yml's production), and
//     answers HTTP 201 {"rubygems_api_key", "name", "scopes", "expires_at"}; a malformed token
//     is HTTP 400 {"error"} (Api::BaseController#render_bad_request), any other refusal HTTP
//     404 {"error": "Not Found"} (ApplicationController#render_not_found);
//   - app/controllers/concerns/api_keyable.rb: the key is "rubygems_" and 48 hex digits, good
//     for 15 minutes, scoped to push_rubygem.
// gem push sends the key bare in Authorization to POST /api/v1/gems
// (Api::BaseController#authenticate_with_api_key).

// RubyGemsAudience is the audience RubyGems.org expects.
const RubyGemsAudience = "rubygems.org"

// NewRubyGems starts a RubyGems.org whose gem trusts the fake GitHub's repository.
func NewRubyGems(gh *fakegithub.Server, ca *testca.CA) (*Server, error) {
	s, err := newServer("rubygems", gh, ca, "rubygems_api_key", "expires_at")
	if err != nil {
		return nil, err
	}
	s.origins = []string{"https://rubygems.org"}
	s.mux.HandleFunc("POST /api/v1/oidc/trusted_publisher/exchange_token", s.rubygemsExchange)
	s.mux.HandleFunc("POST /api/v1/gems", func(w http.ResponseWriter, r *http.Request) {
		if !s.valid(r.Header.Get("Authorization")) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("Access Denied. Please sign up for an account at https://rubygems.org"))
			return
		}
		_, _ = w.Write([]byte("Successfully registered gem: octo-gem (1.0.0)"))
	})
	s.unknown(jsonAnswer(http.StatusNotFound, map[string]string{"error": "Not Found"}))
	s.use = func(base, token string) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, base+"/api/v1/gems", http.NoBody)
		if err == nil {
			req.Header.Set("Authorization", token)
			req.Header.Set("Content-Type", "application/octet-stream")
		}
		return req, err
	}
	return s, nil
}

func (s *Server) rubygemsExchange(w http.ResponseWriter, r *http.Request) {
	m, err := readJSON(r)
	jwt, _ := m["jwt"].(string)
	if err != nil || jwt == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "param is missing or the value is empty or invalid: jwt"})
		return
	}
	claims, jerr := s.verify(jwt, RubyGemsAudience)
	switch {
	case jerr != nil && jerr.Reason == "malformed":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Invalid JSON Web Token format"})
		return
	case jerr != nil || !repositoryTrusted(claims):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Not Found"})
		return
	}
	key := s.issue("rubygems_"+fakeHex(24), 15*time.Minute)
	writeJSON(w, http.StatusCreated, map[string]any{
		"rubygems_api_key": key,
		"name":             "GitHub Actions " + fakegithub.DefaultRepo + " @ .github/workflows/deploy.yml " + time.Now().UTC().Format(time.RFC3339),
		"scopes":           []string{"push_rubygem"},
		"expires_at":       time.Now().Add(15 * time.Minute).UTC().Format(time.RFC3339),
	})
}
