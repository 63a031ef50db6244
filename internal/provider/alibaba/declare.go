package alibaba

import (
	"slices"

	"github.com/oidc-login/oidc-login/internal/provider"
)

// Exports lists every variable the post step may blank for this provider (provider.Provider).
func (p *Provider) Exports() []string { return slices.Clone(secretEnv) }

// secretEnv are the credential variables, under each of their names: the post step blanks them.
var secretEnv = []string{
	"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
	"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN",
	"ALIBABACLOUD_ACCESS_KEY_ID", "ALIBABACLOUD_ACCESS_KEY_SECRET", "ALIBABACLOUD_SECURITY_TOKEN",
}

// CheckState refuses post-step state this step could not have saved (provider.Provider).
func (p *Provider) CheckState(state map[string]string) error {
	return provider.NoState(p.Name(), state)
}
