// Package registry maps the names of the `provider` input to the providers. Adding a cloud is
// one folder under internal/provider and one line here.
package registry

import (
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/alibaba"
	"github.com/oidc-login/oidc-login/internal/provider/aws"
	"github.com/oidc-login/oidc-login/internal/provider/azure"
	"github.com/oidc-login/oidc-login/internal/provider/gcp"
	"github.com/oidc-login/oidc-login/internal/provider/github"
	"github.com/oidc-login/oidc-login/internal/provider/tokenexchange"
	"github.com/oidc-login/oidc-login/internal/provider/vault"
)

// Names lists the providers in the order the documentation gives them.
var Names = []string{"aws", "gcp", "azure", "vault", "alibaba", "token-exchange", "github"}

// Factories builds each provider from the inputs.
var Factories = map[string]provider.Factory{
	"aws":            aws.New,
	"gcp":            gcp.New,
	"azure":          azure.New,
	"vault":          vault.New,
	"alibaba":        alibaba.New,
	"token-exchange": tokenexchange.New,
	"github":         github.New,
}
