package nativestate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/runner"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	home := runner.Home{Dir: dir, HostDir: dir}
	vars := []runner.Var{{Name: "providers", Value: "aws,vault"}, {Name: "files", Value: ".oidc-login/a\n.oidc-login/b"}, {Name: "vault_token", Value: "hvs.x"}}
	for range 2 {
		f, err := Encode(vars)
		if err != nil {
			t.Fatal(err)
		}
		if err := home.WriteSecret(f); err != nil {
			t.Fatal(err)
		}
	}
	saved, errs := Load(home)
	if len(errs) != 0 || len(saved) != 2 {
		t.Fatalf("Load = %d saved, errors %v", len(saved), errs)
	}
	for _, s := range saved {
		if len(s.State) != 3 || s.State["files"] != ".oidc-login/a\n.oidc-login/b" || s.State["vault_token"] != "hvs.x" {
			t.Errorf("state = %q", s.State)
		}
		fi, err := os.Stat(home.Path(s.Rel))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", s.Rel, fi.Mode().Perm(), err)
		}
	}
	if saved, errs := Load(runner.Home{Dir: t.TempDir()}); saved != nil || errs != nil {
		t.Errorf("no state folder: %v %v, want nothing", saved, errs)
	}
}

// TestRefused: anything but a file this package wrote is refused, never acted on.
func TestRefused(t *testing.T) {
	t.Parallel()
	good := `{"version":1,"state":{"providers":"aws"}}`
	for name, tc := range map[string]struct {
		write func(t *testing.T, path string)
		want  string
	}{
		"symlink": {func(t *testing.T, p string) {
			target := filepath.Join(t.TempDir(), "x")
			os.WriteFile(target, []byte(good), 0o600)
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
		}, "it is a symlink; refusing to follow it"},
		"group-writable": {func(t *testing.T, p string) {
			os.WriteFile(p, []byte(good), 0o600)
			os.Chmod(p, 0o620)
		}, "lets others write"},
		"too big": {func(t *testing.T, p string) {
			os.WriteFile(p, []byte(strings.Repeat(" ", MaxSize+1)), 0o600)
		}, fmt.Sprintf("larger than %d bytes", MaxSize)},
		"unknown field": {func(t *testing.T, p string) {
			os.WriteFile(p, []byte(`{"version":1,"state":{},"run":"x"}`), 0o600)
		}, "unknown field"},
		"other version": {func(t *testing.T, p string) {
			os.WriteFile(p, []byte(`{"version":2,"state":{}}`), 0o600)
		}, "version 2"},
		"trailing data": {func(t *testing.T, p string) {
			os.WriteFile(p, []byte(good+good), 0o600)
		}, "data after"},
		"bad name": {func(t *testing.T, p string) {
			os.WriteFile(p, []byte(`{"version":1,"state":{"a b":"x"}}`), 0o600)
		}, "not a valid output name"},
		"delimiter": {func(t *testing.T, p string) {
			os.WriteFile(p, []byte(`{"version":1,"state":{"files":"x\n`+runner.Delimiter+`\ny"}}`), 0o600)
		}, "delimiter"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			home := runner.Home{Dir: dir, HostDir: dir}
			os.MkdirAll(home.Path(Dir), 0o700)
			tc.write(t, home.Path(filepath.Join(Dir, "state-0123456789abcdef.json")))
			saved, errs := Load(home)
			if len(saved) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
				t.Errorf("Load = %v, %v; want one error containing %q", saved, errs, tc.want)
			}
		})
	}
	// A file of another name is not ours: reported, not read.
	dir := t.TempDir()
	home := runner.Home{Dir: dir, HostDir: dir}
	os.MkdirAll(home.Path(Dir), 0o700)
	os.WriteFile(home.Path(filepath.Join(Dir, "state-1.json")), []byte(good), 0o600)
	if saved, errs := Load(home); len(saved) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "left alone") {
		t.Errorf("Load = %v, %v", saved, errs)
	}
}
