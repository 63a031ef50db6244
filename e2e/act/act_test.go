package act_test

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/actlog"
	"github.com/oidc-login/oidc-login/e2e/internal/dockerimage"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// RunTimeout bounds one act run: image checks, the job container, four or five steps.
const RunTimeout = 4 * time.Minute

// actBinary is act (actlog.Binary) and a Docker engine to run its job containers under.
func actBinary(t *testing.T) string {
	t.Helper()
	bin := actlog.Binary(t)
	dockerimage.Require(t)
	return bin
}

// images are the two images an act run needs, built from local files only (no registry is
// reachable): the action's image, by e2e/internal/dockerimage from the Dockerfile's final
// stage with the test CA in its bundle (so the binary trusts the TLS emulators through that
// file alone, as it trusts real clouds), and the job image act runs the job container from.
type images struct {
	// Action is the action's image tag.
	Action string
	// Job is a busybox-static rootfs (act's job container needs sh and tail) plus the static
	// consumer /bin/consume that later steps run.
	Job string
}

var (
	jobOnce sync.Once
	jobTag  string
	jobErr  error
)

// sharedImages builds the images once per test process; TestMain removes them.
func sharedImages(t *testing.T) *images {
	t.Helper()
	actBinary(t)
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	return &images{Action: dockerimage.Build(t, ca.PEM).Tag, Job: jobImage(t)}
}

// jobImage builds the job image once per test process.
func jobImage(t *testing.T) string {
	t.Helper()
	jobOnce.Do(func() {
		tag := fmt.Sprintf("oidc-login-act-job:%d", os.Getpid())
		if jobErr = buildJobImage(tag); jobErr == nil {
			jobTag = tag
		}
	})
	if jobErr != nil {
		t.Fatal(jobErr)
	}
	return jobTag
}

func buildJobImage(tag string) error {
	consume, err := buildConsumer()
	if err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Dir(consume))
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		return fmt.Errorf("the job image is Debian's busybox-static (.ci/setup act installs it): %w", err)
	}
	// The image has no libc to link against.
	f, err := elf.Open(busybox)
	if err != nil {
		return fmt.Errorf("%s: %w", busybox, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked; the job image needs Debian's busybox-static (.ci/setup act installs it)", busybox)
		}
	}
	entries := []tarEntry{
		{Name: "bin/busybox", File: busybox, Mode: 0o755},
		{Name: "bin/consume", File: consume, Mode: 0o755},
		{Name: "tmp", Dir: true, Mode: 0o1777},
	}
	// The applets the job's steps use; act's job container itself needs sh and tail.
	for _, applet := range []string{"sh", "tail", "cat", "echo", "printf", "sha256sum", "env", "ls", "test", "["} {
		entries = append(entries, tarEntry{Name: "bin/" + applet, Link: "busybox"})
	}
	if err := dockerImport(tag, []string{"ENV PATH=/bin"}, entries); err != nil {
		return fmt.Errorf("job image: %w", err)
	}
	return nil
}

// removeJobImage deletes the job image this process built (by its own tag).
func removeJobImage() {
	if jobTag != "" {
		_ = exec.Command("docker", "image", "rm", "--force", jobTag).Run()
	}
}

// buildConsumer builds e2e/act/consume (its own module) static, for the busybox job image.
func buildConsumer() (string, error) {
	dir, err := os.MkdirTemp("", "oidc-login-act-consume-")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "consume")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = filepath.Join(harness.Root(), "e2e", "act", "consume")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("building the consumer: %v\n%s", err, b)
	}
	return out, nil
}

type tarEntry struct {
	Name string
	// One of: File (copied from disk), Data, Link (a symlink target), Dir.
	File string
	Data []byte
	Link string
	Dir  bool
	Mode int64
}

// dockerImport makes an image from entries with `docker import`, which needs no registry and
// no build stage.
func dockerImport(tag string, changes []string, entries []tarEntry) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for _, e := range entries {
		for d := filepath.Dir(e.Name); d != "." && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755}); err != nil {
				return err
			}
		}
		h := &tar.Header{Name: e.Name, Mode: e.Mode}
		data := e.Data
		switch {
		case e.Dir:
			h.Typeflag, h.Name = tar.TypeDir, e.Name+"/"
		case e.Link != "":
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, e.Link, 0o777
		case e.File != "":
			b, err := os.ReadFile(e.File)
			if err != nil {
				return err
			}
			data = b
		}
		if h.Typeflag == 0 {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	args := []string{"import"}
	for _, c := range changes {
		args = append(args, "--change", c)
	}
	cmd := exec.Command("docker", append(args, "-", tag)...)
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("docker import %s: %v: %s", tag, err, out)
	}
	return nil
}

// repo is a copy of the repository as a user runs act in it: a git work tree with action.yml
// pointing at the locally built image (runs.image: docker://<tag>; the Dockerfile's build
// stage would need a registry) and the workflow under .github/workflows.
type repo struct {
	Dir      string
	Workflow string
}

var imageLine = regexp.MustCompile(`(?m)^  image: 'Dockerfile'$`)

// newRepo writes the repository copy with workflow (and extra files) into a fresh temp dir.
func newRepo(t *testing.T, im *images, workflow string, extra map[string]string) *repo {
	t.Helper()
	return newRepoIn(t, t.TempDir(), im, workflow, extra)
}

// newRepoIn is newRepo in dir; with no workflow it is the repository alone.
func newRepoIn(t *testing.T, dir string, im *images, workflow string, extra map[string]string) *repo {
	t.Helper()
	meta, err := os.ReadFile(filepath.Join(harness.Root(), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(imageLine.FindAll(meta, -1)); n != 1 {
		t.Fatalf("action.yml has %d lines `  image: 'Dockerfile'`, want one to point at the local image", n)
	}
	meta = imageLine.ReplaceAll(meta, []byte("  image: 'docker://"+im.Action+"'"))
	files := map[string]string{"action.yml": string(meta)}
	if workflow != "" {
		files[".github/workflows/act.yml"] = workflow
	}
	for k, v := range extra {
		files[k] = v
	}
	actlog.Commit(t, dir, files, 0o644, "act test")
	return &repo{Dir: dir, Workflow: ".github/workflows/act.yml"}
}

// actRun is what one act run printed, split by step (a --json run is not split: its maps stay empty).
type actRun struct {
	*actlog.Run
	Exit     int
	Duration time.Duration
}

// runAct runs `act push` in r the way docs/act.md tells users to, plus what an offline test
// needs: the local job image (--pull=false), the host network for the loopback emulators,
// its own action cache, no cache server, and the ID-token variables as --env (act has no
// OIDC service of its own). Every secret any emulator registered must stay out of the log.
func runAct(t *testing.T, r *repo, env map[string]string) *actRun {
	t.Helper()
	return runActWith(t, r, env, actOptions{})
}

// actOptions vary an act run from what docs/act.md tells users.
type actOptions struct {
	// Platform replaces the job image for ubuntu-latest ("-self-hosted": steps on the host).
	Platform string
	// JSON asks for act's --json log; the run is then neither split by step nor scanned for
	// secrets: the caller looks at the log itself.
	JSON bool
}

func runActWith(t *testing.T, r *repo, env map[string]string, o actOptions) *actRun {
	t.Helper()
	bin := actBinary(t)
	im := sharedImages(t)
	platform := im.Job
	if o.Platform != "" {
		platform = o.Platform
	}
	args := append([]string{"push", "-W", r.Workflow,
		"-P", "ubuntu-latest=" + platform, "--network", "host"}, offline(t)...)
	if o.JSON {
		args = append(args, "--json")
	}
	for k, v := range env {
		args = append(args, "--env", k+"="+v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = r.Dir
	return execAct(t, ctx, cmd, o)
}

// offline are the flags an act run here needs beyond what docs/act.md tells users: the job
// image is local (no registry to pull from), the action cache and act's cache server are the
// test's own, the job container gets no Docker socket, and nothing is kept after the run.
func offline(t *testing.T) []string {
	return []string{"--pull=false",
		"--action-cache-path", filepath.Join(t.TempDir(), "act-cache"), "--no-cache-server",
		"--container-daemon-socket", "-",
		// act keeps a failed job's containers and volumes for debugging unless told otherwise.
		"--rm"}
}

// execAct runs cmd, an act command bounded by ctx, with an environment of its own, and reads
// its log.
func execAct(t *testing.T, ctx context.Context, cmd *exec.Cmd, o actOptions) *actRun {
	t.Helper()
	// act reads ~/.actrc and its XDG config: an empty HOME keeps the user's out of the test.
	home := t.TempDir()
	cmd.Env = []string{"PATH=" + filepath.Dir(actBinary(t)) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_CACHE_HOME=" + filepath.Join(home, ".cache")}
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		cmd.Env = append(cmd.Env, "DOCKER_HOST="+h)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Stdin = strings.NewReader("") // act asks questions on a terminal; there is none
	start := time.Now()
	err := cmd.Run()
	log := out.String()
	run := &actRun{Run: &actlog.Run{Log: log, Lines: map[string][]string{}, Result: map[string]string{}}, Duration: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ctx.Err() == nil:
		run.Exit = ee.ExitCode()
	case o.JSON:
		// A --json log holds the masked values in clear: never print it.
		t.Fatalf("act --json: %v", err)
	default:
		t.Fatalf("act: %v\n%s", err, actlog.Shown(log))
	}
	if o.JSON {
		return run
	}
	run.Run = actlog.Parse(log)
	actlog.RequireNoSecret(t, log)
	return run
}

// loginWorkflow is the workflow the tests run: checkout (act copies the local folder instead
// of fetching actions/checkout), the action as step "login" with the inputs with (name,
// value pairs), and a later step "use" with env (pairs) running script in the job container;
// "use" runs even when the login failed (if: always()), to show what reached it.
func loginWorkflow(name string, with, env []string, script string) string {
	var b strings.Builder
	// act names the job's containers and volumes after the workflow and job: the pid keeps two
	// test processes apart.
	b.WriteString("name: " + name + "-" + strconv.Itoa(os.Getpid()) + `
on: push
defaults:
  run:
    shell: sh
jobs:
  login:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - name: login
        id: login
        uses: ./
        with:
`)
	for i := 0; i+1 < len(with); i += 2 {
		b.WriteString("          " + with[i] + ": " + with[i+1] + "\n")
	}
	b.WriteString("      - name: use\n        if: always()\n")
	if len(env) > 0 {
		b.WriteString("        env:\n")
		for i := 0; i+1 < len(env); i += 2 {
			b.WriteString("          " + env[i] + ": " + env[i+1] + "\n")
		}
	}
	b.WriteString("        run: |\n")
	for _, l := range strings.Split(script, "\n") {
		b.WriteString("          " + l + "\n")
	}
	return b.String()
}

// errors returns the ::error:: annotations act reported, as it logs them.
func (r *actRun) errors() []string {
	var out []string
	for _, l := range strings.Split(r.Log, "\n") {
		if _, after, ok := strings.Cut(l, "::error"); ok {
			out = append(out, after)
		}
	}
	return out
}

func lines(s string) []string { return strings.Split(s, "\n") }
