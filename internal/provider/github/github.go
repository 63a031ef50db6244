// Package github is the `github` provider. It is not built yet: choosing it is an input error
// until its issue lands.
package github

import (
	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/provider"
)

// New refuses the provider for now, before any network call.
func New(config.Inputs, config.Common) (provider.Provider, error) {
	return nil, config.Errorf("provider", "%s is not yet supported by this version of oidc-login", "github")
}
