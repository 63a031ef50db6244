// Package docs renders the parts of README.md that derive from the registry: the provider
// index, the per-provider audience inputs and the troubleshooting tables of every explained refusal. A test keeps README.md in
// step with them; `go generate ./internal/provider/registry/docs` rewrites them.
package docs

//go:generate go run ./cmd/readme -readme ../../../../README.md

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
)

// The markers around README.md's provider index.
const (
	IndexBegin = "<!-- providers:begin -->"
	IndexEnd   = "<!-- providers:end -->"
)

// Index renders README's provider index (without the markers): each provider's name, what it
// logs into with a link to its section, and a link to its table of explained refusals.
func Index() string {
	var b strings.Builder
	b.WriteString("<!-- Generated from the registry (each provider's spec.go) by `go generate ./internal/provider/registry/docs`: edit the code, not this block. -->\n\n")
	b.WriteString("| `provider:` | logs into | explained refusals |\n|---|---|---|\n")
	for _, s := range registry.All {
		refusals := "–"
		if s.Refusals.Entries != nil {
			heading := fmt.Sprintf("%s (`%s`)", s.Refusals.Title, s.Name)
			refusals = fmt.Sprintf("[%s](#%s)", s.Refusals.Title, Anchor(heading))
		}
		fmt.Fprintf(&b, "| `%s` | [%s](#%s) | %s |\n", s.Name, s.Title, Anchor(s.Docs), refusals)
	}
	return b.String()
}

// The markers around README.md's table of the per-provider audience inputs.
const (
	AudiencesBegin = "<!-- audiences:begin -->"
	AudiencesEnd   = "<!-- audiences:end -->"
)

// Audiences renders the table of every provider's own audience input (Spec.AudienceInput)
// with the audience it asks for without one.
func Audiences() string {
	var b strings.Builder
	b.WriteString("<!-- Generated from the registry (each provider's spec.go) by `go generate ./internal/provider/registry/docs`: edit the code, not this block. -->\n\n")
	b.WriteString("| input | default | meaning |\n|---|---|---|\n")
	for _, s := range registry.All {
		fmt.Fprintf(&b, "| `%s` | its own: %s | the audience of the ID token `%s` gets; overrides `audience` for `%s` alone |\n", s.AudienceInput(), s.DefaultAudience, s.Name, s.Name)
	}
	return b.String()
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
	readme, err := replace(readme, IndexBegin, IndexEnd, Index())
	if err != nil {
		return "", err
	}
	if readme, err = replace(readme, AudiencesBegin, AudiencesEnd, Audiences()); err != nil {
		return "", err
	}
	return diagnose.ReplaceTroubleshooting(readme, diagnose.Troubleshooting(Sections()))
}
