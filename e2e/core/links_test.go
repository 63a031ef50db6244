package core_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/internal/provider/registry/docs"
)

// markdownLink is a Markdown link's target: a path, a #fragment, or both.
var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinksResolve: every relative link in README.md, CONTRIBUTING.md and docs/ names a
// file of the repository and, when it has a fragment, a heading of that file. Pages move as
// the documentation grows; a link left pointing at a section that moved is what a newcomer
// meets first.
func TestDocLinksResolve(t *testing.T) {
	t.Parallel()
	root := harness.Root()
	files := []string{"README.md", "CONTRIBUTING.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		rel, err := filepath.Rel(root, path)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]map[string]bool{}
	anchorsOf := func(rel string) map[string]bool {
		if a, ok := anchors[rel]; ok {
			return a
		}
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		a := headingAnchors(string(b))
		anchors[rel] = a
		return a
	}
	links := 0
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range markdownLink.FindAllStringSubmatch(withoutCode(string(b)), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			links++
			path, frag, _ := strings.Cut(target, "#")
			rel := f
			if path != "" {
				rel = filepath.ToSlash(filepath.Join(filepath.Dir(f), path))
			}
			info, err := os.Stat(filepath.Join(root, rel))
			if err != nil {
				t.Errorf("%s links to %s: no such file in the repository", f, target)
				continue
			}
			if frag != "" && !info.IsDir() && strings.HasSuffix(rel, ".md") && !anchorsOf(rel)[frag] {
				t.Errorf("%s links to %s: %s has no heading with that anchor", f, target, rel)
			}
		}
	}
	if links < 50 {
		t.Fatalf("found %d relative links in the documentation; the pattern no longer finds them", links)
	}
}

// headingAnchors are the fragments GitHub gives a Markdown file's headings: a repeated one
// gets -1, -2, … in order.
func headingAnchors(text string) map[string]bool {
	out := map[string]bool{}
	for _, line := range strings.Split(withoutCode(text), "\n") {
		level := len(line) - len(strings.TrimLeft(line, "#"))
		if level == 0 || level > 6 || !strings.HasPrefix(line[level:], " ") {
			continue
		}
		a := docs.Anchor(strings.TrimSpace(line[level:]))
		base := a
		for n := 1; out[a]; n++ {
			a = base + "-" + strconv.Itoa(n)
		}
		out[a] = true
	}
	return out
}

// withoutCode blanks fenced code blocks, whose # lines and ](…) are not Markdown.
func withoutCode(text string) string {
	var b strings.Builder
	fenced := false
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " "), "```") {
			fenced = !fenced
			b.WriteString("\n")
			continue
		}
		if fenced {
			b.WriteString("\n")
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}
