// Package recipes reads the recipes of docs/providers/token-exchange.md: each is a fenced
// yaml block right after a `<!-- recipe: NAME -->` line, holding one step that uses the
// action. The e2e tests run exactly these blocks (only the service's origins replaced by an
// emulator's, and its CA trusted through SSL_CERT_FILE), so the page cannot drift from what
// works.
package recipes

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// Page is the docs page the recipes live on, relative to the repository root.
const Page = "docs/providers/token-exchange.md"

// Uses is what every recipe's step uses; the native action's takes the same with:.
const Uses = "oidc-login/oidc-login@v1"

// Recipe is one recipe: its name and the with: of its step, as the runner hands inputs over
// (every value a string).
type Recipe struct {
	Name string
	With map[string]string
	// Block is the yaml block as the page shows it.
	Block string
}

var marker = regexp.MustCompile(`^<!-- recipe: ([a-z0-9-]+) -->$`)

// All reads every recipe of the page, by name.
func All() (map[string]Recipe, error) {
	b, err := os.ReadFile(filepath.Join(harness.Root(), Page))
	if err != nil {
		return nil, err
	}
	return Parse(string(b))
}

// Parse reads the recipes of a page's text.
func Parse(page string) (map[string]Recipe, error) {
	out := map[string]Recipe{}
	lines := strings.Split(page, "\n")
	for i := 0; i < len(lines); i++ {
		m := marker.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		name := m[1]
		if i+1 >= len(lines) || lines[i+1] != "```yaml" {
			return nil, fmt.Errorf("%s: recipe %s: the line after its marker must open a ```yaml block", Page, name)
		}
		j := i + 2
		for j < len(lines) && lines[j] != "```" {
			j++
		}
		if j == len(lines) {
			return nil, fmt.Errorf("%s: recipe %s: its yaml block is not closed", Page, name)
		}
		block := strings.Join(lines[i+2:j], "\n")
		var steps []struct {
			Uses string            `yaml:"uses"`
			With map[string]string `yaml:"with"`
		}
		if err := yaml.Unmarshal([]byte(block), &steps); err != nil {
			return nil, fmt.Errorf("%s: recipe %s: %v", Page, name, err)
		}
		if len(steps) == 0 || steps[0].Uses != Uses || steps[0].With["provider"] == "" {
			return nil, fmt.Errorf("%s: recipe %s: its block must start with a step that uses %s with a provider", Page, name, Uses)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%s: recipe %s is there twice", Page, name)
		}
		out[name] = Recipe{Name: name, With: steps[0].With, Block: block}
		i = j
	}
	return out, nil
}

// Get returns the recipe called name, or an error naming the ones there are.
func Get(name string) (Recipe, error) {
	all, err := All()
	if err != nil {
		return Recipe{}, err
	}
	r, ok := all[name]
	if !ok {
		var names []string
		for n := range all {
			names = append(names, n)
		}
		sort.Strings(names)
		return Recipe{}, fmt.Errorf("%s has no recipe %s (it has %s)", Page, name, strings.Join(names, ", "))
	}
	return r, nil
}
