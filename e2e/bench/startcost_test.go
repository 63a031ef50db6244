package bench_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/bench/internal/official"
	"github.com/oidc-login/oidc-login/e2e/internal/dockerimage"
)

// awsActionBundle is the file of the official AWS action that node starts.
const awsActionBundle = "dist/index.js"

// BenchmarkStartCost measures what it costs the runner just to start each kind of action, side
// by side and interleaved (one of each per iteration, so a busy machine slows all three alike):
//
//   - docker-run: one `docker run --rm` of the action's image, which starts the binary with no
//     inputs; it refuses, naming the input provider, and the container is removed;
//   - binary: the same binary run directly with the same (empty) environment, refusing the same
//     way: the cost of the process itself;
//   - node: `node` starting the official AWS action's bundle with no inputs, which refuses
//     naming aws-region: what a JavaScript action costs before it does anything.
//
// Each metric is the median of the iterations, in milliseconds (wall time from exec to exit,
// output included). Run it with a fixed count, e.g.
//
//	go test -run '^$' -bench StartCost -benchtime 50x ./e2e/bench
//
// It needs the git copy of the official AWS action that OIDC_LOGIN_AWS_ACTION_GIT names (unset,
// it skips, saying how to set it; CI runs no benchmark). Without docker or node it skips,
// except in CI (CI=true), where it fails.
func BenchmarkStartCost(b *testing.B) {
	gitDir, err := official.AWS.GitDir()
	if err != nil {
		b.Skip(err)
	}
	img := dockerimage.Build(b, nil)
	nodePath, err := exec.LookPath("node")
	if err != nil {
		msg := fmt.Sprintf("no node on the PATH, so the JavaScript action's start cost is NOT measured: %v", err)
		if os.Getenv("CI") == "true" {
			b.Fatal(msg)
		}
		b.Skip(msg)
	}
	bundle := extractAWSActionBundle(b, gitDir)
	empty := b.TempDir()

	type subject struct {
		name string
		cmd  func() *exec.Cmd
		// want is the exit code and a fragment of stdout that prove it started and refused.
		exit int
		want string
		ds   []time.Duration
	}
	subjects := []*subject{
		{name: "docker-run", exit: 1, want: "input provider: is required", cmd: func() *exec.Cmd {
			return exec.Command("docker", "run", "--rm", img.Tag)
		}},
		{name: "binary", exit: 1, want: "input provider: is required", cmd: func() *exec.Cmd {
			c := exec.Command(img.Binary)
			c.Env = []string{}
			return c
		}},
		{name: "node", exit: 1, want: "::error::Input required and not supplied: aws-region", cmd: func() *exec.Cmd {
			c := exec.Command(nodePath, bundle)
			// As the runner starts a node action: its own PATH, no INPUT_*; the working
			// directory holds nothing the bundle could read.
			c.Env = []string{"PATH=" + os.Getenv("PATH")}
			c.Dir = empty
			return c
		}},
	}
	run := func(s *subject) time.Duration {
		cmd := s.cmd()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			b.Fatalf("%s: %v", s.name, err)
		}
		if code != s.exit || !strings.Contains(stdout.String(), s.want) {
			b.Fatalf("%s exited %d printing %q (stderr %q), want exit %d and %q", s.name, code, stdout.String(), stderr.String(), s.exit, s.want)
		}
		return d
	}
	// One untimed round: the first docker run also loads the image's layer into the page cache,
	// the first node run the bundle.
	for _, s := range subjects {
		run(s)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, s := range subjects {
			s.ds = append(s.ds, run(s))
		}
	}
	b.StopTimer()
	for _, s := range subjects {
		slices.Sort(s.ds)
		b.ReportMetric(float64(s.ds[len(s.ds)/2])/float64(time.Millisecond), s.name+"-median-ms")
	}
}

// extractAWSActionBundle writes the AWS action's committed bundle at the pinned commit, from
// the git copy in gitDir, to a temp dir and returns its path.
func extractAWSActionBundle(b *testing.B, gitDir string) string {
	b.Helper()
	a := official.AWS
	out, err := exec.Command("git", "--git-dir", gitDir, "show", a.Commit+":"+awsActionBundle).Output()
	if err != nil {
		var stderr []byte
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			stderr = ee.Stderr
		}
		b.Fatalf("%s names %s, which has no %s at %s (%s): point it at a git copy of github.com/%s: %v %s",
			a.GitEnv, gitDir, awsActionBundle, a.Ref, a.Commit, a.Repo, err, bytes.TrimSpace(stderr))
	}
	p := filepath.Join(b.TempDir(), "index.js")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		b.Fatal(err)
	}
	return p
}
