package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestScenarioStopsOnSignal runs `go run ./e2e/playground aws` as a user does (the launcher,
// compiled, in the repository) and, once the playground says it built the action (moto_server
// is starting next), interrupts it: SIGINT or SIGTERM to the launcher alone, a terminal's
// Ctrl-C (SIGINT to the whole process group), or a reader that goes away (`| head -1`, SIGPIPE
// on its next write). The playground stops, says it was interrupted, exit status 1, and leaves
// nothing in the temporary folder.
func TestScenarioStopsOnSignal(t *testing.T) {
	t.Parallel()
	launcher := buildLauncher(t)
	for _, tc := range append(interruptions, interruption{name: "broken pipe"}) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := startLauncher(t, launcher, "aws")
			l.until(t, 3*time.Minute, func(string) bool { return true })
			if first := l.printed[0]; !strings.HasPrefix(first, "Building the action with the Dockerfile's flags… built in ") {
				t.Fatalf("the playground's first line is %q\n%s", first, l.output())
			}
			l.interrupt(t, tc)
			err := l.wait(t, time.Minute)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(l.output(), "playground: interrupted (") {
				t.Errorf("the interrupted playground ended with %v, want exit status 1 saying it was interrupted:\n%s", err, l.output())
			}
			l.noTmpLeft(t, tc.name)
		})
	}
}
