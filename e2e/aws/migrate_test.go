package aws_test

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
)

// The behaviours issue 16 decided for workflows moving over from
// aws-actions/configure-aws-credentials (read at bcd4089, v6.2.3+43; see
// docs/migrate/configure-aws-credentials.md).

// TestMigrateChinaAudience: in a cn-* region the ID token carries sts.amazonaws.com, as
// configure-aws-credentials sends it (its action.yml default, never changed by region). A
// provider created for sts.amazonaws.com.cn fails with the difference named, and works with
// aws-id-token-audience or the audience input.
func TestMigrateChinaAudience(t *testing.T) {
	t.Parallel()
	role := "arn:aws-cn:iam::" + awsAccount + ":role/deploy"
	wantARN := "arn:aws-cn:sts::" + awsAccount + ":assumed-role/deploy/GitHubActions"
	in := func(endpoint string, more ...string) map[string]string {
		m := map[string]string{"provider": "aws", "aws-role-arn": role, "aws-region": "cn-north-1", "aws-sts-endpoint": endpoint}
		for i := 0; i+1 < len(more); i += 2 {
			m[more[i]] = more[i+1]
		}
		return m
	}
	newChinaSTS := func(t *testing.T, gh *fakegithub.Server, clientID string) *stsfake.Server {
		s := stsfake.New(fakegithub.Issuer, gh.JWKSURL(), clientID)
		t.Cleanup(s.Close)
		s.AddRole(stsfake.Role{ARN: role, Audience: clientID, Subject: fakegithub.DefaultSubject})
		return s
	}
	t.Run("default is the official one", func(t *testing.T) {
		t.Parallel()
		gh := harness.NewGitHub(t)
		sts := newChinaSTS(t, gh, "sts.amazonaws.com")
		r := harness.Exec(t, harness.Step{Inputs: in(sts.URL), IDToken: gh.Env()})
		harness.RequireExit(t, r, 0)
		if got := gh.Audiences(); len(got) != 1 || got[0] != "sts.amazonaws.com" {
			t.Errorf("audience requested = %q, want sts.amazonaws.com", got)
		}
		if r.Outputs["aws-arn"] != wantARN || r.Outputs["authenticated-arn"] != wantARN {
			t.Errorf("aws-arn = %q, authenticated-arn = %q, want %s", r.Outputs["aws-arn"], r.Outputs["authenticated-arn"], wantARN)
		}
	})
	t.Run("provider for sts.amazonaws.com.cn is explained", func(t *testing.T) {
		t.Parallel()
		gh := harness.NewGitHub(t)
		sts := newChinaSTS(t, gh, "sts.amazonaws.com.cn")
		r := harness.Exec(t, harness.Step{Inputs: in(sts.URL), IDToken: gh.Env()})
		harness.RequireExit(t, r, 1)
		want := "In China regions this action sends sts.amazonaws.com, as aws-actions/configure-aws-credentials does; a provider created with the client ID sts.amazonaws.com.cn needs `aws-id-token-audience: sts.amazonaws.com.cn`"
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("the refusal does not name the difference:\n%s", r.Log())
		}
		if sts.Requests() != 1 {
			t.Errorf("STS saw %d requests, want 1 (a refusal is final)", sts.Requests())
		}
		harness.NothingWritten(t, r)
	})
	// The refusal's fix, and configure-aws-credentials' own input, which a step that logs
	// into aws alone can keep.
	for _, input := range []string{"aws-id-token-audience", "audience"} {
		t.Run(input+" input", func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newChinaSTS(t, gh, "sts.amazonaws.com.cn")
			r := harness.Exec(t, harness.Step{Inputs: in(sts.URL, input, "sts.amazonaws.com.cn"), IDToken: gh.Env()})
			harness.RequireExit(t, r, 0)
			if got := gh.Audiences(); len(got) != 1 || got[0] != "sts.amazonaws.com.cn" {
				t.Errorf("audience requested = %q, want sts.amazonaws.com.cn", got)
			}
			if r.Outputs["authenticated-arn"] != wantARN {
				t.Errorf("authenticated-arn = %q", r.Outputs["authenticated-arn"])
			}
		})
	}
}

// TestMigrateProfileWithoutAWSProfile: with aws-profile alone, as with configure-aws-credentials'
// aws-profile, later steps get the two shared files but no AWS_PROFILE, so their default
// identity stays what it was; the real AWS CLI finds the profile with --profile.
// aws-export-profile without aws-profile is an input error before any request.
func TestMigrateProfileWithoutAWSProfile(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	m := moto.Shared(t)
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(m.URL, "aws-profile", "ci"), IDToken: gh.Env()})
	harness.RequireExit(t, r, 0)
	credsPath := r.Env["AWS_SHARED_CREDENTIALS_FILE"]
	confPath := r.Env["AWS_CONFIG_FILE"]
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
		"AWS_SHARED_CREDENTIALS_FILE": credsPath,
		"AWS_CONFIG_FILE":             confPath,
	})
	if !strings.HasSuffix(credsPath, "/.aws/credentials") || !strings.HasSuffix(confPath, "/.aws/config") {
		t.Errorf("shared files at %s and %s", credsPath, confPath)
	}
	id := awsCLI(t, r.Env, m.URL, "sts", "get-caller-identity", "--profile", "ci")
	if id["Arn"] != "arn:aws:sts::"+awsAccount+":assumed-role/deploy/GitHubActions" || id["Account"] != awsAccount {
		t.Errorf("aws sts get-caller-identity --profile ci = %v", id)
	}
	gh2 := harness.NewGitHub(t)
	bad := harness.Exec(t, harness.Step{Inputs: awsInputs(m.URL, "aws-export-profile", "true"), IDToken: gh2.Env()})
	harness.RequireInputRefused(t, bad, "input aws-export-profile: needs aws-profile", gh2.Requests)
}

// TestMigrateRetryBudget: when transient refusals use up retry-max-attempts, the error says
// how the budget differs from configure-aws-credentials' 12 attempts and which inputs raise it.
func TestMigrateRetryBudget(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	sts.FailNext(400, "Throttling", "Rate exceeded")
	sts.FailNext(400, "Throttling", "Rate exceeded")
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "retry-max-attempts", "2"), IDToken: gh.Env()})
	harness.RequireExit(t, r, 1)
	want := "AWS STS AssumeRoleWithWebIdentity: gave up after 2 attempt(s) (retry-max-attempts): Throttling: Rate exceeded (aws-actions/configure-aws-credentials makes 12 attempts by default, this step made 2: raise retry-max-attempts, and timeout-seconds if needed, for an STS that throttles this hard)"
	if !strings.Contains(r.Stdout, want) {
		t.Errorf("the exhausted budget is not explained:\n%s", r.Log())
	}
	if sts.Requests() != 2 {
		t.Errorf("STS saw %d requests, want 2", sts.Requests())
	}
	harness.NothingWritten(t, r)
}

// TestMigrateProfileHidesOwnFiles: a job that pointed AWS_CONFIG_FILE at a file of its own is
// told that later steps now read this action's file instead, and how to keep its profiles. A
// step whose variables already point at this action's files (an earlier aws-profile step)
// hears nothing.
func TestMigrateProfileHidesOwnFiles(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	m := moto.Shared(t)
	ws := harness.NewWorkspace(t)
	r := harness.Exec(t, harness.Step{
		Inputs:    awsInputs(m.URL, "aws-profile", "ci"),
		IDToken:   gh.Env(),
		Workspace: ws,
		Env:       map[string]string{"AWS_CONFIG_FILE": "/opt/team/aws-config\n::warning::x"},
	})
	harness.RequireExit(t, r, 0)
	want := `aws: AWS_CONFIG_FILE was "/opt/team/aws-config\n::warning::x"; later steps now read ` + r.Env["AWS_CONFIG_FILE"] +
		" instead, so profiles only in the old file are gone for them: add them to $AWS_CONFIG_FILE in a later step (docs/migrate/configure-aws-credentials.md#aws-profile)"
	if !strings.Contains(r.Stdout, want+"\n") {
		t.Errorf("no line naming the hidden config file:\n%s", r.Log())
	}
	if strings.Contains(r.Stdout, "\n::warning::x") || strings.Contains(r.Stdout, "AWS_SHARED_CREDENTIALS_FILE was") {
		t.Errorf("the workflow's value was printed raw, or an unset variable was named:\n%s", r.Log())
	}
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	again := harness.Exec(t, harness.Step{
		Inputs:    awsInputs(m.URL, "aws-profile", "second"),
		IDToken:   gh.Env(),
		Workspace: ws,
		Env:       map[string]string{"AWS_CONFIG_FILE": r.Env["AWS_CONFIG_FILE"], "AWS_SHARED_CREDENTIALS_FILE": r.Env["AWS_SHARED_CREDENTIALS_FILE"]},
	})
	harness.RequireExit(t, again, 0)
	if strings.Contains(again.Stdout, " was ") {
		t.Errorf("a second aws-profile step complained about the first one's files:\n%s", again.Log())
	}
}
