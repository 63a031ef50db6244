// Package docexamples finds the YAML examples of the user documentation (README.md and
// docs/) and makes each a workflow: a fragment (a job's keys, a list of steps, one step, or the
// with: of an oidc-login step) is wrapped in the least workflow around it. e2e/core checks the
// inputs every example passes to oidc-login; .ci/lint runs actionlint on the workflows
// (cmd/write writes them).
package docexamples

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/internal/declared"
)

// Files are the user documentation, relative to the repository root.
func Files(root string) ([]string, error) {
	files := []string{"README.md"}
	for _, glob := range []string{"docs/*.md", "docs/*/*.md"} {
		m, err := filepath.Glob(filepath.Join(root, glob))
		if err != nil {
			return nil, err
		}
		for _, p := range m {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return nil, err
			}
			files = append(files, filepath.ToSlash(rel))
		}
	}
	return files, nil
}

// Example is one YAML block of the documentation.
type Example struct {
	// File and Line say where its text starts.
	File string
	Line int
	// Text is the block, without the indentation it has in the page.
	Text string
	// Workflow is a complete workflow holding it.
	Workflow string
}

// Name is the example's place, "README.md:12".
func (e Example) Name() string { return fmt.Sprintf("%s:%d", e.File, e.Line) }

// Extract returns every ```yaml (or ```yml) block of the documentation under root, each made
// a workflow.
func Extract(root string) ([]Example, error) {
	files, err := Files(root)
	if err != nil {
		return nil, err
	}
	var out []Example
	var errs []error
	for _, f := range files {
		blocks, err := blocks(filepath.Join(root, f))
		if err != nil {
			return nil, err
		}
		for _, b := range blocks {
			ex := Example{File: f, Line: b.line, Text: b.text}
			if ex.Workflow, err = wrap(b.text); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", ex.Name(), err))
				continue
			}
			out = append(out, ex)
		}
	}
	return out, errors.Join(errs...)
}

type block struct {
	line int
	text string
}

// blocks reads the YAML code blocks of a Markdown file, each dedented by its fence's
// indentation.
func blocks(path string) ([]block, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []block
	var cur *strings.Builder
	indent, start := "", 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case cur == nil && (trimmed == "```yaml" || trimmed == "```yml"):
			cur, indent, start = &strings.Builder{}, line[:len(line)-len(trimmed)], n+1
		case cur != nil && trimmed == "```":
			out = append(out, block{line: start, text: dedent(cur.String())})
			cur = nil
		case cur != nil:
			cur.WriteString(strings.TrimPrefix(line, indent) + "\n")
		}
	}
	return out, sc.Err()
}

// dedent removes the indentation every non-blank line shares.
func dedent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if common < 0 || n < common {
			common = n
		}
	}
	for i, l := range lines {
		if len(l) >= common && common > 0 {
			lines[i] = l[common:]
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

var (
	jobKeys  = []string{"name", "permissions", "needs", "if", "runs-on", "environment", "concurrency", "outputs", "env", "defaults", "steps", "timeout-minutes", "strategy", "continue-on-error", "container", "services"}
	stepKeys = []string{"id", "if", "name", "uses", "run", "shell", "with", "env", "continue-on-error", "timeout-minutes", "working-directory"}
)

// wrap makes text a workflow, by the shape of its top level: a bare with: body holds only
// inputs action.yml declares.
func wrap(text string) (string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return "", fmt.Errorf("not YAML: %w", err)
	}
	if len(doc.Content) == 0 {
		return "", errors.New("empty")
	}
	top := doc.Content[0]
	const header = "on: push\njobs:\n  example:\n"
	switch top.Kind {
	case yaml.SequenceNode: // steps
		return header + "    runs-on: ubuntu-latest\n    steps:\n" + indent(text, 6), nil
	case yaml.MappingNode:
	default:
		return "", errors.New("neither a mapping nor a list")
	}
	var keys []string
	for i := 0; i < len(top.Content); i += 2 {
		keys = append(keys, top.Content[i].Value)
	}
	all := func(allowed []string) bool {
		for _, k := range keys {
			if !slices.Contains(allowed, k) {
				return false
			}
		}
		return true
	}
	switch {
	case slices.Contains(keys, "jobs"):
		if slices.Contains(keys, "on") {
			return text, nil
		}
		return "on: push\n" + text, nil
	case all(jobKeys):
		w := header
		if !slices.Contains(keys, "runs-on") {
			w += "    runs-on: ubuntu-latest\n"
		}
		if !slices.Contains(keys, "steps") {
			text += "steps:\n  - run: \"true\"\n"
		}
		return w + indent(text, 4), nil
	case all(stepKeys) && (slices.Contains(keys, "uses") || slices.Contains(keys, "run")):
		return header + "    runs-on: ubuntu-latest\n    steps:\n" + indent("- "+strings.TrimRight(indent(text, 2)[2:], "\n")+"\n", 6), nil
	case keys[0] == "with" && all(stepKeys):
		return header + "    runs-on: ubuntu-latest\n    steps:\n      - uses: oidc-login/oidc-login@v1\n" + indent(text, 8), nil
	case all(declared.Inputs):
		return header + "    runs-on: ubuntu-latest\n    steps:\n      - uses: oidc-login/oidc-login@v1\n        with:\n" + indent(text, 10), nil
	}
	return "", fmt.Errorf("not a workflow, a job, steps, a step, or the with: of an oidc-login step (top-level keys %v)", keys)
}

// Step is a step of a workflow that uses an action.
type Step struct {
	Job, Uses string
	With      []string
}

// Uses lists every step of a workflow that uses an action, with the keys of its with:.
func Uses(workflow string) ([]Step, error) {
	var w struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string               `yaml:"uses"`
				With map[string]yaml.Node `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(workflow), &w); err != nil {
		return nil, err
	}
	var out []Step
	for name, j := range w.Jobs {
		for _, s := range j.Steps {
			if s.Uses == "" {
				continue
			}
			st := Step{Job: name, Uses: s.Uses}
			for k := range s.With {
				st.With = append(st.With, k)
			}
			slices.Sort(st.With)
			out = append(out, st)
		}
	}
	return out, nil
}
