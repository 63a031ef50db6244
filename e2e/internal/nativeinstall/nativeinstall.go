// Package nativeinstall lays out the native action (native/) as a runner has it after
// `uses: oidc-login/oidc-login/native@vX`: the launchers with the VERSION and SHA256SUMS a
// release commit adds, the binary in RUNNER_TOOL_CACHE as a cache hit finds it, a local
// "GitHub release" that serves the asset and counts what it served, and the composite's bash
// step started the way the runner starts it. e2e/native and e2e/bench share it.
package nativeinstall

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// The runner these tests model: Linux on x64, so the bash launcher fetches this asset and
// caches it under this architecture's folder.
const (
	Asset      = "oidc-login_linux_amd64"
	RunnerOS   = "Linux"
	RunnerArch = "X64"
	archDir    = "x64"
)

// Action is a laid-out native/ folder.
type Action struct {
	// Dir is the folder (what the composite sees as github.action_path).
	Dir string
	// Version is native/VERSION ("" for an unreleased ref).
	Version string
	// Repository and Ref are where a workflow took the action from, as the composite's github
	// context has them (github.action_repository, github.action_ref): "" for a local
	// `uses: ./native`, the default.
	Repository, Ref string
	// ServerURL is github.server_url ("" is https://github.com).
	ServerURL string
}

func (a *Action) serverURL() string {
	if a.ServerURL == "" {
		return "https://github.com"
	}
	return a.ServerURL
}

// SHA256Hex is the lower-case hex SHA-256 of b, as SHA256SUMS holds it.
func SHA256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Lay writes native/ under a temp dir: run.sh from the repository, and, for a released ref
// (version not ""), VERSION and the given SHA256SUMS text.
func Lay(tb testing.TB, version, sums string) *Action {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "native")
	files := map[string]string{}
	if version != "" {
		files["VERSION"], files["SHA256SUMS"] = version+"\n", sums
	}
	script, err := os.ReadFile(filepath.Join(harness.Root(), "native", "run.sh"))
	if err != nil {
		tb.Fatal(err)
	}
	files["run.sh"] = string(script)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	return &Action{Dir: dir, Version: version}
}

// Released is Lay for the release version whose linux/amd64 asset is body.
func Released(tb testing.TB, version string, body []byte) *Action {
	tb.Helper()
	return Lay(tb, version, SHA256Hex(body)+"  "+Asset+"\n")
}

// CachePath is where the launcher keeps the binary in toolCache (RUNNER_TOOL_CACHE).
func (a *Action) CachePath(toolCache string) string {
	return filepath.Join(toolCache, "oidc-login", strings.TrimPrefix(a.Version, "v"), archDir, "oidc-login")
}

// JobCopyPath is the job's own copy the launcher runs, under the job's RUNNER_TEMP, for the
// binary whose SHA-256 is sum.
func JobCopyPath(runnerTemp, sum string) string {
	return filepath.Join(runnerTemp, "oidc-login-native", sum, "oidc-login")
}

// Seed puts body in toolCache as an earlier job's download left it: a job's first step copies
// it to the job's RUNNER_TEMP and hashes the copy before running it.
func (a *Action) Seed(tb testing.TB, toolCache string, body []byte) string {
	tb.Helper()
	p := a.CachePath(toolCache)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, body, 0o755); err != nil {
		tb.Fatal(err)
	}
	return p
}

// Release is a local stand-in for where the launcher downloads a release's assets from: a
// GitHub server, at <server>/<owner>/<repo>/releases/download/<version>/<asset>, or a mirror
// named by OIDC_LOGIN_NATIVE_DOWNLOAD_URL, at <base>/<version>/<asset>. It serves the asset
// at any path ending in /<version>/<Asset>, answers 404 to anything else, and records every
// path it was asked for, so a test can tell which URL the launcher built.
type Release struct {
	// URL is http://127.0.0.1:<port>: what a test passes as github.server_url
	// (OIDC_LOGIN_SERVER_URL) or as OIDC_LOGIN_NATIVE_DOWNLOAD_URL. The launchers take plain
	// http only on loopback.
	URL      string
	version  string
	body     atomic.Pointer[[]byte]
	requests atomic.Int64
	bytes    atomic.Int64
	mu       sync.Mutex
	paths    []string
}

// NewRelease starts the release server for version, serving body, on loopback.
func NewRelease(tb testing.TB, version string, body []byte) *Release {
	tb.Helper()
	r := NewReleaseHandler(version, body)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: r}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close() })
	r.URL = "http://" + ln.Addr().String()
	return r
}

// NewReleaseHandler is a Release without a server of its own (URL is ""), for a test that
// serves it itself: over TLS, standing in for github.com behind a proxy.
func NewReleaseHandler(version string, body []byte) *Release {
	r := &Release{version: version}
	r.body.Store(&body)
	return r
}

// ServeHTTP serves the asset at any path ending in /<version>/<Asset>, and 404 elsewhere.
func (r *Release) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.paths = append(r.paths, req.Method+" "+req.URL.Path)
	r.mu.Unlock()
	if req.Method != http.MethodGet || !strings.HasSuffix(req.URL.Path, "/"+r.version+"/"+Asset) {
		http.NotFound(w, req)
		return
	}
	r.requests.Add(1)
	w.Header().Set("Content-Type", "application/octet-stream")
	n, _ := w.Write(*r.body.Load())
	r.bytes.Add(int64(n))
}

// GitHubPath is where a GitHub server keeps the asset of repo's release version.
func GitHubPath(repo, version string) string {
	return "/" + repo + "/releases/download/" + version + "/" + Asset
}

// Requests counts the asset requests served so far.
func (r *Release) Requests() int64 { return r.requests.Load() }

// Bytes counts the asset bytes served so far.
func (r *Release) Bytes() int64 { return r.bytes.Load() }

// Paths lists every request so far as "<method> <path>", in order, 404s included.
func (r *Release) Paths() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.paths...)
}

// meta is the part of native/action.yml the runner reads to run the bash step.
type meta struct {
	Inputs map[string]struct {
		Default *string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Steps []struct {
			ID    string            `yaml:"id"`
			Shell string            `yaml:"shell"`
			Env   map[string]string `yaml:"env"`
			Run   string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// Step is the composite's bash step (id unix of native/action.yml) for one login, as the
// runner starts it: every input of native/action.yml (the given ones, else its default
// evaluated with the runner's contexts) mapped through the step's env: block, the runner's
// variables of ws, env on top (ID-token variables, RUNNER_TOOL_CACHE, the mirror variable), and
// the step's run: script in a file under RUNNER_TEMP, run with the runner's bash line
// (`bash --noprofile --norc -e -o pipefail {0}`, ScriptHandlerHelpers.cs at actions/runner
// 258d6c8). The working directory is the workspace.
func (a *Action) Step(ws *harness.Workspace, inputs, env map[string]string) (*exec.Cmd, error) {
	raw, err := os.ReadFile(filepath.Join(harness.Root(), "native", "action.yml"))
	if err != nil {
		return nil, err
	}
	var m meta
	if err := yaml.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("native/action.yml: %w", err)
	}
	runnerCtx := map[string]string{
		"runner.temp": ws.RunnerTemp, "runner.workspace": ws.RunnerWorkspace, "runner.os": RunnerOS, "runner.arch": RunnerArch,
		"github.workspace": ws.Workspace, "github.action_path": a.Dir, "job.container.id": "",
		"github.action_repository": a.Repository, "github.action_ref": a.Ref, "github.server_url": a.serverURL(),
	}
	ctx := map[string]string{}
	for k, v := range runnerCtx {
		ctx[k] = v
	}
	for name, in := range m.Inputs {
		v := ""
		if in.Default != nil {
			if v, err = harness.Evaluate(*in.Default, runnerCtx); err != nil {
				return nil, fmt.Errorf("input %s: %w", name, err)
			}
		}
		ctx["inputs."+name] = v
	}
	for k, v := range inputs {
		if _, ok := m.Inputs[k]; !ok {
			return nil, fmt.Errorf("native/action.yml has no input %s", k)
		}
		ctx["inputs."+k] = v
	}
	stepEnv := ws.RunnerEnv()
	stepEnv["HOME"] = filepath.Join(ws.Root, "user-home")
	var script string
	for _, s := range m.Runs.Steps {
		if s.ID != "unix" {
			continue
		}
		if s.Shell != "bash" {
			return nil, fmt.Errorf("native/action.yml: step unix runs with shell %q, not bash", s.Shell)
		}
		for k, tmpl := range s.Env {
			if stepEnv[k], err = harness.Evaluate(tmpl, ctx); err != nil {
				return nil, err
			}
		}
		script = s.Run
	}
	if script == "" {
		return nil, fmt.Errorf("native/action.yml has no bash step with id unix")
	}
	for k, v := range env {
		stepEnv[k] = v
	}
	file := filepath.Join(ws.RunnerTemp, fakeid.Hex(16)+".sh")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", file)
	cmd.Dir = ws.Workspace
	for k, v := range stepEnv {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd, nil
}
