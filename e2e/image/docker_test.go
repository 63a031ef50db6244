package image_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/dockerimage"
	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The Dockerfile's final-stage layout; dockerfile_test.go checks the Dockerfile builds
// exactly these.
const (
	binaryPath   = dockerimage.BinaryPath
	postPath     = dockerimage.PostPath
	bundlePath   = dockerimage.BundlePath
	debianBundle = dockerimage.DebianBundle
)

// sharedImage is the action's image built by the Docker engine from the Dockerfile's final
// stage, with the test CA in its bundle so the binary trusts the TLS emulators through that
// file alone (dockerimage says why the build stage cannot run here). Without an engine it
// skips, except in CI, where it fails.
func sharedImage(t *testing.T) dockerimage.Image {
	t.Helper()
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	return dockerimage.Build(t, ca.PEM)
}

// instanceLabel stands for the runner's DockerInstanceLabel (a hash of its .runner file),
// which it puts on every container it starts: here one per test process, so TestMain can
// remove whatever a killed run left without touching another package's containers.
var instanceLabel = func() string {
	sum := sha256.Sum256(fmt.Appendf(nil, "oidc-login e2e/image %d", os.Getpid()))
	return hex.EncodeToString(sum[:])[:6]
}()

// removeContainers removes any container of this process still there (a test that timed out
// leaves its --rm container running).
func removeContainers() {
	out, err := dockerimage.Docker(context.Background(), nil, "ps", "--all", "--quiet", "--filter", "label="+instanceLabel)
	if err != nil || out == "" {
		return
	}
	_, _ = dockerimage.Docker(context.Background(), nil, append([]string{"rm", "--force"}, strings.Fields(out)...)...)
}

// containerRun is one `docker run` of a container action's step as the runner makes it:
// harness.Step.ContainerRun, ported from ContainerActionHandler.cs at actions/runner 258d6c8.
type (
	containerRun = harness.ContainerRun
	mount        = harness.Mount
)

// runOf is the runner's docker run of s (whose Workspace must be set).
func runOf(t *testing.T, s harness.Step) containerRun {
	t.Helper()
	run, err := s.ContainerRun()
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// dockerArgs is the runner's `docker run` command line for c, with this process's label
// (dockerimage.RunArgs, DockerCommandManager.DockerRun at actions/runner 258d6c8).
func dockerArgs(name, image string, c containerRun) (args, env []string) {
	return dockerimage.RunArgs(name, instanceLabel, image, c)
}

// displayName is the runner's ContainerDisplayName: the sanitised image name and six hex
// digits.
func displayName(image string) string {
	return regexp.MustCompile(`[^a-zA-Z0-9_.-]`).ReplaceAllString(image, "") + "_" + fakeid.Hex(3)
}

// dockerRun runs c as the runner would and returns the exit code, stdout and stderr (the
// docker CLI's own complaints land on stderr too).
func dockerRun(t *testing.T, img dockerimage.Image, c containerRun) (int, string, string) {
	t.Helper()
	name := displayName(img.Tag)
	args, env := dockerArgs(name, img.Tag, c)
	ctx, cancel := context.WithTimeout(context.Background(), harness.RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	// The runner hands the docker CLI the step's variables in its environment, on top of its
	// own: -e NAME picks each value from there.
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		// Killing the CLI leaves the container; --rm removes it only once it exits.
		_, _ = dockerimage.Docker(context.Background(), nil, "rm", "--force", name)
		t.Fatalf("docker run did not finish within %v", harness.RunTimeout)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &ee):
		// 125-127 are the docker CLI's own failures (daemon, image, entrypoint); the binary
		// exits 0 or 1.
		if c := ee.ExitCode(); c >= 125 {
			t.Fatalf("docker run failed (exit %d): %s", c, strings.TrimSpace(stderr.String()))
		}
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("docker run: %v", err)
	return 0, "", ""
}

// imageConfig returns the image's config as the engine stored it.
func imageConfig(t *testing.T, img dockerimage.Image) ociConfig {
	t.Helper()
	out, err := dockerimage.Docker(context.Background(), nil, "image", "inspect", "--format", "{{json .Config}}", img.Tag)
	if err != nil {
		t.Fatal(err)
	}
	var c ociConfig
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("docker image inspect: %v", err)
	}
	return c
}

// TestDockerArgs pins the command line to the runner's (DockerCommandManager.DockerRun at
// actions/runner 258d6c8): its flags in its order, and no value of any variable on it, since a
// command line is visible to every user of the machine.
func TestDockerArgs(t *testing.T) {
	t.Parallel()
	run := containerRun{
		Env:        map[string]string{"INPUT_AWS-ROLE-ARN": "arn:aws:iam::123456789012:role/deploy", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "secret-request-token", "CI": "true"},
		Args:       []string{"--runner-temp=/home/runner/work/_temp", ""},
		Mounts:     []mount{{Host: "/var/run/docker.sock", Container: "/var/run/docker.sock"}, {Host: "/home/runner/work/_temp", Container: "/github/runner_temp"}},
		WorkDir:    "/github/workspace",
		Entrypoint: "/oidc-login-post",
	}
	args, env := dockerArgs("img_abc123", "img:tag", run)
	want := []string{"run", "--name", "img_abc123", "--label", instanceLabel, "--workdir", "/github/workspace", "--rm",
		"-e", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "-e", "CI", "-e", "INPUT_AWS-ROLE-ARN", "-e", "GITHUB_ACTIONS=true",
		"--entrypoint", "/oidc-login-post", "--network", "host",
		"-v", "/var/run/docker.sock:/var/run/docker.sock", "-v", "/home/runner/work/_temp:/github/runner_temp",
		"img:tag", "--runner-temp=/home/runner/work/_temp", ""}
	if strings.Join(args, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("docker %q\nwant   %q", args, want)
	}
	wantEnv := []string{"ACTIONS_ID_TOKEN_REQUEST_TOKEN=secret-request-token", "CI=true", "INPUT_AWS-ROLE-ARN=arn:aws:iam::123456789012:role/deploy"}
	if strings.Join(env, "\x00") != strings.Join(wantEnv, "\x00") {
		t.Errorf("docker CLI environment %q, want %q", env, wantEnv)
	}
	for _, a := range args {
		if strings.Contains(a, "secret-request-token") {
			t.Errorf("a variable's value is on the command line: %q", a)
		}
	}
	// Without CI in the step's environment the runner adds -e CI=true.
	args, _ = dockerArgs("n", "i", containerRun{WorkDir: "/github/workspace"})
	if !strings.Contains(strings.Join(args, " "), "-e GITHUB_ACTIONS=true -e CI=true --network host i") {
		t.Errorf("docker %q: want -e GITHUB_ACTIONS=true -e CI=true when the step sets no CI", args)
	}
}
