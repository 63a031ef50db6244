package image_test

import (
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
)

// collect reads back what a container run wrote to the host's file-command files, as the
// runner does after the step, so the harness's checks apply unchanged.
func collect(t *testing.T, w *harness.Workspace, exit int, stdout, stderr string) *harness.Run {
	t.Helper()
	r := &harness.Run{Exit: exit, Stdout: stdout, Stderr: stderr, Workspace: w}
	for _, f := range []struct {
		path string
		raw  *string
		m    *map[string]string
	}{{w.EnvFile, &r.EnvRaw, &r.Env}, {w.OutputFile, &r.OutputRaw, &r.Outputs}, {w.StateFile, &r.StateRaw, &r.State}} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		*f.raw = string(b)
		if *f.m, err = harness.ParseFileCommands(string(b)); err != nil {
			t.Fatalf("%s: %v", filepath.Base(f.path), err)
		}
	}
	b, err := os.ReadFile(w.SummaryFile)
	if err != nil {
		t.Fatal(err)
	}
	r.Summary = string(b)
	// As harness.Execute does for every run: nothing any emulator issued may show outside a
	// mask line.
	harness.NoLeak(t, r, leak.All()...)
	return r
}

// actionRuns is action.yml's runs: section.
type actionRuns struct {
	Using          string   `yaml:"using"`
	Image          string   `yaml:"image"`
	Entrypoint     string   `yaml:"entrypoint"`
	PostEntrypoint string   `yaml:"post-entrypoint"`
	PreEntrypoint  string   `yaml:"pre-entrypoint"`
	Args           []string `yaml:"args"`
}

func readActionRuns(t *testing.T) actionRuns {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(harness.Root(), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Runs actionRuns `yaml:"runs"`
	}
	if err := yaml.Unmarshal(b, &meta); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return meta.Runs
}

// ociConfig is the part of an OCI image config the runner acts on.
type ociConfig struct {
	Entrypoint []string          `json:"Entrypoint"`
	Cmd        []string          `json:"Cmd"`
	User       string            `json:"User"`
	Env        []string          `json:"Env"`
	WorkingDir string            `json:"WorkingDir"`
	Labels     map[string]string `json:"Labels"`
}
