// Package act_test runs the action under nektos/act, a second, independent implementation of
// the GitHub runner that many users run on their own machine: a real workflow with `uses: ./`,
// the action's image and a busybox job image built locally, and the e2e emulators on loopback
// (the job container shares the host's network). It checks what works there (environment
// credentials used by a real consumer in a later step, outputs, masks, the post step) and that
// what cannot work under act fails the way docs/act.md says.
//
// act's model, read at nektos/act bd86152 and seen by running it (v0.2.89):
//   - pkg/runner/action.go newStepContainer and pkg/runner/step_docker.go: a container action
//     gets RUNNER_TEMP=/tmp, and pkg/container/linux_container_environment_extensions.go
//     GetRunnerContext makes ${{ runner.temp }} /tmp as well: the action container's own /tmp.
//   - pkg/runner/run_context.go GetBindsAndMounts: the action container shares only the docker
//     socket, the job's act folder (/var/run/act, act's file commands and scripts), the tool
//     cache and the work folder with the job container. There is no /github/home, HOME is the
//     image's, and nothing under /tmp reaches a later step.
//   - pkg/runner/run_context.go: every step's environment has ACT=true.
//   - pkg/runner/action.go runPostStep: a docker action's post stage is started without
//     populateEnvsFromSavedState (the node branch has it), so it gets no STATE_* variables.
//   - pkg/runner/step_action_remote.go: actions/checkout of the repository itself is not
//     fetched; act copies the local folder, so the workflow runs offline.
//   - With -P <platform>=-self-hosted, a container action still runs in a container, on the
//     default network, handed the host's file-command paths (pkg/runner/step.go), which
//     pkg/runner/run_context.go GetBindsAndMounts mounts elsewhere (/var/run/act).
//   - act's --json log keeps each command's own text (arg, raw) in clear, masks included.
package act_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/dockerimage"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
)

func TestMain(m *testing.M) {
	harness.Main(m, dockerimage.Remove, removeJobImage, moto.StopShared)
}
