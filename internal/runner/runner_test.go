package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestMaskPerLine(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r := New(&out, env(nil))
	r.Mask("line-one\r\nline-two\n\n  ")
	r.Mask("line-one") // already masked: not repeated
	want := "::add-mask::line-one\n::add-mask::line-two\n"
	if out.String() != want {
		t.Errorf("masks = %q, want %q", out.String(), want)
	}
	if got := r.Redact("x line-two y"); got != "x *** y" {
		t.Errorf("Redact = %q", got)
	}
}

func TestCheckRefusesInjection(t *testing.T) {
	t.Parallel()
	cases := []struct {
		v       Var
		env     bool
		wantErr string
	}{
		{Var{"OK_NAME", "plain"}, true, ""},
		{Var{"OK", "a\n" + Delimiter + "\nEVIL=1"}, true, "file-command delimiter"},
		{Var{"OK", "a\r\n" + Delimiter + "\r\nEVIL=1"}, true, "file-command delimiter"},
		{Var{"PW", "pw\x00BASH_ENV=/tmp/x"}, true, "the value for PW holds the control character U+0000;"},
		{Var{"PW", "a\x1b[31mred"}, true, "the value for PW holds the control character U+001B;"},
		{Var{"PW", "a\x7f\u0085b"}, true, ""},
		{Var{"PEM", "-----BEGIN X-----\r\nab\tc\n-----END X-----\n"}, true, ""},
		{Var{"BAD-NAME", "x"}, true, "not a valid environment variable name"},
		{Var{"NAME<<X", "x"}, true, "not a valid environment variable name"},
		{Var{"aws-account-id", "1"}, false, ""},
		{Var{"vault-token", "hvs.x\x00y"}, false, "the value for vault-token holds the control character U+0000;"},
		{Var{"bad name", "1"}, false, "not a valid output name"},
	}
	for _, tc := range cases {
		check := CheckOutput
		if tc.env {
			check = CheckEnv
		}
		err := check(tc.v)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("check(%q) = %v, want %q", tc.v.Name, err, tc.wantErr)
		}
	}
}

func TestCommitAllOrNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{}
	for _, n := range []string{EnvFile, OutputFile, StateFile, SummaryFile} {
		files[n] = filepath.Join(dir, n)
		os.WriteFile(files[n], nil, 0o644)
	}
	r := New(&bytes.Buffer{}, env(files))
	bad := Writes{Env: []Var{{"A", "1"}}, Outputs: []Var{{"o", "x\n" + Delimiter}}}
	if err := r.Commit(bad); err == nil {
		t.Fatal("an injected value was accepted")
	}
	for n, p := range files {
		if b, _ := os.ReadFile(p); len(b) != 0 {
			t.Errorf("%s written despite a refused value: %q", n, b)
		}
	}
	good := Writes{Env: []Var{{"A", "1\n2"}}, Outputs: []Var{{"o-x", "y"}}, State: []Var{{"s", "z"}}, Summary: "| t |\n"}
	if err := r.Commit(good); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(files[EnvFile])
	if string(b) != "A<<"+Delimiter+"\n1\n2\n"+Delimiter+"\n" {
		t.Errorf("GITHUB_ENV = %q", b)
	}
	b, _ = os.ReadFile(files[SummaryFile])
	if string(b) != "| t |\n\n" {
		t.Errorf("summary = %q", b)
	}
}

// TestDetectHome covers each place the binary runs (placement.go): the exported folder is the
// one later steps see, and where nothing trustworthy says so, detection fails.
func TestDetectHome(t *testing.T) {
	t.Parallel()
	const (
		hostTemp = "/home/runner/work/_temp"
		hostWS   = "/home/runner/work/repo"
	)
	today := map[string]string{"HOME": "/github/home", "RUNNER_TEMP": "/github/runner_temp"}
	old := map[string]string{"HOME": "/github/home", "RUNNER_TEMP": hostTemp}
	args := HostPaths{Temp: hostTemp, Workspace: hostWS}
	inJob := HostPaths{Temp: hostTemp, Workspace: hostWS, JobContainerID: "4f1c0ffee"}
	cases := []struct {
		name         string
		env          map[string]string
		host         HostPaths
		dir, hostDir string
		wantErr      string
	}{
		{"today's runner", today, args, "/github/home", "/home/runner/work/_temp/_github_home", ""},
		{"today's runner without the arguments", today, HostPaths{}, "", "", "no host path in the action's arguments"},
		{"older runner", old, args, "/github/home", "/home/runner/work/_temp/_github_home", ""},
		{"older runner without the arguments", old, HostPaths{}, "/github/home", "/home/runner/work/_temp/_github_home", ""},
		{"job container, today's runner", today, inJob, "/github/home", "/__w/_temp/_github_home", ""},
		{"job container, older runner", old, inJob, "/github/home", "/__w/_temp/_github_home", ""},
		{"job container without runner.workspace", today, HostPaths{Temp: hostTemp, JobContainerID: "x"}, "", "", "runner.workspace is empty"},
		{"job container, temp outside the work folder", today, HostPaths{Temp: "/mnt/tmp", Workspace: hostWS, JobContainerID: "x"}, "", "", "outside it"},
		{"argument that is a container path", today, HostPaths{Temp: "/github/runner_temp"}, "", "", "inside the container"},
		{"relative argument", today, HostPaths{Temp: "tmp"}, "", "", "not an absolute path"},
		{"argument with a line break", today, HostPaths{Temp: "/tmp/a\n::x"}, "", "", "control character"},
		{"container without RUNNER_TEMP or arguments", map[string]string{"HOME": "/github/home"}, HostPaths{}, "", "", "no host path"},
		{"outside a container", map[string]string{"HOME": "/home/me", "RUNNER_TEMP": "/tmp/rt"}, HostPaths{}, "/tmp/rt/_github_home", "/tmp/rt/_github_home", ""},
		{"outside a container, arguments ignored", map[string]string{"HOME": "/home/me", "RUNNER_TEMP": "/tmp/rt"}, inJob, "/tmp/rt/_github_home", "/tmp/rt/_github_home", ""},
		{"outside a container, no RUNNER_TEMP", map[string]string{"HOME": "/home/me"}, HostPaths{}, "/home/me", "/home/me", ""},
		{"nothing at all", map[string]string{}, HostPaths{}, "", "", "neither RUNNER_TEMP nor HOME"},
	}
	for _, tc := range cases {
		h, err := DetectHome(env(tc.env), tc.host)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.wantErr)
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case h.Dir != tc.dir || h.HostDir != tc.hostDir:
			t.Errorf("%s: DetectHome = %+v, want Dir %q HostDir %q", tc.name, h, tc.dir, tc.hostDir)
		}
	}
	h := Home{Dir: "/github/home", HostDir: "/__w/_temp/_github_home"}
	if got := h.HostPath(".oidc-login/x.json"); got != "/__w/_temp/_github_home/.oidc-login/x.json" {
		t.Errorf("HostPath = %q", got)
	}
}

// TestWriteSecretReplacesPlantedSymlink plants a symlink where a secret file will go: the
// write must replace the link, never write through it, and the file must be 0600.
func TestWriteSecretReplacesPlantedSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	home := Home{Dir: dir, HostDir: "/host/home"}
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("untouched"), 0o644)
	os.MkdirAll(filepath.Join(dir, FilesDir), 0o700)
	rel := filepath.Join(FilesDir, "creds.json")
	if err := os.Symlink(victim, filepath.Join(dir, rel)); err != nil {
		t.Fatal(err)
	}
	if err := home.WriteSecret(File{Rel: rel, Data: []byte("secret")}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "untouched" {
		t.Errorf("the write followed the planted symlink: victim now %q", b)
	}
	fi, err := os.Lstat(filepath.Join(dir, rel))
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, rel)); string(b) != "secret" {
		t.Errorf("content = %q", b)
	}
	if home.HostPath(rel) != "/host/home/.oidc-login/creds.json" {
		t.Errorf("HostPath = %s", home.HostPath(rel))
	}
	if err := home.WriteSecret(File{Rel: "../escape", Data: nil}); err == nil {
		t.Errorf("a path outside the home mount was accepted")
	}
}

func TestHasDelimiterLine(t *testing.T) {
	t.Parallel()
	d := Delimiter
	for v, want := range map[string]bool{
		"a\n" + d + "\nb": true, d: true, "a\r\n" + d + "\r\nb": true, "a\n" + d: true,
		"a" + d: false, d + " ": false, " " + d: false, "a\r" + d + "\rb": false, "plain": false, "": false,
	} {
		if got := HasDelimiterLine(v); got != want {
			t.Errorf("HasDelimiterLine(%q) = %v, want %v", v, got, want)
		}
		// What a provider checks with it is exactly what Check refuses.
		if refused := CheckEnv(Var{Name: "X", Value: v}) != nil; refused != want {
			t.Errorf("%q: CheckEnv refuses=%v, HasDelimiterLine=%v", v, refused, want)
		}
	}
}
