//go:build unix

package runner

import (
	"errors"
	"io/fs"
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

// TestReadRegular: only a regular file of at most max bytes is read; a symlink (to a secret
// elsewhere), a FIFO (which a plain open would block on), a folder and a file over max are
// refused, a missing file is fs.ErrNotExist.
func TestReadRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	secret := at("secret")
	if err := os.WriteFile(secret, []byte("stolen"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, at("link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(at("fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(at("dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(at("max"), []byte("12345678"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(at("big"), []byte("123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"link": ErrLink.Error(),
		"fifo": "it is not a regular file (p---------); refusing to read it",
		"dir":  "it is not a regular file (d---------); refusing to read it",
		"big":  "larger than 8 bytes",
	} {
		b, fi, err := ReadRegular(at(name), 8)
		if err == nil || err.Error() != want || b != nil || fi != nil {
			t.Errorf("%s: read %d bytes, %v; want the refusal %q", name, len(b), err, want)
		}
	}
	if _, _, err := ReadRegular(at("link"), 8); !errors.Is(err, ErrLink) {
		t.Errorf("link: %v, want ErrLink", err)
	}
	if _, _, err := ReadRegular(at("none"), 8); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v, want fs.ErrNotExist", err)
	}
	b, fi, err := ReadRegular(at("max"), 8)
	if err != nil || string(b) != "12345678" || fi == nil || fi.Size() != 8 {
		t.Errorf("max: read %q, %v; want the 8 bytes", b, err)
	}
}
