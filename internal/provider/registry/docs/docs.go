// Package docs renders the parts of README.md that derive from the registry: the provider
// index and the troubleshooting tables of every explained refusal. A test keeps README.md in
// step with them; `go generate ./internal/provider/registry/docs` rewrites them.
package docs

//go:generate go run ./cmd/readme -readme ../../../../README.md

import (
	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
)

// Sections are the troubleshooting tables: one per provider that explains refusals, in the
// registry's order.
func Sections() []diagnose.Section {
	var out []diagnose.Section
	for _, s := range registry.All {
		if s.Refusals.Entries != nil {
			out = append(out, diagnose.Section{Provider: s.Name, Catalog: s.Refusals})
		}
	}
	return out
}

// Update returns readme with every generated block rewritten.
func Update(readme string) (string, error) {
	return diagnose.ReplaceTroubleshooting(readme, diagnose.Troubleshooting(Sections()))
}
