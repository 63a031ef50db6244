// Package harness runs the compiled action the way the GitHub runner runs a container
// action's entrypoint: INPUT_* variables (hyphens kept, action.yml defaults filled in), temp
// files for the file commands, a RUNNER_TEMP with the home mount owned by the runner's user,
// and the ID-token variables only when the job "has" id-token: write. It then reads back what
// the step wrote and checks that nothing it printed leaks a secret.
package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
)

// RunnerUID is the user later steps run as on GitHub-hosted runners; the home mount belongs
// to it, and so must every file the action leaves there.
const RunnerUID = 1001

// RunTimeout bounds one run of the binary.
const RunTimeout = 3 * time.Minute

// Root is the repository root (where action.yml is).
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// LDFlags and BuildFlags are the Dockerfile's: a static, stripped, reproducible binary.
var BuildFlags = []string{"build", "-trimpath", "-ldflags=-s -w -buildid=", "-o"}

// RaceEnv, set to 1, builds the binary under test with the race detector (cgo, dynamic, several
// times slower and larger), so the e2e suites look for data races in the action itself; a race
// makes the binary exit 66 and print the report, which fails the test that ran it. The size,
// memory and image tests do not hold for such a binary: run the provider and multi packages.
const RaceEnv = "OIDC_LOGIN_RACE"

// RemoveBinary deletes the binary Binary built, if any. Each test process builds its own (8 MB),
// so without this every run would leave one per package behind in the temp dir.
func RemoveBinary() {
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
}

// Binary builds the action once per test process, with the Dockerfile's flags, and returns
// its path.
func Binary() (string, error) {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "oidc-login-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "oidc-login")
		args, cgo := slices.Clone(BuildFlags), "CGO_ENABLED=0"
		if os.Getenv(RaceEnv) == "1" {
			args, cgo = slices.Insert(args, 1, "-race"), "CGO_ENABLED=1" // after "build"
		}
		cmd := exec.Command("go", append(args, binPath, ".")...)
		cmd.Dir = Root()
		cmd.Env = append(os.Environ(), cgo)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	return binPath, buildErr
}

// Defaults returns the default of every input action.yml declares, as the runner fills them.
func Defaults() (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(Root(), "action.yml"))
	if err != nil {
		return nil, err
	}
	var meta struct {
		Inputs map[string]struct {
			Default *string `yaml:"default"`
		} `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(b, &meta); err != nil {
		return nil, fmt.Errorf("action.yml: %w", err)
	}
	out := map[string]string{}
	for name, in := range meta.Inputs {
		if in.Default != nil {
			out[name] = *in.Default
		}
	}
	return out, nil
}

// Workspace is one job's runner folders, laid out as on a hosted runner: the work folder, the
// temp folder inside it, and the checkout two levels down (runner.workspace is its parent).
// Reuse it for a second step or the post step.
type Workspace struct {
	Root string
	// Work is the runner's work folder (a job container sees it at /__w).
	Work       string
	RunnerTemp string
	// RunnerWorkspace is ${{ runner.workspace }}; Workspace is GITHUB_WORKSPACE.
	RunnerWorkspace string
	// Home is the home mount on the host ($RUNNER_TEMP/_github_home).
	Home                                        string
	Commands                                    string
	Workspace                                   string
	EnvFile, OutputFile, StateFile, SummaryFile string
	// JobContainerID is ${{ job.container.id }} when the job runs in a job container.
	JobContainerID string
}

// NewWorkspace lays out a job's folders in a test's temp dir.
func NewWorkspace(t testing.TB) *Workspace {
	t.Helper()
	root := t.TempDir()
	// t.TempDir's own parent is 0700 too; later steps run as the runner's user and must be
	// able to reach the workspace, as on a runner.
	if err := os.Chmod(filepath.Dir(root), 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := MakeWorkspace(root)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// MakeWorkspace lays out a job's folders under root the way the runner does: the home mount
// owned by the runner's user, and empty file-command files.
func MakeWorkspace(root string) (*Workspace, error) {
	// A test's temp dir is 0700 root; the runner's user must be able to reach its files.
	if err := os.Chmod(root, 0o755); err != nil {
		return nil, err
	}
	work := filepath.Join(root, "work")
	w := &Workspace{Root: root, Work: work, RunnerTemp: filepath.Join(work, "_temp"),
		RunnerWorkspace: filepath.Join(work, "octo-repo"), JobContainerID: newJobContainerID()}
	w.Workspace = filepath.Join(w.RunnerWorkspace, "octo-repo")
	w.Home = filepath.Join(w.RunnerTemp, "_github_home")
	w.Commands = filepath.Join(w.RunnerTemp, "_runner_file_commands")
	for _, d := range []string{w.RunnerTemp, w.Home, w.Commands, w.Workspace, filepath.Join(w.RunnerTemp, "_github_workflow")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	// Only root can hand the mount to the runner's user (the e2e tests run as root and check
	// it); a newcomer's playground run as themselves keeps it.
	if os.Geteuid() == 0 {
		if err := os.Chown(w.Home, RunnerUID, RunnerUID); err != nil {
			return nil, err
		}
	}
	return w, w.NewStep()
}

// LaterPath is where a step after the action finds the file at hostPath: the same path on the
// host, or under /__w in a job container.
func (w *Workspace) LaterPath(p Placement, hostPath string) string {
	if p != JobContainer {
		return hostPath
	}
	rel, err := filepath.Rel(w.Work, hostPath)
	if err != nil || !filepath.IsLocal(rel) {
		return hostPath
	}
	return filepath.Join(JobContainerWork, rel)
}

// NewStep gives the next step fresh file-command files, as the runner does per step.
func (w *Workspace) NewStep() error {
	id := fakeid.Hex(8)
	w.EnvFile = filepath.Join(w.Commands, "set_env_"+id)
	w.OutputFile = filepath.Join(w.Commands, "set_output_"+id)
	w.StateFile = filepath.Join(w.Commands, "save_state_"+id)
	w.SummaryFile = filepath.Join(w.Commands, "step_summary_"+id)
	for _, f := range []string{w.EnvFile, w.OutputFile, w.StateFile, w.SummaryFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Step is one invocation.
type Step struct {
	Inputs map[string]string
	// Env adds variables (SSL_CERT_FILE, NO_PROXY, …).
	Env map[string]string
	// IDToken is ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN; nil means the job lacks id-token: write.
	IDToken map[string]string
	// Post runs the post stage with State as STATE_* variables.
	Post  bool
	State map[string]string
	// Workspace to run in (a new one when nil).
	Workspace *Workspace
	// Placement is where the step runs: by default as a container action on today's runner,
	// in a mount namespace with the runner's mounts, environment translation and runs.args
	// (container.go); NoContainer runs the binary on the host.
	Placement Placement
	// MeasureRSS runs the binary under GNU time(1), which forks it from its own small process,
	// so that Run.MaxRSSKiB is the binary's own peak.
	MeasureRSS bool
	// Hosts (name → address) are the container's /etc/hosts entries, as Docker writes them for
	// a job's service containers (and docker run --add-host); container placements only.
	Hosts map[string]string
}

// Run is what one invocation did.
type Run struct {
	Exit           int
	Stdout, Stderr string
	Env            map[string]string
	Outputs        map[string]string
	State          map[string]string
	EnvRaw         string
	OutputRaw      string
	StateRaw       string
	Summary        string
	Workspace      *Workspace
	Duration       time.Duration
	// MaxRSSKiB is the child's peak resident memory when the step asked for MeasureRSS. Without
	// it this is only an upper bound: Go starts children with vfork, and Linux carries the
	// parent's high-water mark into the child's rusage across exec, so it also counts the test
	// process's own peak.
	MaxRSSKiB int64
}

// Exec runs the binary for step in a test.
func Exec(t testing.TB, s Step) *Run {
	t.Helper()
	if s.Workspace == nil {
		s.Workspace = NewWorkspace(t)
	}
	r, err := Execute(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Execute runs the binary for step (whose Workspace must be set).
func Execute(s Step) (*Run, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	w := s.Workspace
	var name string
	var args []string
	var env map[string]string
	if s.Placement.InContainer() {
		run, err := s.ContainerRun()
		if err != nil {
			return nil, err
		}
		if name, args, env, err = inNamespace(bin, run, w.Root); err != nil {
			return nil, err
		}
	} else {
		if len(s.Hosts) > 0 {
			return nil, errors.New("harness: Step.Hosts needs a container placement (the hosts file is mounted in the container's namespace)")
		}
		// On the host the runner evaluates the same input defaults, and nothing is translated.
		m, err := readAction()
		if err != nil {
			return nil, err
		}
		name = bin
		if env, _, err = s.stepEnv(m); err != nil {
			return nil, err
		}
		if _, set := s.Env["HOME"]; !set {
			env["HOME"] = filepath.Join(w.Root, "user-home")
		}
		if s.Post {
			args = []string{"post"}
		}
	}
	var rssFile string
	if s.MeasureRSS {
		f, err := os.CreateTemp("", "oidc-login-rss-")
		if err != nil {
			return nil, err
		}
		rssFile = f.Name()
		f.Close()
		defer os.Remove(rssFile)
		args = append([]string{"--quiet", "--format=%M", "--output=" + rssFile, name}, args...)
		name = "/usr/bin/time"
	}
	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = w.Workspace
	cmd.Env = envList(env)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	r := &Run{Stdout: stdout.String(), Stderr: stderr.String(), Workspace: w, Duration: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.Exit = ee.ExitCode()
	default:
		return nil, fmt.Errorf("running %s: %v", name, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSSKiB = ru.Maxrss
	}
	if rssFile != "" {
		b, err := os.ReadFile(rssFile)
		if err != nil {
			return nil, err
		}
		if r.MaxRSSKiB, err = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err != nil {
			return nil, fmt.Errorf("GNU time reported %q, not a peak RSS in KiB", b)
		}
	}
	for _, f := range []struct {
		path string
		raw  *string
		m    *map[string]string
	}{{w.EnvFile, &r.EnvRaw, &r.Env}, {w.OutputFile, &r.OutputRaw, &r.Outputs}, {w.StateFile, &r.StateRaw, &r.State}} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return nil, err
		}
		*f.raw = string(b)
		if *f.m, err = ParseFileCommands(string(b)); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Base(f.path), err)
		}
	}
	b, _ := os.ReadFile(w.SummaryFile)
	r.Summary = string(b)
	if err := r.leaks(leak.All()); err != nil {
		return nil, err
	}
	return r, nil
}

func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// ParseFileCommands reads a GITHUB_ENV/GITHUB_OUTPUT/GITHUB_STATE file the way the runner
// does: NAME=value lines and NAME<<DELIM heredocs; a later value wins.
func ParseFileCommands(text string) (map[string]string, error) {
	out := map[string]string{}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			j := i + 1
			for ; j < len(lines) && lines[j] != delim; j++ {
				val = append(val, lines[j])
			}
			if j == len(lines) {
				return nil, fmt.Errorf("heredoc for %s has no closing %s", name, delim)
			}
			out[name] = strings.Join(val, "\n")
			i = j
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d is neither NAME=value nor NAME<<DELIM: %q", i+1, line)
		}
		out[name] = val
	}
	return out, nil
}
