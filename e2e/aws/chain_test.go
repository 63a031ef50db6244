package aws_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
)

// The chain of the tests: the web-identity role deploy in 123456789012, then audit in a second
// account and prod in a third, each trusting the role before it.
const (
	auditAccount = "210987654321"
	prodAccount  = "333333333333"
	auditRole    = "arn:aws:iam::" + auditAccount + ":role/path/audit"
	prodRole     = "arn:aws:iam::" + prodAccount + ":role/prod"
)

// TestAWSRoleChainWithMoto chains two cross-account hops after the web-identity login against
// moto and checks, with the real AWS CLI and exactly the exported env, that the credentials are
// the last hop's: get-caller-identity shows prod's account and assumed-role ARN.
func TestAWSRoleChainWithMoto(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	m := moto.Shared(t)
	r := harness.Exec(t, harness.Step{
		Inputs:  awsInputs(m.URL, "aws-role-chain", auditRole+" session-name=audit-run\n"+prodRole+" session-name=prod-run duration=1800"),
		IDToken: gh.Env(),
	})
	harness.RequireExit(t, r, 0)
	wantARN := "arn:aws:sts::" + prodAccount + ":assumed-role/prod/prod-run"
	if r.Outputs["aws-arn"] != wantARN || r.Outputs["aws-account-id"] != prodAccount {
		t.Errorf("outputs aws-arn=%q aws-account-id=%q, want %q and %q", r.Outputs["aws-arn"], r.Outputs["aws-account-id"], wantARN, prodAccount)
	}
	id := awsCLI(t, r.Env, m.URL, "sts", "get-caller-identity")
	if id["Arn"] != wantARN || id["Account"] != prodAccount {
		t.Errorf("aws sts get-caller-identity with the exported env = %v, want %s in %s", id, wantARN, prodAccount)
	}
	for _, line := range []string{
		"aws: assumed arn:aws:sts::" + awsAccount + ":assumed-role/deploy/GitHubActions with the ID token",
		"aws: chained into arn:aws:sts::" + auditAccount + ":assumed-role/audit/audit-run",
		"aws: assumed " + wantARN + " in eu-west-1",
	} {
		if !strings.Contains(r.Stdout, line) {
			t.Errorf("log lacks %q:\n%s", line, r.Log())
		}
	}
	if !strings.Contains(r.Summary, "| aws | `"+wantARN+"` | `"+prodAccount+"` |") {
		t.Errorf("the summary does not show the last hop:\n%s", r.Summary)
	}
	harness.NoLeak(t, r, harness.SecretsOf(gh, r.Env["AWS_ACCESS_KEY_ID"], r.Env["AWS_SECRET_ACCESS_KEY"], r.Env["AWS_SESSION_TOKEN"])...)
}

// newChainSTS is the trust-checking emulator with the three roles of the chain; trust lists,
// per chained role, the roles its trust policy names.
func newChainSTS(t *testing.T, gh *fakegithub.Server, auditTrusts, prodTrusts []string, prodMax int) *stsfake.Server {
	t.Helper()
	s := newSTS(t, gh)
	s.AddRole(stsfake.Role{ARN: auditRole, TrustedRoles: auditTrusts})
	s.AddRole(stsfake.Role{ARN: prodRole, TrustedRoles: prodTrusts, MaxSessionDuration: prodMax})
	return s
}

// TestAWSRoleChainTrusted checks every hop against the emulator, which verifies each
// AssumeRole's SigV4 signature with the previous hop's secret and the target's trust in the
// previous role: each hop was signed by the session before it, with its own session name and
// duration, only the last credentials are exported and masked-first like the others, and a
// two-hop login is one token request and three STS calls.
func TestAWSRoleChainTrusted(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newChainSTS(t, gh, []string{awsRole}, []string{auditRole}, 3600)
	r := harness.Exec(t, harness.Step{
		Inputs: awsInputs(sts.URL,
			"aws-role-session-name", "run-7",
			"aws-role-chain", auditRole+"\n\n"+prodRole+" session-name=prod@run-7 duration=900",
			"aws-allowed-account-ids", prodAccount,
			"output-credentials", "true"),
		IDToken: gh.Env(),
	})
	harness.RequireExit(t, r, 0)
	issued := sts.Issued()
	if len(issued) != 3 {
		t.Fatalf("STS issued %d sets of credentials, want 3 (web identity, audit, prod)", len(issued))
	}
	web, audit, prod := issued[0], issued[1], issued[2]
	type hop struct{ action, role, caller string }
	want := []hop{
		{"AssumeRoleWithWebIdentity", awsRole, ""},
		{"AssumeRole", auditRole, "arn:aws:sts::" + awsAccount + ":assumed-role/deploy/run-7"},
		{"AssumeRole", prodRole, "arn:aws:sts::" + auditAccount + ":assumed-role/audit/run-7"},
	}
	for i, c := range issued {
		if got := (hop{c.Action, c.RoleARN, c.CallerARN}); got != want[i] {
			t.Errorf("call %d = %+v, want %+v", i+1, got, want[i])
		}
	}
	if audit.DurationSeconds != 3600 || prod.DurationSeconds != 900 || prod.AssumedRoleARN != "arn:aws:sts::"+prodAccount+":assumed-role/prod/prod@run-7" {
		t.Errorf("durations %d and %d, last session %s", audit.DurationSeconds, prod.DurationSeconds, prod.AssumedRoleARN)
	}
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
		"AWS_ACCESS_KEY_ID":     prod.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": prod.SecretAccessKey,
		"AWS_SESSION_TOKEN":     prod.SessionToken,
		"AWS_REGION":            "eu-west-1",
		"AWS_DEFAULT_REGION":    "eu-west-1",
	})
	harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{
		"aws-account-id":        prodAccount,
		"aws-arn":               prod.AssumedRoleARN,
		"authenticated-arn":     prod.AssumedRoleARN,
		"aws-access-key-id":     prod.AccessKeyID,
		"aws-secret-access-key": prod.SecretAccessKey,
		"aws-session-token":     prod.SessionToken,
		"aws-expiration":        prod.Expiration.Format(time.RFC3339),
		"claims":                r.Outputs["claims"],
		"expiration":            prod.Expiration.Format(time.RFC3339),
	})
	if gh.Requests() != 1 || sts.Requests() != 3 {
		t.Errorf("a two-hop chain made %d token + %d STS requests, want 1 + 3", gh.Requests(), sts.Requests())
	}
	var secrets []string
	for _, c := range []stsfake.Credentials{web, audit, prod} {
		secrets = append(secrets, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	}
	harness.Masked(t, r, secrets...)
	harness.MasksFirst(t, r)
	harness.NoLeak(t, r, harness.SecretsOf(gh, secrets...)...)
}

// TestAWSRoleChainAllowedAccounts checks aws-allowed-account-ids is judged on the last hop's
// account, not the web-identity role's.
func TestAWSRoleChainAllowedAccounts(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newChainSTS(t, gh, []string{awsRole}, []string{auditRole}, 3600)
	r := harness.Exec(t, harness.Step{
		Inputs:  awsInputs(sts.URL, "aws-role-chain", auditRole, "aws-allowed-account-ids", awsAccount),
		IDToken: gh.Env(),
	})
	harness.RequireExit(t, r, 1)
	if !strings.Contains(r.Stdout, "the assumed role is in account "+auditAccount+", which is not in aws-allowed-account-ids ("+awsAccount+")") {
		t.Errorf("unclear error:\n%s", r.Log())
	}
	harness.NothingWritten(t, r)
	// Both hops' credentials were issued before the refusal: every one is masked.
	if got := len(sts.Secrets()); got != 6 {
		t.Fatalf("STS issued %d secrets, want 6 (two hops)", got)
	}
	harness.Masked(t, r, sts.Secrets()...)
	harness.NoLeak(t, r, harness.SecretsOf(gh, sts.Secrets()...)...)
}

// TestAWSRoleChainRefusals refuses each hop in turn and checks the explanation names the hop
// (its line and role) and prints the trust policy that role needs, trusting the role before
// it; the step fails on the first answer (a refusal is not retried) and writes nothing.
func TestAWSRoleChainRefusals(t *testing.T) {
	t.Parallel()
	chain := auditRole + "\n" + prodRole + " duration=3600"
	cases := []struct {
		name                    string
		auditTrusts, prodTrusts []string
		prodMax                 int
		calls                   int
		want                    []string
	}{{
		name:        "first hop not trusted",
		auditTrusts: []string{"arn:aws:iam::" + awsAccount + ":role/other"}, prodTrusts: []string{auditRole}, prodMax: 3600,
		calls: 2,
		want: []string{
			"AWS STS AssumeRole into " + auditRole + " (aws-role-chain line 1) refused: AccessDenied: User: arn:aws:sts::" + awsAccount + ":assumed-role/deploy/GitHubActions is not authorized to perform: sts:AssumeRole on resource: " + auditRole,
			"A chained role trusts the role before it, not the OIDC provider",
			"Trust policy for " + auditRole + " (it trusts the previous role " + awsRole + "):",
			"\"AWS\": \"" + awsRole + "\"",
			"aws iam update-assume-role-policy --role-name audit",
			"aws iam put-role-policy --role-name deploy",
		},
	}, {
		name:        "second hop not trusted",
		auditTrusts: []string{awsRole}, prodTrusts: []string{awsRole}, prodMax: 3600,
		calls: 3,
		want: []string{
			"AWS STS AssumeRole into " + prodRole + " (aws-role-chain line 2) refused: AccessDenied: User: arn:aws:sts::" + auditAccount + ":assumed-role/audit/GitHubActions is not authorized to perform: sts:AssumeRole on resource: " + prodRole,
			"\"AWS\": \"" + auditRole + "\"",
			"\"Resource\": \"" + prodRole + "\"",
		},
	}, {
		name:        "second hop longer than the role allows",
		auditTrusts: []string{awsRole}, prodTrusts: []string{auditRole}, prodMax: 1800,
		calls: 3,
		want: []string{
			"AWS STS AssumeRole into " + prodRole + " (aws-role-chain line 2) refused: ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role",
			"The duration on line 2 of aws-role-chain is longer than " + prodRole + " allows",
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newChainSTS(t, gh, tc.auditTrusts, tc.prodTrusts, tc.prodMax)
			r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-role-chain", chain), IDToken: gh.Env()})
			harness.RequireExit(t, r, 1)
			for _, w := range tc.want {
				if !strings.Contains(r.Stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.Log())
				}
			}
			if n := len(harness.ErrorLines(r)); n != 1 {
				t.Errorf("%d ::error:: lines, want 1", n)
			}
			if sts.Requests() != tc.calls {
				t.Errorf("STS saw %d requests, want %d (the refused hop once, no retry)", sts.Requests(), tc.calls)
			}
			harness.NothingWritten(t, r)
			// The hops before the refused one issued live credentials: masked all the same.
			harness.Masked(t, r, sts.Secrets()...)
			harness.NoLeak(t, r, harness.SecretsOf(gh, sts.Secrets()...)...)
			checkPolicyJSON(t, r.Stdout)
		})
	}
}

// TestAWSRoleChainInputRefused checks a chained duration above AWS's one-hour cap is refused
// before any request, naming the input and the line.
func TestAWSRoleChainInputRefused(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-role-chain", auditRole+"\n"+prodRole+" duration=7200"), IDToken: gh.Env()})
	harness.RequireInputRefused(t, r, "input aws-role-chain: line 2: duration 7200 is longer than AWS allows for a chained role: a session assumed with another role's credentials lasts at most 3600 seconds (1 hour)", gh.Requests, sts.Requests)
}

// TestSTSFakeChecksSignatures makes sure the emulator's AssumeRole really checks who signed:
// the SDK's signer with the issued secret passes, a wrong secret or an unknown key does not.
func TestSTSFakeChecksSignatures(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	s := newChainSTS(t, gh, []string{awsRole}, nil, 3600)
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(s.URL), IDToken: gh.Env()})
	harness.RequireExit(t, r, 0)
	web := s.Issued()[0]
	assume := func(key, secret, token string) error {
		c := sts.New(sts.Options{
			Region: "eu-west-1", BaseEndpoint: awssdk.String(s.URL), Retryer: awssdk.NopRetryer{},
			Credentials: credentialsOf(key, secret, token),
		})
		_, err := c.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: awssdk.String(auditRole), RoleSessionName: awssdk.String("probe")})
		return err
	}
	if err := assume(web.AccessKeyID, web.SecretAccessKey, web.SessionToken); err != nil {
		t.Errorf("a correctly signed AssumeRole was refused: %v", err)
	}
	for name, tc := range map[string]struct {
		key, secret, token, code string
	}{
		"wrong secret": {web.AccessKeyID, strings.ToLower(web.SecretAccessKey), web.SessionToken, "SignatureDoesNotMatch"},
		"unknown key":  {"ASIAUNKNOWNUNKNOWN00", web.SecretAccessKey, web.SessionToken, "InvalidClientTokenId"},
		"wrong token":  {web.AccessKeyID, web.SecretAccessKey, "IQoJb3JpZ2luX2VjEother", "InvalidClientTokenId"},
	} {
		var api smithy.APIError
		if err := assume(tc.key, tc.secret, tc.token); !errors.As(err, &api) || api.ErrorCode() != tc.code {
			t.Errorf("%s: AssumeRole error %v, want %s", name, err, tc.code)
		}
	}
}

func credentialsOf(key, secret, token string) awssdk.CredentialsProvider {
	return awssdk.CredentialsProviderFunc(func(context.Context) (awssdk.Credentials, error) {
		return awssdk.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: token}, nil
	})
}

// TestAWSRoleChainMaskedAccounts: with aws-mask-account-id, every hop's account and
// assumed-role ARN is masked, not only the last one's, since the log names each hop.
func TestAWSRoleChainMaskedAccounts(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newChainSTS(t, gh, []string{awsRole}, []string{auditRole}, 3600)
	r := harness.Exec(t, harness.Step{
		Inputs:  awsInputs(sts.URL, "aws-role-chain", auditRole+"\n"+prodRole, "aws-mask-account-id", "true"),
		IDToken: gh.Env(),
	})
	harness.RequireExit(t, r, 0)
	var hidden []string
	for _, c := range sts.Issued() {
		hidden = append(hidden, c.AssumedRoleARN)
	}
	hidden = append(hidden, awsAccount, auditAccount, prodAccount)
	harness.Masked(t, r, hidden...)
	harness.NoLeak(t, r, hidden...)
	if !strings.Contains(r.Summary, "| aws | `(masked)` | `(masked)` |") {
		t.Errorf("summary shows an account:\n%s", r.Summary)
	}
}

// TestAWSRoleChainTransientRetried throttles a chained hop: that AssumeRole is retried on its
// own (the web-identity login is not repeated, no new ID token is fetched) and the chain ends
// with the retried hop's credentials.
func TestAWSRoleChainTransientRetried(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newChainSTS(t, gh, []string{awsRole}, []string{auditRole}, 3600)
	sts.FailNextAction("AssumeRole", 400, "Throttling", "Rate exceeded")
	r := harness.Exec(t, harness.Step{Inputs: awsInputs(sts.URL, "aws-role-chain", auditRole+"\n"+prodRole), IDToken: gh.Env()})
	harness.RequireExit(t, r, 0)
	issued := sts.Issued()
	if gh.Requests() != 1 || sts.Requests() != 4 || len(issued) != 3 {
		t.Fatalf("%d token + %d STS requests, %d credentials issued; want 1 + 4 (one throttled AssumeRole retried), 3", gh.Requests(), sts.Requests(), len(issued))
	}
	if r.Env["AWS_SESSION_TOKEN"] != issued[2].SessionToken || issued[2].RoleARN != prodRole {
		t.Errorf("exported credentials are not the last hop's")
	}
	harness.NoLeak(t, r, harness.SecretsOf(gh, sts.Secrets()...)...)
}
