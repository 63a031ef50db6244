package vault

import "fmt"

// Exports lists every variable the post step may blank for this provider (provider.Provider).
func (p *Provider) Exports() []string {
	names := []string{"VAULT_TOKEN"}
	for _, s := range p.cfg.Secrets {
		names = append(names, s.Name)
	}
	return names
}

// CheckState refuses post-step state this step could not have saved (provider.Provider).
func (p *Provider) CheckState(state map[string]string) error {
	for k, v := range state {
		switch {
		case k == StateToken:
		// Where the token is revoked: the vault-url and vault-namespace inputs, never a
		// server of the state's choosing.
		case k == StateAddress && v == p.cfg.URL:
		case k == StateNamespace && v == p.cfg.Namespace:
		default:
			return fmt.Errorf("vault saves only its token, vault-url and vault-namespace, but the post step got %s=%q", k, v)
		}
	}
	return nil
}
