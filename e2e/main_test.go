// Package e2e runs the compiled action exactly as the GitHub runner would, against emulators
// that speak each cloud's real wire protocol and against real third-party tools (moto_server,
// the AWS CLI, Google's, Azure's and Vault's Go clients).
package e2e

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
)

func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "e2e tests run as root, like the runner's container: they hand files to the runner's uid 1001 and use mount namespaces")
		os.Exit(1)
	}
	if _, err := harness.Binary(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	motoMu.Lock()
	if motoSrv != nil {
		motoSrv.Close()
	}
	motoMu.Unlock()
	os.Exit(code)
}

var (
	motoMu  sync.Mutex
	motoSrv *moto.Server
)

// sharedMoto starts moto_server once for the whole test binary.
func sharedMoto(t *testing.T) *moto.Server {
	t.Helper()
	motoMu.Lock()
	defer motoMu.Unlock()
	if motoSrv == nil {
		s, err := moto.Start()
		if err != nil {
			t.Fatal(err)
		}
		motoSrv = s
	}
	return motoSrv
}

// newGitHub starts a fake ID-token service for one test.
func newGitHub(t *testing.T) *fakegithub.Server {
	t.Helper()
	gh := fakegithub.New()
	t.Cleanup(gh.Close)
	return gh
}

// secretsOf lists every secret a test's fakes handed out or were given.
func secretsOf(gh *fakegithub.Server, more ...string) []string {
	return append(append([]string{gh.RequestToken}, gh.Minted()...), more...)
}

// requireExit fails unless the run exited with want, showing its output.
func requireExit(t *testing.T, r *harness.Run, want int) {
	t.Helper()
	if r.Exit != want {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.Exit, want, r.Stdout, r.Stderr)
	}
}

// errorLines returns the ::error:: annotations of a run.
func errorLines(r *harness.Run) []string {
	var out []string
	for _, l := range strings.Split(r.Stdout, "\n") {
		if strings.HasPrefix(l, "::error") {
			out = append(out, l)
		}
	}
	return out
}

// mustEqual compares maps of exact values. Values may be credentials, so a failure names
// the key and the sizes, never the values.
func mustEqual(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s %s differs: got %d bytes, want %d bytes", what, k, len(got[k]), len(v))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s has unexpected %s", what, k)
		}
	}
}
