package native_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/connectproxy"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/nativeinstall"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// TestLauncherDownloadSource: run.sh builds the download URL from where the action was used
// (the repository, ref and server native/action.yml passes it) or from the mirror
// OIDC_LOGIN_NATIVE_DOWNLOAD_URL names, and fetches exactly that one URL. The local release
// stands in for a GitHub Enterprise Server (plain http is accepted only on loopback).
func TestLauncherDownloadSource(t *testing.T) {
	t.Parallel()
	body := built(t)
	for _, c := range []struct {
		name, repo, ref, mirror string
		path                    func(rel *nativeinstall.Release) string
	}{
		{"a fork on GitHub Enterprise Server", "octo-fork/oidc-login", "v9", "",
			func(*nativeinstall.Release) string { return nativeinstall.GitHubPath("octo-fork/oidc-login", Version) }},
		{"a local copy (uses: ./native) on GitHub Enterprise Server", "", "", "",
			func(*nativeinstall.Release) string { return nativeinstall.GitHubPath("oidc-login/oidc-login", Version) }},
		{"a mirror, whatever the server", "octo-fork/oidc-login", "v9", "/mirror/oidc-login/",
			func(*nativeinstall.Release) string { return "/mirror/oidc-login/" + Version + "/" + asset }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rel := newRelease(t, body)
			mirror := ""
			if c.mirror != "" {
				mirror = rel.URL + c.mirror
			}
			cmd, ws, idRequests := launcher(t, sha256Hex(body), t.TempDir(), mirror, os.Getenv("PATH"))
			cmd.Env = append(cmd.Env, "OIDC_LOGIN_ACTION_REPOSITORY="+c.repo, "OIDC_LOGIN_ACTION_REF="+c.ref, "OIDC_LOGIN_SERVER_URL="+rel.URL+"/")
			out, err := cmd.CombinedOutput()
			shown := harness.Started(t, out)
			if err != nil {
				t.Fatalf("run.sh: %v\n%s", err, shown)
			}
			if got, want := rel.Paths(), []string{"GET " + c.path(rel)}; !reflect.DeepEqual(got, want) {
				t.Errorf("the release server was asked for %q, want %q", got, want)
			}
			if line := "oidc-login native: downloaded and verified " + asset + " " + Version + " (" + sha256Hex(body) + ") from " + rel.URL + c.path(rel) + "\n"; !strings.Contains(string(out), line) {
				t.Errorf("no line %q in\n%s", line, shown)
			}
			if env, _ := os.ReadFile(ws.EnvFile); !strings.Contains(string(env), "GITHUB_ID_TOKEN_FILE") || idRequests() != 1 {
				t.Errorf("the verified binary did not log in (%d ID-token requests): GITHUB_ENV = %q", idRequests(), env)
			}
		})
	}
}

// TestLauncherFallsBackToGitHub: on a server other than github.com (GitHub Enterprise Server,
// whose own releases rarely hold the assets of an action it takes from github.com), a 404
// there sends run.sh to the same release on github.com, once each. github.com is a TLS server
// of the test CA behind a CONNECT proxy, as a corporate proxy is to a runner: curl honours
// https_proxy, and CURL_CA_BUNDLE makes it trust the test CA.
func TestLauncherFallsBackToGitHub(t *testing.T) {
	t.Parallel()
	body := built(t)
	var (
		mu    sync.Mutex
		asked []string
	)
	ghes := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.Path)
		mu.Unlock()
		http.NotFound(w, r)
	}))
	t.Cleanup(ghes.Close)
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	dotcom := nativeinstall.NewReleaseHandler(Version, body)
	tlsSrv, err := ca.NewTLSServerFor(dotcom, "github.com")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tlsSrv.Close)
	proxy, err := connectproxy.New(map[string]string{"github.com:443": tlsSrv.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)

	cmd, ws, idRequests := launcher(t, sha256Hex(body), t.TempDir(), "", os.Getenv("PATH"))
	cmd.Env = append(cmd.Env, "OIDC_LOGIN_ACTION_REPOSITORY=octo-fork/oidc-login", "OIDC_LOGIN_ACTION_REF=v9",
		"OIDC_LOGIN_SERVER_URL="+ghes.URL, "https_proxy="+proxy.URL, "CURL_CA_BUNDLE="+ca.File)
	out, err := cmd.CombinedOutput()
	shown := harness.Started(t, out)
	if err != nil {
		t.Fatalf("run.sh: %v\n%s", err, shown)
	}
	path := nativeinstall.GitHubPath("octo-fork/oidc-login", Version)
	mu.Lock()
	if want := []string{"GET " + path}; !reflect.DeepEqual(asked, want) {
		t.Errorf("the Enterprise Server was asked for %q, want %q (a 404 is not retried)", asked, want)
	}
	mu.Unlock()
	if got, want := dotcom.Paths(), []string{"GET " + path}; !reflect.DeepEqual(got, want) {
		t.Errorf("github.com was asked for %q, want %q", got, want)
	}
	if got := proxy.Tunnels(); !reflect.DeepEqual(got, []string{"github.com:443"}) {
		t.Errorf("proxy tunnels %q, want one to github.com:443", got)
	}
	if line := "from https://github.com" + path + "\n"; !strings.Contains(string(out), line) {
		t.Errorf("no line ending %q in\n%s", line, shown)
	}
	if env, _ := os.ReadFile(ws.EnvFile); !strings.Contains(string(env), "GITHUB_ID_TOKEN_FILE") || idRequests() != 1 {
		t.Errorf("the verified binary did not log in (%d ID-token requests): GITHUB_ENV = %q", idRequests(), env)
	}
}

// TestLauncherRefusesSource: a mirror or server URL the launcher would not fetch from (plain
// http off loopback, credentials, a query) fails the step naming the variable, and nothing is
// fetched or run.
func TestLauncherRefusesSource(t *testing.T) {
	t.Parallel()
	body := built(t)
	for _, c := range []struct{ name, env, want string }{
		{"mirror over plain http", "OIDC_LOGIN_NATIVE_DOWNLOAD_URL=http://mirror.example.com/oidc-login",
			"OIDC_LOGIN_NATIVE_DOWNLOAD_URL must be an https:// URL (plain http only on 127.0.0.1, localhost or [::1]) without query, credentials or spaces"},
		{"mirror with credentials", "OIDC_LOGIN_NATIVE_DOWNLOAD_URL=https://user:pass@mirror.example.com/oidc-login",
			"OIDC_LOGIN_NATIVE_DOWNLOAD_URL must be an https:// URL (plain http only on 127.0.0.1, localhost or [::1]) without query, credentials or spaces"},
		{"server over plain http", "OIDC_LOGIN_SERVER_URL=http://ghes.example.com",
			"github.server_url 'http://ghes.example.com' is not an https:// URL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rel := newRelease(t, body)
			cmd, _, idRequests := launcher(t, sha256Hex(body), t.TempDir(), "", os.Getenv("PATH"))
			cmd.Env = append(cmd.Env, c.env)
			out, err := cmd.CombinedOutput()
			shown := harness.Started(t, out)
			want := "::error title=oidc-login native::" + c.want + "\n"
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || string(out) != want {
				t.Fatalf("run.sh: %v, output %q; want exit 1 and %q", err, shown, want)
			}
			if rel.Requests() != 0 || idRequests() != 0 {
				t.Errorf("requests: release %d, ID token %d; want none", rel.Requests(), idRequests())
			}
		})
	}
}

// TestLauncherUnreleasedNamesTheRef: the refusal on an unreleased ref without Go names the
// ref the workflow used and the repository's release tag to use instead.
func TestLauncherUnreleasedNamesTheRef(t *testing.T) {
	t.Parallel()
	cmd, _, idRequests := launcher(t, "", t.TempDir(), "", "/usr/bin:/bin")
	cmd.Env = append(cmd.Env, "OIDC_LOGIN_ACTION_REPOSITORY=octo-fork/oidc-login", "OIDC_LOGIN_ACTION_REF=feature-x")
	out, err := cmd.CombinedOutput()
	shown := harness.Started(t, out)
	want := "::error title=oidc-login native::octo-fork/oidc-login/native@feature-x is not a release, so there is no verified binary to fetch, and there is no go on PATH to build one from its source: use a release tag (uses: octo-fork/oidc-login/native@v1), or set up Go first (actions/setup-go)\n"
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || string(out) != want {
		t.Fatalf("run.sh: %v, output %q; want exit 1 and %q", err, shown, want)
	}
	if idRequests() != 0 {
		t.Errorf("%d ID-token requests, want none", idRequests())
	}
}
