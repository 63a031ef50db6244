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
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// actRefusal is how the step fails under act when a provider would leave a file for later
// steps (internal/runner errActUnshared, after "nothing was written: not writing <file>: ").
const actRefusal = "nektos/act (ACT=true) runs this container action with RUNNER_TEMP=/tmp, its own /tmp, and shares no folder for files with the later steps, so the path would point nowhere there; " +
	"under act use settings that write no file: aws without aws-profile, gcp with gcp-create-credentials-file: false and gcp-token-format: access_token (a later step reads the gcp-access-token output): https://github.com/oidc-login/oidc-login/blob/main/docs/act.md"

const (
	gcpProjectNumber = "123456789012"
	gcpPool          = "projects/" + gcpProjectNumber + "/locations/global/workloadIdentityPools/github-pool"
	gcpWIP           = gcpPool + "/providers/github-provider"
	gcpServiceAcct   = "deploy@octo-project.iam.gserviceaccount.com"
	azureClientID    = "5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5"
	azureTenantID    = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
)

// newGoogle starts the Google emulator over TLS (the action image trusts the test CA through
// its bundle) with the provider trusting the fake's tokens for the repository and the service
// account bound to that repository's principal set.
func newGoogle(t *testing.T, gh *fakegithub.Server) *gcpfake.Server {
	t.Helper()
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	g, err := gcpfake.New(ca)
	if err != nil {
		t.Fatal(err)
	}
	harness.CloseChecked(t, "Google", g)
	g.AddProvider(gcpfake.Provider{Name: gcpWIP, Issuer: fakegithub.Issuer, JWKSURL: gh.JWKSURL(),
		Condition: map[string]string{"repository": fakegithub.DefaultRepo}})
	g.AddServiceAccount(gcpfake.ServiceAccount{Email: gcpServiceAcct,
		Members: []string{"principalSet://iam.googleapis.com/" + gcpPool + "/attribute.repository/" + fakegithub.DefaultRepo}})
	return g
}

func gcpWith(g *gcpfake.Server, more ...string) []string {
	return append([]string{"provider", "gcp", "gcp-workload-identity-provider", gcpWIP,
		"gcp-service-account", gcpServiceAcct, "gcp-sts-endpoint", g.STSURL, "gcp-iam-credentials-endpoint", g.IAMURL}, more...)
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
	}{
		{"github", func(*testing.T, *fakegithub.Server) []string { return []string{"provider", "github"} },
			".oidc-login/github-id-token-", []string{"GITHUB_ID_TOKEN_FILE"}},
		{"aws-profile", func(t *testing.T, _ *fakegithub.Server) []string {
			return []string{"provider", "aws", "aws-role-arn", awsRole, "aws-region", "eu-west-1", "aws-sts-endpoint", moto.Shared(t).URL, "aws-profile", "ci"}
		}, ".aws/credentials", []string{"AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_REGION"}},
		{"gcp-credentials-file", func(t *testing.T, gh *fakegithub.Server) []string { return gcpWith(newGoogle(t, gh)) },
			".oidc-login/gcp-credentials-", []string{"GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CORE_PROJECT"}},
		{"azure", func(t *testing.T, gh *fakegithub.Server) []string {
			ca, err := testca.Shared()
			if err != nil {
				t.Fatal(err)
			}
			s, err := azurefake.New(ca, map[string]string{fakegithub.Issuer: gh.JWKSURL()})
			if err != nil {
				t.Fatal(err)
			}
			harness.CloseChecked(t, "Entra ID", s)
			s.AddTenant(azureTenantID)
			s.AddApp(azureTenantID, azureClientID, azurefake.Credential{Name: "main", Issuer: fakegithub.Issuer,
				Subject: fakegithub.DefaultSubject, Audiences: []string{"api://AzureADTokenExchange"}})
			return []string{"provider", "azure", "azure-client-id", azureClientID, "azure-tenant-id", azureTenantID, "azure-authority-host", s.URL}
		}, ".oidc-login/azure-federated-token-", []string{"AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID"}},
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
			if len(errs) != 1 || !strings.Contains(errs[0], "nothing was written: not writing "+tc.file) || !strings.HasSuffix(errs[0], actRefusal) {
				t.Errorf("error annotations %q, want one: nothing was written: not writing %s…: %s\n%s", errs, tc.file, actRefusal, run.Log)
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
	g := newGoogle(t, gh)
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
	if len(issued) != 1 || issued[0].ServiceAccount != gcpServiceAcct {
		t.Fatalf("the emulator issued %d access tokens, want one for %s", len(issued), gcpServiceAcct)
	}
	sum := sha256.Sum256([]byte(issued[0].Token))
	want := map[string]string{
		"TOKEN":   hex.EncodeToString(sum[:]) + "  -",
		"MASKED":  "***",
		"PROJECT": "octo-project no-file",
	}
	for tag, w := range want {
		if got := run.Tagged("Main use", tag); len(got) != 1 || got[0] != w {
			t.Errorf("later step %s lines = %q, want [%q]", tag, got, w)
		}
	}
}
