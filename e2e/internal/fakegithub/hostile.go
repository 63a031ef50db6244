package fakegithub

import "github.com/oidc-login/oidc-login/e2e/internal/hostile"

// hostileKeep leaves, in hostile mode, the ID token itself (GitHub signs it, so a change is a
// refused token, which other tests cover); its error answers carry the payload.
var hostileKeep = hostile.Fields("value")
