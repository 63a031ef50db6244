package gcp_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// fileEnv is what points later steps at the credentials file.
func fileEnv(path string) map[string]string {
	return map[string]string{
		"GOOGLE_APPLICATION_CREDENTIALS":         path,
		"CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE": path,
		"GOOGLE_GHA_CREDS_PATH":                  path,
	}
}

// projectEnv is what names the project for gcloud, Terraform and client libraries.
func projectEnv(p string) map[string]string {
	return map[string]string{
		"CLOUDSDK_CORE_PROJECT": p, "CLOUDSDK_PROJECT": p, "GCLOUD_PROJECT": p, "GCP_PROJECT": p, "GOOGLE_CLOUD_PROJECT": p,
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// checkPath checks the exported path is our fresh file in the home mount (not the workspace).
func checkPath(t *testing.T, r *harness.Run, path string) {
	t.Helper()
	dir, name := filepath.Split(path)
	if filepath.Clean(dir) != filepath.Join(r.Workspace.Home, ".oidc-login") || !strings.HasPrefix(name, "gcp-credentials-") || !strings.HasSuffix(name, ".json") {
		t.Errorf("credentials file path %q is not a fresh file in the home mount %s", path, r.Workspace.Home)
	}
}

// TestGCPDirectFederation logs in without a service account: one STS exchange, the federated
// token is the credential, and the file makes libraries repeat the exchange themselves.
func TestGCPDirectFederation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		inputs []string
	}{
		{name: "credentials file only"},
		{name: "access token and project", inputs: []string{"gcp-token-format", "access_token", "gcp-project-id", project, "gcp-access-token-scopes", cloudPlatform + "\nhttps://www.googleapis.com/auth/userinfo.email"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			before := time.Now()
			r := harness.Exec(t, w.step(w.inputs(tc.inputs...)))
			after := time.Now()
			harness.RequireExit(t, r, 0)
			if got := w.requests(); got != [3]int{1, 1, 0} {
				t.Errorf("requests (token, STS, IAM) = %v, want [1 1 0]", got)
			}
			fed := w.g.Federated()
			if len(fed) != 1 {
				t.Fatalf("STS issued %d tokens, want 1", len(fed))
			}
			form := w.g.STSForms()[0]
			wantScope := cloudPlatform
			if tc.inputs != nil {
				wantScope = cloudPlatform + " https://www.googleapis.com/auth/userinfo.email"
			}
			if form.Get("audience") != "//iam.googleapis.com/"+wip || form.Get("scope") != wantScope || form.Get("subject_token_type") != "urn:ietf:params:oauth:token-type:jwt" {
				t.Errorf("STS got audience %q, scope %q, subject_token_type %q", form.Get("audience"), form.Get("scope"), form.Get("subject_token_type"))
			}
			if got := w.gh.Audiences(); len(got) != 1 || got[0] != defaultAudience {
				t.Errorf("ID-token audiences = %q, want [%s]", got, defaultAudience)
			}
			exp, err := time.Parse(time.RFC3339, r.Outputs["expiration"])
			if err != nil || exp.Before(before.Add(time.Hour-3*time.Second)) || exp.After(after.Add(time.Hour)) {
				t.Errorf("expiration %q is not the federated token's (about an hour from now)", r.Outputs["expiration"])
			}
			path := r.Outputs["gcp-credentials-file-path"]
			checkPath(t, r, path)
			wantEnv := fileEnv(path)
			// Every gcp-* output also goes under google-github-actions/auth's name (issue 16).
			wantOut := map[string]string{"gcp-credentials-file-path": path, "credentials_file_path": path, "claims": r.Outputs["claims"], "expiration": r.Outputs["expiration"]}
			account := "–"
			if tc.inputs != nil {
				wantEnv = merge(wantEnv, projectEnv(project))
				wantOut["gcp-project-id"] = project
				wantOut["project_id"] = project
				wantOut["gcp-access-token"] = fed[0].Token
				wantOut["access_token"] = fed[0].Token
				wantOut["gcp-access-token-expiration"] = r.Outputs["expiration"]
				account = "`" + project + "`"
			}
			harness.MustEqual(t, "GITHUB_ENV", r.Env, wantEnv)
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, wantOut)
			checkFile(t, harness.SecretFile(t, path), w.wantFile(defaultAudience, ""))
			principal := "principal://iam.googleapis.com/" + poolName + "/subject/" + fakegithub.DefaultSubject
			wantRow := "| gcp | `" + principal + "` | " + account + " | `" + defaultAudience + "` | `" + fakegithub.DefaultSubject + "` | " + r.Outputs["expiration"] + " |"
			if !strings.Contains(r.Summary, wantRow) {
				t.Errorf("job summary lacks the row %s:\n%s", wantRow, r.Summary)
			}
			harness.Masked(t, r, append(w.gh.Minted(), w.gh.RequestToken, fed[0].Token)...)
			harness.MasksFirst(t, r)
			harness.NoLeak(t, r, w.secrets()...)
		})
	}
}

// TestGCPServiceAccount impersonates a service account: STS once, then exactly one IAM
// Credentials call, which also proves the workloadIdentityUser binding when no token is asked
// for.
func TestGCPServiceAccount(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		inputs []string
		// check returns the outputs the format adds and the expiry the step should report.
		check func(t *testing.T, w *world, r *harness.Run) (map[string]string, string)
	}{{
		name: "no token format",
		check: func(t *testing.T, w *world, r *harness.Run) (map[string]string, string) {
			at := w.g.AccessTokens()
			if len(at) != 1 || len(w.g.IDTokens()) != 0 {
				t.Fatalf("IAM issued %d access and %d ID tokens, want one access token proving the binding", len(at), len(w.g.IDTokens()))
			}
			return nil, at[0].Expires.Format(time.RFC3339)
		},
	}, {
		name:   "access token",
		inputs: []string{"gcp-token-format", "access_token", "gcp-access-token-lifetime", "1800s", "gcp-access-token-scopes", cloudPlatform + ", https://www.googleapis.com/auth/sqlservice.admin"},
		check: func(t *testing.T, w *world, r *harness.Run) (map[string]string, string) {
			at := w.g.AccessTokens()
			if len(at) != 1 {
				t.Fatalf("IAM issued %d access tokens, want 1", len(at))
			}
			if at[0].Lifetime != "1800s" || strings.Join(at[0].Scope, " ") != cloudPlatform+" https://www.googleapis.com/auth/sqlservice.admin" || at[0].ServiceAccount != serviceAcct {
				t.Errorf("generateAccessToken got lifetime %q, scopes %v, account %s", at[0].Lifetime, at[0].Scope, at[0].ServiceAccount)
			}
			exp := at[0].Expires.Format(time.RFC3339)
			return map[string]string{"gcp-access-token": at[0].Token, "access_token": at[0].Token, "gcp-access-token-expiration": exp}, exp
		},
	}, {
		name:   "id token",
		inputs: []string{"gcp-token-format", "id_token", "gcp-id-token-audience", "https://api.example.com", "gcp-id-token-include-email", "true"},
		check: func(t *testing.T, w *world, r *harness.Run) (map[string]string, string) {
			it := w.g.IDTokens()
			if len(it) != 1 || len(w.g.AccessTokens()) != 0 {
				t.Fatalf("IAM issued %d ID and %d access tokens, want one ID token", len(it), len(w.g.AccessTokens()))
			}
			if it[0].Audience != "https://api.example.com" || !it[0].IncludeEmail || it[0].ServiceAccount != serviceAcct {
				t.Errorf("generateIdToken got audience %q, includeEmail %v, account %s", it[0].Audience, it[0].IncludeEmail, it[0].ServiceAccount)
			}
			claims, err := idtoken.Decode(r.Outputs["gcp-id-token"])
			if err != nil || claims.String("email") != serviceAcct || claims.AudienceString() != "https://api.example.com" {
				t.Errorf("gcp-id-token output is not the Google ID token for the service account")
			}
			return map[string]string{"gcp-id-token": it[0].Token, "id_token": it[0].Token}, claims.Time("exp").Format(time.RFC3339)
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			r := harness.Exec(t, w.step(w.inputs(append([]string{"gcp-service-account", serviceAcct}, tc.inputs...)...)))
			harness.RequireExit(t, r, 0)
			if got := w.requests(); got != [3]int{1, 1, 1} {
				t.Errorf("requests (token, STS, IAM) = %v, want [1 1 1]", got)
			}
			if scope := w.g.STSForms()[0].Get("scope"); scope != cloudPlatform {
				t.Errorf("STS scope = %q, want cloud-platform (the scopes input belongs to the service account's token)", scope)
			}
			extra, exp := tc.check(t, w, r)
			path := r.Outputs["gcp-credentials-file-path"]
			checkPath(t, r, path)
			harness.MustEqual(t, "GITHUB_ENV", r.Env, merge(fileEnv(path), projectEnv(project)))
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, merge(map[string]string{
				"gcp-credentials-file-path": path,
				"credentials_file_path":     path,
				"gcp-project-id":            project,
				"project_id":                project,
				"claims":                    r.Outputs["claims"],
				"expiration":                exp,
			}, extra))
			checkFile(t, harness.SecretFile(t, path), w.wantFile(defaultAudience, serviceAcct))
			wantRow := "| gcp | `" + serviceAcct + "` | `" + project + "` | `" + defaultAudience + "` | `" + fakegithub.DefaultSubject + "` | " + exp + " |"
			if !strings.Contains(r.Summary, wantRow) {
				t.Errorf("job summary lacks the row %s:\n%s", wantRow, r.Summary)
			}
			harness.Masked(t, r, w.g.Secrets()...)
			harness.MasksFirst(t, r)
			harness.NoLeak(t, r, w.secrets()...)
		})
	}
}

// TestGCPNoCredentialsFile checks gcp-create-credentials-file: false writes no file and
// exports no file variables, while the trust is still proven.
func TestGCPNoCredentialsFile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := harness.Exec(t, w.step(w.inputs("gcp-service-account", serviceAcct, "gcp-create-credentials-file", "false")))
	harness.RequireExit(t, r, 0)
	harness.MustEqual(t, "GITHUB_ENV", r.Env, projectEnv(project))
	harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{
		"gcp-project-id": project, "project_id": project, "claims": r.Outputs["claims"], "expiration": w.g.AccessTokens()[0].Expires.Format(time.RFC3339),
	})
	if files := harness.HomeFiles(t, r.Workspace); len(files) != 0 {
		t.Errorf("wrote files %v", files)
	}
	if got := w.requests(); got != [3]int{1, 1, 1} {
		t.Errorf("requests (token, STS, IAM) = %v, want [1 1 1]", got)
	}
	harness.NoLeak(t, r, w.secrets()...)
}

// TestGCPPostDeletesFile runs main then post: the credentials file (it holds the request
// token) is deleted and the variables pointing at it are blanked.
func TestGCPPostDeletesFile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ws := harness.NewWorkspace(t)
	s := w.step(w.inputs())
	s.Workspace = ws
	main := harness.Exec(t, s)
	harness.RequireExit(t, main, 0)
	path := main.Outputs["gcp-credentials-file-path"]
	harness.SecretFile(t, path)
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := harness.Exec(t, harness.Step{Inputs: w.inputs(), Post: true, State: main.State, Workspace: ws})
	harness.RequireExit(t, post, 0)
	if files := harness.HomeFiles(t, ws); len(files) != 0 {
		t.Errorf("after post the home mount still holds %v", files)
	}
	harness.MustEqual(t, "post GITHUB_ENV", post.Env, fileEnv(""))
	if got := w.requests(); got != [3]int{1, 1, 0} {
		t.Errorf("requests (token, STS, IAM) = %v, want [1 1 0]: the post step calls nobody", got)
	}
}

// TestGCPInContainer runs with the runner's container mounts: the exported path is the host
// path, and the file is 0600 and owned by the runner's user.
func TestGCPInContainer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	s := w.step(w.inputs("gcp-service-account", serviceAcct))
	// Inside the container the CA file must be reachable by the same path: it lives in the
	// host's temp dir, which the mount namespace leaves in place.
	r := harness.Exec(t, s)
	harness.RequireExit(t, r, 0)
	path := r.Env["GOOGLE_APPLICATION_CREDENTIALS"]
	checkPath(t, r, path)
	checkFile(t, harness.SecretFile(t, path), w.wantFile(defaultAudience, serviceAcct))
	harness.NoLeak(t, r, w.secrets()...)
}
