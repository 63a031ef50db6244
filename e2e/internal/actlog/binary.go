package actlog

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Version is the nektos/act release e2e/act and e2e/native model (its source read at bd86152);
// .ci/setup act installs it.
const Version = "0.2.89"

// Binary finds act on the PATH or where `go install` puts it, and checks it is Version. Outside
// CI a machine without act skips the test; with CI=true it must run, so a missing act fails.
func Binary(t *testing.T) string {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (CI=true: .ci/setup act installs it)", msg)
		}
		t.Skipf("%s, so the act workflow is NOT tested (.ci/setup act installs it)", msg)
	}
	bin, err := exec.LookPath("act")
	if err != nil {
		gopath, gerr := exec.Command("go", "env", "GOPATH").Output()
		cand := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "act")
		if _, serr := os.Stat(cand); gerr != nil || serr != nil {
			missing("act is not installed (go install github.com/nektos/act@v%s)", Version)
		}
		bin = cand
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", bin, err)
	}
	if got := strings.TrimSpace(string(out)); got != "act version "+Version {
		t.Fatalf("%s is %q; these tests model act %s (.ci/setup act installs it)", bin, got, Version)
	}
	return bin
}
