//go:build unix

package aws

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/oidc-login/oidc-login/internal/runner"
)

// TestReadSharedRefusesNonRegular: a symlink at the file (to a secret elsewhere), a symlinked
// .aws folder, a FIFO (which would block a plain open) and a folder are all refused on read,
// and a regular file is read.
func TestReadSharedRefusesNonRegular(t *testing.T) {
	root := t.TempDir()
	secret := filepath.Join(root, "elsewhere")
	if err := os.WriteFile(secret, []byte("[default]\naws_secret_access_key = stolen\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mk := func(name string, make func(dir string) error) runner.Home {
		h := runner.Home{Dir: filepath.Join(root, name)}
		if err := os.MkdirAll(h.Dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := make(h.Dir); err != nil {
			t.Fatal(err)
		}
		return h
	}
	awsDir := func(dir string) string {
		d := filepath.Join(dir, ".aws")
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := map[string]struct {
		home runner.Home
		want string
	}{
		"symlinked file": {mk("link", func(d string) error { return os.Symlink(secret, filepath.Join(awsDir(d), "credentials")) }), "symlink"},
		"symlinked folder": {mk("linkdir", func(d string) error {
			other := filepath.Join(root, "otherdir")
			_ = os.MkdirAll(other, 0o700)
			_ = os.WriteFile(filepath.Join(other, "credentials"), []byte("[x]\n"), 0o600)
			return os.Symlink(other, filepath.Join(d, ".aws"))
		}), "not a folder"},
		"fifo":   {mk("fifo", func(d string) error { return syscall.Mkfifo(filepath.Join(awsDir(d), "credentials"), 0o600) }), "not a regular file"},
		"folder": {mk("dir", func(d string) error { return os.Mkdir(filepath.Join(awsDir(d), "credentials"), 0o700) }), "not a regular file"},
	}
	for name, c := range cases {
		text, err := readShared(c.home.Path(credentialsRel))
		if err == nil || !strings.Contains(err.Error(), c.want) || text != "" {
			t.Errorf("%s: read %q, err %v; want a refusal saying %q", name, text, err, c.want)
		}
		if _, err := profileFiles(c.home, "ci", "eu-west-1", "AKIDEXAMPLE1", "secret", "token"); err == nil {
			t.Errorf("%s: profileFiles accepted it", name)
		}
	}
	plain := mk("plain", func(d string) error {
		return os.WriteFile(filepath.Join(awsDir(d), "credentials"), []byte("[other]\nx = y\n"), 0o600)
	})
	if text, err := readShared(plain.Path(credentialsRel)); err != nil || text != "[other]\nx = y\n" {
		t.Errorf("regular file: %q, %v", text, err)
	}
	if text, err := readShared(filepath.Join(root, "none", credentialsRel)); err != nil || text != "" {
		t.Errorf("missing file: %q, %v", text, err)
	}
}
