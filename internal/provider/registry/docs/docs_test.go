package docs

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/provider/registry"
	"gopkg.in/yaml.v3"
)

const readmePath = "../../../../README.md"

// TestREADMEInSync keeps README.md's generated blocks what the registry says and the code prints.
func TestREADMEInSync(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Update(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	if want == string(readme) {
		return
	}
	got, exp := strings.Split(string(readme), "\n"), strings.Split(want, "\n")
	for i := range min(len(got), len(exp)) {
		if got[i] != exp[i] {
			t.Fatalf("README.md's generated blocks differ from the registry (first at line %d):\n  README: %.200s\n  code:   %.200s\nRun `go generate ./internal/provider/registry/docs` and commit README.md.", i+1, got[i], exp[i])
		}
	}
	t.Fatalf("README.md's generated blocks differ in length from the registry: run `go generate ./internal/provider/registry/docs` and commit README.md")
}

// headings lists README's headings, each with its level.
func headings(readme string) map[string]int {
	out := map[string]int{}
	fence := false
	for _, line := range strings.Split(readme, "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if fence || !strings.HasPrefix(line, "#") {
			continue
		}
		level := len(line) - len(strings.TrimLeft(line, "#"))
		out[strings.TrimSpace(line[level:])] = level
	}
	return out
}

// TestIndexLinksResolve: every link of the generated index names exactly one heading.
func TestIndexLinksResolve(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]int{}
	for h := range headings(string(b)) {
		anchors[Anchor(h)]++
	}
	links := regexp.MustCompile(`\]\(#([^)]+)\)`).FindAllStringSubmatch(Index(), -1)
	if len(links) < len(registry.All) {
		t.Fatalf("the index has %d links for %d providers", len(links), len(registry.All))
	}
	for _, l := range links {
		if anchors[l[1]] != 1 {
			t.Errorf("the index links to #%s, which %d headings of README.md have", l[1], anchors[l[1]])
		}
	}
}

// section is README's text under the heading "## "+title, up to the next heading of level 2.
func section(readme, title string) (string, bool) {
	_, rest, ok := strings.Cut(readme, "\n## "+title+"\n")
	if !ok {
		return "", false
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest, true
}

// TestProviderSections: each provider's README section (its Spec's Docs) documents, in an
// input table, every input action.yml declares with its prefix, and names every variable its
// Spec says it exports; every input that names variables is an input of action.yml.
func TestProviderSections(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Inputs map[string]any `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	for _, s := range registry.All {
		text, ok := section(string(readme), s.Docs)
		if !ok {
			t.Errorf("%s: README.md has no section %q (its Spec's Docs)", s.Name, "## "+s.Docs)
			continue
		}
		// A provider with a page of its own (docs/providers/<name>.md) documents itself there.
		if page, err := os.ReadFile("../../../../docs/providers/" + s.Name + ".md"); err == nil {
			text += "\n" + string(page)
		}
		for in := range meta.Inputs {
			// The audience inputs have one table of their own (Audiences).
			if strings.HasPrefix(in, s.InputPrefix) && in != s.AudienceInput() && !strings.Contains(text, "\n| `"+in+"` |") {
				t.Errorf("%s: its section %q has no input table row for %s", s.Name, s.Docs, in)
			}
		}
		for _, v := range s.Env {
			if !strings.Contains(text, "`"+v+"`") {
				t.Errorf("%s: its section %q does not name %s, which it exports", s.Name, s.Docs, v)
			}
		}
		for _, in := range s.EnvNamedBy {
			if _, ok := meta.Inputs[in]; !ok {
				t.Errorf("%s: its Spec says %s names variables, but action.yml has no such input", s.Name, in)
			}
		}
	}
}

// TestProviderInputRow: README's row for the provider input names every provider.
func TestProviderInputRow(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	_, row, ok := strings.Cut(string(b), "\n| `provider` |")
	if !ok {
		t.Fatal("README.md has no table row for the provider input")
	}
	row, _, _ = strings.Cut(row, "\n")
	for _, name := range registry.All.Names() {
		if !strings.Contains(row, "`"+name+"`") {
			t.Errorf("README's row for the provider input does not name %s", name)
		}
	}
}
