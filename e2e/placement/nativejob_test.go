package placement_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/laterstep"
	"github.com/oidc-login/oidc-login/e2e/internal/nativeinstall"
)

// TestNativeActionInJobContainer: the native action in a job with `container:`. Its bash step
// runs inside the job container, where the runner gives every process HOME=/github/home (the
// same HOME a Docker action has) and translates the step's variables to the container's paths
// (actions/runner 258d6c8: ContainerOperationProvider.cs creates the container with that HOME
// and the work folder at /__w; Handlers/StepHost.cs ContainerStepHost translates the
// environment of `docker exec`). The launcher then starts the binary with no arguments, or
// "post". The step must log in with its own stage input, hand its file on by the path the job
// container's later steps read, and stage: post must remove it.
func TestNativeActionInJobContainer(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	ws := harness.NewWorkspace(t)
	native := nativeinstall.Lay(t, "", "")

	main := nativeInJobContainer(t, native, ws, "main", gh.Env())
	if main.Exit != 0 {
		t.Fatalf("the native action's main stage in a job container: exit %d\n%s", main.Exit, main.Redact(main.Stdout))
	}
	file := main.Env["GITHUB_ID_TOKEN_FILE"]
	if dir := harness.JobContainerWork + "/_temp/_github_home/.oidc-login/"; !strings.HasPrefix(file, dir) || main.Outputs["github-id-token-file"] != file {
		t.Fatalf("GITHUB_ID_TOKEN_FILE = %q (output %q), want a file in %s, where later steps of the job container read it", file, main.Outputs["github-id-token-file"], dir)
	}
	// A later step of the job container reads the token there.
	consumer, err := laterstep.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd := laterstep.Command(ws, harness.JobContainer, map[string]string{"GITHUB_ID_TOKEN_FILE": file}, consumer, "github")
	cmd.Stderr = &stderr
	tok, err := cmd.Output()
	if err != nil {
		t.Fatalf("later step: %v\n%s", err, stderr.String())
	}
	if minted := gh.Minted(); len(minted) != 1 || string(tok) != minted[0] {
		t.Errorf("the later step did not read the one token the runner minted (%d minted)", len(minted))
	}

	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := nativeInJobContainer(t, native, ws, "post", gh.Env())
	if post.Exit != 0 {
		t.Fatalf("stage: post in a job container: exit %d\n%s", post.Exit, post.Redact(post.Stdout))
	}
	if files := harness.HomeFiles(t, ws); len(files) != 0 {
		t.Errorf("after stage: post the home folder still holds %v", files)
	}
	if v, ok := post.Env["GITHUB_ID_TOKEN_FILE"]; !ok || v != "" {
		t.Errorf("stage: post: GITHUB_ID_TOKEN_FILE = %q, want it blanked", v)
	}
	harness.NoLeak(t, main, harness.SecretsOf(gh)...)
	harness.NoLeak(t, post, harness.SecretsOf(gh)...)
}

// nativeInJobContainer runs the binary as native/run.sh starts it for stage, inside a job
// container: the composite's bash step environment (every input of native/action.yml through
// its env: block), translated as ContainerStepHost translates it, HOME=/github/home, in a mount
// namespace with the work folder at /__w and the home folder at /github/home.
func nativeInJobContainer(t *testing.T, native *nativeinstall.Action, ws *harness.Workspace, stage string, idToken map[string]string) *harness.Run {
	t.Helper()
	step, err := native.Step(ws, map[string]string{"provider": "github", "stage": stage}, idToken)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := harness.Binary()
	if err != nil {
		t.Fatal(err)
	}
	// ContainerInfo's mappings, the most recently added first: the home folder, then the work
	// folder (ContainerOperationProvider.cs adds /github/home after the defaults).
	translate := func(v string) string {
		for _, m := range [][2]string{{ws.Home, "/github/home"}, {ws.Work, harness.JobContainerWork}} {
			if v == m[0] || strings.HasPrefix(v, m[0]+"/") {
				return m[1] + strings.TrimPrefix(v, m[0])
			}
		}
		return v
	}
	args := []string{"--mount", "--propagation", "private", "--", "/bin/sh", "-c",
		"set -e; mount --bind \"$1\" " + harness.JobContainerWork + "; mount -t tmpfs tmpfs " + harness.ContainerRoot +
			"; mkdir -p /github/home; mount --bind \"$2\" /github/home; cd \"$3\"; shift 3; exec \"$@\"",
		"sh", ws.Work, ws.Home, translate(ws.Workspace), "env", "-i"}
	for _, kv := range step.Env {
		k, v, _ := strings.Cut(kv, "=")
		if k != "HOME" {
			args = append(args, k+"="+translate(v))
		}
	}
	args = append(args, "HOME=/github/home", bin)
	if stage == "post" {
		args = append(args, "post")
	}
	for _, d := range []string{harness.JobContainerWork, harness.ContainerRoot} {
		if err := os.MkdirAll(d, 0o755); err != nil { // mount points; they stay empty on the host
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	c := exec.Command("unshare", args...)
	c.Stdout, c.Stderr = &stdout, &stderr
	r := &harness.Run{Stdout: stdout.String(), Workspace: ws}
	if err := c.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		r.Exit = ee.ExitCode()
	}
	r.Stdout, r.Stderr = stdout.String(), stderr.String()
	for _, f := range []struct {
		path string
		m    *map[string]string
	}{{ws.EnvFile, &r.Env}, {ws.OutputFile, &r.Outputs}} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if *f.m, err = harness.ParseFileCommands(string(b)); err != nil {
			t.Fatalf("%s: %v", filepath.Base(f.path), err)
		}
	}
	b, _ := os.ReadFile(ws.SummaryFile)
	r.Summary = string(b)
	return r
}
