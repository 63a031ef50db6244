// Package placement_test runs one step that writes every kind of file the action hands on (an
// AWS profile, a Google credentials file, an Azure token file, the GitHub ID token) in each
// place a workflow can run it: a container action on today's runner and on an older one, a
// container action in a job with a job container, and the binary on the host. A later step
// then uses every exported path through its real consumer where the runner would run it, and
// the post step removes exactly those files.
package placement_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fileworld"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/laterstep"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
)

func TestMain(m *testing.M) {
	harness.Main(m, moto.StopShared, laterstep.RemoveConsumer)
}

// fileVars are the variables and outputs that name a file the step wrote.
var (
	fileEnv     = []string{"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", "GOOGLE_GHA_CREDS_PATH", "AZURE_FEDERATED_TOKEN_FILE", "GITHUB_ID_TOKEN_FILE"}
	fileOutputs = []string{"gcp-credentials-file-path", "azure-federated-token-file", "github-id-token-file"}
)

// TestEveryPlacement: the exported paths are exactly where later steps look, in each
// placement, and every file works through its consumer there.
func TestEveryPlacement(t *testing.T) {
	t.Parallel()
	for _, p := range []harness.Placement{harness.TodayRunner, harness.OldRunner, harness.JobContainer, harness.NoContainer} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			runPlacement(t, p)
		})
	}
}

func runPlacement(t *testing.T, p harness.Placement) {
	w := fileworld.New(t)
	ca, gh, m, g, entra := w.CA, w.GitHub, w.Moto, w.GCP, w.Entra

	ws := harness.NewWorkspace(t)
	inputs := w.Inputs()
	// The later step finds the profile through AWS_PROFILE.
	inputs["aws-export-profile"] = "true"
	env := map[string]string{"SSL_CERT_FILE": ca.File}
	r := harness.Exec(t, harness.Step{Inputs: inputs, IDToken: gh.Env(), Env: env, Workspace: ws, Placement: p})
	harness.RequireExit(t, r, 0)

	// Every exported path is the later steps' path of a file in the home mount (our folder, or
	// .aws/ for the profile), and that file is on the host, 0600, owned by the runner's user.
	ours := ws.LaterPath(p, ws.Home) + "/"
	check := func(what, path string) {
		if !strings.HasPrefix(path, ours) {
			t.Errorf("%s = %q, want a path under %s (where %s later steps look)", what, path, ours, p)
			return
		}
		harness.SecretFile(t, filepath.Join(ws.Home, strings.TrimPrefix(path, ours)))
	}
	for _, k := range fileEnv {
		check(k, r.Env[k])
	}
	for _, k := range fileOutputs {
		check("output "+k, r.Outputs[k])
	}
	if r.Env["GOOGLE_APPLICATION_CREDENTIALS"] != r.Outputs["gcp-credentials-file-path"] ||
		r.Env["AZURE_FEDERATED_TOKEN_FILE"] != r.Outputs["azure-federated-token-file"] ||
		r.Env["GITHUB_ID_TOKEN_FILE"] != r.Outputs["github-id-token-file"] {
		t.Errorf("outputs and variables name different files")
	}

	later := func(k ...string) map[string]string {
		out := map[string]string{"SSL_CERT_FILE": ca.File}
		for _, name := range k {
			out[name] = r.Env[name]
		}
		return out
	}
	consumer, err := laterstep.Consumer()
	if err != nil {
		t.Fatal(err)
	}

	// AWS: the real CLI with the profile, against moto.
	awsEnv := later("AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_PROFILE")
	awsEnv["AWS_ENDPOINT_URL_STS"], awsEnv["AWS_EC2_METADATA_DISABLED"], awsEnv["HOME"] = m.URL, "true", t.TempDir()
	if pyenv := os.Getenv("PYENV_ROOT"); pyenv != "" {
		awsEnv["PYENV_ROOT"] = pyenv
	}
	var id map[string]string
	if err := json.Unmarshal([]byte(run(t, laterstep.CommandAsRoot(ws, p, awsEnv, "aws", "sts", "get-caller-identity", "--output", "json"))), &id); err != nil {
		t.Fatalf("aws sts get-caller-identity: %v", err)
	}
	if id["Account"] != stsfake.Account || id["Arn"] != stsfake.AssumedRoleARN || id["Arn"] != r.Outputs["aws-arn"] {
		t.Errorf("aws sts get-caller-identity --profile ci = %v, want the role the step assumed (%s)", id, r.Outputs["aws-arn"])
	}

	// GCP: Google's library reads the credentials file, mints a fresh ID token from the runner
	// and impersonates the service account.
	tok := run(t, laterstep.Command(ws, p, later("GOOGLE_APPLICATION_CREDENTIALS"), consumer, "gcp", gcpfake.Scope))
	at := g.AccessTokens()
	if len(at) == 0 || tok != at[len(at)-1].Token || at[len(at)-1].ServiceAccount != gcpfake.ServiceAccountEmail {
		t.Errorf("x/oauth2/google did not get the service account token the emulator issued last")
	}

	// Azure: azidentity with exactly the exported variables.
	tok = run(t, laterstep.Command(ws, p, later("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"), consumer, "azure", azurefake.ARMScope))
	issued := entra.Issued()
	if len(issued) != 2 || tok != issued[1].AccessToken {
		t.Errorf("azidentity did not get the emulator's second token (%d issued)", len(issued))
	}

	// GitHub: the token file holds the token the runner minted for the step.
	tok = run(t, laterstep.Command(ws, p, later("GITHUB_ID_TOKEN_FILE"), consumer, "github"))
	if !contains(gh.Minted(), tok) {
		t.Errorf("GITHUB_ID_TOKEN_FILE does not hold a token the runner minted")
	}

	// The post step, in a fresh container of the same placement, removes every file.
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := harness.Exec(t, harness.Step{Inputs: inputs, Env: env, Post: true, State: r.State, Workspace: ws, Placement: p})
	harness.RequireExit(t, post, 0)
	if files := harness.HomeFiles(t, ws); len(files) != 0 {
		t.Errorf("after the post step the home mount still holds %v", files)
	}
	for _, k := range fileEnv {
		if v, ok := post.Env[k]; !ok || v != "" {
			t.Errorf("post step: %s = %q, want it blanked", k, v)
		}
	}
	// The later step's consumers now find nothing.
	if out, err := laterstep.Command(ws, p, later("GITHUB_ID_TOKEN_FILE"), consumer, "github").CombinedOutput(); err == nil {
		t.Errorf("after the post step the GitHub token file still reads: %d bytes", len(out))
	}
	secrets := harness.SecretsOf(gh, append(append(g.Secrets(), entra.Secrets()...), r.Outputs["aws-access-key-id"])...)
	harness.NoLeak(t, r, secrets...)
	harness.NoLeak(t, post, secrets...)
}

// run runs a later step and returns what it printed; a failure shows its stderr, which holds
// no secret (the consumers print tokens only on success).
func run(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("later step %v: %v\n%s", cmd.Args[len(cmd.Args)-3:], err, stderr.String())
	}
	return string(out)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// TestNoHostPathRefused: on today's runner with the runner's temp folder blanked out of the
// arguments (nothing else says where later steps look), a step that would write a file fails
// before any request, names what is missing, and writes nothing.
func TestNoHostPathRefused(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	r := harness.Exec(t, harness.Step{Inputs: map[string]string{"provider": "github", "runner-temp": ""}, IDToken: gh.Env()})
	harness.RequireExit(t, r, 1)
	errs := strings.Join(harness.ErrorLines(r), "\n")
	if !strings.Contains(errs, `RUNNER_TEMP="/github/runner_temp"`) || !strings.Contains(errs, "runs.args") {
		t.Errorf("the error does not say the host path is unknown and why:\n%s", errs)
	}
	harness.NothingWritten(t, r)
	if len(gh.Minted()) != 0 {
		t.Errorf("an ID token was requested before the refusal")
	}
	if files := harness.HomeFiles(t, r.Workspace); len(files) != 0 {
		t.Errorf("files were written: %v", files)
	}
}
