package tokenexchange

import "fmt"

// StateToken saves the issued token for the post step, which revokes it
// (token-exchange-revoke).
const StateToken = "token"

// Exports lists every variable the post step may blank for this provider (provider.Provider).
func (p *Provider) Exports() []string {
	return []string{p.cfg.EnvName}
}

// CheckState refuses post-step state this step could not have saved (provider.Provider): the
// issued token, and only when token-exchange-revoke says where it is revoked.
func (p *Provider) CheckState(state map[string]string) error {
	for k, v := range state {
		if k != StateToken || v == "" || p.cfg.Revoke == nil {
			if p.cfg.Revoke == nil {
				return fmt.Errorf("%s saves no state without token-exchange-revoke, but the post step got %q", p.Name(), k)
			}
			return fmt.Errorf("%s saves only the issued token, but the post step got %q", p.Name(), k)
		}
	}
	return nil
}
