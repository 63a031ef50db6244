package sysroots

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFile: readFile gives what os.ReadFile gives, whatever buffer it is handed, and the
// same errors; readlink gives what os.Readlink gives, long targets included.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	var buf []byte
	for _, size := range []int{0, 1, 4095, 4096, 4097, 8192, 300 << 10, 10} {
		want := make([]byte, size)
		_, _ = rand.Read(want)
		name := filepath.Join(dir, "f")
		if err := os.WriteFile(name, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readFile(name, buf)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d bytes: got %d bytes, %v", size, len(got), err)
		}
		buf = got
	}
	for _, name := range []string{filepath.Join(dir, "missing"), dir} {
		_, err := readFile(name, nil)
		_, osErr := os.ReadFile(name)
		if err == nil || err.Error() != osErr.Error() || os.IsNotExist(err) != os.IsNotExist(osErr) {
			t.Errorf("%s: %v, os.ReadFile: %v", name, err, osErr)
		}
	}
	for _, target := range []string{"short.pem", "/usr/share/ca-certificates/x.crt", "/" + strings.Repeat("long/", 80) + "x.crt"} {
		link := filepath.Join(dir, "link")
		_ = os.Remove(link)
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		if got, err := readlink(link); err != nil || got != target {
			t.Errorf("readlink: %q, %v; want %q", got, err, target)
		}
	}
	if _, err := readlink(filepath.Join(dir, "f")); err == nil {
		t.Error("readlink of a regular file succeeded")
	}
}
