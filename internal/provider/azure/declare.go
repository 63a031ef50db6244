package azure

import "fmt"

// Exports lists every variable the post step may blank for this provider (provider.Provider).
func (p *Provider) Exports() []string {
	return []string{"AZURE_FEDERATED_TOKEN_FILE"}
}

// CheckState refuses post-step state this step could not have saved (provider.Provider).
func (p *Provider) CheckState(state map[string]string) error {
	for k, v := range state {
		switch {
		case k == stateCLILogin && !p.cfg.CLILogin:
			return fmt.Errorf("%s saves %s only with %s: true, which this step does not set", p.Name(), k, CLILoginInput)
		case k == stateCLILogin && v != "true":
			return fmt.Errorf("%s saves %s=true only, but the post step got %q", p.Name(), k, v)
		case k != stateCLILogin:
			return fmt.Errorf("%s saves no state but %s, but the post step got %q", p.Name(), stateCLILogin, k)
		}
	}
	return nil
}
