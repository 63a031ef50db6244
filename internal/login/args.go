package login

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/oidc-login/oidc-login/internal/runner"
)

// Argument flags action.yml passes in runs.args. The runner evaluates runs.args but, unlike
// every environment value, does not translate them to container paths
// (ContainerActionHandler.cs at actions/runner 258d6c8), so they carry the runner's own paths.
const (
	ArgRunnerTemp      = "--runner-temp"
	ArgRunnerWorkspace = "--runner-workspace"
	ArgJobContainerID  = "--job-container-id"
)

// Invocation is what the command line asks for.
type Invocation struct {
	// Post runs the post stage: the image starts it as /oidc-login-post (a link to the binary,
	// action.yml's post-entrypoint), or a local run passes "post" first.
	Post bool
	Host runner.HostPaths
	// DockerAction is true when action.yml's runs.args are on the command line: the runner
	// passes them only to the Docker action, whatever the job's placement. The native launchers
	// (native/run.sh, native/run.ps1) pass nothing, or "post"; HOME cannot tell the two apart,
	// since a composite's steps in a job container get HOME=/github/home too
	// (ContainerOperationProvider.cs at actions/runner 258d6c8).
	DockerAction bool
}

// ParseArgs reads the command line (argv0 is the program's name as started).
func ParseArgs(argv0 string, args []string) (Invocation, error) {
	inv := Invocation{Post: strings.HasSuffix(filepath.Base(argv0), "-post")}
	if len(args) > 0 && args[0] == "post" {
		inv.Post, args = true, args[1:]
	}
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		var dst *string
		switch name {
		case ArgRunnerTemp:
			dst = &inv.Host.Temp
		case ArgRunnerWorkspace:
			dst = &inv.Host.Workspace
		case ArgJobContainerID:
			dst = &inv.Host.JobContainerID
		}
		if dst == nil || !ok {
			return inv, fmt.Errorf("unknown argument %q: the action takes its settings as inputs (with:), and action.yml passes only %s=, %s= and %s=", a, ArgRunnerTemp, ArgRunnerWorkspace, ArgJobContainerID)
		}
		*dst = value
		inv.DockerAction = true
	}
	return inv, nil
}
