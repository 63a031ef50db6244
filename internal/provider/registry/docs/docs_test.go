package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
)

type providerSpec = provider.Spec

const root = "../../../.."

// TestInSync keeps every generated block what the registry says and the code prints.
func TestInSync(t *testing.T) {
	t.Parallel()
	files, err := Update(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(root, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) == f.Text {
			continue
		}
		got, want := strings.Split(string(b), "\n"), strings.Split(f.Text, "\n")
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Errorf("%s's generated blocks differ from the registry (first at line %d):\n  file: %.200s\n  code: %.200s\nRun `go generate ./internal/provider/registry/docs` and commit it.", f.Path, i+1, got[i], want[i])
				break
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s's generated blocks differ in length from the registry: run `go generate ./internal/provider/registry/docs` and commit it", f.Path)
		}
	}
}

// headings lists a Markdown text's headings (outside code fences), each with its level.
func headings(text string) map[string]int {
	out := map[string]int{}
	fence := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
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

// TestProviderPages: each provider is documented on its page: a title that is its Spec's Docs, a quick start, an input table
// row for every input action.yml declares with its prefix, every variable its Spec says it
// exports, and the sections the README's tables link to.
func TestProviderPages(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(root, "action.yml"))
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
		text, where, err := Documented(root, s)
		if err != nil {
			t.Error(err)
			continue
		}
		if title, _, _ := strings.Cut(text, "\n"); title != "# "+s.Docs {
			t.Errorf("%s: its title is %q, want %q (its Spec's Docs)", where, title, "# "+s.Docs)
		}
		h := headings(text)
		for _, want := range []string{"Quick start", "What later steps get", strings.TrimPrefix(TroubleshootingHeading, "## ")} {
			if h[want] != 2 {
				t.Errorf("%s has no section %q", where, "## "+want)
			}
		}
		if s.Refusals.Entries != nil && !strings.Contains(text, RefusalsBegin) {
			t.Errorf("%s has no %s block for its explained refusals", where, RefusalsBegin)
		}
		for in := range meta.Inputs {
			if strings.HasPrefix(in, s.InputPrefix) && in != s.AudienceInput() && !strings.Contains(text, "\n| `"+in+"` |") {
				t.Errorf("%s: %s has no input table row for %s", s.Name, where, in)
			}
		}
		for _, v := range s.Env {
			if !strings.Contains(text, "`"+v+"`") {
				t.Errorf("%s: %s does not name %s, which it exports", s.Name, where, v)
			}
		}
		for _, in := range s.EnvNamedBy {
			if _, ok := meta.Inputs[in]; !ok {
				t.Errorf("%s: its Spec says %s names variables, but action.yml has no such input", s.Name, in)
			}
		}
	}
}

// TestLinksToPages: every link the generated blocks make goes to a provider's page, and to a
// heading it has.
func TestLinksToPages(t *testing.T) {
	t.Parallel()
	outputs, err := Outputs(root)
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`\]\(([^)#]+)(?:#([^)]+))?\)`)
	for _, block := range []struct{ from, text string }{{"", Index()}, {"", Exports(outputs)}, {"docs/", TroubleshootingIndex()}} {
		for _, l := range link.FindAllStringSubmatch(block.text, -1) {
			path := filepath.ToSlash(filepath.Join(block.from, l[1]))
			s, ok := pageOwner(path)
			if !ok {
				t.Errorf("a generated link goes to %s, which is no provider's page", path)
				continue
			}
			text, where, err := Documented(root, s)
			if err != nil {
				t.Error(err)
				continue
			}
			anchors := map[string]bool{}
			for h := range headings(text) {
				anchors[Anchor(h)] = true
			}
			if l[2] != "" && !anchors[l[2]] {
				t.Errorf("a generated link goes to %s#%s, a heading %s does not have", path, l[2], where)
			}
		}
	}
}

func pageOwner(path string) (s providerSpec, ok bool) {
	for _, s := range registry.All {
		if Page(s) == path {
			return s, true
		}
	}
	return providerSpec{}, false
}

// TestProviderInputRow: README's row for the provider input names every provider.
func TestProviderInputRow(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(root, README))
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
