package tokenexchange

import "github.com/oidc-login/oidc-login/internal/provider"

// Name is the provider's name in the provider input.
const Name = "token-exchange"

// Spec is the registry's entry for token-exchange.
var Spec = provider.Spec{
	Name:            Name,
	Title:           "Any OAuth 2.0 token-exchange (RFC 8693) server",
	Docs:            "Any OAuth 2.0 Token Exchange (RFC 8693) server",
	New:             New,
	InputPrefix:     "token-exchange-",
	DefaultAudience: "the origin of `token-exchange-url`",
	// The issued token goes to the variable token-exchange-env-name names.
	EnvNamedBy: []string{"token-exchange-env-name"},
	Refusals:   refusals,
}
