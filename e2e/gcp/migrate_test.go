package gcp_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// The behaviours issue 16 decided for workflows moving over from google-github-actions/auth
// (read at fc21748, v3.0.0+2; see docs/migrate/google-github-actions-auth.md).

// uniqueID is the deploy account's numeric unique id (Google issues 21 digits).
const uniqueID = "112233445566778899001"

// TestMigrateGCPUniqueID: a service account given by its numeric unique id, as auth's
// service_account allows, is impersonated through projects/-/serviceAccounts/<id>, in the call
// and in the credentials file. The project cannot be read from an id, so it comes from
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
				t.Fatalf("IAM issued %v, want one access token for %s", at, serviceAcct)
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
