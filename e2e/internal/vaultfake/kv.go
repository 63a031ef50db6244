package vaultfake

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
)

// allowed evaluates the token's ACL policies for reading path.
func (s *Server) allowed(t *Token, path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.namespaces[t.Namespace]
	for _, p := range t.Policies {
		for _, pat := range n.policies[p] {
			if pat == path || strings.HasSuffix(pat, "*") && strings.HasPrefix(path, strings.TrimSuffix(pat, "*")) {
				return true
			}
		}
	}
	return false
}

func (s *Server) read(w http.ResponseWriter, r *http.Request, ns, path string) {
	t := s.token(r, ns)
	if t == nil || !s.allowed(t, path) {
		writeErrors(w, http.StatusForbidden, PermissionDenied)
		return
	}
	s.mu.Lock()
	var mount *kvMount
	var rest string
	if n, ok := s.namespaces[ns]; ok {
		best := ""
		for m, kv := range n.kv {
			if strings.HasPrefix(path, m+"/") && len(m) > len(best) {
				best, mount = m, kv
			}
		}
		rest = strings.TrimPrefix(path, best+"/")
	}
	var data map[string]any
	var found bool
	v2Path := true
	if mount != nil {
		if mount.version == 2 {
			var sub string
			sub, v2Path = strings.CutPrefix(rest, "data/")
			data, found = mount.data[sub]
		} else {
			data, found = mount.data[rest]
		}
	}
	s.mu.Unlock()
	switch {
	case mount == nil:
		writeErrors(w, http.StatusNotFound, fmt.Sprintf("no handler for route %q. route entry not found.", path))
	case mount.version == 2 && !v2Path:
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []string{}, "warnings": []string{KV2InvalidPath}})
	case !found:
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []string{}})
	case mount.version == 2:
		writeJSON(w, http.StatusOK, map[string]any{
			"request_id": fakeid.UUID(), "lease_id": "", "renewable": false, "lease_duration": 0,
			"data": map[string]any{
				"data": data,
				"metadata": map[string]any{
					"created_time": time.Now().UTC().Format(time.RFC3339Nano), "custom_metadata": nil,
					"deletion_time": "", "destroyed": false, "version": 1,
				},
			},
			"wrap_info": nil, "warnings": nil, "auth": nil, "mount_type": "kv",
		})
	default:
		writeJSON(w, http.StatusOK, map[string]any{
			"request_id": fakeid.UUID(), "lease_id": "", "renewable": false, "lease_duration": 2764800,
			"data": data, "wrap_info": nil, "warnings": nil, "auth": nil, "mount_type": "kv",
		})
	}
}
