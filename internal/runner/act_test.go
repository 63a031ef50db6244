package runner

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectHomeUnderAct: nektos/act (ACT=true, and never HOME=/github/home) gives a container
// action no folder that later steps see, so the Home refuses every file with act's reason and
// writes nothing, while the runner's own placements (HOME=/github/home) are unaffected by ACT.
func TestDetectHomeUnderAct(t *testing.T) {
	t.Parallel()
	temp := t.TempDir()
	// What act v0.2.89 gave the action container: HOME from the image, RUNNER_TEMP=/tmp, and
	// ${{ runner.temp }} = /tmp in the arguments (here a test folder stands in for /tmp).
	h, err := DetectHome(env(map[string]string{"ACT": "true", "HOME": "/", "RUNNER_TEMP": temp}), HostPaths{Temp: "/tmp"})
	if err != nil {
		t.Fatalf("DetectHome under act: %v; environment credentials must still work there", err)
	}
	want := filepath.Join(temp, "_github_home")
	if h.Dir != want || h.HostDir != want {
		t.Errorf("under act Home = %+v, want Dir and HostDir %s (for reading only)", h, want)
	}
	err = h.WriteSecret(File{Rel: ".oidc-login/token.jwt", Data: []byte("secret")})
	if !errors.Is(err, ErrNoSharedFolder) || !strings.Contains(err.Error(), "not writing .oidc-login/token.jwt: nektos/act (ACT=true)") {
		t.Errorf("WriteSecret under act = %v, want the act refusal naming the file", err)
	}
	if _, err := os.Stat(want); !os.IsNotExist(err) {
		t.Errorf("the refused write left %s behind (stat: %v)", want, err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
	}{
		{"no RUNNER_TEMP", map[string]string{"ACT": "true", "HOME": "/root"}},
		{"no HOME", map[string]string{"ACT": "true", "RUNNER_TEMP": "/tmp"}},
	} {
		h, err := DetectHome(env(tc.env), HostPaths{})
		if err != nil || h.Dir != "/tmp/_github_home" || !errors.Is(h.WriteSecret(File{Rel: "f", Data: []byte("x")}), ErrNoSharedFolder) {
			t.Errorf("%s: DetectHome = %+v, %v; want /tmp/_github_home refusing files", tc.name, h, err)
		}
	}
	// ACT=true alongside the runner's own container layout is not act's: the runner's rules hold.
	h, err = DetectHome(env(map[string]string{"ACT": "true", "HOME": "/github/home", "RUNNER_TEMP": "/github/runner_temp"}), HostPaths{Temp: "/home/runner/work/_temp"})
	if err != nil || h.HostDir != "/home/runner/work/_temp/_github_home" || h.unshared != nil {
		t.Errorf("ACT=true with HOME=/github/home: DetectHome = %+v, %v; want today's runner placement", h, err)
	}
	// Only act's own value counts.
	h, err = DetectHome(env(map[string]string{"ACT": "1", "HOME": "/home/me", "RUNNER_TEMP": "/tmp/rt"}), HostPaths{})
	if err != nil || h.unshared != nil {
		t.Errorf("ACT=1: DetectHome = %+v, %v; want an ordinary run outside a container", h, err)
	}
}

// TestActRefusalSaysWhy: the refusal says why act cannot take the file on, and no more: what
// each provider can do instead is its own (package login adds it).
func TestActRefusalSaysWhy(t *testing.T) {
	t.Parallel()
	want := "nektos/act (ACT=true) runs this container action with RUNNER_TEMP=/tmp, its own /tmp, and shares no folder for files with the later steps, so the path would point nowhere there"
	if ErrNoSharedFolder.Error() != want {
		t.Errorf("the act refusal:\n  %s\nwant\n  %s", ErrNoSharedFolder, want)
	}
}
