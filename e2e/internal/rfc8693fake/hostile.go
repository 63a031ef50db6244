package rfc8693fake

import "github.com/oidc-login/oidc-login/e2e/internal/hostile"

// hostileKeep leaves, in hostile mode, the issued token (a secret the emulator registered) and
// the OAuth error code; every other string (issued_token_type, token_type, scope,
// error_description) carries the payload.
var hostileKeep = hostile.Fields("access_token", "error")
