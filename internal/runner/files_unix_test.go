//go:build unix

package runner

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteSecretOwner checks files are handed to the home mount's owner (as root).
func TestWriteSecretOwner(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Fatal("handing files to another user needs root; run the tests as root, as CI does")
	}
	dir := t.TempDir()
	if err := os.Chown(dir, 1001, 1001); err != nil {
		t.Fatal(err)
	}
	home := Home{Dir: dir, HostDir: dir}
	rel := filepath.Join(FilesDir, "sub", "f")
	if err := home.WriteSecret(File{Rel: rel, Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, FilesDir), filepath.Join(dir, FilesDir, "sub"), filepath.Join(dir, rel)} {
		fi, _ := os.Stat(p)
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != 1001 || st.Gid != 1001 {
			t.Errorf("%s owned by %d:%d", p, st.Uid, st.Gid)
		}
	}
	existed, err := home.Remove(rel)
	if !existed || err != nil {
		t.Errorf("Remove = %v %v", existed, err)
	}
	if existed, err := home.Remove(rel); existed || err != nil {
		t.Errorf("second Remove = %v %v", existed, err)
	}
}
