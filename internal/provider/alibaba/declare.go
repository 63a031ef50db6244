package alibaba

import "fmt"

// Exports lists every variable the post step may blank for this provider (provider.Provider).
func (p *Provider) Exports() []string {
	return []string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN",
		"ALIBABACLOUD_ACCESS_KEY_ID", "ALIBABACLOUD_ACCESS_KEY_SECRET", "ALIBABACLOUD_SECURITY_TOKEN",
	}
}

// CheckState refuses post-step state this step could not have saved (provider.Provider).
func (p *Provider) CheckState(state map[string]string) error {
	for k := range state {
		return fmt.Errorf("%s saves no state, but the post step got %q", p.Name(), k)
	}
	return nil
}
