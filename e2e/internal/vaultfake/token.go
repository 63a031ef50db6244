package vaultfake

import (
	"net/http"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
)

// token finds the valid token of a request in namespace ns (a token is only good in the
// namespace it was issued in).
func (s *Server) token(r *http.Request, ns string) *Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[r.Header.Get("X-Vault-Token")]
	if !ok || t.Revoked || !time.Now().Before(t.Expires) || t.Namespace != ns {
		return nil
	}
	return t
}

func (s *Server) revokeSelf(w http.ResponseWriter, r *http.Request, ns string) {
	t := s.token(r, ns)
	if t == nil {
		writeErrors(w, http.StatusForbidden, PermissionDenied)
		return
	}
	s.mu.Lock()
	t.Revoked = true
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) lookupSelf(w http.ResponseWriter, r *http.Request, ns string) {
	t := s.token(r, ns)
	if t == nil {
		writeErrors(w, http.StatusForbidden, PermissionDenied)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"request_id": fakeid.UUID(), "lease_id": "", "renewable": false, "lease_duration": 0, "wrap_info": nil, "warnings": nil, "auth": nil,
		"data": map[string]any{
			"accessor":         t.Accessor,
			"creation_time":    t.Issued.Unix(),
			"creation_ttl":     int(t.Expires.Sub(t.Issued) / time.Second),
			"display_name":     t.DisplayName,
			"entity_id":        "7d2e3179-f69b-450c-7179-ac8ee8bd8ca9",
			"expire_time":      t.Expires.UTC().Format(time.RFC3339Nano),
			"explicit_max_ttl": 0,
			"id":               t.Token,
			"issue_time":       t.Issued.UTC().Format(time.RFC3339Nano),
			"meta":             map[string]string{"role": t.Role},
			"num_uses":         0,
			"orphan":           true,
			"path":             "auth/" + t.Mount + "/login",
			"policies":         t.Policies,
			"renewable":        true,
			"ttl":              int(time.Until(t.Expires) / time.Second),
			"type":             "service",
		},
	})
}
