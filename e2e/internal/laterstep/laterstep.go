// Package laterstep runs a step that comes after the action in the same job, where the runner
// would run it: on the host as the runner's user, or, in a job with a job container, inside
// that container, which sees the runner's work folder at /__w (ContainerInfo.cs at
// actions/runner 258d6c8). What the action exported must work there, by exactly those paths.
package laterstep

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// Command returns cmd run as a later step under placement p, with exactly env (plus a PATH).
// On the host it runs as the runner's user (uid 1001), so a file it can read is one the action
// really handed over; name must then be reachable by that user (the consume program is).
func Command(w *harness.Workspace, p harness.Placement, env map[string]string, name string, args ...string) *exec.Cmd {
	return command(w, p, env, true, name, args...)
}

// CommandAsRoot is Command for tools installed where the runner's user cannot reach them here
// (the AWS CLI lives under /root/.pyenv); the file checks of the test then stand in for the
// user's view.
func CommandAsRoot(w *harness.Workspace, p harness.Placement, env map[string]string, name string, args ...string) *exec.Cmd {
	return command(w, p, env, false, name, args...)
}

func command(w *harness.Workspace, p harness.Placement, env map[string]string, asRunner bool, name string, args ...string) *exec.Cmd {
	vars := map[string]string{"PATH": os.Getenv("PATH")}
	for k, v := range env {
		vars[k] = v
	}
	list := make([]string, 0, len(vars))
	for k, v := range vars {
		list = append(list, k+"="+v)
	}
	sort.Strings(list)
	if p != harness.JobContainer {
		cmd := exec.Command(name, args...)
		cmd.Env = list
		cmd.Dir = w.Workspace
		if asRunner {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: harness.RunnerUID, Gid: harness.RunnerUID}}
		}
		return cmd
	}
	// A job container runs its steps as root (the image's user) with the work folder at /__w.
	// The mount point is made on the host once and stays empty there.
	_ = os.MkdirAll(harness.JobContainerWork, 0o755)
	script := "set -e; mount --bind '" + w.Work + "' " + harness.JobContainerWork + "; cd '" + w.LaterPath(p, w.Workspace) + "'; exec \"$@\""
	full := []string{"--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh", "env", "-i"}
	full = append(full, list...)
	full = append(full, name)
	full = append(full, args...)
	cmd := exec.Command("unshare", full...)
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	return cmd
}

var (
	buildOnce sync.Once
	consumer  string
	buildErr  error
)

// Consumer builds the consume program (./consume) once per test process and returns its path,
// in a folder the runner's user can reach. Remove it with RemoveConsumer.
func Consumer() (string, error) {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "oidc-login-consume-")
		if err == nil {
			err = os.Chmod(dir, 0o755)
		}
		if err != nil {
			buildErr = err
			return
		}
		consumer = filepath.Join(dir, "consume")
		cmd := exec.Command("go", "build", "-o", consumer, "./e2e/internal/laterstep/consume")
		cmd.Dir = harness.Root()
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building the consume program: %v\n%s", err, out)
		}
	})
	return consumer, buildErr
}

// RemoveConsumer deletes what Consumer built.
func RemoveConsumer() {
	if consumer != "" {
		_ = os.RemoveAll(filepath.Dir(consumer))
	}
}
