// Package dockerimage builds the action's container image under the real Docker engine, from
// the repository's Dockerfile, for the e2e tests that run it (e2e/image, e2e/act, e2e/bench).
//
// The Dockerfile's build stage pulls golang:… from a registry, and no registry can be reached
// from the machines the tests run on, so it cannot run here. The image is built instead from
// the Dockerfile's FINAL stage, read from the Dockerfile itself, with its `COPY --from=<build>`
// source turned into a local build-context folder that holds what the build stage would have
// made: the binary the harness built with the Dockerfile's flags (harness.Binary), the post
// entrypoint as a link to it, and the CA bundle (Debian's, as the build stage copies it, plus
// any test CA the caller passes, so the binary trusts the TLS emulators the way it trusts real
// clouds in the shipped image: through that file alone). e2e/image's TestDockerfileHonest
// keeps the build stage making exactly that /out folder.
//
// Each distinct CA bundle is built once per test process under a tag of its own (so test
// packages running at the same time never share or remove each other's images); Remove, run
// from TestMain (harness.Main(m, dockerimage.Remove)), deletes every image this process built.
package dockerimage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// The Dockerfile's final-stage layout (its build stage's /out folder copied to /).
const (
	// BinaryPath is the image's entrypoint.
	BinaryPath = "/oidc-login"
	// PostPath is action.yml's post-entrypoint, a link to the binary.
	PostPath = "/oidc-login-post"
	// BundlePath is the CA bundle Go reads when SSL_CERT_FILE is unset.
	BundlePath = "/etc/ssl/certs/ca-certificates.crt"
	// DebianBundle is the host file the build stage (a Debian image) copies to BundlePath.
	DebianBundle = "/etc/ssl/certs/ca-certificates.crt"
)

// buildStageOut is the build stage's output folder; the final stage copies it to /.
const buildStageOut = "/out"

// commandTimeout bounds one docker command: a daemon that stopped answering must fail the test
// rather than hang it.
const commandTimeout = 2 * time.Minute

var (
	mu     sync.Mutex
	built  = map[string]*result{} // by bundle hash
	tags   []string               // every tag this process built, for Remove
	engine struct {
		once sync.Once
		err  error
	}
)

type result struct {
	tag    string
	bundle []byte
	err    error
}

// Image is a built image.
type Image struct {
	// Tag names the image in the local engine.
	Tag string
	// Bundle is the CA bundle inside the image.
	Bundle []byte
	// Binary is the host binary that went in.
	Binary string
}

// Unusable reports why the Docker engine cannot be used here, or nil: no docker CLI on the
// PATH, or no daemon answering `docker info`.
func Unusable() error {
	engine.once.Do(func() {
		if _, err := exec.LookPath("docker"); err != nil {
			engine.err = fmt.Errorf("no docker CLI: %w", err)
			return
		}
		// A daemon that answers at all answers within seconds, even on a loaded machine.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := Docker(ctx, nil, "info", "--format", "{{.ServerVersion}}"); err != nil {
			engine.err = fmt.Errorf("no Docker engine answers (.ci/dockerd start runs one): %w", err)
		}
	})
	return engine.err
}

// Require skips tb when the Docker engine cannot be used here, except in CI (CI=true), where
// that fails it: the image would otherwise go untested without anyone noticing.
func Require(tb testing.TB) {
	tb.Helper()
	if err := Unusable(); err != nil {
		msg := fmt.Sprintf("the Docker engine cannot be used on this machine, so the container image is NOT tested (.ci/setup installs docker.io, .ci/dockerd starts it): %v", err)
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
}

// Build returns the image whose CA bundle is Debian's plus extraCA (nil for none), building it
// on first use in this process. It skips or fails tb as Require does when there is no engine.
func Build(tb testing.TB, extraCA []byte) Image {
	tb.Helper()
	Require(tb)
	img, err := BuildImage(extraCA)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// BuildImage is Build without a testing.TB, for callers outside a test (a TestMain).
func BuildImage(extraCA []byte) (Image, error) {
	if os.Getenv(harness.RaceEnv) == "1" {
		return Image{}, errors.New("the image needs the static binary; a -race build is dynamic and cannot run FROM scratch: run the image tests without " + harness.RaceEnv)
	}
	bin, err := harness.Binary()
	if err != nil {
		return Image{}, err
	}
	debian, err := os.ReadFile(DebianBundle)
	if err != nil {
		return Image{}, fmt.Errorf("the Debian CA bundle (package ca-certificates, as in the Dockerfile's build stage): %w", err)
	}
	bundle := debian
	if len(extraCA) > 0 {
		bundle = append(append(append([]byte{}, debian...), '\n'), extraCA...)
	}
	sum := sha256.Sum256(bundle)
	key := hex.EncodeToString(sum[:])

	mu.Lock()
	defer mu.Unlock()
	r, ok := built[key]
	if !ok {
		// The pid keeps parallel test processes apart; the hash keeps this process's bundles
		// apart.
		r = &result{tag: fmt.Sprintf("oidc-login-e2e:%d-%s", os.Getpid(), key[:12]), bundle: bundle}
		r.err = build(r.tag, bin, bundle)
		built[key] = r
		tags = append(tags, r.tag)
	}
	return Image{Tag: r.tag, Bundle: r.bundle, Binary: bin}, r.err
}

// build writes the build context (the final stage as a Dockerfile, and out/ standing for the
// build stage's /out) and runs `docker build` on it.
func build(tag, bin string, bundle []byte) error {
	dockerfile, err := os.ReadFile(filepath.Join(harness.Root(), "Dockerfile"))
	if err != nil {
		return err
	}
	final, err := FinalStage(string(dockerfile))
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "oidc-login-docker-context-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := writeOut(filepath.Join(dir, "out"), bin, bundle); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(final), 0o644); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	// --pull=false: the final stage is FROM scratch, which is never pulled anyway; this says
	// no registry is asked for anything.
	if _, err := Docker(ctx, nil, "build", "--quiet", "--pull=false", "--tag", tag, "--file", filepath.Join(dir, "Dockerfile"), dir); err != nil {
		return err
	}
	return nil
}

// writeOut lays out what the Dockerfile's build stage leaves in /out.
func writeOut(out, bin string, bundle []byte) error {
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, filepath.Dir(BundlePath)), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, BinaryPath), data, 0o755); err != nil {
		return err
	}
	if err := os.Symlink(filepath.Base(BinaryPath), filepath.Join(out, PostPath)); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, BundlePath), bundle, 0o644)
}

var (
	fromLine = regexp.MustCompile(`(?i)^FROM\s`)
	// copyFrom is a COPY from another stage: its flags, the stage, and the sources and
	// destination.
	copyFrom = regexp.MustCompile(`(?i)^COPY\s+((?:--[a-z-]+=\S+\s+)*)--from=(\S+)\s+((?:--[a-z-]+=\S+\s+)*)(.+)$`)
)

// FinalStage returns the Dockerfile's last stage (from its FROM to the end, comments dropped,
// continuation lines joined) with every `COPY --from=<stage> <sources> <dest>` rewritten to
// copy the same paths from the build context instead: a source /out/ of the build stage is
// out/ in the context. A final stage that copies nothing from another stage is an error: it
// would not be the layout the tests stand in for.
func FinalStage(dockerfile string) (string, error) {
	var instructions []string
	var cur strings.Builder
	for _, line := range strings.Split(dockerfile, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasPrefix(trimmed, "#") {
			continue // a comment inside a continued instruction
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur.WriteString(strings.TrimSuffix(trimmed, `\`) + " ")
			continue
		}
		cur.WriteString(trimmed)
		instructions = append(instructions, strings.TrimSpace(cur.String()))
		cur.Reset()
	}
	if cur.Len() > 0 {
		instructions = append(instructions, strings.TrimSpace(cur.String()))
	}
	last := -1
	for i, in := range instructions {
		if fromLine.MatchString(in) {
			last = i
		}
	}
	if last < 0 {
		return "", errors.New("Dockerfile has no FROM")
	}
	var out []string
	copies := 0
	for _, in := range instructions[last:] {
		if m := copyFrom.FindStringSubmatch(in); m != nil {
			fields := strings.Fields(m[4])
			if len(fields) < 2 {
				return "", fmt.Errorf("Dockerfile: %q has no source or no destination", in)
			}
			srcs, dest := fields[:len(fields)-1], fields[len(fields)-1]
			for i, s := range srcs {
				if !strings.HasPrefix(s, buildStageOut+"/") && s != buildStageOut {
					return "", fmt.Errorf("Dockerfile: %q copies %s, outside the build stage's %s the tests lay out", in, s, buildStageOut)
				}
				srcs[i] = strings.TrimPrefix(s, "/")
			}
			in = "COPY " + m[1] + m[3] + strings.Join(srcs, " ") + " " + dest
			copies++
		}
		out = append(out, in)
	}
	if copies == 0 {
		return "", errors.New("the Dockerfile's final stage copies nothing from its build stage (COPY --from=<build> /out/ /)")
	}
	return strings.Join(out, "\n") + "\n", nil
}

// Docker runs the docker CLI with args (env adds variables to the CLI's own environment, which
// `docker run -e NAME` reads values from) and returns its trimmed stdout; the error carries
// stderr. ctx bounds it (commandTimeout when ctx has no deadline).
func Docker(ctx context.Context, env []string, args ...string) (string, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, commandTimeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %v: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// RunArgs is the runner's `docker run` command line for a container action's step c
// (DockerCommandManager.DockerRun at actions/runner 258d6c8), in its order: --name, --label,
// --workdir, --rm, one `-e NAME` per variable (the value travels in the docker CLI's own
// environment, returned as env, never on the command line), -e GITHUB_ACTIONS=true and -e
// CI=true unless set, --entrypoint when action.yml names one, --network, a -v host:container
// per mount, the image, then the arguments. The network is the host's where the runner would
// use the job's bridge network: the emulators listen on loopback, and the engine here runs
// with --bridge=none.
func RunArgs(name, label, image string, c harness.ContainerRun) (args, env []string) {
	args = []string{"run", "--name", name, "--label", label, "--workdir", c.WorkDir, "--rm"}
	for k, v := range c.Env {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		args = append(args, "-e", k)
	}
	args = append(args, "-e", "GITHUB_ACTIONS=true")
	if _, ok := c.Env["CI"]; !ok {
		args = append(args, "-e", "CI=true")
	}
	if c.Entrypoint != "" {
		args = append(args, "--entrypoint", c.Entrypoint)
	}
	args = append(args, "--network", "host")
	for _, m := range c.Mounts {
		args = append(args, "-v", m.Host+":"+m.Container)
	}
	args = append(args, image)
	return append(args, c.Args...), env
}

// Remove deletes every image this process built. Pass it to harness.Main.
func Remove() {
	mu.Lock()
	defer mu.Unlock()
	for _, tag := range tags {
		if _, err := Docker(context.Background(), nil, "image", "rm", "--force", tag); err != nil {
			fmt.Fprintf(os.Stderr, "removing the test image %s: %v\n", tag, err)
		}
	}
	tags = nil
	built = map[string]*result{}
}
