package image_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/dockerimage"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// The aws world's account.
const (
	awsAccount = stsfake.Account
	awsRole    = stsfake.RoleARN
	// awsSession is the session a login with the action's default session name gets.
	awsSession = stsfake.AssumedRoleARN
)

const (
	// otherProfile is a profile an earlier step of the job left in the shared credentials
	// file; the login must keep it and the post step must leave exactly it behind.
	otherProfile = "[other]\naws_access_key_id = AKIAOTHEROTHEROTHER0\naws_secret_access_key = other-secret\n"
)

// tlsSTS starts the aws world's trust-checking STS emulator behind https with a certificate
// from the test CA, which the image trusts only through its bundled CA file.
func tlsSTS(t *testing.T, gh *fakegithub.Server) (*stsfake.World, string) {
	t.Helper()
	sts := worlds.Must(t, stsfake.NewWorld, gh)
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.NewTLSServer(sts.Faults)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return sts, srv.URL
}

func profileInputs(endpoint string, more ...string) map[string]string {
	in := map[string]string{
		"provider":         "aws",
		"aws-role-arn":     awsRole,
		"aws-region":       stsfake.Region,
		"aws-sts-endpoint": endpoint,
		"aws-profile":      "ci",
	}
	for i := 0; i+1 < len(more); i += 2 {
		in[more[i]] = more[i+1]
	}
	return in
}

// containerPlacements are the runner layouts that run the action as a container action.
var containerPlacements = []harness.Placement{harness.TodayRunner, harness.OldRunner, harness.JobContainer}

// TestImageLoginAndPost runs the image's entrypoint with the runner's docker run, under each
// placement that runs a container action: the login reaches STS over TLS trusting the bundled
// CA alone, the shared credentials file it exports is the path later steps see (the host's,
// or /__w/… in a job container) and exists after the container is gone (0600, owned by the
// home mount's owner), and the post entrypoint of action.yml, in a fresh container with the
// same args, removes the profile again and leaves the earlier step's profile as it was.
func TestImageLoginAndPost(t *testing.T) {
	t.Parallel()
	im := sharedImage(t)
	cfg := imageConfig(t, im)
	if len(cfg.Entrypoint) != 1 || cfg.Entrypoint[0] != binaryPath {
		t.Fatalf("image entrypoint = %q, want [%s]", cfg.Entrypoint, binaryPath)
	}
	for _, p := range containerPlacements {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			loginAndPost(t, im, p)
		})
	}
}

func loginAndPost(t *testing.T, im dockerimage.Image, p harness.Placement) {
	gh := harness.NewGitHub(t)
	sts, endpoint := tlsSTS(t, gh)
	ws := harness.NewWorkspace(t)
	credsPath := filepath.Join(ws.Home, ".aws", "credentials")
	confPath := filepath.Join(ws.Home, ".aws", "config")
	seedOwned(t, ws, ".aws/credentials", otherProfile)

	inputs := profileInputs(endpoint)
	main := harness.Step{Inputs: inputs, IDToken: gh.Env(), Workspace: ws, Placement: p}
	code, stdout, stderr := dockerRun(t, im, runOf(t, main))
	r := collect(t, ws, code, stdout, stderr)
	harness.RequireExit(t, r, 0)
	issued := sts.Issued()
	if len(issued) != 1 {
		t.Fatalf("STS issued %d credentials, want 1", len(issued))
	}
	c := issued[0]
	// The paths later steps see, not /github/home/… or /github/runner_temp/…
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
		"AWS_SHARED_CREDENTIALS_FILE": ws.LaterPath(p, credsPath),
		"AWS_CONFIG_FILE":             ws.LaterPath(p, confPath),
	})
	var claims map[string]any
	if err := json.Unmarshal([]byte(r.Outputs["claims"]), &claims); err != nil {
		t.Errorf("claims output is not JSON: %v", err)
	}
	if claims["sub"] != fakegithub.DefaultSubject || claims["aud"] != "sts.amazonaws.com" || claims["iss"] != fakegithub.Issuer {
		t.Errorf("claims output = %v", claims)
	}
	harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{
		"claims":         r.Outputs["claims"],
		"aws-account-id": awsAccount,
		"aws-arn":        awsSession,
		// The same ARN under configure-aws-credentials' output name.
		"authenticated-arn": awsSession,
		"expiration":        c.Expiration.Format(time.RFC3339),
	})
	wantCreds := otherProfile + "\n[ci]\naws_access_key_id = " + c.AccessKeyID +
		"\naws_secret_access_key = " + c.SecretAccessKey + "\naws_session_token = " + c.SessionToken + "\n"
	if got := string(harness.SecretFile(t, credsPath)); got != wantCreds {
		t.Errorf("credentials file differs from the earlier profile plus the issued credentials (%d bytes, want %d)", len(got), len(wantCreds))
	}
	if got := string(harness.SecretFile(t, confPath)); got != "[profile ci]\nregion = eu-west-1\n" {
		t.Errorf("config file = %q", got)
	}
	if gh.Requests() != 1 || sts.Requests() != 1 {
		t.Errorf("the login made %d token + %d STS requests, want 1 + 1", gh.Requests(), sts.Requests())
	}
	secrets := harness.SecretsOf(gh, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	harness.Masked(t, r, secrets[len(secrets)-3:]...)
	harness.MasksFirst(t, r)
	harness.NoLeak(t, r, secrets...)
	if _, err := os.Stat(filepath.Join(harness.ContainerRoot, "home", ".aws")); err == nil {
		t.Errorf("the container's /github/home showed up on the host")
	}

	// The post step: a fresh container of the same image started at action.yml's
	// post-entrypoint, with the same inputs and the saved state.
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := harness.Step{Inputs: inputs, Workspace: ws, Placement: p, Post: true, State: r.State}
	postRun := runOf(t, post)
	if runs := readActionRuns(t); postRun.Entrypoint != runs.PostEntrypoint {
		t.Fatalf("the post step's entrypoint %q is not action.yml's %q", postRun.Entrypoint, runs.PostEntrypoint)
	}
	code, stdout, stderr = dockerRun(t, im, postRun)
	pr := collect(t, ws, code, stdout, stderr)
	harness.RequireExit(t, pr, 0)
	if got := string(harness.SecretFile(t, credsPath)); got != otherProfile {
		t.Errorf("after the post step the credentials file should hold only the earlier profile (%d bytes, want %d)", len(got), len(otherProfile))
	}
	if _, err := os.Lstat(confPath); !os.IsNotExist(err) {
		t.Errorf("after the post step the config file, left with no profile, should be gone: %v", err)
	}
	harness.NoLeak(t, pr, secrets...)
	if gh.Requests() != 1 || sts.Requests() != 1 {
		t.Errorf("the post step made requests: %d token + %d STS in all", gh.Requests(), sts.Requests())
	}
}

// TestImageTrustsOnlyItsBundle is the control for the test above: the same container with
// Debian's bundle alone mounted over the image's bundle cannot verify the emulator's certificate,
// so the login's trust came from the image's CA file and nothing else. It fails, writes
// nothing, and says why.
func TestImageTrustsOnlyItsBundle(t *testing.T) {
	t.Parallel()
	im := sharedImage(t)
	gh := harness.NewGitHub(t)
	sts, endpoint := tlsSTS(t, gh)
	ws := harness.NewWorkspace(t)
	certs := t.TempDir()
	debian, err := os.ReadFile(debianBundle)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(certs, filepath.Base(bundlePath)), debian, 0o644); err != nil {
		t.Fatal(err)
	}
	// One attempt: the aws provider still retries a certificate it cannot verify (httpcall
	// does not), which would only make this slower.
	inputs := profileInputs(endpoint, "retry-max-attempts", "1")
	run := runOf(t, harness.Step{Inputs: inputs, IDToken: gh.Env(), Workspace: ws})
	run.Mounts = append(run.Mounts, mount{Host: filepath.Join(certs, filepath.Base(bundlePath)), Container: bundlePath})
	code, stdout, stderr := dockerRun(t, im, run)
	r := collect(t, ws, code, stdout, stderr)
	harness.RequireExit(t, r, 1)
	errs := harness.ErrorLines(r)
	if len(errs) != 1 || !strings.Contains(errs[0], "AssumeRoleWithWebIdentity") || !strings.Contains(errs[0], "x509: certificate signed by unknown authority") {
		t.Errorf("want one ::error:: saying the STS certificate is not trusted, got %q", errs)
	}
	harness.NothingWritten(t, r)
	harness.NoLeak(t, r, harness.SecretsOf(gh)...)
	if sts.Requests() != 0 {
		t.Errorf("STS answered %d requests over a connection that should not have been trusted", sts.Requests())
	}
}

// seedOwned writes a file a previous step left in the home mount: 0600, owned by the runner's
// user.
func seedOwned(t *testing.T, w *harness.Workspace, rel, body string) {
	t.Helper()
	p := filepath.Join(w.Home, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{filepath.Dir(p), p} {
		if err := os.Chown(q, harness.RunnerUID, harness.RunnerUID); err != nil {
			t.Fatal(err)
		}
	}
}
