package github

import "fmt"

// Exports lists every variable the post step may blank for this provider (provider.Provider).
func (p *Provider) Exports() []string {
	return []string{EnvTokenFile}
}

// CheckState refuses post-step state this step could not have saved (provider.Provider).
func (p *Provider) CheckState(state map[string]string) error {
	for k := range state {
		return fmt.Errorf("%s saves no state, but the post step got %q", p.Name(), k)
	}
	return nil
}
