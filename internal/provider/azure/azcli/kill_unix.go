//go:build !windows

package azcli

import (
	"os/exec"
	"syscall"
)

// killGroup starts az in a process group of its own and kills the whole group on
// cancellation, so the Python that a shell-script az starts dies with it.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
