package gcp_test

import (
	"archive/tar"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/laterstep"
)

// The behaviours issue 16 decided for workflows moving over from google-github-actions/auth
// (read at fc21748, v3.0.0+2; see docs/migrate/google-github-actions-auth.md).

// uniqueID is the deploy account's numeric unique id (Google issues 21 digits).
const uniqueID = "112233445566778899001"

// TestMigrateGCPUniqueID: a service account given by its numeric unique id, as auth's
// service_account allows, is impersonated through projects/-/serviceAccounts/<id>, in the call
// and in the credentials file, which Google's library then uses. The project cannot be read from an id, so it comes from
// gcp-project-id or not at all.
func TestMigrateGCPUniqueID(t *testing.T) {
	t.Parallel()
	for _, withProject := range []bool{true, false} {
		name := "without project"
		if withProject {
			name = "with gcp-project-id"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.g.AddServiceAccount(gcpfake.ServiceAccount{Email: serviceAcct, UniqueID: uniqueID, Members: []string{repoMember}})
			more := []string{"gcp-service-account", uniqueID, "gcp-token-format", "access_token"}
			if withProject {
				more = append(more, "gcp-project-id", project)
			}
			r := harness.Exec(t, w.step(w.inputs(more...)))
			harness.RequireExit(t, r, 0)
			at := w.g.AccessTokens()
			if len(at) != 1 || at[0].ServiceAccount != serviceAcct {
				t.Fatalf("IAM issued access tokens for %v, want one for %s", tokenAccounts(at), serviceAcct)
			}
			path := r.Outputs["gcp-credentials-file-path"]
			checkPath(t, r, path)
			checkFile(t, harness.SecretFile(t, path), w.wantFile(defaultAudience, uniqueID))
			wantEnv := fileEnv(path)
			wantOut := map[string]string{
				"gcp-credentials-file-path":   path,
				"credentials_file_path":       path,
				"gcp-access-token":            at[0].Token,
				"access_token":                at[0].Token,
				"gcp-access-token-expiration": r.Outputs["expiration"],
				"claims":                      r.Outputs["claims"],
				"expiration":                  r.Outputs["expiration"],
			}
			if withProject {
				wantEnv = merge(wantEnv, projectEnv(project))
				wantOut["gcp-project-id"] = project
				wantOut["project_id"] = project
			}
			harness.MustEqual(t, "GITHUB_ENV", r.Env, wantEnv)
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, wantOut)
			// Google's library impersonates through the unique id in the file, as a later step.
			consumer, err := laterstep.Consumer()
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(consumer, "gcp", cloudPlatform)
			cmd.Env = []string{"GOOGLE_APPLICATION_CREDENTIALS=" + path, "SSL_CERT_FILE=" + w.ca.File}
			out, err := cmd.Output()
			if at := w.g.AccessTokens(); err != nil || len(at) != 2 || string(out) != at[1].Token || at[1].ServiceAccount != serviceAcct {
				t.Errorf("x/oauth2/google with the file did not get the account's second token (%d issued): %v", len(at), err)
			}
			harness.NoLeak(t, r, w.secrets()...)
		})
	}
	t.Run("not an id", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		r := harness.Exec(t, w.step(w.inputs("gcp-service-account", "12345")))
		harness.RequireInputRefused(t, r, `input gcp-service-account: must be a service account email such as deploy@my-project.iam.gserviceaccount.com, or its numeric unique id (21 digits), got "12345"`, w.gh.Requests)
	})
}

// TestMigrateGCPAuthToken: auth's auth_token (the federated token from STS) is set with
// output-credentials, masked, and is the token STS issued; without output-credentials the
// exact output sets of the other tests hold no auth_token.
func TestMigrateGCPAuthToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := harness.Exec(t, w.step(w.inputs("gcp-service-account", serviceAcct, "output-credentials", "true")))
	harness.RequireExit(t, r, 0)
	fed := w.g.Federated()
	if len(fed) != 1 {
		t.Fatalf("STS issued %d tokens, want 1", len(fed))
	}
	path := r.Outputs["gcp-credentials-file-path"]
	harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{
		"gcp-credentials-file-path": path,
		"credentials_file_path":     path,
		"gcp-project-id":            project,
		"project_id":                project,
		"auth_token":                fed[0].Token,
		"claims":                    r.Outputs["claims"],
		"expiration":                r.Outputs["expiration"],
	})
	harness.Masked(t, r, fed[0].Token)
	harness.MasksFirst(t, r)
	harness.NoLeak(t, r, w.secrets()...)
}

// TestMigrateGCPDockerRunRecipe runs the guide's recipe for a workflow whose docker run used
// to find auth's credentials file in the workspace: the file is bind-mounted into a container
// under another path and GOOGLE_APPLICATION_CREDENTIALS points there. Google's library
// (the consume program, in an image of its own under the real dockerd) then mints a fresh
// GitHub token from the runner, exchanges it and impersonates the service account: the file
// depends neither on its path nor on the step's environment.
func TestMigrateGCPDockerRunRecipe(t *testing.T) {
	t.Parallel()
	consumer, err := laterstep.Consumer()
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	r := harness.Exec(t, w.step(w.inputs("gcp-service-account", serviceAcct)))
	harness.RequireExit(t, r, 0)
	path := r.Env["GOOGLE_APPLICATION_CREDENTIALS"]
	checkPath(t, r, path)

	// An image holding only the consume program (static, CGO off).
	tmp := t.TempDir()
	bin, err := os.ReadFile(consumer)
	if err != nil {
		t.Fatal(err)
	}
	var tarball bytes.Buffer
	tw := tar.NewWriter(&tarball)
	if err := tw.WriteHeader(&tar.Header{Name: "consume", Mode: 0o755, Size: int64(len(bin))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(bin); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	tag := "oidc-login-migrate-consume:" + filepath.Base(tmp)
	imp := exec.Command("docker", "import", "-", strings.ToLower(tag))
	imp.Stdin = &tarball
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("docker import: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", strings.ToLower(tag)).Run() })

	// The guide's flags, plus what the emulators need: the host network (they listen on
	// loopback) and the test CA for their TLS.
	run := exec.Command("docker", "run", "--rm", "--network", "host",
		"-v", path+":/gcp/credentials.json:ro",
		"-e", "GOOGLE_APPLICATION_CREDENTIALS=/gcp/credentials.json",
		"-e", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE=/gcp/credentials.json",
		"-v", w.ca.File+":/etc/test-ca.pem:ro", "-e", "SSL_CERT_FILE=/etc/test-ca.pem",
		strings.ToLower(tag), "/consume", "gcp", cloudPlatform)
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Run(); err != nil {
		t.Fatalf("docker run with the mounted credentials file: %v\n%s", err, stderr.String())
	}
	at := w.g.AccessTokens()
	if len(at) != 2 || stdout.String() != at[1].Token || at[1].ServiceAccount != serviceAcct {
		t.Errorf("the container did not get the service account token the emulator issued second (%d issued)", len(at))
	}
	if got := w.gh.Requests(); got != 2 {
		t.Errorf("the runner's token service saw %d requests, want 2 (the step, then the container's library)", got)
	}
	harness.NoLeak(t, r, w.secrets()...)
}
