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
	// gcp-id-token-audience is the audience of the Google ID token gcp-token-format id_token
	// mints, as in google-github-actions/auth, so the GitHub token's own takes another name.
	AudienceInputName: audienceInput,
	DefaultAudience:   "`https://iam.googleapis.com/` followed by `gcp-workload-identity-provider`",
	Env:               slices.Concat(fileEnv, projectEnv),
	Refusals:          refusals,
	Act: provider.UnderAct{
		Fix:    "writes no file with gcp-create-credentials-file: false and gcp-token-format: access_token; a later step reads the gcp-access-token output",
		Inputs: map[string]string{"gcp-create-credentials-file": "false", "gcp-token-format": "access_token"},
	},
}

// audienceInput is the GitHub ID token's audience input of gcp alone.
const audienceInput = "gcp-github-id-token-audience"
