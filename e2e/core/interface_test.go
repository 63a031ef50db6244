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
	inputRow   = regexp.MustCompile("^\\| `([a-z0-9-]+)` \\|([^|]*)\\|")
	literal    = regexp.MustCompile("^`([^`<]+)`$")
	outputName = regexp.MustCompile("`([a-z]+(?:-[a-z]+)+|claims|expiration)`")
)

// decidedDefaults are the defaults an issue changed from interface.md's (which is read-only),
// each from the spec's value to the action.yml one. Issue 16 took these from
// aliyun/configure-aliyun-credentials-action so that workflows moving over keep them.
var decidedDefaults = map[string]struct{ spec, now string }{
	"alibaba-role-session-name": {"GitHubActions", "github-action-session"},
	"alibaba-duration-seconds":  {"3600", "1800"},
}

// TestActionMatchesInterface keeps action.yml to the public contract in
// ../shared/spec/interface.md: every input it documents (and every one README adds under
// AddedInputsHeading), with the same literal default (and none where the default is computed)
// unless decidedDefaults records an issue's decision, every output it names, and the docker
// runs section. An output the spec does not name is an issue's addition: README.md must
// document it.
func TestActionMatchesInterface(t *testing.T) {
	t.Parallel()
	spec, err := os.ReadFile(filepath.Join(harness.Root(), "..", "shared", "spec", "interface.md"))
	if err != nil {
		t.Fatalf("the interface spec must sit beside the repository as ../shared: %v", err)
	}
	m := readMeta(t)
	inputs := map[string]bool{}
	// Issues add inputs to the contract; README.md documents each in the same table form.
	readme, err := os.ReadFile(filepath.Join(harness.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	added, ok := section(string(readme), AddedInputsHeading)
	if !ok {
		t.Fatalf("README.md has no section %q listing the inputs beyond interface.md", AddedInputsHeading)
	}
	for _, line := range strings.Split(string(spec)+"\n"+added, "\n") {
		row := inputRow.FindStringSubmatch(line)
		if row == nil {
			continue
		}
		name, def := row[1], strings.TrimSpace(row[2])
		inputs[name] = true
		in, ok := m.Inputs[name]
		switch {
		case !ok:
			t.Errorf("action.yml lacks the input %s", name)
			continue
		case in.Description == "":
			t.Errorf("input %s has no description", name)
		}
		got := ""
		if in.Default != nil {
			got = *in.Default
		}
		want := ""
		if l := literal.FindStringSubmatch(def); l != nil {
			want = l[1]
		}
		if d, ok := decidedDefaults[name]; ok && d.spec == want && d.now == got {
			continue
		}
		if got != want {
			t.Errorf("input %s: action.yml default %q, interface.md says %q", name, got, def)
		}
	}
	for name := range m.Inputs {
		if !inputs[name] {
			t.Errorf("action.yml declares %s, which neither interface.md nor README's %q table documents", name, AddedInputsHeading)
		}
	}
	// Outputs are named in the prose of each provider's section.
	var missing []string
	named := map[string]bool{}
	for _, para := range strings.Split(string(spec), "\n\n") {
		if !strings.Contains(para, "utput") {
			continue
		}
		for _, sentence := range strings.Split(para, ".\n") {
			if !strings.Contains(sentence, "utput") {
				continue
			}
			for _, mm := range outputName.FindAllStringSubmatch(sentence, -1) {
				name := mm[1]
				if inputs[name] || name == "token-exchange" {
					continue
				}
				named[name] = true
				if _, ok := m.Outputs[name]; !ok {
					missing = append(missing, name)
				}
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("action.yml lacks outputs that interface.md names: %v", missing)
	}
	for name, out := range m.Outputs {
		if !named[name] && !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("action.yml declares the output %s, which neither interface.md nor README.md documents", name)
		}
		if out.Description == "" {
			t.Errorf("output %s has no description", name)
		}
	}
	if m.Runs.Using != "docker" || m.Runs.Image != "Dockerfile" || m.Runs.PostEntrypoint != "/oidc-login-post" {
		t.Errorf("runs = %+v", m.Runs)
	}
	// The runner's own paths reach the container only through runs.args (runner.md).
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

// AddedInputsHeading heads README's table of the inputs issues added beyond interface.md.
const AddedInputsHeading = "### Inputs beyond the interface spec"

// section returns the text under a Markdown heading, up to the next heading of any level.
func section(doc, heading string) (string, bool) {
	_, rest, ok := strings.Cut(doc, "\n"+heading+"\n")
	if !ok {
		return "", false
	}
	if i := strings.Index(rest, "\n#"); i >= 0 {
		rest = rest[:i]
	}
	return rest, true
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
