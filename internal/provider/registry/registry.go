// Package registry lists the providers. Everything else that needs the list derives it from
// All: the provider input's validation, the native-only inputs, the post step, the catalog of
// explained refusals and README's generated blocks, and the tests that go through every
// provider. Adding a provider is its folder under internal/provider (with its Spec) and one
// entry here; docs/architecture.md has the whole checklist.
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

// All is every provider, in the order the documentation gives them.
var All = provider.Specs{
	aws.Spec,
	gcp.Spec,
	azure.Spec,
	vault.Spec,
	alibaba.Spec,
	tokenexchange.Spec,
	github.Spec,
}
