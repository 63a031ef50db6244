package gcp

import "github.com/oidc-login/oidc-login/internal/provider"

// Exports lists every variable the post step may blank for this provider (provider.Provider).
func (p *Provider) Exports() []string {
	return append([]string(nil), fileEnv...)
}

// CheckState refuses post-step state this step could not have saved (provider.Provider).
func (p *Provider) CheckState(state map[string]string) error {
	return provider.NoState(p.Name(), state)
}
