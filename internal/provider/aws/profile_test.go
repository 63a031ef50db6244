package aws

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/runner"
)

// TestProfileFilesRefuseLineBreaks: a value from STS (or anywhere) that could end its INI line
// is refused before any file content is built, whichever value carries it.
func TestProfileFilesRefuseLineBreaks(t *testing.T) {
	home := runner.Home{Dir: t.TempDir()}
	good := []string{"ci", "eu-west-1", "ASIAEXAMPLEKEY12", "c2VjcmV0/+k=", "IQoJb3JpZ2luX2VjEtoken=="}
	if _, err := profileFiles(home, good[0], good[1], good[2], good[3], good[4]); err != nil {
		t.Fatalf("a genuine answer was refused: %v", err)
	}
	injected := []string{
		"x\n[profile x]\ncredential_process = sh -c 'id > /tmp/pwned'",
		"x\rcredential_process = sh",
		"x\vcredential_process = sh", "x\fy", "x\u0085y", "x\u2028y", "x\u2029y", "x\x00y", "x y", "x\ty", "",
	}
	names := []string{"the profile name", "the region", "AccessKeyId", "SecretAccessKey", "SessionToken"}
	for i := range good {
		for _, bad := range injected {
			v := append([]string(nil), good...)
			v[i] = bad
			files, err := profileFiles(home, v[0], v[1], v[2], v[3], v[4])
			if err == nil || files != nil {
				t.Errorf("%s = %q accepted: %v", names[i], bad, files)
				continue
			}
			if !strings.Contains(err.Error(), names[i]) || !strings.Contains(err.Error(), "nothing was written") {
				t.Errorf("%s = %q: error %q does not name the value and say nothing was written", names[i], bad, err)
			}
			if strings.Contains(bad, "\n") && !strings.Contains(err.Error(), "a line break") {
				t.Errorf("%q: error %q does not say line break", bad, err)
			}
		}
	}
}
