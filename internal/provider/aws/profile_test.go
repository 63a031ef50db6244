package aws

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
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
