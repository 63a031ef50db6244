//go:build unix

package runner

import (
	"os"
	"path/filepath"
	"strings"
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

// TestWriteSecretMode writes a program for later steps (the aws-refresh helper): 0700, owned by
// the mount's owner, replacing a planted symlink like any secret file; group or other bits
// are refused before anything is written.
func TestWriteSecretMode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		if err := os.Chown(dir, 1001, 1001); err != nil {
			t.Fatal(err)
		}
	}
	home := Home{Dir: dir, HostDir: dir}
	rel := filepath.Join(FilesDir, "helper")
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("untouched"), 0o644)
	os.MkdirAll(filepath.Join(dir, FilesDir), 0o700)
	if err := os.Symlink(victim, filepath.Join(dir, rel)); err != nil {
		t.Fatal(err)
	}
	if err := home.WriteSecret(File{Rel: rel, Data: []byte("#!/bin/sh\n"), Mode: 0o700}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "untouched" {
		t.Errorf("the write followed the planted symlink: victim now %q", b)
	}
	fi, err := os.Lstat(filepath.Join(dir, rel))
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("helper file: %v %v", fi.Mode(), err)
	}
	if st := fi.Sys().(*syscall.Stat_t); os.Geteuid() == 0 && (st.Uid != 1001 || st.Gid != 1001) {
		t.Errorf("helper owned by %d:%d, want 1001:1001", st.Uid, st.Gid)
	}
	for _, m := range []os.FileMode{0o755, 0o640, 0o701} {
		other := filepath.Join(FilesDir, "other")
		if err := home.WriteSecret(File{Rel: other, Data: []byte("x"), Mode: m}); err == nil || !strings.Contains(err.Error(), "only the owner") {
			t.Errorf("mode %#o: err = %v, want a refusal", m, err)
		}
		if _, err := os.Lstat(filepath.Join(dir, other)); err == nil {
			t.Errorf("mode %#o was refused but the file was written", m)
		}
	}
}
