package aws_test

// aws-refresh end to end: the login step runs "hours ago" (both emulators' clocks set back, so
// its ID token and first credentials expired long ago), then later steps on the host use the
// profile with the real AWS CLI, whose botocore runs the helper copy whenever it wants
// credentials. Nothing sleeps: the emulators date what they issue.

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/laterstep"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	awsprovider "github.com/oidc-login/oidc-login/internal/provider/aws"
)

// loginAgo is how long before the later steps the login step ran.
const loginAgo = 3 * time.Hour

// refreshLogin runs the aws-refresh login step in the container (mount namespace) loginAgo in
// the past by the emulators' clocks, then puts their clocks back to now.
func refreshLogin(t *testing.T, gh *fakegithub.Server, sts *stsfake.Server, endpoint string, more ...string) *harness.Run {
	t.Helper()
	return refreshLoginAt(t, harness.TodayRunner, gh, sts, endpoint, more...)
}

func refreshLoginAt(t *testing.T, p harness.Placement, gh *fakegithub.Server, sts *stsfake.Server, endpoint string, more ...string) *harness.Run {
	t.Helper()
	past := func() time.Time { return time.Now().Add(-loginAgo) }
	gh.SetClock(past)
	if sts != nil {
		sts.SetClock(past)
	}
	r := harness.Exec(t, harness.Step{
		Inputs:    awsInputs(endpoint, append([]string{"aws-refresh", "true"}, more...)...),
		IDToken:   gh.Env(),
		Placement: p,
	})
	gh.SetClock(nil)
	if sts != nil {
		sts.SetClock(nil)
	}
	harness.RequireExit(t, r, 0)
	return r
}

// helperOf checks what the step left in the home mount: the profile in the config file (no
// credentials file, no keys anywhere) and the helper copy, 0700 and the runner user's. It
// returns the profile's credential_process line and the helper's host path.
func helperOf(t *testing.T, r *harness.Run, profile string) (line, helper string) {
	t.Helper()
	return helperAt(t, r, harness.TodayRunner, profile)
}

// helperAt is helperOf for a step at placement p; the paths in the profile and the exported
// variables are those the later steps of p see.
func helperAt(t *testing.T, r *harness.Run, p harness.Placement, profile string) (line, helper string) {
	t.Helper()
	w := r.Workspace
	files := harness.HomeFiles(t, w)
	if len(files) != 2 || files[0] != ".aws/config" || !strings.HasPrefix(files[1], ".oidc-login/aws-refresh-") {
		t.Fatalf("home mount holds %v, want .aws/config and one .oidc-login/aws-refresh-* helper", files)
	}
	helper = filepath.Join(w.Home, files[1])
	fi, err := os.Stat(helper)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); fi.Mode().Perm() != 0o700 || st.Uid != harness.RunnerUID || st.Gid != harness.RunnerUID {
		t.Errorf("helper %s has mode %v owner %d:%d, want 0700 %d:%d", helper, fi.Mode().Perm(), st.Uid, st.Gid, harness.RunnerUID, harness.RunnerUID)
	}
	bin, _ := harness.Binary()
	want, _ := os.ReadFile(bin)
	if got, _ := os.ReadFile(helper); !bytes.Equal(got, want) {
		t.Errorf("the helper is not a copy of the action's binary (%d bytes, want %d)", len(got), len(want))
	}
	conf := string(harness.SecretFile(t, filepath.Join(w.Home, ".aws", "config")))
	for _, s := range leak.All() {
		if strings.Contains(conf, s) {
			t.Fatalf("the config file holds a secret an emulator issued")
		}
	}
	sc := bufio.NewScanner(strings.NewReader(conf))
	section := ""
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "[") {
			section = l
		}
		if v, ok := strings.CutPrefix(l, "credential_process = "); ok && section == "[profile "+profile+"]" {
			line = v
		}
	}
	if line == "" {
		t.Fatalf("no credential_process in [profile %s]:\n%s", profile, conf)
	}
	if seen := w.LaterPath(p, helper); !strings.HasPrefix(line, seen+" credential-process ") {
		t.Errorf("credential_process = %s, want the helper's path as later steps see it, %s, first", line, seen)
	}
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
		"AWS_CONFIG_FILE": w.LaterPath(p, filepath.Join(w.Home, ".aws", "config")),
		"AWS_PROFILE":     profile,
	})
	return line, helper
}

// later is a later step's process after a login on today's runner (laterAt).
func later(t *testing.T, r *harness.Run, idToken map[string]string, more map[string]string, name string, args ...string) (stdout, stderr string, exit int) {
	t.Helper()
	return laterAt(t, r, harness.TodayRunner, idToken, more, name, args...)
}

// laterAt is a later step's process where the runner runs it after a step at placement p
// (laterstep: on the host as the runner's user, or in the job container): only what the
// runner gives every step of the job (the exported variables and, with id-token: write, the
// request variables), plus where the emulators are. The AWS CLI runs as root because its
// Python lives under /root; the helper and the Go consumer run as the runner's user, so the
// helper's mode and owner are really tested.
func laterAt(t *testing.T, r *harness.Run, p harness.Placement, idToken map[string]string, more map[string]string, name string, args ...string) (stdout, stderr string, exit int) {
	t.Helper()
	home := t.TempDir()
	if err := os.Chmod(home, 0o777); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": home, "AWS_EC2_METADATA_DISABLED": "true"}
	if pyenv := os.Getenv("PYENV_ROOT"); pyenv != "" {
		env["PYENV_ROOT"] = pyenv
	}
	for _, m := range []map[string]string{r.Env, idToken, more} {
		for k, v := range m {
			env[k] = v
		}
	}
	cmd := laterstep.Command(r.Workspace, p, env, name, args...)
	if name == "aws" {
		cmd = laterstep.CommandAsRoot(r.Workspace, p, env, name, args...)
	}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		exit = ee.ExitCode()
	default:
		t.Fatalf("%s: %v", name, err)
	}
	return o.String(), e.String(), exit
}

// redacted replaces every secret any emulator issued, for failure messages.
func redacted(s string) string {
	for _, sec := range leak.All() {
		s = strings.ReplaceAll(s, sec, "***")
	}
	return s
}

// noSecret fails if text (a helper's stderr) holds any secret any emulator issued or holds.
func noSecret(t *testing.T, what, text string) {
	t.Helper()
	for _, sec := range leak.All() {
		if strings.Contains(text, sec) {
			t.Errorf("%s holds a secret (%d bytes): %s", what, len(sec), redacted(text))
		}
	}
}

var (
	bucketOnce sync.Once
	bucketName string
	bucketErr  error
)

// pagesBucket is a bucket in moto with three objects (made once, with moto's own test keys),
// so that listing it one key per page is three signed requests.
func pagesBucket(t *testing.T, m *moto.Server) string {
	t.Helper()
	bucketOnce.Do(func() { bucketName, bucketErr = motoBucket(t.TempDir(), m, 3) })
	if bucketErr != nil {
		t.Fatal(bucketErr)
	}
	return bucketName
}

func motoBucket(home string, m *moto.Server, n int) (string, error) {
	bucket := "refresh-" + strings.ToLower(fakeid.Hex(6))
	run := func(args ...string) error {
		cmd := exec.Command("aws", append(args, "--endpoint-url", m.URL, "--region", "eu-west-1")...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_EC2_METADATA_DISABLED=true"}
		if pyenv := os.Getenv("PYENV_ROOT"); pyenv != "" {
			cmd.Env = append(cmd.Env, "PYENV_ROOT="+pyenv)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("aws %v: %v\n%s", args, err, out)
		}
		return nil
	}
	if err := run("s3api", "create-bucket", "--bucket", bucket, "--create-bucket-configuration", "LocationConstraint=eu-west-1"); err != nil {
		return "", err
	}
	for i := range n {
		if err := run("s3api", "put-object", "--bucket", bucket, "--key", fmt.Sprintf("part-%d", i)); err != nil {
			return "", err
		}
	}
	return bucket, nil
}

// signedWith is the access key id of every request the CLI signed, in order, from botocore's
// debug log of each prepared request (botocore/endpoint.py "Sending http request").
var signedWith = regexp.MustCompile(`Sending http request: .*?Credential=(ASIA[A-Z0-9]+)/`)

func keysUsed(debug string) []string {
	var out []string
	for _, m := range signedWith.FindAllStringSubmatch(debug, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestAWSRefreshRenewsForTheCLI: with 15-minute credentials (the shortest STS issues) the CLI
// is always inside botocore's 15-minute advisory refresh window (credentials.py
// _DEFAULT_ADVISORY_REFRESH_TIMEOUT, boto/botocore@0e6e240), so one `aws` command that makes
// three requests runs the helper before each of them, and each request is signed with the
// keys of the refresh just before it; all of it hours after the login step's ID token expired.
func TestAWSRefreshRenewsForTheCLI(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	m := moto.Shared(t)
	bucket := pagesBucket(t, m)
	r := refreshLogin(t, gh, sts, sts.URL, "aws-role-duration-seconds", "900")
	line, _ := helperOf(t, r, "oidc-login")
	t.Logf("credential_process = %s", line)
	if want := " --duration=900"; !strings.HasSuffix(line, want) {
		t.Errorf("credential_process = %s, want it to end with %s", line, want)
	}
	mainTok := gh.Minted()[0]
	if exp := tokenExp(t, mainTok); time.Until(exp) > -(loginAgo - fakegithub.Lifetime - time.Minute) {
		t.Fatalf("the login step's ID token expires %s, want hours ago", exp)
	}
	if first := sts.Issued()[0].Expiration; time.Until(first) > -time.Hour {
		t.Fatalf("the login step's credentials expire %s, want hours ago", first)
	}
	harness.Masked(t, r, sts.Secrets()...)
	harness.NoLeak(t, r, harness.SecretsOf(gh, sts.Secrets()...)...)

	ghBefore, stsBefore := gh.Requests(), sts.Requests()
	out, debug, code := later(t, r, gh.Env(), map[string]string{"AWS_ENDPOINT_URL_S3": m.URL},
		"aws", "s3api", "list-objects-v2", "--bucket", bucket, "--page-size", "1", "--output", "json", "--debug")
	if code != 0 {
		t.Fatalf("aws s3api list-objects-v2 exit %d:\n%s", code, redacted(debug))
	}
	var listing struct{ Contents []struct{ Key string } }
	if err := json.Unmarshal([]byte(out), &listing); err != nil || len(listing.Contents) != 3 {
		t.Fatalf("listing = %s (%v), want 3 objects", out, err)
	}
	issued := sts.Issued()[1:]
	refreshes := len(issued)
	if got := gh.Requests() - ghBefore; got != refreshes || sts.Requests()-stsBefore != refreshes {
		t.Errorf("%d refreshes made %d token and %d STS requests, want one of each per refresh", refreshes, got, sts.Requests()-stsBefore)
	}
	used := keysUsed(debug)
	if len(used) != 3 {
		t.Fatalf("the CLI signed %d requests, want 3 (one per page)", len(used))
	}
	t.Logf("one aws command, %d signed requests, %d helper runs", len(used), refreshes)
	// botocore runs the helper once to load the profile and once more before each request.
	if refreshes != 1+len(used) {
		t.Errorf("the helper ran %d times for %d requests, want %d", refreshes, len(used), 1+len(used))
	}
	for i, k := range used {
		if want := issued[i+1].AccessKeyID; k != want {
			t.Errorf("request %d was signed with the keys of refresh %d, want those of refresh %d", i+1, indexOfKey(issued, k)+1, i+2)
		}
	}
	for _, c := range issued {
		if until := time.Until(c.Expiration); until < 14*time.Minute || until > 15*time.Minute {
			t.Errorf("renewed credentials expire in %s, want the 900 s asked for", until)
		}
	}
	for _, tok := range gh.Minted()[1:] {
		if exp := tokenExp(t, tok); time.Until(exp) < 4*time.Minute {
			t.Errorf("the helper used an ID token expiring %s, want a fresh one", exp)
		}
	}
	noSecret(t, "the CLI's debug log minus the requests it signed", withoutRequests(debug))
}

// TestAWSRefreshOnePerCommandWhenFar: with an hour left, botocore runs the helper once per
// command and signs every request with those keys.
func TestAWSRefreshOnePerCommandWhenFar(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	m := moto.Shared(t)
	bucket := pagesBucket(t, m)
	r := refreshLogin(t, gh, sts, sts.URL, "aws-role-duration-seconds", "3600", "aws-profile", "deploy")
	helperOf(t, r, "deploy")
	for run := 1; run <= 2; run++ {
		_, debug, code := later(t, r, gh.Env(), map[string]string{"AWS_ENDPOINT_URL_S3": m.URL},
			"aws", "s3api", "list-objects-v2", "--bucket", bucket, "--page-size", "1", "--output", "json", "--debug")
		if code != 0 {
			t.Fatalf("aws exit %d:\n%s", code, redacted(debug))
		}
		issued := sts.Issued()
		if len(issued) != 1+run {
			t.Fatalf("after %d command(s) STS issued %d credentials, want %d", run, len(issued), 1+run)
		}
		want := issued[run].AccessKeyID
		if used := keysUsed(debug); len(used) != 3 || slices.IndexFunc(used, func(k string) bool { return k != want }) >= 0 {
			t.Errorf("command %d signed %d requests, not all with its one refresh's keys", run, len(used))
		}
	}
	if gh.Requests() != 3 || sts.Requests() != 3 {
		t.Errorf("login + 2 refreshes made %d token and %d STS requests, want 3 and 3", gh.Requests(), sts.Requests())
	}
}

// TestAWSRefreshWithMoto: the same profile against the real third-party STS, checked with the
// CLI's get-caller-identity, and removed again by the post step.
func TestAWSRefreshWithMoto(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	m := moto.Shared(t)
	r := refreshLogin(t, gh, nil, m.URL, "aws-role-session-name", "refresh@main")
	_, helper := helperOf(t, r, "oidc-login")
	if want := "aws: assumed arn:aws:sts::" + awsAccount + ":assumed-role/deploy/refresh@main in eu-west-1; profile oidc-login renews the credentials through credential_process for the rest of the job"; !strings.Contains(r.Stdout, want) {
		t.Errorf("the step's log lacks %q:\n%s", want, r.Log())
	}
	before := gh.Requests()
	out, stderr, code := later(t, r, gh.Env(), map[string]string{"AWS_ENDPOINT_URL_STS": m.URL}, "aws", "sts", "get-caller-identity", "--output", "json")
	if code != 0 {
		t.Fatalf("aws sts get-caller-identity exit %d:\n%s", code, redacted(stderr))
	}
	var id map[string]string
	if err := json.Unmarshal([]byte(out), &id); err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:sts::" + awsAccount + ":assumed-role/deploy/refresh@main"; id["Arn"] != want || id["Account"] != awsAccount {
		t.Errorf("get-caller-identity through the profile = %v, want %s", id, want)
	}
	if gh.Requests() == before {
		t.Errorf("the CLI got credentials without the helper asking for an ID token")
	}
	noSecret(t, "the CLI's stderr", stderr)

	post := harness.Exec(t, harness.Step{Post: true, State: r.State, Workspace: r.Workspace, Inputs: awsInputs(m.URL, "aws-refresh", "true")})
	harness.RequireExit(t, post, 0)
	if files := harness.HomeFiles(t, r.Workspace); len(files) != 0 {
		t.Errorf("after the post step the home mount still holds %v", files)
	}
	if _, err := os.Stat(helper); err == nil {
		t.Errorf("the post step left the helper %s", helper)
	}
	harness.MustEqual(t, "post GITHUB_ENV", post.Env, map[string]string{"AWS_CONFIG_FILE": "", "AWS_PROFILE": ""})
}

// TestAWSRefreshHelperFailures runs the profile's credential_process the way aws-sdk-go-v2
// does (sh -c, credentials/processcreds provider.go v1.21.1): exactly two requests and the
// JSON on success; exit 1, nothing on stdout and one explaining line on stderr when the step
// has no request token or the role refuses; never a secret on stderr. The CLI shows that line.
func TestAWSRefreshHelperFailures(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	r := refreshLogin(t, gh, sts, sts.URL)
	line, _ := helperOf(t, r, "oidc-login")

	ghBefore, stsBefore := gh.Requests(), sts.Requests()
	out, stderr, code := later(t, r, gh.Env(), nil, "sh", "-c", line)
	if code != 0 || stderr != "" {
		t.Fatalf("helper exit %d, stderr %s", code, redacted(stderr))
	}
	if gh.Requests()-ghBefore != 1 || sts.Requests()-stsBefore != 1 {
		t.Errorf("one refresh made %d token and %d STS requests, want 1 and 1", gh.Requests()-ghBefore, sts.Requests()-stsBefore)
	}
	c := sts.Issued()[len(sts.Issued())-1]
	want := `{"Version":1,"AccessKeyId":"` + c.AccessKeyID + `","SecretAccessKey":"` + c.SecretAccessKey + `","SessionToken":"` + c.SessionToken + `","Expiration":"` + c.Expiration.Format(time.RFC3339) + `"}` + "\n"
	if out != want {
		t.Errorf("helper stdout is not exactly the credential_process JSON of what STS issued (%d bytes, want %d)", len(out), len(want))
	}

	cases := []struct {
		name    string
		idToken map[string]string
		setup   func()
		want    []string
	}{{
		name:    "no request token (a job without id-token: write)",
		idToken: nil,
		want:    []string{"oidc-login credential-process: the AWS profile renews its credentials with a fresh GitHub ID token, and this step cannot request one", "ACTIONS_ID_TOKEN_REQUEST_URL", "id-token: write"},
	}, {
		name:    "request token of another job",
		idToken: map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": gh.RequestURL(), "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "ghrt_" + fakeid.Hex(20)},
		want:    []string{"oidc-login credential-process: GitHub ID token request", "401", "it is valid only inside the job that received it"},
	}, {
		name:    "the role refuses",
		idToken: gh.Env(),
		setup: func() {
			gh.SetClaims(map[string]any{"sub": "repo:octo-org/octo-repo:environment:production"})
		},
		want: []string{"oidc-login credential-process: AWS STS AssumeRoleWithWebIdentity refused: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity", "sub=repo:octo-org/octo-repo:environment:production", "aud=sts.amazonaws.com"},
	}}
	for _, tc := range cases {
		if tc.setup != nil {
			tc.setup()
		}
		ghBefore, stsBefore := gh.Requests(), sts.Requests()
		out, stderr, code := later(t, r, tc.idToken, nil, "sh", "-c", line)
		if code != 1 || out != "" {
			t.Errorf("%s: exit %d, stdout %d bytes; want exit 1 and nothing", tc.name, code, len(out))
		}
		if n := strings.Count(stderr, "\n"); n != 1 || !strings.HasSuffix(stderr, "\n") {
			t.Errorf("%s: stderr has %d lines, want one: %s", tc.name, n, redacted(stderr))
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr lacks %q: %s", tc.name, w, redacted(stderr))
			}
		}
		// A refusal is final: one request each, no retries.
		if tc.idToken != nil && (gh.Requests()-ghBefore != 1 || sts.Requests()-stsBefore > 1) {
			t.Errorf("%s: %d token and %d STS requests, want one attempt", tc.name, gh.Requests()-ghBefore, sts.Requests()-stsBefore)
		}
		noSecret(t, tc.name+": helper stderr", stderr)
		// The CLI passes the helper's line on to its user (botocore ProcessProvider raises it).
		_, cliErr, cliCode := later(t, r, tc.idToken, nil, "aws", "sts", "get-caller-identity")
		if cliCode == 0 || !strings.Contains(cliErr, strings.TrimSpace(stderr)) {
			t.Errorf("%s: the CLI (exit %d) did not show the helper's line: %s", tc.name, cliCode, redacted(cliErr))
		}
		noSecret(t, tc.name+": CLI stderr", cliErr)
	}
}

// withoutRequests drops the debug lines that show a signed request or its canonical form (they
// carry the session token by design); everything else botocore logged must hold no secret.
func withoutRequests(debug string) string {
	var keep []string
	for _, l := range strings.Split(debug, "\n") {
		if strings.Contains(l, "Sending http request") || strings.Contains(l, "CanonicalRequest") || strings.Contains(l, "x-amz-security-token") || strings.Contains(l, "X-Amz-Security-Token") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

func indexOfKey(issued []stsfake.Credentials, key string) int {
	return slices.IndexFunc(issued, func(c stsfake.Credentials) bool { return c.AccessKeyID == key })
}

// tokenExp reads a token's exp without verifying it.
func tokenExp(t *testing.T, raw string) time.Time {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatal("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Exp int64 `json:"exp"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return time.Unix(c.Exp, 0)
}

// TestCommandLineUnderBotocore: botocore splits credential_process with its own
// compat_shell_split (shlex; boto/botocore@0e6e240 botocore/compat.py) and runs it without a
// shell; the words it gets back are exactly the ones CommandLine quoted, however hostile.
func TestCommandLineUnderBotocore(t *testing.T) {
	t.Parallel()
	args := []string{"--audience=it's", `--a="b"`, "--x=$HOME`id`", "--y=a#b;c", `--z=\n`, "--u=é&|<>*?[]", "--duration=900"}
	line, err := awsprovider.CommandLine("/home/runner/work/_temp/_github_home/.oidc-login/aws-refresh-0a1b", args)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("python3", "-c", "import json, sys\nfrom botocore.compat import compat_shell_split\nprint(json.dumps(compat_shell_split(sys.argv[1])))", line).Output()
	if err != nil {
		t.Fatalf("botocore's split of %s: %v", line, err)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := append([]string{"/home/runner/work/_temp/_github_home/.oidc-login/aws-refresh-0a1b", awsprovider.HelperCommand}, args...)
	if !slices.Equal(got, want) {
		t.Errorf("botocore split %s into %q, want %q", line, got, want)
	}
}

// TestAWSRefreshPlacements: in a job container the profile names the helper and the config
// file by their /__w paths, and the helper runs there (a mount namespace with the work folder
// at /__w, as the job container sees it); run on the host (a composite or local run) it names
// host paths. Either way one refresh gives exactly what STS issued.
func TestAWSRefreshPlacements(t *testing.T) {
	t.Parallel()
	for _, p := range []harness.Placement{harness.JobContainer, harness.NoContainer} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newSTS(t, gh)
			r := refreshLoginAt(t, p, gh, sts, sts.URL)
			line, _ := helperAt(t, r, p, "oidc-login")
			out, stderr, code := laterAt(t, r, p, gh.Env(), nil, "sh", "-c", line)
			if code != 0 || stderr != "" {
				t.Fatalf("helper exit %d, stderr %s", code, redacted(stderr))
			}
			c := sts.Issued()[len(sts.Issued())-1]
			var got struct {
				Version                                                int
				AccessKeyId, SecretAccessKey, SessionToken, Expiration string
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil || got.Version != 1 || got.AccessKeyId != c.AccessKeyID ||
				got.SecretAccessKey != c.SecretAccessKey || got.SessionToken != c.SessionToken || got.Expiration != c.Expiration.Format(time.RFC3339) {
				t.Errorf("helper printed %d bytes that are not the credentials STS issued (%v)", len(out), err)
			}
		})
	}
}

var (
	goConsumerOnce sync.Once
	goConsumerBin  string
	goConsumerErr  error
)

// goConsumer builds ./goconsumer once per test process.
func goConsumer(t *testing.T) string {
	t.Helper()
	goConsumerOnce.Do(func() {
		dir, err := os.MkdirTemp("", "oidc-login-goconsumer-")
		if err != nil {
			goConsumerErr = err
			return
		}
		// The runner's user runs it.
		if err := os.Chmod(dir, 0o755); err != nil {
			goConsumerErr = err
			return
		}
		goConsumerBin = filepath.Join(dir, "goconsumer")
		cmd := exec.Command("go", "build", "-o", goConsumerBin, "./e2e/aws/goconsumer")
		cmd.Dir = harness.Root()
		if out, err := cmd.CombinedOutput(); err != nil {
			goConsumerErr = fmt.Errorf("go build goconsumer: %v\n%s", err, out)
		}
	})
	if goConsumerErr != nil {
		t.Fatal(goConsumerErr)
	}
	return goConsumerBin
}

// removeGoConsumer deletes the program goConsumer built, if any (from TestMain).
func removeGoConsumer() {
	if goConsumerBin != "" {
		_ = os.RemoveAll(filepath.Dir(goConsumerBin))
	}
}

type retrieval struct {
	AccessKeyID string
	Expires     time.Time
	Source      string
}

// TestAWSRefreshGoSDK: aws-sdk-go-v2 (config v1.33.15, what Terraform's AWS provider builds
// on) loads the profile from AWS_CONFIG_FILE/AWS_PROFILE and runs the helper through `sh -c`.
// Its credentials cache has no expiry window for a credential_process (config
// resolve_credentials.go wraps it in aws.CredentialsCache with no options), so with 15 minutes
// left three retrievals run the helper once; with credentials that STS dated so they expired
// on arrival, each retrieval runs it again and gets new keys.
func TestAWSRefreshGoSDK(t *testing.T) {
	t.Parallel()
	bin := goConsumer(t)
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	r := refreshLogin(t, gh, sts, sts.URL, "aws-role-duration-seconds", "900")
	helperOf(t, r, "oidc-login")
	consume := func(what string) []retrieval {
		t.Helper()
		ghBefore, stsBefore, issuedBefore := gh.Requests(), sts.Requests(), len(sts.Issued())
		out, stderr, code := later(t, r, gh.Env(), nil, bin, "3")
		if code != 0 {
			t.Fatalf("%s: goconsumer exit %d: %s", what, code, redacted(stderr))
		}
		noSecret(t, what+": goconsumer stderr (the helper's goes there too)", stderr)
		var got []retrieval
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 3 {
			t.Fatalf("%s: goconsumer printed %d retrievals (%v), want 3", what, len(got), err)
		}
		runs := len(sts.Issued()) - issuedBefore
		if gh.Requests()-ghBefore != runs || sts.Requests()-stsBefore != runs {
			t.Errorf("%s: %d helper runs made %d token and %d STS requests, want one of each per run", what, runs, gh.Requests()-ghBefore, sts.Requests()-stsBefore)
		}
		t.Logf("%s: 3 retrievals, %d helper runs", what, runs)
		return got
	}

	got := consume("15 minutes left")
	last := sts.Issued()[len(sts.Issued())-1]
	if len(sts.Issued()) != 2 {
		t.Errorf("with 15 minutes left the Go SDK ran the helper %d times for 3 retrievals, want once", len(sts.Issued())-1)
	}
	for i, g := range got {
		if g.AccessKeyID != last.AccessKeyID || !g.Expires.Equal(last.Expiration) {
			t.Errorf("retrieval %d: not the keys and expiry of the one refresh", i+1)
		}
	}

	// Both emulators 16 minutes back: a valid ID token for STS's clock, and 15-minute
	// credentials that expired a minute before they arrived.
	back := func() time.Time { return time.Now().Add(-16 * time.Minute) }
	gh.SetClock(back)
	sts.SetClock(back)
	defer gh.SetClock(nil)
	defer sts.SetClock(nil)
	issuedBefore := len(sts.Issued())
	got = consume("already expired")
	issued := sts.Issued()[issuedBefore:]
	if len(issued) != 3 {
		t.Fatalf("with expired credentials the Go SDK ran the helper %d times for 3 retrievals, want 3", len(issued))
	}
	for i, g := range got {
		if g.AccessKeyID != issued[i].AccessKeyID {
			t.Errorf("retrieval %d did not get the keys of refresh %d", i+1, i+1)
		}
	}
}
