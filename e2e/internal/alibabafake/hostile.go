package alibabafake

import "github.com/oidc-login/oidc-login/e2e/internal/hostile"

// hostileKeep leaves, in hostile mode, the credentials (secrets the emulator registered), the
// expiry parsed as a timestamp, and the error code the diagnosis is chosen by; every other
// string (ARN, role id, token info, request id, host id, message, Recommend) carries the
// payload.
var hostileKeep = hostile.Fields("AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration", "Code")
