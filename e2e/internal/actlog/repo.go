package actlog

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Commit makes dir a git repository on main holding files (path in the repository -> text,
// written with mode) in one commit, as a user's checkout is when they run act in it: `act push`
// reads the event's commit from it, and the actions/checkout act emulates copies its tree.
// Git's global and system configuration are ignored, so the machine's cannot change the commit.
func Commit(t testing.TB, dir string, files map[string]string, mode os.FileMode, message string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=octocat", "-c", "user.email=octocat@example.com", "commit", "-q", "-m", message},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
}
