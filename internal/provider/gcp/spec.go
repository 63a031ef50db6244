package gcp

import (
	"slices"

	"github.com/oidc-login/oidc-login/internal/provider"
)

// Name is the provider's name in the provider input.
const Name = "gcp"

// Spec is the registry's entry for gcp.
var Spec = provider.Spec{
	Name:        Name,
	Title:       "Google Cloud",
	Docs:        "Google Cloud (`gcp`): Workload Identity Federation",
	New:         New,
	InputPrefix: "gcp-",
	Env:         slices.Concat(fileEnv, projectEnv),
	Refusals:    refusals,
}
