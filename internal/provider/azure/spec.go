package azure

import "github.com/oidc-login/oidc-login/internal/provider"

// Name is the provider's name in the provider input.
const Name = "azure"

// Spec is the registry's entry for azure.
var Spec = provider.Spec{
	Name:            Name,
	Title:           "Azure",
	Docs:            "Azure (Entra ID workload identity federation)",
	New:             New,
	InputPrefix:     "azure-",
	DefaultAudience: "`api://AzureADTokenExchange`",
	NativeOnly: []provider.NativeOnly{{
		Input: CLILoginInput,
		Why:   "this Docker action runs in a container of its own, so the az it could sign in is not the runner's, and later steps would not see the session; use the native action, or Azure/login, or run az login --federated-token in a later step with AZURE_FEDERATED_TOKEN_FILE",
	}},
	// What azidentity, the az CLI and Terraform's azurerm and azuread read.
	Env: []string{
		"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST",
		"ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID", "ARM_USE_OIDC", "ARM_ENVIRONMENT",
	},
	Refusals: refusals,
	Act:      provider.UnderAct{LoginFile: "AZURE_FEDERATED_TOKEN_FILE"},
}
