package stsfake

import "github.com/oidc-login/oidc-login/e2e/internal/hostile"

// hostileKeep leaves, in hostile mode, the credentials (secrets the emulator registered), the
// expiry the SDK parses as a timestamp, and the error code the diagnosis is chosen by; every
// other string (ARNs, ids, subject, audience, provider, error type and message, request id)
// carries the payload.
var hostileKeep = hostile.Fields("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "Code")
