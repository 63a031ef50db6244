package image_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The Dockerfile's final stage (COPY --from=build /out/ /): the static binary, the post
// entrypoint as a link to it, and the CA bundle Go reads when SSL_CERT_FILE is unset.
// dockerfile_test.go checks the Dockerfile builds exactly these.
const (
	binaryPath = "/oidc-login"
	postPath   = "/oidc-login-post"
	bundlePath = "/etc/ssl/certs/ca-certificates.crt"
	// debianBundle is what the Dockerfile's build stage (a Debian image) copies.
	debianBundle = "/etc/ssl/certs/ca-certificates.crt"
	imageName    = "localhost/oidc-login:e2e"
)

// isolation runs the container with runc, as Docker does on the runner. Not "chroot":
// buildah's chroot isolation (1.28, and still upstream) exits as soon as the process is
// reaped, while its stdio relay goroutine may still hold the last output, so a loaded
// machine now and then loses the step's stdout — its ::add-mask:: and ::error:: lines,
// which these tests read. The OCI path waits for the relay to drain.
const isolation = "oci"

// buildah runs buildah against storage of its own under a temp dir (vfs, so no overlay or
// fuse is needed), leaving the machine's container storage alone.
type buildah struct{ dir string }

func (b *buildah) command(args ...string) *exec.Cmd {
	global := []string{"--root", filepath.Join(b.dir, "storage"), "--runroot", filepath.Join(b.dir, "run"), "--storage-driver", "vfs"}
	cmd := exec.Command("buildah", append(global, args...)...)
	// Big temporary files (layers being committed or pushed) stay in our dir too.
	cmd.Env = append(os.Environ(), "TMPDIR="+filepath.Join(b.dir, "tmp"), "BUILDAH_ISOLATION="+isolation)
	return cmd
}

// out runs buildah and returns its trimmed stdout; the error carries stderr.
func (b *buildah) out(args ...string) (string, error) {
	cmd := b.command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("buildah %s: %v: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// image is the test image, built once per test process.
type image struct {
	b *buildah
	// bundle is the CA bundle inside the image: Debian's plus the test CA.
	bundle []byte
	// binary is the host binary that went in.
	binary string
}

var (
	imgOnce     sync.Once
	img         *image
	imgErr      error
	imgUnusable error // buildah itself cannot run here: skip locally, fail in CI
	// store is the storage to remove when the tests are done, however far the build got.
	store *buildah
)

// sharedImage returns the image, building it on first use. When buildah cannot run on this
// machine the test says so and skips, except in CI (CI=true), where that is a failure: the
// image would otherwise go untested without anyone noticing.
func sharedImage(t *testing.T) *image {
	t.Helper()
	imgOnce.Do(func() { img, imgUnusable, imgErr = buildImage() })
	if imgUnusable != nil {
		msg := fmt.Sprintf("buildah cannot run on this machine, so the container image is NOT tested (.ci/setup installs it): %v", imgUnusable)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if imgErr != nil {
		t.Fatal(imgErr)
	}
	return img
}

// buildImage makes a FROM scratch image with the Dockerfile's final-stage layout from the
// binary the harness built with the Dockerfile's flags. Pulling the Dockerfile's build stage
// (golang:…) needs a registry this machine cannot reach, so the image is assembled from the
// same parts instead; dockerfile_test.go ties the two together.
func buildImage() (im *image, unusable, err error) {
	for _, tool := range []string{"buildah", "runc"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, err, nil
		}
	}
	dir, err := os.MkdirTemp("", "oidc-login-buildah-")
	if err != nil {
		return nil, nil, err
	}
	b := &buildah{dir: dir}
	store = b
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, nil, err
	}
	// A scratch working container needs storage and nothing else: if this fails, buildah
	// cannot work here at all.
	ctr, err := b.out("from", "--quiet", "scratch")
	if err != nil {
		return nil, err, nil
	}
	im = &image{b: b}
	im.binary, err = harness.Binary()
	if err != nil {
		return nil, nil, err
	}
	ca, err := testca.Shared()
	if err != nil {
		return nil, nil, err
	}
	debian, err := os.ReadFile(debianBundle)
	if err != nil {
		return nil, nil, fmt.Errorf("the Debian CA bundle (package ca-certificates, as in the Dockerfile's build stage): %w", err)
	}
	// The test CA rides in the bundle, so the binary trusts the TLS emulators exactly the way
	// it trusts real clouds in the shipped image: with no SSL_CERT_FILE.
	im.bundle = append(append(append([]byte{}, debian...), '\n'), ca.PEM...)

	out := filepath.Join(dir, "out")
	if err := writeLayout(out, im.binary, im.bundle); err != nil {
		return nil, nil, err
	}
	for _, step := range [][]string{
		{"copy", "--quiet", ctr, out + "/", "/"},
		{"config", "--entrypoint", `["` + binaryPath + `"]`, ctr},
		{"commit", "--quiet", "--rm", ctr, imageName},
	} {
		if _, err := b.out(step...); err != nil {
			return nil, nil, err
		}
	}
	return im, nil, nil
}

// writeLayout lays out the Dockerfile's /out folder.
func writeLayout(out, bin string, bundle []byte) error {
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, filepath.Dir(bundlePath)), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, binaryPath), data, 0o755); err != nil {
		return err
	}
	if err := os.Symlink(filepath.Base(binaryPath), filepath.Join(out, postPath)); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, bundlePath), bundle, 0o644)
}

// removeImage deletes every container and image of the test storage, then the storage.
func removeImage() {
	if store == nil {
		return
	}
	_, _ = store.out("rm", "--all")
	_, _ = store.out("rmi", "--all", "--force")
	if err := os.RemoveAll(store.dir); err != nil {
		fmt.Fprintf(os.Stderr, "removing the buildah storage: %v\n", err)
	}
}

// container is one `docker run` of the image by the runner: a fresh container, removed after.
type container struct {
	// Entrypoint is the program to start (the image's entrypoint, or action.yml's
	// post-entrypoint).
	Entrypoint string
	Env        map[string]string
	// Volumes are host:container[:options] bind mounts beyond the runner's.
	Volumes []string
}

// run starts c in a fresh container with the runner's mounts of w and returns the exit code,
// stdout and stderr. buildah's own complaints also land on stderr.
func (im *image) run(t *testing.T, w *harness.Workspace, c container) (int, string, string) {
	t.Helper()
	ctr, err := im.b.out("from", "--quiet", "--pull=never", imageName)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := im.b.out("rm", ctr); err != nil {
			t.Error(err)
		}
	}()
	args := []string{"run", "--isolation", isolation,
		// The fakes listen on the host's loopback.
		"--network", "host",
		"--workingdir", harness.ContainerRoot + "/workspace"}
	// The runner's mounts (runner.md); /var/run/docker.sock is left out: there is no engine
	// here and the action never uses it.
	for _, v := range append(runnerVolumes(w), c.Volumes...) {
		args = append(args, "--volume", v)
	}
	for _, kv := range sortedEnv(c.Env) {
		args = append(args, "--env", kv)
	}
	args = append(args, ctr, "--", c.Entrypoint)
	cmd := im.b.command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("buildah run: %v", err)
	return 0, "", ""
}

func runnerVolumes(w *harness.Workspace) []string {
	return []string{
		w.Home + ":" + harness.ContainerRoot + "/home",
		filepath.Join(w.RunnerTemp, "_github_workflow") + ":" + harness.ContainerRoot + "/workflow",
		w.Commands + ":" + harness.ContainerRoot + "/file_commands",
		w.Workspace + ":" + harness.ContainerRoot + "/workspace",
	}
}
