package servicefake_test

import (
	"github.com/oidc-login/oidc-login/e2e/internal/servicefake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// A service is an e2e world of its recipe's login.
var _ worlds.World = (*servicefake.Server)(nil)
