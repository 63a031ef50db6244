package azcli

import "os/exec"

// killGroup keeps exec's own cancellation on Windows (TerminateProcess of az.cmd's process);
// WaitDelay then stops waiting for its output.
func killGroup(*exec.Cmd) {}
