package gcpfake

import "github.com/oidc-login/oidc-login/e2e/internal/hostile"

// hostileKeep leaves, in hostile mode, the tokens (secrets the emulator registered), the
// expiry parsed as a timestamp, and the OAuth error code the diagnosis is chosen by; every
// other string (token types, error descriptions, the IAM error's message, status, reason,
// domain and permission) carries the payload.
var hostileKeep = hostile.Fields("access_token", "accessToken", "token", "expireTime", "error")
