package runner

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Where the runner puts things, read from actions/runner at commit 258d6c8:
// src/Runner.Worker/Handlers/ContainerActionHandler.cs mounts $RUNNER_TEMP at
// /github/runner_temp and $RUNNER_TEMP/_github_home at /github/home, sets HOME to the latter,
// and passes every environment value through ContainerInfo.TranslateToContainerPath; a job
// container (ContainerInfo's default mapping) sees the runner's work folder at /__w.
const (
	// ContainerHome is where a container action sees the home mount, and what HOME is there.
	ContainerHome = "/github/home"
	// containerRoot holds every folder the runner mounts into a container action; a path under
	// it is a container path, never a host one.
	containerRoot = "/github"
	// JobContainerWork is where a job container (`container:` in the workflow) sees the
	// runner's work folder, and so where the later steps of such a job look for our files.
	JobContainerWork = "/__w"
)

// hostHomeName is the home mount's folder under the runner's temp folder.
const hostHomeName = "_github_home"

// HostPaths are the runner's paths as its own contexts give them. The runner translates every
// environment value of a container action to the container's paths (so RUNNER_TEMP reads
// /github/runner_temp there), but not the action's arguments: action.yml passes these, from
// input defaults that read ${{ runner.temp }}, ${{ runner.workspace }} and
// ${{ job.container.id }}, as runs.args. Empty when the binary was started some other way.
type HostPaths struct {
	// Temp is ${{ runner.temp }}: the host's temp folder, even in a job container.
	Temp string
	// Workspace is ${{ runner.workspace }}; its parent is the runner's work folder.
	Workspace string
	// JobContainerID is ${{ job.container.id }}, set only when the job runs in a container.
	JobContainerID string
}

// Home is the runner's home mount: files written here outlive the container and are readable
// by later steps.
type Home struct {
	// Dir is where this process writes (the container path inside a container).
	Dir string
	// HostDir is the same folder as later steps see it: on the host, or in the job container.
	HostDir string
	// unshared, when set, is why no file written here can reach a later step (nektos/act):
	// WriteSecret refuses with it, and everything that writes no file still works.
	unshared error
}

// actEnv is set to "true" in every step's environment by nektos/act, the local runner
// (pkg/runner/run_context.go at nektos/act bd86152).
const actEnv = "ACT"

// ErrNoSharedFolder says why act cannot take a file to later steps. act starts a container action
// with RUNNER_TEMP=/tmp and ${{ runner.temp }}=/tmp (pkg/runner/action.go newStepContainer,
// pkg/container/linux_container_environment_extensions.go GetRunnerContext), which is the
// action container's own /tmp, and shares with the job container only the work folder, the
// tool cache and act's own /var/run/act (pkg/runner/run_context.go GetBindsAndMounts): a path
// exported from here would point nowhere in the steps after it. What a provider can do
// instead is its own (provider.Spec.Act); package login adds it.
var ErrNoSharedFolder = errors.New("nektos/act (ACT=true) runs this container action with RUNNER_TEMP=/tmp, its own /tmp, and shares no folder for files with the later steps, so the path would point nowhere there")

// DetectHome finds the home mount, and the path later steps will see it at, in each place the
// binary can run:
//   - a container action on today's runner: HOME=/github/home and RUNNER_TEMP=/github/runner_temp
//     (both translated), so the host path comes only from the arguments (host.Temp);
//   - a container action on a runner older than actions/runner PR #4011: RUNNER_TEMP still holds
//     the host path, which serves when the arguments are missing;
//   - either of those in a job with a job container: later steps see the temp folder under /__w;
//   - outside any container (a composite step, a local run): the process sees what later steps
//     see, $RUNNER_TEMP/_github_home;
//   - under nektos/act (ACT=true): no folder reaches later steps, so the Home refuses to write
//     files (ErrNoSharedFolder) while environment credentials still work.
//
// Where no trustworthy source of the host path exists it fails, rather than export a path that
// points nowhere.
func DetectHome(getenv func(string) string, host HostPaths) (Home, error) {
	home, temp := getenv("HOME"), getenv("RUNNER_TEMP")
	if getenv(actEnv) == "true" && home != ContainerHome {
		// act never sets HOME=/github/home; with it, the runner's layout below holds.
		if temp == "" {
			temp = "/tmp"
		}
		d := filepath.Join(temp, hostHomeName)
		return Home{Dir: d, HostDir: d, unshared: ErrNoSharedFolder}, nil
	}
	if home != ContainerHome {
		switch {
		case temp != "":
			d := filepath.Join(temp, hostHomeName)
			return Home{Dir: d, HostDir: d}, nil
		case home != "":
			return Home{Dir: home, HostDir: home}, nil
		}
		return Home{}, errors.New("neither RUNNER_TEMP nor HOME is set, so there is nowhere to write files for later steps")
	}
	later, err := laterStepsTemp(temp, host)
	if err != nil {
		return Home{}, err
	}
	return Home{Dir: ContainerHome, HostDir: path.Join(later, hostHomeName)}, nil
}

// laterStepsTemp is the runner's temp folder as the steps after this container action see it.
func laterStepsTemp(envTemp string, host HostPaths) (string, error) {
	hostTemp := host.Temp
	switch {
	case hostTemp != "":
		if err := checkHostPath("runner.temp", hostTemp); err != nil {
			return "", err
		}
	case envTemp != "" && checkHostPath("RUNNER_TEMP", envTemp) == nil:
		// A runner from before the translation of every variable: RUNNER_TEMP is the host's.
		hostTemp = envTemp
	default:
		return "", fmt.Errorf("the runner gave this container RUNNER_TEMP=%q, a path inside the container, and no host path in the action's arguments, so the path later steps would read files at is unknown; "+
			"run the action through its action.yml (uses: oidc-login/oidc-login@v1), which passes ${{ runner.temp }} in runs.args, or use a provider setting that writes no file", envTemp)
	}
	hostTemp = path.Clean(hostTemp)
	if host.JobContainerID == "" {
		return hostTemp, nil
	}
	// A job container mounts the runner's work folder, the parent of runner.workspace, at /__w;
	// the temp folder is visible there only if it sits inside the work folder.
	if err := checkHostPath("runner.workspace", host.Workspace); err != nil {
		return "", fmt.Errorf("the job runs in a container (job.container.id is set), but %w, so the path its steps see is unknown", err)
	}
	work := path.Dir(path.Clean(host.Workspace))
	rel, ok := strings.CutPrefix(hostTemp, work+"/")
	if !ok || rel == "" {
		return "", fmt.Errorf("the job runs in a container, which sees only the runner's work folder %s (at %s), but the runner's temp folder %s is outside it, so later steps could not read files there", work, JobContainerWork, hostTemp)
	}
	return path.Join(JobContainerWork, rel), nil
}

// checkHostPath accepts an absolute, printable path that is not one of the container's own.
func checkHostPath(name, p string) error {
	switch {
	case p == "":
		return fmt.Errorf("%s is empty", name)
	case !strings.HasPrefix(p, "/"):
		return fmt.Errorf("%s %q is not an absolute path", name, p)
	case strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("%s holds a control character", name)
	case p == containerRoot || strings.HasPrefix(p, containerRoot+"/"):
		return fmt.Errorf("%s %q is a path inside the container, not the runner's", name, p)
	}
	return nil
}

// OnJobNetwork reports whether this process runs in a container the runner started on the
// job's Docker network, where the job's service containers answer to their names: the Docker
// action, or a step of a job container. The runner sets HOME=/github/home in both and nowhere
// else (actions/runner 258d6c8: Handlers/ContainerActionHandler.cs, ContainerOperationProvider.cs
// for the job container). nektos/act never sets that HOME (ErrNoSharedFolder says where it puts
// things), but starts a Docker action, which has no stage input, in a container of its own.
func OnJobNetwork(getenv func(string) string) bool {
	if getenv("HOME") == ContainerHome {
		return true
	}
	return getenv(actEnv) == "true" && getenv("INPUT_STAGE") == ""
}

// Path is where this process reads and writes rel.
func (h Home) Path(rel string) string { return filepath.Join(h.Dir, rel) }

// HostPath is the path later steps use for rel. Outside a container it is this machine's own
// path (a Windows one on Windows); a container's later steps run on Linux.
func (h Home) HostPath(rel string) string {
	if h.HostDir == h.Dir {
		return filepath.Join(h.HostDir, rel)
	}
	return path.Join(h.HostDir, filepath.ToSlash(rel))
}
