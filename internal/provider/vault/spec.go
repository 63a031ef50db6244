package vault

import "github.com/oidc-login/oidc-login/internal/provider"

// Name is the provider's name in the provider input.
const Name = "vault"

// Spec is the registry's entry for vault.
var Spec = provider.Spec{
	Name:            Name,
	Title:           "HashiCorp Vault and OpenBao",
	Docs:            "Vault (and OpenBao)",
	New:             New,
	InputPrefix:     "vault-",
	DefaultAudience: "GitHub's default, `https://github.com/<owner>`",
	Env:             []string{"VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE"},
	EnvNamedBy:      []string{"vault-secrets"},
	Rename:          "vault-secrets: | NAME",
	Refusals:        refusals,
}

// audienceInput is this provider's own audience input (Spec.AudienceInput), which its
// refusals name; a constant, since Spec names the catalog that uses it.
const audienceInput = "vault-id-token-audience"
