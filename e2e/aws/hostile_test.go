package aws_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
)

// cli runs the real AWS CLI against the shared files at home, the way a later step would, and
// returns what it printed and whether it succeeded.
func cli(t *testing.T, home string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command("aws", args...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_EC2_METADATA_DISABLED=true",
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, ".aws", "credentials"),
		"AWS_CONFIG_FILE=" + filepath.Join(home, ".aws", "config"),
	}
	if pyenv := os.Getenv("PYENV_ROOT"); pyenv != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+pyenv)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

// TestAWSHostileCredentialsRefused: an STS answering a key or token with a line break and an
// INI section of its own (a credential_process, which the AWS CLI would run in a later step)
// fails the step; nothing is written, the shared files already there keep every byte, and the
// AWS CLI sees no profile the server chose and runs nothing.
func TestAWSHostileCredentialsRefused(t *testing.T) {
	t.Parallel()
	cases := []struct{ field, brk, profile string }{
		{"AccessKeyId", "\n", "ci"},
		{"SecretAccessKey", "\r\n", "ci"},
		{"SessionToken", "\n", "ci"},
		{"SessionToken", "\r", "default"},
		// Without a profile the values would go to GITHUB_ENV: refused all the same.
		{"SessionToken", "\n", ""},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %q profile=%q", c.field, c.brk, c.profile), func(t *testing.T) {
			t.Parallel()
			hostileCredentials(t, c.field, c.brk, c.profile)
		})
	}
}

func hostileCredentials(t *testing.T, field, brk, profile string) {
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	ws := harness.NewWorkspace(t)
	marker := filepath.Join(t.TempDir(), "credential-process-ran")
	inject := brk + "[profile x]" + brk + "credential_process = /bin/sh -c 'touch " + marker + "'" + brk + "[default]" + brk + "credential_process = /bin/sh -c 'touch " + marker + "'"
	sts.Rewrite = func(c *stsfake.Credentials) {
		switch field {
		case "AccessKeyId":
			c.AccessKeyID += inject
		case "SecretAccessKey":
			c.SecretAccessKey += inject
		default:
			c.SessionToken += inject
		}
	}
	// Shared files an earlier step wrote: they must come out untouched.
	before := map[string]string{
		"credentials": "[other]\naws_access_key_id = AKIAOTHERSTEPKEY1\naws_secret_access_key = otherstepsecretvalue\n",
		"config":      "[profile other]\nregion = us-east-2\n",
	}
	leak.Register("otherstepsecretvalue")
	if err := os.MkdirAll(filepath.Join(ws.Home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, text := range before {
		if err := os.WriteFile(filepath.Join(ws.Home, ".aws", name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-profile", profile), IDToken: gh.Env(), Workspace: ws})
	harness.RequireExit(t, r, 1)
	errs := harness.ErrorLines(r)
	want := "the answer's " + field + " holds a line break"
	if len(errs) != 1 || !strings.Contains(errs[0], want) || !strings.Contains(errs[0], "no credentials were exported") {
		t.Errorf("error lines %q, want one saying %q", errs, want)
	}
	if r.EnvRaw != "" || r.OutputRaw != "" || r.StateRaw != "" {
		t.Errorf("file commands were written")
	}
	for name, text := range before {
		b, err := os.ReadFile(filepath.Join(ws.Home, ".aws", name))
		if err != nil || string(b) != text {
			t.Errorf(".aws/%s changed (%v)", name, err)
		}
	}
	if files := harness.HomeFiles(t, ws); !slices.Equal(files, []string{".aws/config", ".aws/credentials"}) {
		t.Errorf("home mount holds %v", files)
	}
	c := sts.Issued()[0]
	harness.NoLeak(t, r, harness.SecretsOf(gh, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)...)
	// The AWS CLI's own reading of the files (AWS CLI v1 has no list-profiles): the earlier
	// step's profile as it was, no credential_process anywhere, and none run by a later
	// step's call.
	if out, ok := cli(t, ws.Home, "configure", "get", "aws_access_key_id", "--profile", "other"); !ok || strings.TrimSpace(out) != "AKIAOTHERSTEPKEY1" {
		t.Errorf("aws configure get aws_access_key_id --profile other = %q (ok %v)", out, ok)
	}
	for _, p := range []string{"x", "default"} {
		if out, ok := cli(t, ws.Home, "configure", "get", "credential_process", "--profile", p); ok {
			t.Errorf("profile %s has a credential_process: %q", p, out)
		}
	}
	_, _ = cli(t, ws.Home, "sts", "get-caller-identity", "--profile", "x", "--endpoint-url", sts.URL)
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("a credential_process from STS ran")
	}
}

// endlessSTS answers every call with a body that never ends (until limit bytes), generated as
// it is written: the opening of an STS answer, then one SessionToken (or, with status 400, an
// error Message) that goes on. sent counts what the server got out.
func endlessSTS(t *testing.T, status int, limit int64) (*httptest.Server, *atomic.Int64, *atomic.Int32) {
	var sent atomic.Int64
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		head := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAENDLESS0000001</AccessKeyId><SessionToken>`
		if status != 200 {
			head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
				`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>`
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		n, err := io.WriteString(w, head)
		sent.Add(int64(n))
		chunk := []byte(strings.Repeat("QUFBQUFBQUFBQUFBQUFB", 64<<10/20))
		for err == nil && sent.Load() < limit {
			n, err = w.Write(chunk)
			sent.Add(int64(n))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &sent, &calls
}

// TestAWSEndlessAnswerBounded: a hostile STS streams gigabytes, as a success and as an error.
// The binary reads 1 MiB of it (httpcall.MaxBody), fails at once with a clear final error (no
// retry), and its peak memory stays small, as does what the server managed to send.
func TestAWSEndlessAnswerBounded(t *testing.T) {
	t.Parallel()
	const stream = 3 << 30 // 3 GiB, generated as it is sent
	for _, status := range []int{200, 400} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			srv, sent, calls := endlessSTS(t, status, stream)
			r := harness.Exec(t, harness.Step{Inputs: awsInputs(srv.URL, "timeout-seconds", "60"), IDToken: gh.Env(), MeasureRSS: true})
			harness.RequireExit(t, r, 1)
			errs := harness.ErrorLines(r)
			want := fmt.Sprintf("AWS STS AssumeRoleWithWebIdentity: answer larger than 1048576 bytes (HTTP %d); no STS answer is that large", status)
			if len(errs) != 1 || !strings.Contains(errs[0], want) {
				t.Errorf("error lines %q, want one with %q", errs, want)
			}
			harness.NothingWritten(t, r)
			t.Logf("peak RSS %d KiB, %s, server sent %d MiB", r.MaxRSSKiB, r.Duration.Round(time.Millisecond), sent.Load()>>20)
			if r.MaxRSSKiB > 64<<10 {
				t.Errorf("peak RSS %d KiB while the server streamed, want under 64 MiB", r.MaxRSSKiB)
			}
			if r.Duration > 10*time.Second {
				t.Errorf("the step took %s to give up, want seconds", r.Duration)
			}
			if s := sent.Load(); s > 64<<20 {
				t.Errorf("the server got %d MiB out before the binary stopped reading", s>>20)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("%d calls, want 1 (an oversized answer is final)", n)
			}
		})
	}
}

// TestAWSMaskedAccountOnFailure: with aws-mask-account-id, a refused login's trust diagnostics
// (which name the role and its account in the explanation and the suggested policies) show ***
// in the log and in the job summary; the masks come before any other line.
func TestAWSMaskedAccountOnFailure(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	gh.SetClaims(map[string]any{"sub": "repo:octo-org/octo-repo:environment:production", "environment": "production"})
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-mask-account-id", "true"), IDToken: gh.Env()})
	harness.RequireExit(t, r, 1)
	harness.Masked(t, r, awsAccount, awsRole)
	harness.MasksFirst(t, r)
	harness.NoLeak(t, r, awsAccount, awsRole)
	harness.NothingWritten(t, r)
	log := r.Log()
	for _, w := range []string{
		"The trust policy of *** does not admit this token",
		`"Federated": "arn:aws:iam::***:oidc-provider/token.actions.githubusercontent.com"`,
		"Trust policy for *** that admits exactly this token",
	} {
		if !strings.Contains(log, w) {
			t.Errorf("log lacks %q:\n%s", w, log)
		}
		if !strings.Contains(r.Summary, w) {
			t.Errorf("job summary lacks %q:\n%s", w, r.Summary)
		}
	}
}

// TestAWSSymlinkedSharedFile: a symlink an earlier step planted at .aws/credentials (or
// .aws/config, or .aws itself) is not followed on read: the step fails naming it, the link and
// its target stay as they were, and nothing of the target is copied anywhere.
func TestAWSSymlinkedSharedFile(t *testing.T) {
	t.Parallel()
	for _, at := range []string{".aws/credentials", ".aws/config", ".aws"} {
		t.Run(at, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newSTS(t, gh)
			ws := harness.NewWorkspace(t)
			// The target is a secret of the runner's the link points at (outside the mount).
			outside := t.TempDir()
			target := filepath.Join(outside, "credentials")
			const stolen = "[stolen]\naws_secret_access_key = runnersownsecretvalue\n"
			leak.Register("runnersownsecretvalue")
			if err := os.WriteFile(target, []byte(stolen), 0o600); err != nil {
				t.Fatal(err)
			}
			link, dest := filepath.Join(ws.Home, at), target
			if at == ".aws" {
				dest = outside
			} else if err := os.MkdirAll(filepath.Join(ws.Home, ".aws"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(dest, link); err != nil {
				t.Fatal(err)
			}
			r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-profile", "ci"), IDToken: gh.Env(), Workspace: ws})
			harness.RequireExit(t, r, 1)
			errs := harness.ErrorLines(r)
			want := "refusing to follow it"
			if len(errs) != 1 || !strings.Contains(errs[0], want) {
				t.Errorf("error lines %q, want one with %q", errs, want)
			}
			if r.EnvRaw != "" || r.OutputRaw != "" || r.StateRaw != "" {
				t.Errorf("file commands were written")
			}
			if got, err := os.Readlink(link); err != nil || got != dest {
				t.Errorf("the link was replaced or removed: %q, %v", got, err)
			}
			if b, err := os.ReadFile(target); err != nil || string(b) != stolen {
				t.Errorf("the link's target changed: %v", err)
			}
			if entries, _ := os.ReadDir(outside); len(entries) != 1 {
				t.Errorf("files were added beside the target: %v", entries)
			}
			c := sts.Issued()[0]
			harness.NoLeak(t, r, harness.SecretsOf(gh, c.AccessKeyID, c.SecretAccessKey, c.SessionToken, "runnersownsecretvalue")...)
		})
	}
}

// TestAWSPostSymlinkedSharedFile: a later step swaps .aws/credentials for a symlink before the
// post step runs. Cleanup reads the shared file to remove its profile: it refuses the link
// (naming it) instead of reading the target and writing its content back into the home mount.
func TestAWSPostSymlinkedSharedFile(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	ws := harness.NewWorkspace(t)
	main := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-profile", "ci"), IDToken: gh.Env(), Workspace: ws})
	harness.RequireExit(t, main, 0)
	target := filepath.Join(t.TempDir(), "credentials")
	const stolen = "[ci]\naws_secret_access_key = runnersotherpostsecret\n[kept]\nx = y\n"
	leak.Register("runnersotherpostsecret")
	if err := os.WriteFile(target, []byte(stolen), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(ws.Home, ".aws", "credentials")
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-profile", "ci"), Post: true, State: main.State, Workspace: ws})
	harness.RequireExit(t, post, 1)
	if !strings.Contains(post.Stdout, "it is a symlink; refusing to follow it") {
		t.Errorf("post step does not name the link:\n%s", post.Log())
	}
	if got, err := os.Readlink(link); err != nil || got != target {
		t.Errorf("the link was replaced: %q, %v", got, err)
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != stolen {
		t.Errorf("the link's target changed: %v", err)
	}
	// The config file, a regular one, is still cleaned up.
	if _, err := os.Stat(filepath.Join(ws.Home, ".aws", "config")); err == nil {
		t.Errorf("the config file (only this step's profile) was not removed")
	}
	c := sts.Issued()[0]
	harness.NoLeak(t, post, harness.SecretsOf(gh, c.AccessKeyID, c.SecretAccessKey, c.SessionToken, "runnersotherpostsecret")...)
}

// TestAWSAnswerWithoutCredentials: a 200 that is well-formed STS XML but lacks the
// Credentials element (or one of its fields) is refused as such, once (it is final), with
// nothing written, instead of the binary dereferencing what is not there.
func TestAWSAnswerWithoutCredentials(t *testing.T) {
	t.Parallel()
	const user = `<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions</Arn><AssumedRoleId>AROAEXAMPLE:GitHubActions</AssumedRoleId></AssumedRoleUser>`
	for name, result := range map[string]string{
		"no Credentials":  user,
		"no SessionToken": user + `<Credentials><AccessKeyId>ASIAEXAMPLEKEY000001</AccessKeyId><SecretAccessKey>c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0</SecretAccessKey><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", "text/xml")
				_, _ = io.WriteString(w, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>`+
					result+`</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`)
			}))
			t.Cleanup(srv.Close)
			r := harness.Exec(t, harness.Step{Inputs: awsInputs(srv.URL), IDToken: gh.Env()})
			harness.RequireExit(t, r, 1)
			errs := harness.ErrorLines(r)
			want := "aws: AWS STS AssumeRoleWithWebIdentity: the answer has no credentials"
			if len(errs) != 1 || !strings.HasSuffix(errs[0], want) {
				t.Errorf("error lines %q, want one ending %q", errs, want)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("%d calls, want 1 (the answer is final)", n)
			}
			harness.NothingWritten(t, r)
		})
	}
}
