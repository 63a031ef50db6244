package image_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/dockerimage"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fileworld"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/laterstep"
)

// TestImageLaterSteps is the whole life of the action in a job, under the Docker engine, for
// each placement that runs it as a container action: one step of the image logs into AWS (a
// profile, against moto), Google Cloud (a service account), Azure and hands on GitHub's ID
// token; a later step, where the runner would run it (on the host as the runner's user, or in
// a job-container-like mount namespace that sees the work folder at /__w), uses every exported
// file through its real consumer; then the post entrypoint, in a fresh container, removes
// exactly those files, and the consumers find nothing any more.
func TestImageLaterSteps(t *testing.T) {
	t.Parallel()
	im := sharedImage(t)
	for _, p := range containerPlacements {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			laterSteps(t, im, p)
		})
	}
}

func laterSteps(t *testing.T, im dockerimage.Image, p harness.Placement) {
	w := fileworld.New(t)
	ca, gh, m, g, entra := w.CA, w.GitHub, w.Moto, w.GCP, w.Entra

	ws := harness.NewWorkspace(t)
	inputs := w.Inputs()
	// No SSL_CERT_FILE: inside the image the test CA is in the bundle.
	code, stdout, stderr := dockerRun(t, im, runOf(t, harness.Step{Inputs: inputs, IDToken: gh.Env(), Workspace: ws, Placement: p}))
	r := collect(t, ws, code, stdout, stderr)
	harness.RequireExit(t, r, 0)

	// What the step hands on: every file in our folder of the home mount, named by the path
	// later steps of this placement see; the AWS profile in the shared files.
	ours := filepath.Join(ws.Home, ".oidc-login")
	files := harness.HomeFiles(t, ws)
	byPrefix := func(prefix string) string {
		t.Helper()
		var found []string
		for _, f := range files {
			if strings.HasPrefix(f, filepath.Join(".oidc-login", prefix)) {
				found = append(found, filepath.Join(ws.Home, f))
			}
		}
		if len(found) != 1 {
			t.Fatalf("the home mount holds %v, want one %s… file", files, prefix)
		}
		return found[0]
	}
	gcpFile, azFile, ghFile := byPrefix("gcp-"), byPrefix("azure-"), byPrefix("github-")
	if want := []string{".aws/config", ".aws/credentials"}; len(files) != 5 || !slices.Equal(files[:2], want) {
		t.Fatalf("the home mount holds %v, want %v and three files in .oidc-login", files, want)
	}
	for _, f := range files {
		harness.SecretFile(t, filepath.Join(ws.Home, f))
	}
	awsCreds := profileSecrets(t, filepath.Join(ws.Home, ".aws", "credentials"))
	harness.Masked(t, r, awsCreds...)
	harness.MasksFirst(t, r)
	if !strings.HasPrefix(gcpFile, ours+"/") {
		t.Fatalf("the credentials file %s is not in %s", gcpFile, ours)
	}
	later := func(host string) string { return ws.LaterPath(p, host) }
	harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
		"AWS_SHARED_CREDENTIALS_FILE":            later(filepath.Join(ws.Home, ".aws", "credentials")),
		"AWS_CONFIG_FILE":                        later(filepath.Join(ws.Home, ".aws", "config")),
		"GOOGLE_APPLICATION_CREDENTIALS":         later(gcpFile),
		"CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE": later(gcpFile),
		"GOOGLE_GHA_CREDS_PATH":                  later(gcpFile),
		"CLOUDSDK_CORE_PROJECT":                  r.Env["CLOUDSDK_CORE_PROJECT"],
		"CLOUDSDK_PROJECT":                       r.Env["CLOUDSDK_PROJECT"],
		"GCLOUD_PROJECT":                         r.Env["GCLOUD_PROJECT"],
		"GCP_PROJECT":                            r.Env["GCP_PROJECT"],
		"GOOGLE_CLOUD_PROJECT":                   r.Env["GOOGLE_CLOUD_PROJECT"],
		"AZURE_CLIENT_ID":                        azurefake.ClientID,
		"AZURE_TENANT_ID":                        azurefake.TenantID,
		"AZURE_FEDERATED_TOKEN_FILE":             later(azFile),
		"AZURE_AUTHORITY_HOST":                   r.Env["AZURE_AUTHORITY_HOST"],
		"ARM_CLIENT_ID":                          azurefake.ClientID,
		"ARM_TENANT_ID":                          azurefake.TenantID,
		"ARM_USE_OIDC":                           "true",
		"ARM_ENVIRONMENT":                        "public",
		"GITHUB_ID_TOKEN_FILE":                   later(ghFile),
	})
	for _, k := range []string{"CLOUDSDK_CORE_PROJECT", "CLOUDSDK_PROJECT", "GCLOUD_PROJECT", "GCP_PROJECT", "GOOGLE_CLOUD_PROJECT"} {
		if r.Env[k] != "octo-project" {
			t.Errorf("%s = %q, want the service account's project octo-project", k, r.Env[k])
		}
	}
	if !strings.HasPrefix(r.Env["AZURE_AUTHORITY_HOST"], entra.URL) {
		t.Errorf("AZURE_AUTHORITY_HOST = %q, want the authority host input %s", r.Env["AZURE_AUTHORITY_HOST"], entra.URL)
	}
	for output, env := range map[string]string{"gcp-credentials-file-path": "GOOGLE_APPLICATION_CREDENTIALS", "azure-federated-token-file": "AZURE_FEDERATED_TOKEN_FILE", "github-id-token-file": "GITHUB_ID_TOKEN_FILE"} {
		if r.Outputs[output] != r.Env[env] {
			t.Errorf("output %s = %q, want %s's %q", output, r.Outputs[output], env, r.Env[env])
		}
	}

	// The later step gets what GITHUB_ENV set, as the runner hands it on; it trusts the TLS
	// emulators through SSL_CERT_FILE (the shared test CA file is readable by the runner's user).
	laterEnv := func(names ...string) map[string]string {
		out := map[string]string{"SSL_CERT_FILE": ca.File}
		for _, k := range names {
			out[k] = r.Env[k]
		}
		return out
	}
	consumer, err := laterstep.Consumer()
	if err != nil {
		t.Fatal(err)
	}

	// AWS: the real AWS CLI with the profile, against moto.
	awsEnv := laterEnv("AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE")
	awsEnv["AWS_ENDPOINT_URL_STS"], awsEnv["AWS_EC2_METADATA_DISABLED"], awsEnv["HOME"] = m.URL, "true", t.TempDir()
	if pyenv := os.Getenv("PYENV_ROOT"); pyenv != "" {
		awsEnv["PYENV_ROOT"] = pyenv
	}
	var id map[string]string
	out := laterRun(t, laterstep.CommandAsRoot(ws, p, awsEnv, "aws", "sts", "get-caller-identity", "--profile", "ci", "--output", "json"))
	if err := json.Unmarshal([]byte(out), &id); err != nil {
		t.Fatalf("aws sts get-caller-identity printed %q: %v", out, err)
	}
	wantARN := awsSession
	if id["Account"] != awsAccount || id["Arn"] != wantARN || r.Outputs["aws-arn"] != wantARN {
		t.Errorf("aws sts get-caller-identity --profile ci = %v (the step said %s), want %s in %s", id, r.Outputs["aws-arn"], wantARN, awsAccount)
	}

	// Google: x/oauth2/google reads the credentials file, mints a fresh ID token from the
	// runner's token URL, exchanges it and impersonates the service account.
	tok := laterRun(t, laterstep.Command(ws, p, laterEnv("GOOGLE_APPLICATION_CREDENTIALS"), consumer, "gcp", gcpfake.Scope))
	at := g.AccessTokens()
	if len(at) != 2 || tok != at[1].Token || at[1].ServiceAccount != gcpfake.ServiceAccountEmail {
		t.Errorf("x/oauth2/google did not get the second service-account token the emulator issued (%d issued)", len(at))
	}

	// Azure: azidentity's workload identity credential with exactly the exported variables.
	tok = laterRun(t, laterstep.Command(ws, p, laterEnv("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"), consumer, "azure", azurefake.ARMScope))
	issued := entra.Issued()
	if len(issued) != 2 || tok != issued[1].AccessToken || issued[1].Scope != azurefake.ARMScope {
		t.Errorf("azidentity did not get the emulator's second token, for %s (%d issued)", azurefake.ARMScope, len(issued))
	}

	// GitHub: the file holds exactly the token the runner minted for provider github's audience.
	tok = laterRun(t, laterstep.Command(ws, p, laterEnv("GITHUB_ID_TOKEN_FILE"), consumer, "github"))
	if tok != mintedFor(t, gh, fakegithub.DefaultAudience) {
		t.Errorf("GITHUB_ID_TOKEN_FILE holds %d bytes that are not the token minted for %s", len(tok), fakegithub.DefaultAudience)
	}

	// The post step: a fresh container at action.yml's post-entrypoint, same inputs and args,
	// the saved state; no ID token (it makes no request).
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	requests := gh.Requests()
	code, stdout, stderr = dockerRun(t, im, runOf(t, harness.Step{Inputs: inputs, Workspace: ws, Placement: p, Post: true, State: r.State}))
	post := collect(t, ws, code, stdout, stderr)
	harness.RequireExit(t, post, 0)
	if left := harness.HomeFiles(t, ws); len(left) != 0 {
		t.Errorf("after the post step the home mount still holds %v", left)
	}
	for _, k := range []string{"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", "GOOGLE_GHA_CREDS_PATH", "AZURE_FEDERATED_TOKEN_FILE", "GITHUB_ID_TOKEN_FILE"} {
		if v, ok := post.Env[k]; !ok || v != "" {
			t.Errorf("post step: %s = %q, want it blanked", k, v)
		}
	}
	if gh.Requests() != requests {
		t.Errorf("the post step asked for %d ID tokens", gh.Requests()-requests)
	}
	// The consumers, run where the later step ran, now find nothing.
	for _, c := range []struct {
		env  map[string]string
		args []string
	}{
		{laterEnv("GITHUB_ID_TOKEN_FILE"), []string{"github"}},
		{laterEnv("GOOGLE_APPLICATION_CREDENTIALS"), []string{"gcp", gcpfake.Scope}},
		{laterEnv("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"), []string{"azure", azurefake.ARMScope}},
	} {
		if out, err := laterstep.Command(ws, p, c.env, consumer, c.args...).Output(); err == nil {
			t.Errorf("after the post step consume %s still works (%d bytes)", c.args[0], len(out))
		}
	}
	secrets := harness.SecretsOf(gh, append(append(g.Secrets(), entra.Secrets()...), awsCreds...)...)
	harness.NoLeak(t, r, secrets...)
	harness.NoLeak(t, post, secrets...)
}

// profileSecrets are the values of the profile the step wrote to the shared credentials file
// (the credentials moto issued).
func profileSecrets(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(string(harness.SecretFile(t, path)), "\n") {
		if k, v, ok := strings.Cut(line, " = "); ok && strings.HasPrefix(k, "aws_") {
			out = append(out, v)
		}
	}
	if len(out) != 3 {
		t.Fatalf("the credentials file holds %d aws_ values, want the key id, secret and session token", len(out))
	}
	return out
}

// mintedFor is the one token the runner minted whose aud claim is audience.
func mintedFor(t *testing.T, gh *fakegithub.Server, audience string) string {
	t.Helper()
	var found []string
	for _, tok := range gh.Minted() {
		parts := strings.Split(tok, ".")
		if len(parts) != 3 {
			continue
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		var claims struct {
			Aud string `json:"aud"`
		}
		if err == nil && json.Unmarshal(payload, &claims) == nil && claims.Aud == audience {
			found = append(found, tok)
		}
	}
	if len(found) != 1 {
		t.Fatalf("the runner minted %d tokens for %s", len(found), audience)
	}
	return found[0]
}

// laterRun runs a later step and returns what it printed; a failure shows its stderr, which
// holds no secret (the consumers print a token only on success).
func laterRun(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("later step %s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	return string(out)
}
