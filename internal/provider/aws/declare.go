package aws

import "fmt"

// Exports lists every variable the post step may blank for this provider (provider.Provider).
func (p *Provider) Exports() []string {
	return []string{
		"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_PROFILE",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	}
}

// CheckState refuses post-step state this step could not have saved (provider.Provider).
func (p *Provider) CheckState(state map[string]string) error {
	// The profile is the one this configuration writes (the aws-profile input, or aws-refresh's
	// default when that is empty), so a forged one cannot name another profile in the shared
	// files for Cleanup to remove.
	own := p.cfg.Profile
	if p.cfg.Refresh {
		own = p.cfg.refreshProfile()
	}
	for k, v := range state {
		if k != "profile" || v != own {
			return fmt.Errorf("aws saves only its own profile (%q), but the post step got %s=%q", own, k, v)
		}
	}
	return nil
}
