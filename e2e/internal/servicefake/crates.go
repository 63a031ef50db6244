package servicefake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// crates.io's trusted publishing, from rust-lang/crates.io at commit 57fa000 (2026-08):
//   - src/controllers/trustpub/tokens/exchange/mod.rs: POST /api/v1/trusted_publishing/tokens
//     reads {"jwt"} (json.rs, through axum's Json extractor), verifies the token for
//     trustpub_audience ("crates.io": src/config/server.rs takes the domain name), refuses a
//     used jti, matches the repository's Trusted Publishing config (owner id, workflow file),
//     and answers {"token"}; every refusal is HTTP 400 {"errors": [{"detail"}]}
//     (src/util/errors/json.rs);
//   - crates/crates_io_trustpub/src/access_token.rs: the token is "cio_tp_", 31 alphanumerics
//     and a checksum character, good for 30 minutes;
//   - src/controllers/trustpub/tokens/revoke/mod.rs: DELETE on the same path with the token
//     in Authorization (Bearer or bare, src/auth.rs) revokes it: HTTP 204.
// cargo publish sends the token bare in Authorization to PUT /api/v1/crates/new.

// CratesAudience is the audience crates.io expects.
const CratesAudience = "crates.io"

// NewCrates starts a crates.io whose crate trusts the fake GitHub's repository and workflow.
func NewCrates(gh *fakegithub.Server, ca *testca.CA) (*Server, error) {
	s, err := newServer("crates", gh, ca, "token")
	if err != nil {
		return nil, err
	}
	s.origins = []string{"https://crates.io"}
	s.mux.HandleFunc("POST /api/v1/trusted_publishing/tokens", s.cratesExchange)
	s.mux.HandleFunc("DELETE /api/v1/trusted_publishing/tokens", s.cratesRevoke)
	s.mux.HandleFunc("PUT /api/v1/crates/new", func(w http.ResponseWriter, r *http.Request) {
		_, tok := cratesAuth(r)
		if !s.valid(tok) {
			cratesError(w, http.StatusForbidden, "authentication failed")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"warnings": map[string]any{"invalid_categories": []string{}, "invalid_badges": []string{}, "other": []string{}}})
	})
	s.unknown(func(w http.ResponseWriter, _ *http.Request) { cratesError(w, http.StatusNotFound, "Not Found") })
	s.use = func(base, token string) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPut, base+"/api/v1/crates/new", bytes.NewReader([]byte{0, 0, 0, 0, 0, 0, 0, 0}))
		if err == nil {
			req.Header.Set("Authorization", token)
		}
		return req, err
	}
	return s, nil
}

func cratesError(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]string{{"detail": detail}}})
}

func (s *Server) cratesExchange(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnsupportedMediaType)
		_, _ = w.Write([]byte("Expected request with `Content-Type: application/json`"))
		return
	}
	var req struct {
		JWT *string `json:"jwt"`
	}
	b, _ := readBody(r)
	if json.Unmarshal(b, &req) != nil || req.JWT == nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte("Failed to deserialize the JSON body into the target type: missing field `jwt`"))
		return
	}
	claims, jerr := s.verify(*req.JWT, CratesAudience)
	switch {
	case jerr != nil && jerr.Reason == "issuer":
		cratesError(w, http.StatusBadRequest, "Unsupported JWT issuer")
		return
	case jerr != nil && jerr.Reason == "reused":
		cratesError(w, http.StatusBadRequest, "JWT has already been used")
		return
	case jerr != nil:
		cratesError(w, http.StatusBadRequest, "Failed to decode JWT")
		return
	case !repositoryTrusted(claims):
		repo, _ := claims["repository"].(string)
		cratesError(w, http.StatusBadRequest, "No Trusted Publishing config found for repository `"+repo+"`.")
		return
	}
	tok := s.issue("cio_tp_"+fakeAlnum(32), 30*time.Minute)
	writeJSON(w, http.StatusOK, map[string]string{"token": tok})
}

// cratesAuth reads Authorization as src/auth.rs does: "Bearer <token>" or the bare token.
func cratesAuth(r *http.Request) (ok bool, tok string) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return false, ""
	}
	scheme, t, found := strings.Cut(h, " ")
	if !found {
		return true, h
	}
	if !strings.EqualFold(scheme, "Bearer") {
		return false, ""
	}
	return true, strings.TrimSpace(t)
}

func (s *Server) cratesRevoke(w http.ResponseWriter, r *http.Request) {
	ok, tok := cratesAuth(r)
	switch {
	case !ok:
		cratesError(w, http.StatusUnauthorized, "Missing `Authorization` header")
		return
	case !strings.HasPrefix(tok, "cio_tp_"):
		cratesError(w, http.StatusUnauthorized, "Invalid `Authorization` header: Failed to parse token")
		return
	}
	s.revoke(tok)
	w.WriteHeader(http.StatusNoContent)
}
