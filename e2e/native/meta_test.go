package native_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/native/gen/compose"
)

type meta struct {
	Inputs  map[string]map[string]any `yaml:"inputs"`
	Outputs map[string]map[string]any `yaml:"outputs"`
	Runs    struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID    string            `yaml:"id"`
			If    string            `yaml:"if"`
			Shell string            `yaml:"shell"`
			Env   map[string]string `yaml:"env"`
			Run   string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

func readMeta(t *testing.T, rel string) (meta, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(harness.Root(), rel))
	if err != nil {
		t.Fatal(err)
	}
	var m meta
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return m, b
}

// TestGeneratedUpToDate: native/action.yml is exactly what `go generate ./native/...` writes
// from the root action.yml, so the two can never drift.
func TestGeneratedUpToDate(t *testing.T) {
	t.Parallel()
	_, root := readMeta(t, "action.yml")
	_, native := readMeta(t, "native/action.yml")
	want, err := compose.Native(root)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(native, want) {
		t.Fatal("native/action.yml is not what native/gen writes from action.yml: run go generate ./native/...")
	}
}

// TestSameInterface: every input of the Docker action, with the same description, required
// flag and default, plus exactly the native-only ones; the same outputs, each mapped back from
// the launcher that ran; every input handed to the binary as the runner would hand it to a
// Docker action (INPUT_<NAME>, hyphens kept), by both launchers.
func TestSameInterface(t *testing.T) {
	t.Parallel()
	root, _ := readMeta(t, "action.yml")
	native, _ := readMeta(t, "native/action.yml")
	extras := map[string]bool{}
	for _, e := range compose.Extras {
		extras[e.Name] = true
	}
	for name, in := range root.Inputs {
		if !reflect.DeepEqual(native.Inputs[name], in) {
			t.Errorf("input %s: native %v, root %v", name, native.Inputs[name], in)
		}
	}
	for name := range native.Inputs {
		if _, ok := root.Inputs[name]; !ok && !extras[name] {
			t.Errorf("native declares %s, which neither action.yml nor the native-only list has", name)
		}
	}
	if len(native.Outputs) != len(root.Outputs) {
		t.Errorf("native has %d outputs, root %d", len(native.Outputs), len(root.Outputs))
	}
	for name, out := range root.Outputs {
		n := native.Outputs[name]
		want := "${{ steps.unix.outputs." + name + " || steps.windows.outputs." + name + " }}"
		if n["description"] != out["description"] || n["value"] != want {
			t.Errorf("output %s = %v, want description %q and value %q", name, n, out["description"], want)
		}
	}
	if native.Runs.Using != "composite" || len(native.Runs.Steps) != 2 {
		t.Fatalf("runs = %+v, want a composite with two launchers", native.Runs)
	}
	shells := map[string]string{"unix": "bash", "windows": "powershell"}
	conds := map[string]string{"unix": "runner.os != 'Windows'", "windows": "runner.os == 'Windows'"}
	for _, s := range native.Runs.Steps {
		if s.Shell != shells[s.ID] || s.If != conds[s.ID] {
			t.Errorf("step %s: shell %q if %q", s.ID, s.Shell, s.If)
		}
		for name := range native.Inputs {
			if got := s.Env[compose.EnvName(name)]; got != "${{ inputs."+name+" }}" {
				t.Errorf("step %s: %s = %q", s.ID, compose.EnvName(name), got)
			}
		}
		if compose.EnvName("aws-role-arn") != "INPUT_AWS-ROLE-ARN" {
			t.Errorf("EnvName(aws-role-arn) = %s", compose.EnvName("aws-role-arn"))
		}
	}
}

// TestNativeFilesCheckOutLF: .gitattributes checks the launchers, the files a release commit
// adds and the CI scripts out with LF line ends on every OS, so a clone with
// core.autocrlf=true (Git for Windows' default) still runs run.sh and .ci/*.
func TestNativeFilesCheckOutLF(t *testing.T) {
	t.Parallel()
	paths := []string{"native/run.sh", "native/run.ps1", "native/action.yml", "native/VERSION", "native/SHA256SUMS", ".ci/run", ".ci/lint"}
	out, err := exec.Command("git", append([]string{"-C", harness.Root(), "check-attr", "eol", "--"}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git check-attr: %v\n%s", err, out)
	}
	var want strings.Builder
	for _, p := range paths {
		want.WriteString(p + ": eol: lf\n")
	}
	if string(out) != want.String() {
		t.Errorf("git check-attr eol:\n%s\nwant:\n%s", out, want.String())
	}
}
