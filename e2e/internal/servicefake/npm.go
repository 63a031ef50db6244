package servicefake

import (
	"bytes"
	"net/http"
	"net/url"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The npm registry's OIDC token exchange, from its API documentation
// (https://api-docs.npmjs.com, "Exchange OIDC id_token for npm registry token"):
// POST /-/npm/v1/oidc/token/exchange/package/{package_name} (the name url-encoded) with the ID
// token as Authorization: Bearer, whose aud must be npm:registry.npmjs.org; it answers HTTP
// 201 {"token_type": "oidc", "token", "created", "expires"}, and failures carry {"message"}
// (as npm's own clients read them, e.g. @semantic-release/npm's trusted-publishing exchange).
// npm publish then sends the token as a bearer with PUT /{package_name}.

// NPMAudience is the audience the npm registry expects.
const NPMAudience = "npm:registry.npmjs.org"

// NPMPackage is the package the fake registry's trusted publisher is set up for.
const NPMPackage = "@octo-org/octo-pkg"

// NewNPM starts an npm registry whose package trusts the fake GitHub's repository.
func NewNPM(gh *fakegithub.Server, ca *testca.CA) (*Server, error) {
	s, err := newServer("npm", gh, ca, "token")
	if err != nil {
		return nil, err
	}
	s.origins = []string{"https://registry.npmjs.org"}
	s.mux.HandleFunc("POST /-/npm/v1/oidc/token/exchange/package/{name}", s.npmExchange)
	s.mux.HandleFunc("PUT /{name}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("name") != url.PathEscape(NPMPackage) && r.PathValue("name") != NPMPackage || !s.valid(bearer(r)) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "You must be logged in to publish packages."})
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
	})
	s.unknown(jsonAnswer(http.StatusNotFound, map[string]string{"error": "Not found"}))
	s.use = func(base, token string) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPut, base+"/"+url.PathEscape(NPMPackage), bytes.NewReader([]byte(`{"name":"`+NPMPackage+`"}`)))
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	}
	return s, nil
}

func (s *Server) npmExchange(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	raw := bearer(r)
	if raw == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Missing or invalid Authorization header"})
		return
	}
	claims, jerr := s.verify(raw, NPMAudience)
	switch {
	case jerr != nil:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Invalid OIDC token: " + jerr.Msg})
		return
	case name != NPMPackage:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Package " + name + " not found"})
		return
	case !repositoryTrusted(claims):
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "No trusted publisher configured for this package matches the OIDC token"})
		return
	}
	now := time.Now().UTC()
	tok := s.issue("npm_"+fakeAlnum(36), time.Hour)
	writeJSON(w, http.StatusCreated, map[string]string{"token_type": "oidc", "token": tok, "created": now.Format(time.RFC3339), "expires": now.Add(time.Hour).Format(time.RFC3339)})
}
