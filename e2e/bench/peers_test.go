package bench_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/e2e/bench/internal/official"
	"github.com/oidc-login/oidc-login/e2e/internal/dockerimage"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
	"github.com/oidc-login/oidc-login/e2e/internal/nativeinstall"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// peerVersion is the release the benchmarks' native/ pins (any vX.Y.Z: the launcher only
// compares it with the tool cache's folder and asks the local release server for it).
const peerVersion = "v9.9.9"

// BenchmarkPeers runs the same login against the same emulators in several ways, side by side
// and interleaved (one of each per iteration, so a busy machine slows all alike):
//
//   - first-step: the native action on a cache hit as a job's first step, started as the
//     runner starts its composite bash step (native/action.yml's env: mapping of every input,
//     the run: line through `bash --noprofile --norc -e -o pipefail`, then run.sh, which
//     copies the cached binary into the job's RUNNER_TEMP, hashes the copy and runs it): what
//     a job with one login pays;
//   - later-step: the same step later in the same job, which runs the job's copy as it is
//     (hostRunner says how each is set up);
//   - container: the root action as a container action, `docker run` with the runner's
//     flags, mounts and environment (harness.Step.ContainerRun, dockerimage.RunArgs);
//   - node: the official action's committed bundle started by node the way the runner starts
//     a JavaScript action (INPUT_* for every input with a default or a value, the runner's
//     variables, GITHUB_ENV/GITHUB_OUTPUT files, ACTIONS_ID_TOKEN_REQUEST_* at the fake
//     GitHub, the workspace as working directory; NodeScriptActionHandler.cs at
//     actions/runner 258d6c8);
//   - binary: the cached binary started directly, with the environment the native step gives
//     run.sh, to show what the launchers add (not a way the runner can start it);
//   - native-cache-miss (aws only): the native step on a runner that has never run this
//     version: an empty tool cache, so run.sh downloads the asset from a local release server
//     (from the mirror OIDC_LOGIN_NATIVE_DOWNLOAD_URL names), checks its SHA-256, caches and runs it.
//
// Cases:
//   - aws: role via web identity at a trust-checking STS (stsfake, plain http). Ours makes one
//     STS call; configure-aws-credentials v6.2.3 makes two (AssumeRoleWithWebIdentity, then
//     GetCallerIdentity to check the credentials), which is its real cost.
//   - gcp-service-account: Workload Identity Federation through a service account,
//     token_format access_token (STS exchange, then generateAccessToken), over TLS (gcpfake).
//     google-github-actions/auth v3.0.0 takes its endpoints from the universe input; its own
//     GHA_ENDPOINT_OVERRIDE_<name> variables (expandUniverseEndpoints in the bundled
//     @google-github-actions/actions-utils) point sts and iamcredentials at the emulator with
//     the bundle unmodified and no name resolution. NODE_EXTRA_CA_CERTS adds the test CA to
//     node's roots; our binary gets the image's bundle (Debian's with the CA appended) as
//     SSL_CERT_FILE on the host and as its own bundle in the container, so every subject
//     loads a full root store, as on a runner.
//
// Every login is checked: exit 0, the exact credentials the emulator issued for it in
// GITHUB_ENV (AWS) or GITHUB_OUTPUT (the GCP access token), and no secret any emulator
// issued printed outside a mask. Each login gets a fresh workspace, made outside the timer.
// Metrics per subject: <subject>-ms (median, exec to exit), <subject>-requests (HTTP requests
// per login, ID-token requests included), <subject>-x (its median over the first step's), and
// for the official action and the container also <subject>-x-later (over the later step's);
// for first-step, binary and node <subject>-peak-RSS-MiB (the largest of rssRuns more logins,
// each checked as the others, under GNU time(1)); for aws also asset-bytes and the cache
// miss's download-requests. Run it with a fixed count:
//
//	go test -run '^$' -bench Peers -benchtime 20x ./e2e/bench
//	go run ./e2e/bench/cmd/peers
//
// It needs root, docker, node and a git copy of each official action, which the variables of
// package official name (OIDC_LOGIN_AWS_ACTION_GIT, OIDC_LOGIN_GOOGLE_ACTION_GIT): a case
// whose variable is unset skips, saying how to set it (CI runs no benchmark); without docker
// or node it skips, except with CI=true, where it fails.
func BenchmarkPeers(b *testing.B) {
	for _, c := range []struct {
		name   string
		action official.Action
		setup  func(b *testing.B, p *peerEnv, a *peerAction) peerCase
	}{{"aws", official.AWS, awsPeers}, {"gcp-service-account", official.Google, gcpPeers}} {
		b.Run(c.name, func(b *testing.B) {
			gitDir, err := c.action.GitDir()
			if err != nil {
				b.Skip(err)
			}
			p := newPeerEnv(b)
			runPeers(b, c.setup(b, p, extractAction(b, c.action, gitDir)))
		})
	}
}

// peerEnv is what every case needs: node, the image, the binary and a native/ released with
// it, and a fake GitHub.
type peerEnv struct {
	node   string
	img    dockerimage.Image
	ca     *testca.CA
	body   []byte
	action *nativeinstall.Action
	gh     *fakegithub.Server
	label  string
}

// skipOrFail skips the benchmark, or fails it in CI, where a peer silently not measured would
// go unnoticed.
func skipOrFail(b *testing.B, msg string) {
	b.Helper()
	if os.Getenv("CI") == "true" {
		b.Fatal(msg)
	}
	b.Skip(msg)
}

func newPeerEnv(b *testing.B) *peerEnv {
	b.Helper()
	ca, err := testca.Shared()
	if err != nil {
		b.Fatal(err)
	}
	// The image trusts the test CA through its bundle, as it trusts real clouds.
	p := &peerEnv{ca: ca, img: dockerimage.Build(b, ca.PEM)}
	if p.node, err = exec.LookPath("node"); err != nil {
		skipOrFail(b, fmt.Sprintf("no node on the PATH, so the official actions are NOT measured: %v", err))
	}
	if p.body, err = os.ReadFile(p.img.Binary); err != nil {
		b.Fatal(err)
	}
	p.action = nativeinstall.Released(b, peerVersion, p.body)
	p.gh = harness.NewGitHub(b)
	p.label = "oidc-login-bench-" + fakeid.Hex(6)
	b.Cleanup(func() {
		// A container left by a run that timed out (--rm removes it only once it exits).
		out, err := dockerimage.Docker(context.Background(), nil, "ps", "--all", "--quiet", "--filter", "label="+p.label)
		if err == nil && out != "" {
			_, _ = dockerimage.Docker(context.Background(), nil, append([]string{"rm", "--force"}, strings.Fields(out)...)...)
		}
	})
	return p
}

// peerAction is an official action extracted at a pinned commit: its folder, the file
// runs.main names, and its inputs' defaults, which the runner hands the action as INPUT_*.
type peerAction struct {
	dir, main string
	defaults  map[string]string
	// repo and ref are GITHUB_ACTION_REPOSITORY and GITHUB_ACTION_REF, as the runner sets them.
	repo, ref string
}

// extractAction writes action.yml and dist/ of a at its pinned commit, from the git copy in
// gitDir, into a temp dir.
func extractAction(b *testing.B, a official.Action, gitDir string) *peerAction {
	b.Helper()
	repo, ref := a.Repo, a.Ref
	dir := b.TempDir()
	cmd := exec.Command("bash", "-o", "pipefail", "-c", `git --git-dir "$1" archive "$2" action.yml dist | tar -x -C "$3"`, "bash", gitDir, a.Commit, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s names %s, which has no %s at %s (%s): point it at a git copy of github.com/%s: %v %s",
			a.GitEnv, gitDir, repo, ref, a.Commit, repo, err, bytes.TrimSpace(out))
	}
	raw, err := os.ReadFile(filepath.Join(dir, "action.yml"))
	if err != nil {
		b.Fatal(err)
	}
	var meta struct {
		Inputs map[string]struct {
			Default *string `yaml:"default"`
		} `yaml:"inputs"`
		Runs struct {
			Using string `yaml:"using"`
			Main  string `yaml:"main"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(raw, &meta); err != nil {
		b.Fatalf("%s action.yml: %v", repo, err)
	}
	if !strings.HasPrefix(meta.Runs.Using, "node") || meta.Runs.Main == "" {
		b.Fatalf("%s at %s is not a JavaScript action (runs.using %q, main %q)", repo, ref, meta.Runs.Using, meta.Runs.Main)
	}
	pa := &peerAction{dir: dir, main: filepath.Join(dir, meta.Runs.Main), defaults: map[string]string{}, repo: repo, ref: ref}
	for name, in := range meta.Inputs {
		if in.Default != nil {
			pa.defaults[name] = *in.Default
		}
	}
	return pa
}

// subject is one way of logging in: cmd starts one login in ws; the case's check then
// judges what it wrote.
type subject struct {
	name string
	cmd  func(ws *harness.Workspace) (*exec.Cmd, error)
	// before runs outside the timer just before each login (an empty tool cache for the
	// cache miss).
	before func(b *testing.B)
	// got reads the credential the login handed the next steps (from its GITHUB_ENV or
	// GITHUB_OUTPUT).
	got func(env, outputs map[string]string) string
	// peer is an official action: what it prints is judged as the runner shows it (a value
	// masked earlier in the step is redacted), not by our rule of never printing one.
	peer bool
	// rss: its peak memory is measured (not for docker run: the container's memory is not
	// the CLI's, nor for the cache miss, whose binary is the cache hit's).
	rss bool
	// runs counts its logins, the untimed first round included.
	runs    int
	ds      []time.Duration
	req     []int
	peakKiB int64
}

// peerCase is one login done every way, and how to tell it worked.
type peerCase struct {
	// subjects are the ways, the native action's first and later step first.
	subjects []*subject
	// issued returns every credential the emulator handed out, in order; each login must
	// add exactly one, and hand exactly that one on.
	issued func() []string
	// requests counts every request the fake GitHub and the emulators got.
	requests func() int
	// extra reports case-specific metrics after the runs.
	extra func(b *testing.B)
}

// jobEnv is the rest of what the runner sets for every step of a push job (the harness's
// runner variables hold the paths): configure-aws-credentials refuses to run without
// GITHUB_WORKFLOW, GITHUB_ACTION, GITHUB_ACTOR and GITHUB_SHA (src/assumeRole.ts at v6.2.3,
// commit e6de054), so every subject gets them.
func jobEnv() map[string]string {
	return map[string]string{
		"GITHUB_WORKFLOW": "deploy", "GITHUB_ACTION": "login", "GITHUB_ACTOR": "octocat",
		"GITHUB_SHA": "ffac537e6cbbf934b08745a378932722df287a53", "GITHUB_REF": "refs/heads/main",
		"GITHUB_REF_NAME": "main", "GITHUB_EVENT_NAME": "push", "GITHUB_RUN_ID": "1658821493",
		"GITHUB_RUN_NUMBER": "3", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_JOB": "login",
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_API_URL": "https://api.github.com",
		"GITHUB_REPOSITORY_OWNER": "octo-org",
	}
}

// nativeSubjects are the native step on a cache hit in a tool cache, as a job's first step
// and as a later step of the job, and the cached binary started directly with the environment
// the step gives run.sh: what the launchers (the runner's bash, run.sh) add.
func (p *peerEnv) nativeSubjects(b *testing.B, inputs, env map[string]string, got func(env, outputs map[string]string) string) (first, later, binary *subject) {
	host := newHostRunner(b, p.body)
	stepEnv := map[string]string{}
	for k, v := range p.gh.Env() {
		stepEnv[k] = v
	}
	for k, v := range env {
		stepEnv[k] = v
	}
	first = &subject{name: "first-step", got: got, rss: true, cmd: func(ws *harness.Workspace) (*exec.Cmd, error) { return host.firstStep(ws, inputs, stepEnv) }}
	later = &subject{name: "later-step", got: got, cmd: func(ws *harness.Workspace) (*exec.Cmd, error) { return host.laterStep(ws, inputs, stepEnv) }}
	binary = &subject{name: "binary", got: got, rss: true, cmd: func(ws *harness.Workspace) (*exec.Cmd, error) { return host.binary(ws, inputs, stepEnv) }}
	return first, later, binary
}

// containerSubject is the root action's docker run as the runner makes it, on today's runner.
func (p *peerEnv) containerSubject(inputs map[string]string, got func(env, outputs map[string]string) string) *subject {
	return &subject{name: "container", got: got, cmd: func(ws *harness.Workspace) (*exec.Cmd, error) {
		run, err := harness.Step{Inputs: inputs, IDToken: p.gh.Env(), Env: jobEnv(), Workspace: ws, Placement: harness.TodayRunner}.ContainerRun()
		if err != nil {
			return nil, err
		}
		args, env := dockerimage.RunArgs("oidc-login-bench_"+fakeid.Hex(3), p.label, p.img.Tag, run)
		cmd := exec.Command("docker", args...)
		// -e NAME takes each value from the docker CLI's environment, as the runner passes them.
		cmd.Env = append(os.Environ(), env...)
		return cmd, nil
	}}
}

// nodeSubject is the official action's bundle under node, started as the runner starts a
// JavaScript action.
func (p *peerEnv) nodeSubject(a *peerAction, inputs, env map[string]string, got func(env, outputs map[string]string) string) *subject {
	return &subject{name: "node", peer: true, rss: true, got: got, cmd: func(ws *harness.Workspace) (*exec.Cmd, error) {
		e := ws.RunnerEnv()
		for k, v := range jobEnv() {
			e[k] = v
		}
		e["HOME"] = filepath.Join(ws.Root, "user-home")
		e["GITHUB_ACTION_REPOSITORY"], e["GITHUB_ACTION_REF"] = a.repo, a.ref
		// AddInputsToEnvironment: every input with a default or a value, INPUT_ + upper case.
		for k, v := range a.defaults {
			e["INPUT_"+strings.ToUpper(k)] = v
		}
		for k, v := range inputs {
			e["INPUT_"+strings.ToUpper(k)] = v
		}
		for k, v := range p.gh.Env() {
			e[k] = v
		}
		for k, v := range env {
			e[k] = v
		}
		cmd := exec.Command(p.node, a.main)
		cmd.Dir = ws.Workspace
		for k, v := range e {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		return cmd, nil
	}}
}

// awsPeers is the AWS world's login (stsfake.NewWorld: its role, region and trust policy),
// which configure-aws-credentials gets as role-to-assume, aws-region and sts-endpoint.
func awsPeers(b *testing.B, p *peerEnv, awsAction *peerAction) peerCase {
	s := worlds.Must(b, stsfake.NewWorld, p.gh)
	ours := s.Inputs()
	// What later steps use: the key id in GITHUB_ENV (the secret and the token must match too).
	fromEnv := func(env, _ map[string]string) string {
		return env["AWS_ACCESS_KEY_ID"] + "\n" + env["AWS_SECRET_ACCESS_KEY"] + "\n" + env["AWS_SESSION_TOKEN"]
	}
	rel := nativeinstall.NewRelease(b, peerVersion, p.body)
	var missCache string
	miss := &subject{name: "native-cache-miss", got: fromEnv,
		before: func(b *testing.B) { missCache = b.TempDir() },
		cmd: func(ws *harness.Workspace) (*exec.Cmd, error) {
			e := jobEnv()
			e["RUNNER_TOOL_CACHE"], e["OIDC_LOGIN_NATIVE_DOWNLOAD_URL"] = missCache, rel.URL
			for k, v := range p.gh.Env() {
				e[k] = v
			}
			return p.action.Step(ws, ours, e)
		}}
	first, later, binary := p.nativeSubjects(b, ours, s.Env(), fromEnv)
	return peerCase{
		subjects: []*subject{
			first,
			later,
			p.containerSubject(ours, fromEnv),
			p.nodeSubject(awsAction, map[string]string{"aws-region": stsfake.Region, "role-to-assume": stsfake.RoleARN, "sts-endpoint": s.URL}, nil, fromEnv),
			miss,
			binary,
		},
		issued: func() []string {
			var out []string
			for _, c := range s.Issued() {
				out = append(out, c.AccessKeyID+"\n"+c.SecretAccessKey+"\n"+c.SessionToken)
			}
			return out
		},
		requests: func() int { return p.gh.Requests() + s.RequestCount() },
		extra: func(b *testing.B) {
			// Every cache miss downloads the asset once, whole; the cache hits never.
			r, n := rel.Requests(), rel.Bytes()
			if r != int64(miss.runs) || n != r*int64(len(p.body)) {
				b.Fatalf("%d cache misses made %d downloads of %d bytes in all, want one of %d bytes each", miss.runs, r, n, len(p.body))
			}
			b.ReportMetric(float64(len(p.body)), "asset-bytes")
			b.ReportMetric(float64(r)/float64(miss.runs), "download-requests")
		},
	}
}

// gcpPeers is the GCP world's login through its service account (gcpfake.NewWorld: its pool,
// provider and service account), token_format access_token, which google-github-actions/auth
// gets as workload_identity_provider and service_account.
func gcpPeers(b *testing.B, p *peerEnv, googleAction *peerAction) peerCase {
	g := worlds.Must(b, gcpfake.NewWorld, p.gh)
	ours := g.ServiceAccountInputs()
	ours["gcp-token-format"], ours["output-credentials"] = "access_token", "true"
	theirs := map[string]string{"workload_identity_provider": gcpfake.WorkloadIdentityProvider, "service_account": gcpfake.ServiceAccountEmail, "token_format": "access_token"}
	// Our binary on the host trusts the test CA the way the image does: Debian's bundle with the
	// CA appended (so it loads a full system pool, as on a runner, not the world's
	// one-certificate file).
	bundle := filepath.Join(b.TempDir(), "ca-certificates.crt")
	if err := os.WriteFile(bundle, p.img.Bundle, 0o644); err != nil {
		b.Fatal(err)
	}
	env := g.Env()
	env["SSL_CERT_FILE"] = bundle
	nodeEnv := map[string]string{
		"NODE_EXTRA_CA_CERTS":                  p.ca.File,
		"GHA_ENDPOINT_OVERRIDE_sts":            g.STSURL + "/v1",
		"GHA_ENDPOINT_OVERRIDE_iamcredentials": g.IAMURL + "/v1",
	}
	token := func(_, out map[string]string) string { return out["gcp-access-token"] }
	first, later, binary := p.nativeSubjects(b, ours, env, token)
	return peerCase{
		subjects: []*subject{
			first,
			later,
			p.containerSubject(ours, token),
			p.nodeSubject(googleAction, theirs, nodeEnv, func(_, out map[string]string) string { return out["access_token"] }),
			binary,
		},
		issued: func() []string {
			var out []string
			for _, t := range g.AccessTokens() {
				out = append(out, t.Token)
			}
			return out
		},
		requests: func() int { return p.gh.Requests() + g.RequestCount() },
	}
}

// runPeers runs one untimed round (the page cache), then b.N rounds of
// every subject in turn, checks each login, and reports the medians and ratios.
func runPeers(b *testing.B, c peerCase) {
	// one runs a login of s and checks it; with measureRSS it records the peak memory.
	one := func(s *subject, measureRSS bool) (time.Duration, int) {
		b.StopTimer()
		if s.before != nil {
			s.before(b)
		}
		ws := harness.NewWorkspace(b)
		cmd, err := s.cmd(ws)
		if err != nil {
			b.Fatal(err)
		}
		issued, reqs := len(c.issued()), c.requests()
		s.runs++
		t := runTimed(b, s.name, cmd, ws, measureRSS)
		s.peakKiB = max(s.peakKiB, t.peakKiB)
		r := t.run
		if s.peer {
			maskedFirst(b, s.name, r.Stdout, r.Stderr, leak.All())
		} else {
			harness.NoLeak(b, r, leak.All()...)
		}
		if r.Exit != 0 {
			b.Fatalf("%s exited %d\nstdout:\n%s\nstderr:\n%s", s.name, r.Exit, r.Redact(r.Stdout), r.Redact(r.Stderr))
		}
		env, out := t.env, t.out
		all := c.issued()
		if len(all) != issued+1 {
			b.Fatalf("%s: the emulator issued %d credentials for one login, want 1", s.name, len(all)-issued)
		}
		if got := s.got(env, out); got != all[issued] {
			b.Fatalf("%s handed on %d bytes that are not the credential the emulator issued for this login (%d bytes)", s.name, len(got), len(all[issued]))
		}
		endJob(b, ws)
		return t.d, c.requests() - reqs
	}
	for _, s := range c.subjects {
		one(s, false)
	}
	b.ResetTimer()
	for range b.N {
		for _, s := range c.subjects {
			d, n := one(s, false)
			s.ds, s.req = append(s.ds, d), append(s.req, n)
		}
	}
	b.StopTimer()
	for range rssRuns {
		for _, s := range c.subjects {
			if s.rss {
				one(s, true)
			}
		}
	}
	median := func(s *subject) float64 {
		ds := slices.Clone(s.ds)
		slices.Sort(ds)
		return float64(ds[len(ds)/2]) / float64(time.Millisecond)
	}
	first, later := median(c.subjects[0]), median(c.subjects[1])
	for _, s := range c.subjects {
		m := median(s)
		b.ReportMetric(m, s.name+"-ms")
		if slices.Min(s.req) != slices.Max(s.req) {
			b.Fatalf("%s made %d to %d requests per login; every login should make the same", s.name, slices.Min(s.req), slices.Max(s.req))
		}
		b.ReportMetric(float64(s.req[0]), s.name+"-requests")
		if s != c.subjects[0] {
			b.ReportMetric(m/first, s.name+"-x")
		}
		if s.peer || s.name == "container" {
			b.ReportMetric(m/later, s.name+"-x-later")
		}
		if s.rss {
			b.ReportMetric(float64(s.peakKiB)/1024, s.name+"-peak-RSS-MiB")
		}
	}
	if c.extra != nil {
		c.extra(b)
	}
}

// maskedFirst fails unless every secret a peer printed was masked on an earlier line of its
// stdout, so the runner's log shows it as ***: google-github-actions/auth prints its requests
// (the GitHub ID token among them) as ::debug:: lines after masking them, which the runner
// redacts. Nothing may reach stderr.
func maskedFirst(b *testing.B, name, stdout, stderr string, secrets []string) {
	b.Helper()
	var masked []string
	for n, line := range strings.Split(stdout, "\n") {
		if v, ok := strings.CutPrefix(line, "::add-mask::"); ok {
			masked = append(masked, strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(v))
			continue
		}
		for i, sec := range secrets {
			if sec != "" && strings.Contains(line, sec) && !slices.Contains(masked, sec) {
				b.Errorf("%s printed secret #%d (%d bytes) on stdout line %d before masking it", name, i, len(sec), n+1)
			}
		}
	}
	for i, sec := range secrets {
		if sec != "" && strings.Contains(stderr, sec) {
			b.Errorf("%s printed secret #%d (%d bytes) on stderr", name, i, len(sec))
		}
	}
}
