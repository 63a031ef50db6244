package aws_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// The aws world's account.
const (
	awsAccount = stsfake.Account
	awsRole    = stsfake.RoleARN
)

// newSTS starts the aws world, the trust-checking STS emulator with the deploy role trusting
// the fake's default token (aud sts.amazonaws.com, any branch), here with a maximum session
// of 2 hours.
func newSTS(t *testing.T, gh *fakegithub.Server) *stsfake.Server {
	t.Helper()
	s := worlds.Must(t, stsfake.NewWorld, gh)
	s.AddRole(stsfake.Role{ARN: awsRole, Audience: stsfake.Audience, Subject: fakegithub.AnyBranch, MaxSessionDuration: 7200})
	return s.Server
}

func awsInputs(endpoint string, more ...string) map[string]string {
	in := map[string]string{
		"provider":         "aws",
		"aws-role-arn":     awsRole,
		"aws-region":       stsfake.Region,
		"aws-sts-endpoint": endpoint,
	}
	for i := 0; i+1 < len(more); i += 2 {
		in[more[i]] = more[i+1]
	}
	return in
}

// awsCLI runs the real AWS CLI with exactly the variables the step exported (plus where moto
// is), the way a later step would.
func awsCLI(t *testing.T, exported map[string]string, endpoint string, args ...string) map[string]string {
	t.Helper()
	cmd := exec.Command("aws", append(args, "--output", "json")...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_ENDPOINT_URL_STS=" + endpoint, "AWS_EC2_METADATA_DISABLED=true"}
	if pyenv := os.Getenv("PYENV_ROOT"); pyenv != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+pyenv)
	}
	for k, v := range exported {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("aws %v: %v\n%s", args, err, stderr)
	}
	var m map[string]string
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("aws %v printed %s: %v", args, out, err)
	}
	return m
}

// TestAWSWithMoto logs in against the real third-party STS (moto_server), then runs the real
// AWS CLI with exactly the env the step exported.
func TestAWSWithMoto(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	m := moto.Shared(t)
	r := harness.Exec(t, harness.Step{
		Inputs:  awsInputs(m.URL, "output-credentials", "true"),
		IDToken: gh.Env(),
	})
	harness.RequireExit(t, r, 0)
	wantARN := "arn:aws:sts::" + awsAccount + ":assumed-role/deploy/GitHubActions"
	o := r.Outputs
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
		"AWS_ACCESS_KEY_ID":     o["aws-access-key-id"],
		"AWS_SECRET_ACCESS_KEY": o["aws-secret-access-key"],
		"AWS_SESSION_TOKEN":     o["aws-session-token"],
		"AWS_REGION":            "eu-west-1",
		"AWS_DEFAULT_REGION":    "eu-west-1",
	})
	if o["aws-arn"] != wantARN || o["aws-account-id"] != awsAccount {
		t.Errorf("outputs aws-arn=%q aws-account-id=%q, want %q and %q", o["aws-arn"], o["aws-account-id"], wantARN, awsAccount)
	}
	if !strings.HasPrefix(o["aws-access-key-id"], "ASIA") || len(o["aws-secret-access-key"]) < 20 || o["aws-session-token"] == "" {
		t.Errorf("moto's credentials did not come through (key id %d bytes, secret %d bytes)", len(o["aws-access-key-id"]), len(o["aws-secret-access-key"]))
	}
	id := awsCLI(t, r.Env, m.URL, "sts", "get-caller-identity")
	if id["Arn"] != wantARN || id["Account"] != awsAccount {
		t.Errorf("aws sts get-caller-identity with the exported env = %v, want %s in %s", id, wantARN, awsAccount)
	}
	secrets := harness.SecretsOf(gh, o["aws-access-key-id"], o["aws-secret-access-key"], o["aws-session-token"])
	harness.Masked(t, r, secrets[2:]...)
	harness.MasksFirst(t, r)
	harness.NoLeak(t, r, secrets...)
	if got := gh.Audiences(); len(got) != 1 || got[0] != "sts.amazonaws.com" {
		t.Errorf("ID token audiences requested = %q, want one sts.amazonaws.com", got)
	}
}

// TestAWSTrustedLogin checks every value the step writes against what the trust-checking
// emulator issued, and that one login is exactly two HTTP requests.
func TestAWSTrustedLogin(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	r := harness.Exec(t, harness.Step{
		Inputs: awsInputs(sts.URL,
			"aws-role-duration-seconds", "7200",
			"aws-role-session-name", "deploy@main",
			"aws-inline-session-policy", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]\n}",
			"aws-managed-session-policies", "arn:aws:iam::aws:policy/ReadOnlyAccess\narn:aws:iam::123456789012:policy/extra",
			"show-claims", "true"),
		IDToken: gh.Env(),
	})
	harness.RequireExit(t, r, 0)
	issued := sts.Issued()
	if len(issued) != 1 {
		t.Fatalf("STS issued %d credentials, want 1", len(issued))
	}
	c := issued[0]
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
		"AWS_ACCESS_KEY_ID":     c.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": c.SecretAccessKey,
		"AWS_SESSION_TOKEN":     c.SessionToken,
		"AWS_REGION":            "eu-west-1",
		"AWS_DEFAULT_REGION":    "eu-west-1",
	})
	wantARN := "arn:aws:sts::" + awsAccount + ":assumed-role/deploy/deploy@main"
	var claims map[string]any
	if err := json.Unmarshal([]byte(r.Outputs["claims"]), &claims); err != nil {
		t.Fatalf("claims output is not JSON: %v", err)
	}
	harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{
		"aws-account-id":    awsAccount,
		"aws-arn":           wantARN,
		"authenticated-arn": wantARN,
		"claims":            r.Outputs["claims"],
		"expiration":        c.Expiration.Format(time.RFC3339),
	})
	if claims["sub"] != fakegithub.DefaultSubject || claims["aud"] != "sts.amazonaws.com" || claims["repository"] != fakegithub.DefaultRepo {
		t.Errorf("claims output = %v", claims)
	}
	if c.DurationSeconds != 7200 || c.Policy != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}` ||
		strings.Join(c.PolicyARNs, " ") != "arn:aws:iam::aws:policy/ReadOnlyAccess arn:aws:iam::123456789012:policy/extra" {
		t.Errorf("STS got duration %d, policy %q, policy ARNs %v", c.DurationSeconds, c.Policy, c.PolicyARNs)
	}
	if gh.Requests()+sts.Requests() != 2 {
		t.Errorf("one AWS login made %d token + %d STS requests, want 1 + 1", gh.Requests(), sts.Requests())
	}
	wantRow := "| aws | `" + wantARN + "` | `" + awsAccount + "` | `sts.amazonaws.com` | `" + fakegithub.DefaultSubject + "` | " + c.Expiration.Format(time.RFC3339) + " |"
	if !strings.Contains(r.Summary, wantRow) {
		t.Errorf("job summary lacks the row %s:\n%s", wantRow, r.Summary)
	}
	if !strings.Contains(r.Stdout, "::group::ID token claims (aws, audience sts.amazonaws.com)") || !strings.Contains(r.Stdout, "  sub  ") {
		t.Errorf("show-claims printed no claims table:\n%s", r.Log())
	}
	secrets := harness.SecretsOf(gh, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	harness.Masked(t, r, secrets[1:]...)
	harness.MasksFirst(t, r)
	harness.NoLeak(t, r, secrets...)
	if files := harness.HomeFiles(t, r.Workspace); len(files) != 0 {
		t.Errorf("env-var login wrote files %v", files)
	}
}

// TestAWSRefusals feeds STS's real refusals and checks each fails on the first answer, with an
// explanation built from the token's claims, and writes nothing.
func TestAWSRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		setup  func(gh *fakegithub.Server, s *stsfake.Server)
		inputs []string
		want   []string
	}{{
		name: "subject not trusted",
		setup: func(gh *fakegithub.Server, s *stsfake.Server) {
			gh.SetClaims(map[string]any{"sub": "repo:octo-org/octo-repo:environment:production", "environment": "production"})
		},
		want: []string{
			"AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
			"sub=repo:octo-org/octo-repo:environment:production",
			"aud=sts.amazonaws.com",
			"iss=https://token.actions.githubusercontent.com",
			`"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:environment:production"`,
			`"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:environment:*"`,
			`"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"`,
		},
	}, {
		name:   "audience not a client id",
		inputs: []string{"audience", "https://github.com/octo-org"},
		want: []string{
			"InvalidIdentityToken: Incorrect token audience",
			"aud=https://github.com/octo-org",
			`does not list the token's audience "https://github.com/octo-org", which the audience input chose, as a client ID. Remove the audience input: the step then asks for sts.amazonaws.com, this provider's default`,
			"--client-id https://github.com/octo-org",
		},
	}, {
		name:   "audience of its own not a client id",
		inputs: []string{"aws-id-token-audience", "https://github.com/octo-org"},
		want: []string{
			"InvalidIdentityToken: Incorrect token audience",
			`does not list the token's audience "https://github.com/octo-org", which the aws-id-token-audience input chose, as a client ID. Remove the aws-id-token-audience input: the step then asks for sts.amazonaws.com, this provider's default`,
			"Remove `aws-id-token-audience: https://github.com/octo-org` from the step's with:",
		},
	}, {
		name:   "misspelled role",
		inputs: []string{"aws-role-arn", "arn:aws:iam::123456789012:role/deplyo"},
		want: []string{
			"AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
			"The trust policy of arn:aws:iam::123456789012:role/deplyo does not admit this token, or no such role in account 123456789012: STS gives the same answer for both (aws iam get-role --role-name deplyo tells them apart)",
			"aws iam get-role --role-name deplyo --query Role.Arn",
		},
	}, {
		name: "issuer without OIDC provider",
		setup: func(gh *fakegithub.Server, s *stsfake.Server) {
			gh.SetIssuer("https://token.actions.githubusercontent.com/octo-enterprise")
		},
		want: []string{
			"No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com/octo-enterprise",
			"aws iam create-open-id-connect-provider",
			`"token.actions.githubusercontent.com/octo-enterprise:sub"`,
		},
	}, {
		name:   "duration above the role's maximum",
		inputs: []string{"aws-role-duration-seconds", "43200"},
		want:   []string{"ValidationError", "MaxSessionDuration", "aws-role-duration-seconds is longer than the role's maximum session duration"},
	}, {
		name: "region disabled",
		setup: func(gh *fakegithub.Server, s *stsfake.Server) {
			s.FailNext(403, "RegionDisabledException", "STS is not activated in this region")
		},
		want: []string{"RegionDisabledException", "activate it in IAM account settings"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newSTS(t, gh)
			if tc.setup != nil {
				tc.setup(gh, sts)
			}
			r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, tc.inputs...), IDToken: gh.Env()})
			harness.RequireExit(t, r, 1)
			for _, w := range tc.want {
				if !strings.Contains(r.Stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.Log())
				}
			}
			if n := len(harness.ErrorLines(r)); n != 1 {
				t.Errorf("%d ::error:: lines, want 1", n)
			}
			if sts.Requests() != 1 {
				t.Errorf("a refusal was sent %d times, want once (no retry)", sts.Requests())
			}
			harness.NothingWritten(t, r)
			harness.NoLeak(t, r, harness.SecretsOf(gh)...)
			checkPolicyJSON(t, r.Stdout)
		})
	}
}

// checkPolicyJSON parses every trust policy the output suggests.
func checkPolicyJSON(t *testing.T, out string) {
	t.Helper()
	for _, block := range strings.Split(out, "\n{\n")[1:] {
		end := strings.Index(block, "\n}")
		if end < 0 {
			t.Errorf("unterminated policy in output")
			continue
		}
		var p struct {
			Version   string
			Statement []map[string]any
		}
		if err := json.Unmarshal([]byte("{\n"+block[:end]+"\n}"), &p); err != nil || p.Version != "2012-10-17" || len(p.Statement) != 1 {
			t.Errorf("suggested policy is not a valid trust policy (%v):\n{%s}", err, block[:end])
		}
	}
}

// TestAWSTransientRetried checks throttling and IDPCommunicationError are retried and the
// login then succeeds with the credentials of the final answer.
func TestAWSTransientRetried(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	sts.FailNext(400, "Throttling", "Rate exceeded")
	sts.FailNext(400, "IDPCommunicationError", "Couldn't reach the identity provider")
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL), IDToken: gh.Env()})
	harness.RequireExit(t, r, 0)
	if sts.Requests() != 3 {
		t.Errorf("STS saw %d requests, want 3 (two transient failures, then success)", sts.Requests())
	}
	c := sts.Issued()[0]
	if r.Env["AWS_ACCESS_KEY_ID"] != c.AccessKeyID || r.Env["AWS_SESSION_TOKEN"] != c.SessionToken {
		t.Errorf("exported credentials are not the ones issued")
	}
	harness.NoLeak(t, r, harness.SecretsOf(gh, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)...)
}

// TestAWSAccountGuards covers aws-allowed-account-ids and aws-mask-account-id.
func TestAWSAccountGuards(t *testing.T) {
	t.Parallel()
	t.Run("account not allowed", func(t *testing.T) {
		t.Parallel()
		gh := harness.NewGitHub(t)
		sts := newSTS(t, gh)
		r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-allowed-account-ids", "111111111111, 222222222222"), IDToken: gh.Env()})
		harness.RequireExit(t, r, 1)
		if !strings.Contains(r.Stdout, "account 123456789012, which is not in aws-allowed-account-ids (111111111111, 222222222222)") {
			t.Errorf("unclear error:\n%s", r.Log())
		}
		harness.NothingWritten(t, r)
		c := sts.Issued()[0]
		// Refused, but issued all the same: still masked.
		harness.Masked(t, r, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
		harness.NoLeak(t, r, harness.SecretsOf(gh, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)...)
	})
	t.Run("account masked", func(t *testing.T) {
		t.Parallel()
		gh := harness.NewGitHub(t)
		sts := newSTS(t, gh)
		r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-mask-account-id", "true", "aws-allowed-account-ids", awsAccount), IDToken: gh.Env()})
		harness.RequireExit(t, r, 0)
		arn := "arn:aws:sts::" + awsAccount + ":assumed-role/deploy/GitHubActions"
		harness.Masked(t, r, awsAccount, arn)
		harness.NoLeak(t, r, awsAccount, arn)
		if !strings.Contains(r.Summary, "| aws | `(masked)` | `(masked)` |") {
			t.Errorf("summary shows the account:\n%s", r.Summary)
		}
		if r.Outputs["aws-account-id"] != awsAccount {
			t.Errorf("aws-account-id output = %q", r.Outputs["aws-account-id"])
		}
	})
}

// TestAWSProfiles runs two steps that add two profiles to the shared files in the home mount,
// reads them with the real AWS CLI, then runs the post step, which removes only what the
// second step added.
func TestAWSProfiles(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	m := moto.Shared(t)
	ws := harness.NewWorkspace(t)
	first := harness.Exec(t, harness.Step{Inputs: awsInputs(m.URL, "aws-profile", "first"), IDToken: gh.Env(), Workspace: ws})
	harness.RequireExit(t, first, 0)
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	if _, ok := first.Env["AWS_PROFILE"]; ok {
		t.Errorf("AWS_PROFILE exported without aws-export-profile")
	}
	second := harness.Exec(t, harness.Step{Inputs: awsInputs(m.URL, "aws-profile", "second", "aws-region", "us-west-2", "aws-export-profile", "true"), IDToken: gh.Env(), Workspace: ws})
	harness.RequireExit(t, second, 0)
	credsPath := filepath.Join(ws.Home, ".aws", "credentials")
	confPath := filepath.Join(ws.Home, ".aws", "config")
	harness.MustEqual(t, "GITHUB_ENV", second.Env, map[string]string{
		"AWS_SHARED_CREDENTIALS_FILE": credsPath,
		"AWS_CONFIG_FILE":             confPath,
		"AWS_PROFILE":                 "second",
	})
	creds := string(harness.SecretFile(t, credsPath))
	conf := string(harness.SecretFile(t, confPath))
	if !strings.Contains(creds, "[first]\n") || !strings.Contains(creds, "[second]\n") {
		t.Errorf("credentials file lacks a profile: %d bytes", len(creds))
	}
	if !strings.Contains(conf, "[profile first]\nregion = eu-west-1\n") || !strings.Contains(conf, "[profile second]\nregion = us-west-2\n") {
		t.Errorf("config file = %q", conf)
	}
	for _, p := range []string{"first", "second"} {
		env := map[string]string{"AWS_SHARED_CREDENTIALS_FILE": credsPath, "AWS_CONFIG_FILE": confPath, "AWS_PROFILE": p}
		id := awsCLI(t, env, m.URL, "sts", "get-caller-identity")
		if id["Arn"] != "arn:aws:sts::"+awsAccount+":assumed-role/deploy/GitHubActions" {
			t.Errorf("profile %s: get-caller-identity = %v", p, id)
		}
	}
	// The post step of the second login: a new process with only inputs and its STATE_*.
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := harness.Exec(t, harness.Step{Inputs: awsInputs(m.URL, "aws-profile", "second", "aws-region", "us-west-2", "aws-export-profile", "true"), Post: true, State: second.State, Workspace: ws})
	harness.RequireExit(t, post, 0)
	creds = string(harness.SecretFile(t, credsPath))
	if !strings.Contains(creds, "[first]") || strings.Contains(creds, "[second]") {
		t.Errorf("after post, the credentials file should hold only the first profile")
	}
	conf = string(harness.SecretFile(t, confPath))
	if conf != "[profile first]\nregion = eu-west-1\n" {
		t.Errorf("after post, config = %q", conf)
	}
}

// TestAWSPostBlanksEnv runs main then post and checks the post step blanks the secret
// variables and leaves nothing behind.
func TestAWSPostBlanksEnv(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	ws := harness.NewWorkspace(t)
	main := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL), IDToken: gh.Env(), Workspace: ws})
	harness.RequireExit(t, main, 0)
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL), Post: true, State: main.State, Workspace: ws})
	harness.RequireExit(t, post, 0)
	harness.MustEqual(t, "post GITHUB_ENV", post.Env, map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": ""})
	if sts.Requests() != 1 {
		t.Errorf("the post step called STS")
	}
}

// TestAWSInContainer runs the binary with the runner's container mounts: the exported paths
// must be host paths that outlive the container, 0600, owned by the home mount's owner.
func TestAWSInContainer(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-profile", "ci"), IDToken: gh.Env()})
	harness.RequireExit(t, r, 0)
	creds := r.Env["AWS_SHARED_CREDENTIALS_FILE"]
	if want := filepath.Join(r.Workspace.Home, ".aws", "credentials"); creds != want {
		t.Fatalf("AWS_SHARED_CREDENTIALS_FILE = %q, want the host path %q", creds, want)
	}
	c := sts.Issued()[0]
	if body := string(harness.SecretFile(t, creds)); !strings.Contains(body, "aws_session_token = "+c.SessionToken+"\n") {
		t.Errorf("the credentials file does not hold the issued session token")
	}
	harness.SecretFile(t, r.Env["AWS_CONFIG_FILE"])
	if _, err := os.Stat("/github/home/.aws"); err == nil {
		t.Errorf("the container's mounts leaked onto the host")
	}
}
