package azurefake

import "github.com/oidc-login/oidc-login/e2e/internal/hostile"

// hostileKeep leaves, in hostile mode, the access token (a secret the emulator registered),
// its token type (the action refuses anything but Bearer, quoting it in an annotation), and
// the OAuth error code the diagnosis is chosen by; every other string (error_description,
// trace and correlation ids, timestamps, error_uri, the discovery documents) carries the
// payload.
var hostileKeep = hostile.Fields("access_token", "token_type", "error")
