// Package core_test checks what every provider shares, end to end: input validation before
// any request, the ID-token request and its failures, the step deadline, and all-or-nothing.
package core_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

func TestMain(m *testing.M) { harness.Main(m) }

// newSTS starts the aws world.
func newSTS(t *testing.T, gh *fakegithub.Server) *stsfake.World {
	t.Helper()
	return worlds.Must(t, stsfake.NewWorld, gh)
}

// awsInputs are the aws world's login at endpoint, and kv.
func awsInputs(endpoint string, kv ...string) map[string]string {
	in := stsfake.Inputs(endpoint)
	for i := 0; i+1 < len(kv); i += 2 {
		in[kv[i]] = kv[i+1]
	}
	return in
}

// TestBadInputMakesNoRequest checks that every invalid input fails with an annotation naming
// the input and what it allows, exit 1, nothing written, and no request to anyone.
func TestBadInputMakesNoRequest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   []string
		want string
	}{
		{"unknown provider", []string{"provider", "aws, digitalocean"}, `input provider: unknown provider "digitalocean"; allowed: aws, gcp, azure, vault, alibaba, token-exchange, github`},
		{"repeated provider", []string{"provider", "aws aws"}, `input provider: "aws" is listed twice`},
		{"empty provider", []string{"provider", " "}, "input provider: is required: one or more of aws, gcp"},
		{"bad role ARN", []string{"aws-role-arn", "arn:aws:iam::123:user/bob"}, "input aws-role-arn: must look like arn:aws:iam::<12-digit account id>:role/<name>"},
		{"missing role ARN", []string{"aws-role-arn", ""}, "input aws-role-arn: is required when provider includes aws"},
		{"bad region", []string{"aws-region", "Europe"}, "input aws-region: must be an AWS region code"},
		{"duration too short", []string{"aws-role-duration-seconds", "899"}, "input aws-role-duration-seconds: must be a whole number from 900 to 43200, got \"899\""},
		{"duration too long", []string{"aws-role-duration-seconds", "43201"}, "input aws-role-duration-seconds: must be a whole number from 900 to 43200"},
		{"session name", []string{"aws-role-session-name", "has space"}, "input aws-role-session-name: must be 2 to 64 characters"},
		{"inline policy", []string{"aws-inline-session-policy", "{not json"}, "input aws-inline-session-policy: must be a JSON policy document"},
		{"managed policy", []string{"aws-managed-session-policies", "ReadOnlyAccess"}, "input aws-managed-session-policies: each item must be a policy ARN"},
		{"http endpoint off loopback", []string{"aws-sts-endpoint", "http://sts.example.com"}, "input aws-sts-endpoint: must use https:// (plain http is allowed only for localhost, loopback addresses and, in the Docker action, single-label service-container names"},
		{"allowed accounts", []string{"aws-allowed-account-ids", "12345"}, "input aws-allowed-account-ids: must be 12-digit account ids"},
		{"boolean", []string{"export-env", "yes"}, `input export-env: must be true or false, got "yes"`},
		{"retry attempts", []string{"retry-max-attempts", "0"}, "input retry-max-attempts: must be a whole number from 1 to 20"},
		{"timeout", []string{"timeout-seconds", "soon"}, "input timeout-seconds: must be a whole number from 1 to 3600"},
		{"profile", []string{"aws-profile", "my profile"}, "input aws-profile: must be 1 to 64 characters"},
		{"China role in a global region", []string{"aws-role-arn", "arn:aws-cn:iam::123456789012:role/x"}, "input aws-region: must be a China region"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newSTS(t, gh)
			r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, tc.in...), IDToken: gh.Env()})
			harness.RequireInputRefused(t, r, tc.want, gh.Requests, sts.Requests)
		})
	}
}

// TestNoIDTokenPermission checks the explanation when the job lacks id-token: write.
func TestNoIDTokenPermission(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL)})
	harness.RequireExit(t, r, 1)
	out := r.Stdout
	for _, want := range []string{"permissions: id-token: write", "ACTIONS_ID_TOKEN_REQUEST_URL", "forks never get an ID token"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if sts.Requests() != 0 {
		t.Errorf("STS was called without a token")
	}
	harness.NothingWritten(t, r)
}

// TestIDTokenPendingRetried reproduces GitHub's 403 "Pending" answer for a job that has not
// quite started: it is retried, and the login then succeeds.
func TestIDTokenPendingRetried(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	gh.Pending(2)
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL), IDToken: gh.Env()})
	harness.RequireExit(t, r, 0)
	if gh.Requests() != 3 || sts.Requests() != 1 {
		t.Errorf("token requests %d (want 3: two Pending, one success), STS %d (want 1)", gh.Requests(), sts.Requests())
	}
	harness.NoLeak(t, r, harness.SecretsOf(gh)...)
}

// TestIDTokenRefused checks that a refused request token fails fast with the runner's answer.
func TestIDTokenRefused(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	env := gh.Env()
	env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "ghrt_not-the-right-one-0000000000"
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL), IDToken: env})
	harness.RequireExit(t, r, 1)
	if !strings.Contains(r.Stdout, "GitHub ID token request: HTTP 401: Bad credentials") || gh.Requests() != 1 {
		t.Errorf("after %d requests, output:\n%s", gh.Requests(), r.Log())
	}
	harness.NothingWritten(t, r)
	harness.NoLeak(t, r, harness.SecretsOf(gh, env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"])...)
}

// TestDeadline checks timeout-seconds: a server that accepts and never answers makes the step
// fail at the deadline with a clear error, having written nothing.
func TestDeadline(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	sts.Faults.HangFor = 20 * time.Second
	sts.Faults.Queue(fault.Hang, fault.Hang, fault.Hang)
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "timeout-seconds", "2"), IDToken: gh.Env()})
	harness.RequireExit(t, r, 1)
	if r.Duration > 6*time.Second {
		t.Errorf("the step took %s with timeout-seconds 2", r.Duration)
	}
	if !strings.Contains(r.Stdout, "deadline") || !strings.Contains(r.Stdout, "timeout-seconds") || !strings.Contains(r.Stdout, "AWS STS AssumeRoleWithWebIdentity") {
		t.Errorf("unclear timeout error:\n%s", r.Log())
	}
	harness.NothingWritten(t, r)
	harness.NoLeak(t, r, harness.SecretsOf(gh)...)
}

// TestExportEnvFalse checks that export-env false writes outputs but no env.
func TestExportEnvFalse(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "export-env", "false", "job-summary", "false", "output-credentials", "true"), IDToken: gh.Env()})
	harness.RequireExit(t, r, 0)
	if r.EnvRaw != "" || r.Summary != "" {
		t.Errorf("export-env false / job-summary false still wrote env (%d bytes) or summary (%d bytes)", len(r.EnvRaw), len(r.Summary))
	}
	c := sts.Issued()[0]
	if r.Outputs["aws-secret-access-key"] != c.SecretAccessKey || r.Outputs["aws-expiration"] != c.Expiration.Format(time.RFC3339) {
		t.Errorf("credential outputs differ from what STS issued")
	}
	harness.NoLeak(t, r, harness.SecretsOf(gh, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)...)
}

// TestOutsideAWorkflow checks a run without the runner's file commands fails before any request.
func TestOutsideAWorkflow(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL), IDToken: gh.Env(), Env: map[string]string{"GITHUB_ENV": ""}})
	harness.RequireExit(t, r, 1)
	if !strings.Contains(r.Stdout, "GITHUB_ENV is not set") || gh.Requests() != 0 {
		t.Errorf("output:\n%s", r.Log())
	}
}

// TestFailureSummary: a refused login leaves its explanation and the suggested trust policy in
// the job summary, and nothing else.
func TestFailureSummary(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	gh.SetClaims(map[string]any{"sub": "repo:octo-org/elsewhere:ref:refs/heads/main"})
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL), IDToken: gh.Env()})
	harness.RequireExit(t, r, 1)
	harness.NothingWritten(t, r)
	for _, want := range []string{
		harness.FailureHeading,
		"**aws** failed:\n\n```text\nAWS STS AssumeRoleWithWebIdentity refused: AccessDenied",
		"<details><summary>How to fix it</summary>",
		`"token.actions.githubusercontent.com:sub": "repo:octo-org/elsewhere:ref:refs/heads/main"`,
	} {
		if !strings.Contains(r.Summary, want) {
			t.Errorf("job summary lacks %q:\n%s", want, r.Summary)
		}
	}
	off := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "job-summary", "false"), IDToken: gh.Env()})
	harness.RequireExit(t, off, 1)
	if off.Summary != "" {
		t.Errorf("job-summary false still wrote %q", off.Summary)
	}
	harness.NoLeak(t, r, harness.SecretsOf(gh)...)
}

// TestPlantedSymlinks: a symlink planted where a secret file or its folder will go is never
// followed: the file replaces the link (the link's target is untouched), and a linked folder
// is refused with nothing written.
func TestPlantedSymlinks(t *testing.T) {
	t.Parallel()
	t.Run("file", func(t *testing.T) {
		t.Parallel()
		gh := harness.NewGitHub(t)
		sts := newSTS(t, gh)
		ws := harness.NewWorkspace(t)
		victim := filepath.Join(t.TempDir(), "victim")
		if err := os.WriteFile(victim, []byte("untouched\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(ws.Home, ".aws"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(victim, filepath.Join(ws.Home, ".aws", "credentials")); err != nil {
			t.Fatal(err)
		}
		// Refused on read as on write (issue 13, item 8): the link is neither followed nor
		// replaced, and nothing is exported.
		r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-profile", "ci"), IDToken: gh.Env(), Workspace: ws})
		harness.RequireExit(t, r, 1)
		if !strings.Contains(r.Stdout, "it is a symlink; refusing to follow it") {
			t.Errorf("unclear refusal:\n%s", r.Log())
		}
		if b, _ := os.ReadFile(victim); string(b) != "untouched\n" {
			t.Errorf("the write went through the planted symlink")
		}
		fi, _ := os.Stat(victim)
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("the link's target changed mode to %v", fi.Mode().Perm())
		}
		if got, err := os.Readlink(filepath.Join(ws.Home, ".aws", "credentials")); err != nil || got != victim {
			t.Errorf("the planted link was replaced: %q, %v", got, err)
		}
		if r.EnvRaw != "" || r.OutputRaw != "" {
			t.Errorf("a failed read still exported variables")
		}
	})
	t.Run("folder", func(t *testing.T) {
		t.Parallel()
		gh := harness.NewGitHub(t)
		sts := newSTS(t, gh)
		ws := harness.NewWorkspace(t)
		elsewhere := t.TempDir()
		if err := os.Symlink(elsewhere, filepath.Join(ws.Home, ".aws")); err != nil {
			t.Fatal(err)
		}
		r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-profile", "ci"), IDToken: gh.Env(), Workspace: ws})
		harness.RequireExit(t, r, 1)
		if !strings.Contains(r.Stdout, "something that is not a folder is in the way") {
			t.Errorf("unclear refusal:\n%s", r.Log())
		}
		if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
			t.Errorf("files were written through the linked folder: %v", entries)
		}
		if r.EnvRaw != "" || r.OutputRaw != "" {
			t.Errorf("a failed write still exported variables")
		}
	})
}
