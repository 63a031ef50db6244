// Package docs renders the parts of the documentation that derive from the registry: README's
// provider index and its tables of what each provider exports and of the per-provider audience
// inputs, the table of explained refusals on each provider's page (docs/providers/<name>.md),
// and docs/troubleshooting.md's index of those tables. Tests keep
// the committed files in step; `go generate ./internal/provider/registry/docs` rewrites them.
package docs

//go:generate go run ./cmd/gendocs -root ../../../..

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
)

// The files with generated blocks, relative to the repository root.
const (
	README          = "README.md"
	Troubleshooting = "docs/troubleshooting.md"
)

// The markers around each generated block.
const (
	// IndexBegin and IndexEnd hold README's provider index.
	IndexBegin = "<!-- providers:begin -->"
	IndexEnd   = "<!-- providers:end -->"
	// RefusalsBegin and RefusalsEnd hold a provider page's table of explained refusals.
	RefusalsBegin = "<!-- refusals:begin -->"
	RefusalsEnd   = "<!-- refusals:end -->"
	// ExportsBegin and ExportsEnd hold README's table of what each provider hands on.
	ExportsBegin = "<!-- exports:begin -->"
	ExportsEnd   = "<!-- exports:end -->"
	// AudiencesBegin and AudiencesEnd hold README's table of the per-provider audience inputs.
	AudiencesBegin = "<!-- audiences:begin -->"
	AudiencesEnd   = "<!-- audiences:end -->"
	// TroubleshootingBegin and TroubleshootingEnd hold docs/troubleshooting.md's index.
	TroubleshootingBegin = "<!-- troubleshooting:begin -->"
	TroubleshootingEnd   = "<!-- troubleshooting:end -->"
)

// TroubleshootingHeading heads the section of a provider page that holds its refusals table.
const TroubleshootingHeading = "## Troubleshooting"

// Page is a provider's page, relative to the repository root.
func Page(s provider.Spec) string { return "docs/providers/" + s.Name + ".md" }

const generated = "<!-- Generated from the registry (each provider's spec.go and catalog.go) by `go generate ./internal/provider/registry/docs`: edit the code, not this block. -->\n\n"

// Index renders README's provider index (without the markers): each provider's name, what it
// logs into with a link to its page, and a link to its table of explained refusals.
func Index() string {
	var b strings.Builder
	b.WriteString(generated)
	b.WriteString("| `provider:` | logs into | explained refusals |\n|---|---|---|\n")
	for _, s := range registry.All {
		refusals := "–"
		if s.Refusals.Entries != nil {
			refusals = fmt.Sprintf("[%s](%s#%s)", s.Refusals.Title, Page(s), Anchor(strings.TrimPrefix(TroubleshootingHeading, "## ")))
		}
		fmt.Fprintf(&b, "| `%s` | [%s](%s) | %s |\n", s.Name, s.Title, Page(s), refusals)
	}
	return b.String()
}

// Exports renders README's table of what each provider hands to later steps (without the
// markers): the variables its Spec names (or the inputs that name them), and the outputs whose
// description in action.yml (outputs, in file order) starts with its name.
func Exports(outputs []Output) string {
	var b strings.Builder
	b.WriteString(generated)
	b.WriteString("| `provider:` | variables for later steps | outputs | with `output-credentials: true` also |\n|---|---|---|---|\n")
	code := func(names []string) string {
		if len(names) == 0 {
			return "–"
		}
		return "`" + strings.Join(names, "`, `") + "`"
	}
	for _, s := range registry.All {
		vars := code(s.Env)
		for _, in := range s.EnvNamedBy {
			named := "the names `" + in + "` gives"
			if vars == "–" {
				vars = named
			} else {
				vars += "; " + named
			}
		}
		var plain, secret []string
		for _, o := range outputs {
			if !strings.HasPrefix(o.Description, s.Name+":") {
				continue
			}
			if strings.Contains(o.Description, "(with output-credentials") {
				secret = append(secret, o.Name)
			} else {
				plain = append(plain, o.Name)
			}
		}
		fmt.Fprintf(&b, "| [`%s`](%s#what-later-steps-get) | %s | %s | %s |\n", s.Name, Page(s), vars, code(plain), code(secret))
	}
	return b.String()
}

// Audiences renders README's table of every provider's own audience input (Spec.AudienceInput)
// with the audience it asks for without one (without the markers).
func Audiences() string {
	var b strings.Builder
	b.WriteString(generated)
	b.WriteString("| input | default | meaning |\n|---|---|---|\n")
	for _, s := range registry.All {
		fmt.Fprintf(&b, "| `%s` | its own: %s | the audience of the ID token `%s` gets; overrides `audience` for `%s` alone |\n", s.AudienceInput(), s.DefaultAudience, s.Name, s.Name)
	}
	return b.String()
}

// Output is an output of action.yml.
type Output struct{ Name, Description string }

// Outputs reads action.yml's outputs in file order.
func Outputs(root string) ([]Output, error) {
	raw, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil || len(doc.Content) == 0 {
		return nil, fmt.Errorf("action.yml: %v", err)
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "outputs" {
			continue
		}
		var out []Output
		m := top.Content[i+1]
		for j := 0; j+1 < len(m.Content); j += 2 {
			var o struct {
				Description string `yaml:"description"`
			}
			if err := m.Content[j+1].Decode(&o); err != nil {
				return nil, err
			}
			out = append(out, Output{Name: m.Content[j].Value, Description: o.Description})
		}
		return out, nil
	}
	return nil, errors.New("action.yml declares no outputs")
}

// TroubleshootingIndex renders docs/troubleshooting.md's index (without the markers): for
// each provider, its page's troubleshooting section.
func TroubleshootingIndex() string {
	var b strings.Builder
	b.WriteString(generated)
	b.WriteString("| `provider:` | what refuses | where it is explained |\n|---|---|---|\n")
	for _, s := range registry.All {
		what := "–"
		if s.Refusals.Entries != nil {
			what = s.Refusals.Title
		}
		page := strings.TrimPrefix(Page(s), "docs/")
		fmt.Fprintf(&b, "| `%s` | %s | [%s](%s#%s) |\n", s.Name, what, page, page, Anchor(strings.TrimPrefix(TroubleshootingHeading, "## ")))
	}
	return b.String()
}

// Refusals renders a provider page's table of explained refusals (without the markers).
func Refusals(s provider.Spec) string {
	return generated +
		"Every row is what the step itself prints for that answer: the middle column is the error's\n" +
		"explanation, the last one what the collapsed group under it shows. The rows are rendered for a push to\n" +
		"`main` of `octo-org/octo-repo` on GitHub.com and the names of the quick start above, so the step shows\n" +
		"your own names and claims where these show the examples. Rows with *the token's claims* also print the\n" +
		"token's `iss`, `sub` and `aud` in the error.\n\n" +
		diagnose.Table(s.Refusals)
}

// Anchor is the fragment GitHub gives a heading: lower case, without punctuation other than
// hyphens and underscores, spaces turned into hyphens.
func Anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// replace returns doc with the text between begin and end replaced by block.
func replace(doc, begin, end, block string) (string, error) {
	before, rest, ok := strings.Cut(doc, begin)
	if !ok {
		return "", errors.New("no " + begin + " marker")
	}
	_, after, ok := strings.Cut(rest, end)
	if !ok {
		return "", errors.New("no " + end + " marker after " + begin)
	}
	return before + begin + "\n" + block + end + after, nil
}

// File is a documentation file as the generator writes it.
type File struct {
	// Path is relative to the repository root.
	Path string
	Text string
}

// Update returns every file with generated blocks, those blocks rewritten, for the repository
// at root.
func Update(root string) ([]File, error) {
	var out []File
	rewrite := func(path string, blocks ...[3]string) error {
		b, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			return err
		}
		text := string(b)
		for _, bl := range blocks {
			if text, err = replace(text, bl[0], bl[1], bl[2]); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		out = append(out, File{Path: path, Text: text})
		return nil
	}
	outputs, err := Outputs(root)
	if err != nil {
		return nil, err
	}
	if err := rewrite(README, [3]string{IndexBegin, IndexEnd, Index()}, [3]string{ExportsBegin, ExportsEnd, Exports(outputs)}, [3]string{AudiencesBegin, AudiencesEnd, Audiences()}); err != nil {
		return nil, err
	}
	if err := rewrite(Troubleshooting, [3]string{TroubleshootingBegin, TroubleshootingEnd, TroubleshootingIndex()}); err != nil {
		return nil, err
	}
	for _, s := range registry.All {
		var blocks [][3]string
		if s.Refusals.Entries != nil {
			blocks = append(blocks, [3]string{RefusalsBegin, RefusalsEnd, Refusals(s)})
		}
		if err := rewrite(Page(s), blocks...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Documented returns the text that documents provider s, its page, and the page's path.
func Documented(root string, s provider.Spec) (text, where string, err error) {
	b, err := os.ReadFile(filepath.Join(root, Page(s)))
	if err != nil {
		return "", "", err
	}
	return string(b), Page(s), nil
}
