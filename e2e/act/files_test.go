package act_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// actRefusal is how the step fails under act when a provider would leave a file for later
// steps, after "nothing was written: not writing <file>: " and before that provider's advice
// and the link to docs/act.md.
const actRefusal = "nektos/act (ACT=true) runs this container action with RUNNER_TEMP=/tmp, its own /tmp, and shares no folder for files with the later steps, so the path would point nowhere there; "

// actGuide ends every act refusal.
const actGuide = ": https://github.com/oidc-login/oidc-login/blob/main/docs/act.md"

// gcpWith is a login into the gcp world g (over TLS: the action image trusts the test CA
// through its bundle), impersonating its service account, and more.
func gcpWith(g *gcpfake.World, more ...string) []string {
	return append([]string{"provider", "gcp", "gcp-workload-identity-provider", gcpfake.WorkloadIdentityProvider,
		"gcp-service-account", gcpfake.ServiceAccountEmail, "gcp-sts-endpoint", g.STSURL, "gcp-iam-credentials-endpoint", g.IAMURL}, more...)
}

// TestActRefusesFilesForLaterSteps: every setting that hands a later step a file fails under
// act the way docs/act.md says, before anything is exported, because act's action container
// shares no folder with later steps; the later step sees none of the variables.
func TestActRefusesFilesForLaterSteps(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// with builds the login inputs, starting what they need.
		with func(t *testing.T, gh *fakegithub.Server) []string
		// file is the start of the file's path in the home folder that the refusal names.
		file string
		// vars are what the step would have exported; the later step must see none of them.
		vars []string
		// advice is what the refusal says works instead under act.
		advice string
	}{
		{"github", func(*testing.T, *fakegithub.Server) []string { return []string{"provider", "github"} },
			".oidc-login/github-id-token-", []string{"GITHUB_ID_TOKEN_FILE"},
			"github cannot log in under act: its login is a file for later steps (GITHUB_ID_TOKEN_FILE); run it on GitHub"},
		{"aws-profile", func(t *testing.T, _ *fakegithub.Server) []string {
			return []string{"provider", "aws", "aws-role-arn", awsRole, "aws-region", stsfake.Region, "aws-sts-endpoint", moto.Shared(t).URL, "aws-profile", "ci"}
		}, ".aws/credentials", []string{"AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_REGION"},
			"under act, aws writes no file without aws-profile and aws-refresh: leave both out, and later steps read the AWS_* variables"},
		{"aws-refresh", func(t *testing.T, _ *fakegithub.Server) []string {
			return []string{"provider", "aws", "aws-role-arn", awsRole, "aws-region", stsfake.Region, "aws-sts-endpoint", moto.Shared(t).URL, "aws-refresh", "true"}
		}, ".oidc-login/aws-refresh-", []string{"AWS_PROFILE", "AWS_CONFIG_FILE"},
			"under act, aws writes no file without aws-profile and aws-refresh: leave both out, and later steps read the AWS_* variables"},
		{"gcp-credentials-file", func(t *testing.T, gh *fakegithub.Server) []string {
			return gcpWith(worlds.Must(t, gcpfake.NewWorld, gh))
		},
			".oidc-login/gcp-credentials-", []string{"GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CORE_PROJECT"},
			"under act, gcp writes no file with gcp-create-credentials-file: false and gcp-token-format: access_token; a later step reads the gcp-access-token output"},
		{"azure", func(t *testing.T, gh *fakegithub.Server) []string {
			s := worlds.Must(t, azurefake.NewWorld, gh)
			return []string{"provider", "azure", "azure-client-id", azurefake.ClientID, "azure-tenant-id", azurefake.TenantID, "azure-authority-host", s.URL}
		}, ".oidc-login/azure-federated-token-", []string{"AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID"},
			"azure cannot log in under act: its login is a file for later steps (AZURE_FEDERATED_TOKEN_FILE); run it on GitHub"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			script := `echo "OUTCOME ${{ steps.login.outcome }}"`
			for _, v := range tc.vars {
				script += "\necho \"VAR " + v + "=${" + v + ":-unset}\""
			}
			r := newRepo(t, sharedImages(t), loginWorkflow("files-"+tc.name, tc.with(t, gh), nil, script), nil)
			run := runAct(t, r, gh.Env())
			run.Require(t, "Main login", "failure")
			if run.Exit == 0 || run.JobSucceeded {
				t.Errorf("act exit %d, job succeeded %v; a failed login must fail the job", run.Exit, run.JobSucceeded)
			}
			errs := run.errors()
			refusal := actRefusal + tc.advice + actGuide
			if len(errs) != 1 || !strings.Contains(errs[0], "nothing was written: not writing "+tc.file) || !strings.HasSuffix(errs[0], refusal) {
				t.Errorf("error annotations %q, want one: nothing was written: not writing %s…: %s\n%s", errs, tc.file, refusal, run.Log)
			}
			want := []string{"OUTCOME failure"}
			for _, v := range tc.vars {
				want = append(want, "VAR "+v+"=unset")
			}
			if got := run.Lines["Main use"]; strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("the later step printed %q, want %q", got, want)
			}
			if got := run.Lines["Post login"]; len(got) != 1 || got[0] != postNoState {
				t.Errorf("post stage printed %q, want exactly %q", got, postNoState)
			}
		})
	}
}

// TestActGCPAccessTokenInstead is what docs/act.md offers under act for Google: no credentials
// file, the access token as a (masked) step output; the later step gets exactly the token the
// emulator issued for the service account.
func TestActGCPAccessTokenInstead(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	g := worlds.Must(t, gcpfake.NewWorld, gh)
	r := newRepo(t, sharedImages(t), loginWorkflow("gcp-access-token",
		gcpWith(g, "gcp-create-credentials-file", "'false'", "gcp-token-format", "access_token"),
		[]string{"TOKEN", "${{ steps.login.outputs.gcp-access-token }}"},
		`echo "TOKEN $(printf %s "$TOKEN" | sha256sum)"
echo "MASKED $TOKEN"
echo "PROJECT $CLOUDSDK_CORE_PROJECT ${GOOGLE_APPLICATION_CREDENTIALS:-no-file}"`), nil)
	run := runAct(t, r, gh.Env())
	run.Require(t, "Main login", "success")
	run.Require(t, "Main use", "success")
	issued := g.AccessTokens()
	if len(issued) != 1 || issued[0].ServiceAccount != gcpfake.ServiceAccountEmail {
		t.Fatalf("the emulator issued %d access tokens, want one for %s", len(issued), gcpfake.ServiceAccountEmail)
	}
	sum := sha256.Sum256([]byte(issued[0].Token))
	want := map[string]string{
		"TOKEN":   hex.EncodeToString(sum[:]) + "  -",
		"MASKED":  "***",
		"PROJECT": gcpfake.Project + " no-file",
	}
	for tag, w := range want {
		if got := run.Tagged("Main use", tag); len(got) != 1 || got[0] != w {
			t.Errorf("later step %s lines = %q, want [%q]", tag, got, w)
		}
	}
}
