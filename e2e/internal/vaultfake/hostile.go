package vaultfake

import (
	"net/http"
	"strings"

	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
)

// hostileKeep leaves, in hostile mode, the token and its accessor (secrets the emulator
// registered), the token's timestamps, and what a secret read returns under "data" (the
// secrets themselves); every other string (policies, metadata role, token type, display name,
// path, errors, warnings, request ids) carries the payload.
func hostileKeep(r *http.Request, field []string) bool {
	read := r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/v1/auth/") && !strings.HasPrefix(r.URL.Path, "/v1/sys/")
	if read && len(field) > 0 && field[0] == "data" {
		return true
	}
	return hostile.Fields("client_token", "accessor", "id", "expire_time", "issue_time")(r, field)
}
