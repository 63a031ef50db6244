// Package migrate_test checks the migration guides in docs/migrate against the two things
// they describe: the official action's names at the version the guide was written from (kept
// in docs/migrate/testdata/<action>@<version>.inputs, read from that commit's action.yml and
// source) and this repository's action.yml. A guide that names an official input that does not
// exist, leaves one out, or sends users to an input or output of ours that does not exist,
// fails here.
package migrate_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// guides are the five guides, each with the official action it maps.
var guides = map[string]string{
	"configure-aws-credentials.md":           "aws-actions/configure-aws-credentials",
	"google-github-actions-auth.md":          "google-github-actions/auth",
	"azure-login.md":                         "Azure/login",
	"vault-action.md":                        "hashicorp/vault-action",
	"configure-aliyun-credentials-action.md": "aliyun/configure-aliyun-credentials-action",
}

// official is one kept name list.
type official struct {
	repo     string
	names    map[string]map[string]bool // kind (input, output, env) → names
	defaults map[string]string          // input → its action.yml default, when it has one
}

// readList parses a kept list: "# …" comments, then "<kind> <name> [default=<value>]" lines;
// output-src (an output the source sets without declaring it) counts as an output.
func readList(t *testing.T, path string) official {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	o := official{names: map[string]map[string]bool{"input": {}, "output": {}, "env": {}}, defaults: map[string]string{}}
	for i, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if i == 0 {
			o.repo = strings.Fields(strings.TrimPrefix(line, "# "))[0]
		}
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		kind, rest, _ := strings.Cut(line, " ")
		name, def, hasDef := strings.Cut(rest, " default=")
		if kind == "output-src" {
			kind = "output"
		}
		if o.names[kind] == nil || name == "" || strings.ContainsAny(name, " \t") {
			t.Fatalf("%s line %d: %q is not <kind> <name> [default=<value>]", path, i+1, line)
		}
		o.names[kind][name] = true
		if hasDef {
			o.defaults[name] = def
		}
	}
	return o
}

// ours is this repository's action.yml, and the variables its README and provider pages
// document.
type ours struct {
	inputs, outputs map[string]bool
	docs            string
}

func readOurs(t *testing.T) ours {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(harness.Root(), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Inputs  map[string]any `yaml:"inputs"`
		Outputs map[string]any `yaml:"outputs"`
	}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	o := ours{inputs: map[string]bool{}, outputs: map[string]bool{}}
	for k := range m.Inputs {
		o.inputs[k] = true
	}
	for k := range m.Outputs {
		o.outputs[k] = true
	}
	pages, err := filepath.Glob(filepath.Join(harness.Root(), "docs", "providers", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append([]string{filepath.Join(harness.Root(), "README.md")}, pages...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		o.docs += string(b) + "\n"
	}
	return o
}

// A guide's three tables: which kind of official name each maps, told by its heading.
var tableKinds = map[string]string{"## Inputs": "input", "## Outputs": "output", "## Environment variables": "env"}

var (
	listRef   = regexp.MustCompile(`testdata/([A-Za-z0-9@._+-]+\.inputs)`)
	firstCell = regexp.MustCompile("^\\| `([^`]+)` \\|")
	backtick  = regexp.MustCompile("`([^`]+)`")
	envName   = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// row is one table row of a guide.
type row struct {
	kind, name string
	cells      []string // after the name
	line       int
}

func readGuide(t *testing.T, path string) (listFile string, rows []row) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	refs := listRef.FindAllStringSubmatch(text, -1)
	for _, r := range refs {
		if listFile != "" && r[1] != listFile {
			t.Errorf("%s names two lists, %s and %s", path, listFile, r[1])
		}
		listFile = r[1]
	}
	if listFile == "" {
		t.Fatalf("%s names no testdata/<action>@<version>.inputs list", path)
	}
	kind := ""
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "#") {
			kind = tableKinds[strings.TrimSpace(line)]
			continue
		}
		m := firstCell.FindStringSubmatch(line)
		if kind == "" || m == nil {
			continue
		}
		// A \| inside a cell is a literal bar, not a column.
		var cells []string
		rest := strings.ReplaceAll(strings.TrimSuffix(line[len(m[0]):], "|"), `\|`, "\x00")
		for _, c := range strings.Split(rest, "|") {
			cells = append(cells, strings.TrimSpace(strings.ReplaceAll(c, "\x00", "|")))
		}
		rows = append(rows, row{kind: kind, name: m[1], cells: cells, line: i + 1})
	}
	return listFile, rows
}

// TestGuidesMatchTheActions: every official name a guide maps exists in the kept list of the
// version it was written from (and every name of that list is mapped, once); a stated official
// default is that version's; every input, output or variable of ours a guide maps to exists
// here; "not supported" always says why.
func TestGuidesMatchTheActions(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(harness.Root(), "docs", "migrate")
	our := readOurs(t)
	for file, repo := range guides {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, file)
			listFile, rows := readGuide(t, path)
			off := readList(t, filepath.Join(dir, "testdata", listFile))
			if off.repo != repo {
				t.Errorf("%s is the list of %s, not of %s", listFile, off.repo, repo)
			}
			seen := map[string]map[string]int{"input": {}, "output": {}, "env": {}}
			for _, r := range rows {
				where := file + ":" + strconv.Itoa(r.line)
				seen[r.kind][r.name]++
				if !off.names[r.kind][r.name] {
					t.Errorf("%s: %s has no %s %q in %s", where, repo, r.kind, r.name, listFile)
				}
				cells := r.cells
				if r.kind == "input" {
					if len(cells) != 3 {
						t.Errorf("%s: an input row is | official | default there | oidc-login | notes |", where)
						continue
					}
					checkDefault(t, where, r.name, cells[0], off)
					cells = cells[1:]
				}
				if len(cells) != 2 {
					t.Errorf("%s: a %s row is | official | oidc-login | notes |", where, r.kind)
					continue
				}
				checkOurs(t, where, cells[0], cells[1], our)
			}
			for kind, names := range off.names {
				var missing []string
				for n := range names {
					switch seen[kind][n] {
					case 0:
						missing = append(missing, n)
					case 1:
					default:
						t.Errorf("%s maps the %s %s %d times", file, kind, n, seen[kind][n])
					}
				}
				sort.Strings(missing)
				if len(missing) > 0 {
					t.Errorf("%s leaves out the %s(s) %v of %s", file, kind, missing, listFile)
				}
			}
		})
	}
}

// checkDefault: the "default there" cell is the official default in backticks, "(empty)" for
// a declared empty one, "(required)" or "–" for none.
func checkDefault(t *testing.T, where, name, cell string, off official) {
	t.Helper()
	def, has := off.defaults[name]
	switch {
	case cell == "(empty)":
		if !has || def != "" {
			t.Errorf("%s: %s has the default %q there (declared %v), not an empty one", where, name, def, has)
		}
	case cell == "(required)" || cell == "–":
		if has && def != "" {
			t.Errorf("%s: %s has the default %q there, not %s", where, name, def, cell)
		}
	case strings.HasPrefix(cell, "`") && strings.HasSuffix(cell, "`"):
		if got := strings.Trim(cell, "`"); !has || got != def {
			t.Errorf("%s: the default of %s there is %q (declared %v), the guide says %q", where, name, def, has, got)
		}
	default:
		t.Errorf("%s: the default cell of %s is %q; want `<value>`, (empty), (required) or –", where, name, cell)
	}
}

// checkOurs: each name in backticks in our cell is an input or output in action.yml (a
// `name: value` counts as name), or an environment variable the README or a provider page
// documents; a cell without any says "not supported" or "not needed", and its notes say why.
func checkOurs(t *testing.T, where, cell, notes string, our ours) {
	t.Helper()
	names := backtick.FindAllStringSubmatch(cell, -1)
	if len(names) == 0 {
		if !strings.HasPrefix(cell, "not supported") && !strings.HasPrefix(cell, "not needed") {
			t.Errorf("%s: %q names nothing of ours and does not say not supported / not needed", where, cell)
		}
		if len(notes) < 20 {
			t.Errorf("%s: %q without a reason in the notes", where, cell)
		}
		return
	}
	for _, m := range names {
		name, _, _ := strings.Cut(m[1], ":")
		name = strings.TrimSpace(name)
		switch {
		case our.inputs[name], our.outputs[name]:
		case envName.MatchString(name) && strings.Contains(our.docs, "`"+name+"`"):
		default:
			t.Errorf("%s: %q is neither an input nor an output in action.yml, nor a variable the docs document", where, name)
		}
	}
}
