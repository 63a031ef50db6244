package recipes

import (
	"slices"
	"sort"
	"testing"

	"github.com/oidc-login/oidc-login/internal/declared"
)

// Names are the recipes the page must have, each run by e2e/recipes.
var Names = []string{"crates", "custom", "databricks", "jfrog", "npm", "octo-sts", "pypi", "rubygems", "tailscale"}

// TestPage: the page has exactly the recipes, and every input they set is one action.yml
// declares (the native action's are generated from it).
func TestPage(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for n := range all {
		got = append(got, n)
	}
	sort.Strings(got)
	if !slices.Equal(got, Names) {
		t.Errorf("recipes %v, want %v", got, Names)
	}
	for _, r := range all {
		for k := range r.With {
			if !slices.Contains(declared.Inputs, k) {
				t.Errorf("recipe %s sets %s, which is no input", r.Name, k)
			}
		}
		if r.With["provider"] != "token-exchange" {
			t.Errorf("recipe %s: provider %q", r.Name, r.With["provider"])
		}
	}
}

// TestParseRefuses: a marker without its block is an error, not a recipe silently skipped.
func TestParseRefuses(t *testing.T) {
	for _, page := range []string{
		"<!-- recipe: x -->\ntext\n",
		"<!-- recipe: x -->\n```yaml\n- uses: oidc-login/oidc-login@v1\n  with:\n    provider: token-exchange\n",
		"<!-- recipe: x -->\n```yaml\n- uses: other@v1\n```\n",
	} {
		if _, err := Parse(page); err == nil {
			t.Errorf("accepted %q", page)
		}
	}
}
