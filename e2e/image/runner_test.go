package image_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
)

// runnerEnv is the environment the runner gives a container action's step (runner.md): the
// file-command paths rewritten to their container paths, RUNNER_TEMP with its host value,
// HOME=/github/home, INPUT_* with hyphens kept and action.yml's defaults filled in, the
// ID-token variables when the job has id-token: write, and STATE_* for the post step.
func runnerEnv(t *testing.T, w *harness.Workspace, inputs, idToken, state map[string]string) map[string]string {
	t.Helper()
	cmds := harness.ContainerRoot + "/file_commands/"
	env := map[string]string{
		"HOME":                harness.ContainerRoot + "/home",
		"RUNNER_TEMP":         w.RunnerTemp,
		"RUNNER_OS":           "Linux",
		"GITHUB_ACTIONS":      "true",
		"CI":                  "true",
		"GITHUB_REPOSITORY":   "octo-org/octo-repo",
		"GITHUB_WORKSPACE":    harness.ContainerRoot + "/workspace",
		"GITHUB_ENV":          cmds + filepath.Base(w.EnvFile),
		"GITHUB_OUTPUT":       cmds + filepath.Base(w.OutputFile),
		"GITHUB_STATE":        cmds + filepath.Base(w.StateFile),
		"GITHUB_STEP_SUMMARY": cmds + filepath.Base(w.SummaryFile),
	}
	defaults, err := harness.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range defaults {
		env["INPUT_"+strings.ToUpper(k)] = v
	}
	for k, v := range inputs {
		env["INPUT_"+strings.ToUpper(k)] = v
	}
	for k, v := range idToken {
		env[k] = v
	}
	for k, v := range state {
		env["STATE_"+k] = v
	}
	return env
}

// oldRunnerRun is the `docker run` of a runner from before actions/runner PR #4011: the mounts
// in the runner's order without /github/runner_temp, the workspace as the working directory,
// and entrypoint ("" for the image's own).
func oldRunnerRun(w *harness.Workspace, entrypoint string, env map[string]string) containerRun {
	return containerRun{
		Env: env,
		Mounts: []mount{
			{"/var/run/docker.sock", "/var/run/docker.sock"},
			{w.Home, harness.ContainerRoot + "/home"},
			{filepath.Join(w.RunnerTemp, "_github_workflow"), harness.ContainerRoot + "/workflow"},
			{w.Commands, harness.ContainerRoot + "/file_commands"},
			{w.Workspace, harness.ContainerRoot + "/workspace"},
		},
		WorkDir:    harness.ContainerRoot + "/workspace",
		Entrypoint: entrypoint,
	}
}

func sortedEnv(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

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
