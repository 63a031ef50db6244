package aws

import "github.com/oidc-login/oidc-login/internal/provider"

// Name is the provider's name in the provider input.
const Name = "aws"

// Spec is the registry's entry for aws.
var Spec = provider.Spec{
	Name:            Name,
	Title:           "AWS",
	Docs:            "AWS",
	New:             New,
	InputPrefix:     "aws-",
	DefaultAudience: "`" + DefaultAudience + "`",
	// The keys (or, with aws-profile and aws-refresh, the shared files and the profile) and
	// the region, under the names the AWS SDKs and CLI read.
	Env: []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_PROFILE",
	},
	Refusals: refusals,
	Act:      provider.UnderAct{Fix: "writes no file without aws-profile and aws-refresh: leave both out, and later steps read the AWS_* variables"},
}
