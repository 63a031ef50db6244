package core_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/login"
	"github.com/oidc-login/oidc-login/internal/provider/alibaba"
	awsprovider "github.com/oidc-login/oidc-login/internal/provider/aws"
)

// actionMeta is what action.yml declares.
type actionMeta struct {
	Inputs map[string]struct {
		Description string  `yaml:"description"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
	} `yaml:"outputs"`
	Runs struct {
		Using          string   `yaml:"using"`
		Image          string   `yaml:"image"`
		Args           []string `yaml:"args"`
		PostEntrypoint string   `yaml:"post-entrypoint"`
	} `yaml:"runs"`
}

func readMeta(t *testing.T) actionMeta {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(harness.Root(), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var m actionMeta
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

var (
	tableHeader = "| input | default | meaning |"
	inputRow    = regexp.MustCompile("^\\| `([a-z0-9-]+)` \\|([^|]*)\\|")
	literal     = regexp.MustCompile("^`([^`<]+)`$")
	backticked  = regexp.MustCompile("`([^`]+)`")
)

// docInputs reads every row of the documentation's input tables (header tableHeader): input
// name → the default cells given for it.
func docInputs(readme string) map[string][]string {
	out := map[string][]string{}
	table := false
	for _, line := range strings.Split(readme, "\n") {
		switch {
		case line == tableHeader:
			table = true
		case !strings.HasPrefix(line, "|"):
			table = false
		case table:
			if row := inputRow.FindStringSubmatch(line); row != nil {
				out[row[1]] = append(out[row[1]], strings.TrimSpace(row[2]))
			}
		}
	}
	return out
}

// docOutputs lists the names the documentation gives as outputs: every `name` in a paragraph,
// a table row, or a table whose header, that speaks of outputs.
func docOutputs(readme string) map[string]bool {
	out := map[string]bool{}
	speaks := func(s string) bool { return strings.Contains(strings.ToLower(s), "output") }
	for _, para := range strings.Split(readme, "\n\n") {
		parts := []string{para}
		if strings.HasPrefix(para, "|") && !speaks(strings.SplitN(para, "\n", 2)[0]) {
			parts = strings.Split(para, "\n") // a table whose header does not: row by row
		}
		for _, part := range parts {
			if !speaks(part) {
				continue
			}
			for _, m := range backticked.FindAllStringSubmatch(part, -1) {
				out[m[1]] = true
			}
		}
	}
	return out
}

// userDocs is the documentation a user reads: README.md and every page under docs/ but the
// migration guides (whose tables are about the official actions' inputs), joined.
func userDocs(t *testing.T) string {
	t.Helper()
	root := harness.Root()
	paths := []string{filepath.Join(root, "README.md")}
	for _, glob := range []string{"docs/*.md", "docs/providers/*.md"} {
		m, err := filepath.Glob(filepath.Join(root, glob))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	var all strings.Builder
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
		all.WriteString("\n\n")
	}
	return all.String()
}

// TestActionMatchesDocs: action.yml and the documentation (the README's common inputs, each
// provider's page, docs/), which together are the public contract, agree. Every input has
// exactly one row in their input tables, with the same literal default (and none where the
// row gives the default in words: computed, per provider, or required), and every row is an
// input; every output is named where they speak of outputs; and the runs section is the
// Docker action the runner starts with the runner's own paths as arguments.
func TestActionMatchesDocs(t *testing.T) {
	t.Parallel()
	m := readMeta(t)
	docs := userDocs(t)
	documented := docInputs(docs)
	if len(documented) < 20 {
		t.Fatalf("read only %d inputs from the documentation's tables (header %q)", len(documented), tableHeader)
	}
	for name, in := range m.Inputs {
		defs, ok := documented[name]
		switch {
		case !ok:
			t.Errorf("action.yml declares the input %s, which no input table of README.md or docs/ documents", name)
			continue
		case len(defs) > 1:
			t.Errorf("README.md and docs/ document the input %s %d times", name, len(defs))
		case in.Description == "":
			t.Errorf("input %s has no description", name)
		}
		got := ""
		if in.Default != nil {
			got = *in.Default
		}
		want := ""
		if l := literal.FindStringSubmatch(defs[0]); l != nil {
			want = l[1]
		}
		if got != want {
			t.Errorf("input %s: action.yml default %q, the documentation says %q", name, got, defs[0])
		}
	}
	for name := range documented {
		if _, ok := m.Inputs[name]; !ok {
			t.Errorf("the documentation has an input row for %s, which action.yml does not declare", name)
		}
	}
	outputs := docOutputs(docs)
	var missing []string
	for name, out := range m.Outputs {
		if !outputs[name] {
			missing = append(missing, name)
		}
		if out.Description == "" {
			t.Errorf("output %s has no description", name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("action.yml declares outputs README.md and docs/ do not document as outputs: %v", missing)
	}
	if m.Runs.Using != "docker" || m.Runs.Image != "Dockerfile" || m.Runs.PostEntrypoint != "/oidc-login-post" {
		t.Errorf("runs = %+v", m.Runs)
	}
	// The runner's own paths reach the container only through runs.args: the runner translates
	// every environment value of a container action to container paths, but not runs.args
	// (ContainerActionHandler.cs in actions/runner).
	wantArgs := []string{
		login.ArgRunnerTemp + "=${{ inputs.runner-temp }}",
		login.ArgRunnerWorkspace + "=${{ inputs.runner-workspace }}",
		login.ArgJobContainerID + "=${{ inputs.job-container-id }}",
	}
	if !slices.Equal(m.Runs.Args, wantArgs) {
		t.Errorf("runs.args = %q, want %q", m.Runs.Args, wantArgs)
	}
	for name, def := range map[string]string{"runner-temp": "${{ runner.temp }}", "runner-workspace": "${{ runner.workspace }}", "job-container-id": "${{ job.container.id }}"} {
		if d := m.Inputs[name].Default; d == nil || *d != def {
			t.Errorf("input %s: default %v, want %q", name, d, def)
		}
	}
}

// TestDefaultsMatchCode: the defaults the runner fills in from action.yml are the ones the
// code assumes when an input is missing (a local run, a unit test).
func TestDefaultsMatchCode(t *testing.T) {
	t.Parallel()
	m := readMeta(t)
	for name, want := range map[string]string{
		"retry-max-attempts":        strconv.Itoa(config.DefaultRetryMaxAttempts),
		"timeout-seconds":           strconv.Itoa(config.DefaultTimeoutSeconds),
		"aws-role-session-name":     awsprovider.DefaultSessionName,
		"aws-role-duration-seconds": strconv.Itoa(awsprovider.DefaultDurationSeconds),
		"alibaba-role-session-name": alibaba.DefaultSessionName,
		"alibaba-duration-seconds":  strconv.Itoa(alibaba.DefaultDurationSeconds),
	} {
		if d := m.Inputs[name].Default; d == nil || *d != want {
			t.Errorf("%s: action.yml default %v, code default %q", name, d, want)
		}
	}
	c, err := config.ParseCommon(config.MapInputs{"provider": "aws"}, []string{"aws"})
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]bool{"export-env": c.ExportEnv, "output-credentials": c.OutputCredentials, "show-claims": c.ShowClaims, "job-summary": c.JobSummary, "cleanup": c.Cleanup} {
		if d := m.Inputs[name].Default; d == nil || *d != strconv.FormatBool(got) {
			t.Errorf("%s: action.yml default %v, code default %v", name, d, got)
		}
	}
}
