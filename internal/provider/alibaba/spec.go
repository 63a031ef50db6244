package alibaba

import "github.com/oidc-login/oidc-login/internal/provider"

// Name is the provider's name in the provider input.
const Name = "alibaba"

// Spec is the registry's entry for alibaba.
var Spec = provider.Spec{
	Name:            Name,
	Title:           "Alibaba Cloud",
	Docs:            "Alibaba Cloud",
	New:             New,
	InputPrefix:     "alibaba-",
	DefaultAudience: "`" + DefaultAudience + "`",
	// The credentials and region under the names of the Alibaba Cloud SDKs, of Terraform's
	// alicloud provider, and of configure-aliyun-credentials-action.
	Env: []string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN",
		"ALIBABACLOUD_ACCESS_KEY_ID", "ALIBABACLOUD_ACCESS_KEY_SECRET", "ALIBABACLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION",
	},
	Refusals: refusals,
}

// audienceInput is this provider's own audience input (Spec.AudienceInput), which its
// refusals name; a constant, since Spec names the catalog that uses it.
const audienceInput = "alibaba-id-token-audience"
