package tokenexchange

import "github.com/oidc-login/oidc-login/internal/provider"

// Name is the provider's name in the provider input.
const Name = "token-exchange"

// Spec is the registry's entry for token-exchange.
var Spec = provider.Spec{
	Name:            Name,
	Title:           "Any service that takes the ID token: RFC 8693 servers, PyPI, crates.io, npm, …",
	Docs:            "Any OIDC service: token exchange (`token-exchange`)",
	New:             New,
	InputPrefix:     "token-exchange-",
	DefaultAudience: "the origin of `token-exchange-url`",
	// The issued token goes to the variable token-exchange-env-name names.
	EnvNamedBy: []string{"token-exchange-env-name"},
	Rename:     "token-exchange: token-exchange-env-name",
	Refusals:   refusals,
}
