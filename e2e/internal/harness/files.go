package harness

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
)

// HomeFiles lists the regular files in the workspace's home mount, relative to it.
func HomeFiles(t testing.TB, w *Workspace) []string {
	t.Helper()
	files, err := w.Files()
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// Files lists the regular files in the home mount, relative to it.
func (w *Workspace) Files() ([]string, error) {
	var out []string
	err := filepath.WalkDir(w.Home, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(w.Home, p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// SecretFile checks that path exists on the host as a regular 0600 file owned by the runner's
// user, and returns its content.
func SecretFile(t testing.TB, path string) []byte {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatalf("exported file: %v", err)
	}
	if !fi.Mode().IsRegular() {
		t.Errorf("%s is not a regular file (%v)", path, fi.Mode())
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != RunnerUID || st.Gid != RunnerUID {
		t.Errorf("%s is owned by %d:%d, want the home mount's owner %d:%d", path, st.Uid, st.Gid, RunnerUID, RunnerUID)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
