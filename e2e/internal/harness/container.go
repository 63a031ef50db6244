package harness

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
)

// This file is the runner's treatment of a container action, ported from actions/runner at
// commit 258d6c8 (2026-08):
//   - src/Runner.Worker/Handlers/ContainerActionHandler.cs: inputs become INPUT_<NAME>
//     (AddInputsToEnvironment), runs.args are evaluated with the inputs context and passed
//     untranslated, runs.env fills what is not set yet, HOME is the host's
//     $RUNNER_TEMP/_github_home, the mounts below, the working directory /github/workspace,
//     and every environment value goes through TranslateToContainerPath;
//   - src/Runner.Worker/Container/ContainerInfo.cs: AddPathTranslateMapping inserts at the
//     front, so the most recently added mapping (the workspace) is tried first, and a value
//     maps when it equals a host folder or starts with it and a '/';
//   - src/Runner.Worker/action_yaml.json: input defaults are evaluated with the github,
//     strategy, matrix, job and runner contexts (input-default-context), runs.args and runs.env
//     with inputs only;
//   - src/Runner.Worker/Container/DockerCommandManager.cs (DockerRun): the docker run line that
//     e2e/image builds from ContainerRun.
//
// The /github/runner_temp mount and its mapping came with actions/runner PR #4011 (2025-09,
// behind a flag) and became unconditional with PR #4163 (2025-12); OldRunner is the layout
// before them, where RUNNER_TEMP kept its host value inside the container.

// ContainerRoot is where the runner mounts its folders inside a container action.
const ContainerRoot = "/github"

// JobContainerWork is where a job container sees the runner's work folder (ContainerInfo's
// default mapping), and so where later steps of such a job find the temp folder.
const JobContainerWork = "/__w"

// Placement is where the action's step runs, and where the steps after it run.
type Placement int

const (
	// TodayRunner: a container action on actions/runner since PR #4163, later steps on the host.
	TodayRunner Placement = iota
	// OldRunner: a container action before PR #4011 (RUNNER_TEMP untranslated, no
	// /github/runner_temp mount), later steps on the host.
	OldRunner
	// JobContainer: today's runner in a job with `container:`; later steps run in the job
	// container, which sees the work folder at /__w.
	JobContainer
	// NoContainer: the binary runs on the host (a composite or local run): no mounts, no
	// translation, no runs.args.
	NoContainer
)

func (p Placement) String() string {
	return [...]string{"today's runner", "older runner", "job container", "no container"}[p]
}

// InContainer reports whether the action's step runs as a container action.
func (p Placement) InContainer() bool { return p != NoContainer }

// Mount is one -v host:container of the runner's docker run.
type Mount struct{ Host, Container string }

// ContainerRun is the runner's docker run of one step of the action.
type ContainerRun struct {
	// Env is the container's environment: translated, as the container sees it.
	Env map[string]string
	// Args are runs.args, evaluated with the inputs context and not translated.
	Args []string
	// Mounts in the runner's order.
	Mounts []Mount
	// WorkDir is the container's working directory.
	WorkDir string
	// Entrypoint is runs.post-entrypoint for the post stage, "" (the image's) for main.
	Entrypoint string
	// Hosts (name → address) are extra /etc/hosts entries (docker run --add-host), the way
	// Docker makes a job's service containers resolvable by name.
	Hosts map[string]string
}

// actionMeta is the part of action.yml the runner reads to run the step.
type actionMeta struct {
	Inputs map[string]struct {
		Default *string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Args           []string          `yaml:"args"`
		Env            map[string]string `yaml:"env"`
		PostEntrypoint string            `yaml:"post-entrypoint"`
	} `yaml:"runs"`
}

func readAction() (*actionMeta, error) {
	b, err := os.ReadFile(filepath.Join(Root(), "action.yml"))
	if err != nil {
		return nil, err
	}
	var m actionMeta
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("action.yml: %w", err)
	}
	return &m, nil
}

// expression is one ${{ … }} of a template; the runner's evaluator is far richer, but
// action.yml uses only plain context references, and anything else fails the test loudly.
var expression = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// Evaluate replaces every ${{ name.path }} in tmpl with its value from ctx (e2e/internal/
// nativeinstall evaluates native/action.yml with it too).
func Evaluate(tmpl string, ctx map[string]string) (string, error) {
	var bad error
	out := expression.ReplaceAllStringFunc(tmpl, func(m string) string {
		ref := expression.FindStringSubmatch(m)[1]
		v, ok := ctx[ref]
		if !ok && bad == nil {
			bad = fmt.Errorf("the harness cannot evaluate ${{ %s }} in %q (only plain context references are modelled)", ref, tmpl)
		}
		return v
	})
	return out, bad
}

// contexts are the runner and job context values an input default may read: host paths
// even in a job container, job.container.id only in such a job (actions/runner 258d6c8:
// src/Runner.Worker/TempDirectoryManager.cs sets runner.temp to the host's temp folder,
// JobExtension.cs runner.workspace under the host's work folder, ContainerOperationProvider.cs
// job.container.id once it started the job container).
func (w *Workspace) contexts(p Placement) map[string]string {
	ctx := map[string]string{
		"runner.temp":      w.RunnerTemp,
		"runner.workspace": w.RunnerWorkspace,
		"runner.os":        "Linux",
		"github.workspace": w.Workspace,
		"job.container.id": "",
	}
	if p == JobContainer {
		ctx["job.container.id"] = w.JobContainerID
	}
	return ctx
}

// inputs returns the step's inputs as the runner hands them to the action: every input
// action.yml declares, its default evaluated unless the workflow gave a value.
func (w *Workspace) inputs(m *actionMeta, p Placement, given map[string]string) (map[string]string, error) {
	out := map[string]string{}
	ctx := w.contexts(p)
	for name, in := range m.Inputs {
		if in.Default == nil {
			continue
		}
		v, err := Evaluate(*in.Default, ctx)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", name, err)
		}
		out[name] = v
	}
	for k, v := range given {
		out[k] = v
	}
	return out, nil
}

// mounts are the runner's volumes for a container action, in its order; the docker socket
// comes first, as in ContainerActionHandler.cs.
func (w *Workspace) mounts(p Placement) []Mount {
	ms := []Mount{{"/var/run/docker.sock", "/var/run/docker.sock"}}
	if p != OldRunner {
		ms = append(ms, Mount{w.RunnerTemp, ContainerRoot + "/runner_temp"})
	}
	return append(ms,
		Mount{w.Home, ContainerRoot + "/home"},
		Mount{filepath.Join(w.RunnerTemp, "_github_workflow"), ContainerRoot + "/workflow"},
		Mount{w.Commands, ContainerRoot + "/file_commands"},
		Mount{w.Workspace, ContainerRoot + "/workspace"},
	)
}

// translations are the path mappings TranslateToContainerPath tries, first to last: each
// AddPathTranslateMapping inserts at the front, so the order is the reverse of the calls
// (runner_temp, home, workflow, file_commands, workspace).
func (w *Workspace) translations(p Placement) []Mount {
	calls := w.mounts(p)[1:] // the docker socket is mounted, not mapped
	out := make([]Mount, 0, len(calls))
	for i := len(calls) - 1; i >= 0; i-- {
		out = append(out, calls[i])
	}
	return out
}

// translate is ContainerInfo.TranslateToContainerPath (the non-Windows branch).
func translate(v string, maps []Mount) string {
	for _, m := range maps {
		if v == m.Host {
			return m.Container
		}
		if strings.HasPrefix(v, m.Host+"/") {
			return m.Container + strings.TrimPrefix(v, m.Host)
		}
	}
	return v
}

// inputEnvName is AddInputsToEnvironment's name: INPUT_ + the name with spaces as
// underscores, upper-cased; hyphens stay.
func inputEnvName(input string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(input, " ", "_"))
}

// ContainerRun returns the runner's docker run of s (whose Workspace must be set) under its
// Placement, which must be a container placement.
func (s Step) ContainerRun() (ContainerRun, error) {
	w, p := s.Workspace, s.Placement
	if !p.InContainer() {
		return ContainerRun{}, fmt.Errorf("placement %s runs no container", p)
	}
	m, err := readAction()
	if err != nil {
		return ContainerRun{}, err
	}
	env, inputs, err := s.stepEnv(m)
	if err != nil {
		return ContainerRun{}, err
	}
	inputsCtx := map[string]string{}
	for k, v := range inputs {
		inputsCtx["inputs."+k] = v
	}
	for k, tmpl := range m.Runs.Env {
		if _, set := env[k]; set {
			continue
		}
		if env[k], err = Evaluate(tmpl, inputsCtx); err != nil {
			return ContainerRun{}, fmt.Errorf("runs.env %s: %w", k, err)
		}
	}
	env["HOME"] = w.Home
	maps := w.translations(p)
	for k, v := range env {
		env[k] = translate(v, maps)
	}
	run := ContainerRun{Env: env, Mounts: w.mounts(p), WorkDir: ContainerRoot + "/workspace"}
	for _, a := range m.Runs.Args {
		v, err := Evaluate(a, inputsCtx)
		if err != nil {
			return ContainerRun{}, fmt.Errorf("runs.args: %w", err)
		}
		run.Args = append(run.Args, v)
	}
	if s.Post {
		run.Entrypoint = m.Runs.PostEntrypoint
	}
	run.Hosts = s.Hosts
	return run, nil
}

// hostEnv is what the runner puts in every step's environment, with host values: the
// GITHUB_* and RUNNER_* variables and the file-command paths of this step.
func (w *Workspace) hostEnv() map[string]string {
	return map[string]string{
		"PATH":                "/usr/local/bin:/usr/bin:/bin",
		"RUNNER_TEMP":         w.RunnerTemp,
		"RUNNER_WORKSPACE":    w.RunnerWorkspace,
		"RUNNER_OS":           "Linux",
		"RUNNER_ARCH":         "X64",
		"GITHUB_ACTIONS":      "true",
		"CI":                  "true",
		"GITHUB_REPOSITORY":   "octo-org/octo-repo",
		"GITHUB_WORKSPACE":    w.Workspace,
		"GITHUB_ENV":          w.EnvFile,
		"GITHUB_OUTPUT":       w.OutputFile,
		"GITHUB_STATE":        w.StateFile,
		"GITHUB_STEP_SUMMARY": w.SummaryFile,
	}
}

// RunnerEnv is a copy of what the runner puts in every step's environment (hostEnv), for
// tests that start a step other than the binary: a composite's shell step, a node action.
func (w *Workspace) RunnerEnv() map[string]string { return w.hostEnv() }

// newJobContainerID is a docker-like container id for a JobContainer workspace.
func newJobContainerID() string { return fakeid.Hex(32) }

// inNamespace runs bin as the container would, without an engine: a new mount namespace with a
// tmpfs on /github holding the runner's bind mounts, the working directory /github/workspace,
// exactly run.Env, and run.Args. The post entrypoint is a link named like the image's, so the
// binary sees the name it sees in the image. The shell only mounts; env(1) then sets the
// variables, since a shell would drop names with hyphens such as INPUT_AWS-ROLE-ARN.
//
// With run.Hosts, a hosts file written under dir is bind-mounted over /etc/hosts inside the
// namespace, as Docker gives a container its own: a service's name then resolves to a loopback
// emulator without touching the machine's /etc/hosts.
func inNamespace(bin string, run ContainerRun, dir string) (string, []string, map[string]string, error) {
	// The mount point must exist on the host; it stays empty there.
	if err := os.MkdirAll(ContainerRoot, 0o755); err != nil {
		return "", nil, nil, err
	}
	script := "set -e; mount -t tmpfs tmpfs " + ContainerRoot + "; "
	for _, m := range run.Mounts {
		if !strings.HasPrefix(m.Container, ContainerRoot+"/") {
			continue // the docker socket: nothing here uses it
		}
		script += "mkdir -p '" + m.Container + "'; mount --bind '" + m.Host + "' '" + m.Container + "'; "
	}
	if len(run.Hosts) > 0 {
		hosts := filepath.Join(dir, "etc-hosts")
		lines := "127.0.0.1 localhost\n::1 localhost\n"
		for _, n := range slices.Sorted(maps.Keys(run.Hosts)) {
			lines += run.Hosts[n] + " " + n + "\n"
		}
		if err := os.WriteFile(hosts, []byte(lines), 0o644); err != nil {
			return "", nil, nil, err
		}
		script += "mount --bind '" + hosts + "' /etc/hosts; "
	}
	script += "cd '" + run.WorkDir + "'; exec \"$@\""
	exe := bin
	if run.Entrypoint != "" {
		exe = filepath.Join(filepath.Dir(bin), filepath.Base(run.Entrypoint))
		if err := os.Symlink(filepath.Base(bin), exe); err != nil && !os.IsExist(err) {
			return "", nil, nil, err
		}
	}
	cmdArgs := []string{"--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh", "env", "-i"}
	cmdArgs = append(cmdArgs, envList(run.Env)...)
	cmdArgs = append(cmdArgs, exe)
	cmdArgs = append(cmdArgs, run.Args...)
	// The outer process needs only a PATH to find unshare, mount and env.
	return "unshare", cmdArgs, map[string]string{"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, nil
}

// stepEnv is the step's environment before any translation: the runner's variables with host
// values, INPUT_* for every input (defaults evaluated), the ID-token and STATE_* variables, and
// the test's own; it also returns the inputs, for the expressions of runs.args and runs.env.
func (s Step) stepEnv(m *actionMeta) (map[string]string, map[string]string, error) {
	inputs, err := s.Workspace.inputs(m, s.Placement, s.Inputs)
	if err != nil {
		return nil, nil, err
	}
	env := s.Workspace.hostEnv()
	for k, v := range inputs {
		env[inputEnvName(k)] = v
	}
	for k, v := range s.IDToken {
		env[k] = v
	}
	for k, v := range s.State {
		env["STATE_"+k] = v
	}
	for k, v := range s.Env {
		env[k] = v
	}
	return env, inputs, nil
}
