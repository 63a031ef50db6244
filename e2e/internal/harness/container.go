package harness

import (
	"os"
	"path/filepath"
	"strings"
)

// ContainerRoot is where the runner mounts its folders inside a container action.
const ContainerRoot = "/github"

// containerize runs bin the way the runner's `docker run` would, without an engine: in a new
// mount namespace, a tmpfs on /github with the runner's bind mounts (home, workflow, file
// commands, workspace), HOME=/github/home, and every variable that starts with a mounted host
// path rewritten to the container path (RUNNER_TEMP is not under a mount and keeps its host
// value). The shell only mounts; env(1) then sets the variables, since a shell would drop
// names with hyphens such as INPUT_AWS-ROLE-ARN.
//
// A non-empty hostsFile is bind-mounted over /etc/hosts, the way Docker gives a job container
// its own hosts file: names the step resolves (a job's service containers) then point at
// loopback emulators without touching the machine's /etc/hosts.
func containerize(w *Workspace, bin string, args []string, env map[string]string, hostsFile string) (string, []string, map[string]string) {
	mounts := map[string]string{
		filepath.Join(w.RunnerTemp, "_github_home"):          ContainerRoot + "/home",
		filepath.Join(w.RunnerTemp, "_github_workflow"):      ContainerRoot + "/workflow",
		filepath.Join(w.RunnerTemp, "_runner_file_commands"): ContainerRoot + "/file_commands",
		w.Workspace: ContainerRoot + "/workspace",
	}
	// The mount point must exist on the host; it stays empty there.
	_ = os.MkdirAll(ContainerRoot, 0o755)
	script := "set -e; mount -t tmpfs tmpfs " + ContainerRoot + "; "
	for host, ctr := range mounts {
		script += "mkdir -p " + ctr + "; mount --bind '" + host + "' " + ctr + "; "
	}
	if hostsFile != "" {
		script += "mount --bind '" + hostsFile + "' /etc/hosts; "
	}
	script += "cd " + ContainerRoot + "/workspace; exec \"$@\""
	inner := map[string]string{}
	for k, v := range env {
		for host, ctr := range mounts {
			if v == host || strings.HasPrefix(v, host+"/") {
				v = ctr + strings.TrimPrefix(v, host)
				break
			}
		}
		inner[k] = v
	}
	inner["HOME"] = ContainerRoot + "/home"
	inner["RUNNER_TEMP"] = w.RunnerTemp
	cmdArgs := []string{"--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh", "env", "-i"}
	cmdArgs = append(cmdArgs, envList(inner)...)
	cmdArgs = append(cmdArgs, bin)
	cmdArgs = append(cmdArgs, args...)
	// The outer process needs only a PATH to find unshare, mount and env.
	return "unshare", cmdArgs, map[string]string{"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
}
