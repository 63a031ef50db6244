package gcp_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"sort"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// The gcp world's project.
const (
	projectNumber = gcpfake.ProjectNumber
	poolName      = gcpfake.Pool
	wip           = gcpfake.WorkloadIdentityProvider
	project       = gcpfake.Project
	serviceAcct   = gcpfake.ServiceAccountEmail
	// defaultAudience is the ID-token audience the action asks for.
	defaultAudience = "https://iam.googleapis.com/" + wip
	repoMember      = gcpfake.Member
	cloudPlatform   = gcpfake.Scope
)

// world is one test's runner, GitHub token service and Google.
type world struct {
	gh *fakegithub.Server
	g  *gcpfake.Server
	ca *testca.CA
}

// newWorld starts the gcp world, the usual setup: the provider trusts GitHub's issuer with
// the condition assertion.repository == 'octo-org/octo-repo', and the service account binds
// roles/iam.workloadIdentityUser to that repository's principal set.
func newWorld(t *testing.T) *world {
	t.Helper()
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	gh := harness.NewGitHub(t)
	return &world{gh: gh, g: worlds.Must(t, gcpfake.NewWorld, gh).Server, ca: ca}
}

// inputs are the step's with: values, endpoints pointed at the emulator.
func (w *world) inputs(more ...string) map[string]string {
	in := map[string]string{
		"provider":                       "gcp",
		"gcp-workload-identity-provider": wip,
		"gcp-sts-endpoint":               w.g.STSURL,
		"gcp-iam-credentials-endpoint":   w.g.IAMURL,
	}
	for i := 0; i+1 < len(more); i += 2 {
		in[more[i]] = more[i+1]
	}
	return in
}

// step runs with id-token: write and the test CA trusted through SSL_CERT_FILE.
func (w *world) step(in map[string]string) harness.Step {
	return harness.Step{Inputs: in, IDToken: w.gh.Env(), Env: map[string]string{"SSL_CERT_FILE": w.ca.File}}
}

// secrets is everything either fake handed out, plus more.
func (w *world) secrets(more ...string) []string {
	return harness.SecretsOf(w.gh, append(w.g.Secrets(), more...)...)
}

// requests is how many requests each endpoint saw: GitHub's token service, STS, IAM.
func (w *world) requests() [3]int {
	return [3]int{w.gh.Requests(), w.g.STSFaults.Requests(), w.g.IAMFaults.Requests()}
}

// wantFile is the credentials file the action should write for audience (the ID-token
// audience the step used) and an optional service account.
func (w *world) wantFile(audience, sa string) map[string]any {
	f := map[string]any{
		"type":               "external_account",
		"audience":           "//iam.googleapis.com/" + wip,
		"subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
		"token_url":          w.g.STSURL + "/v1/token",
		"credential_source": map[string]any{
			"url":     w.gh.RequestURL() + "&audience=" + url.QueryEscape(audience),
			"headers": map[string]any{"Authorization": "Bearer " + w.gh.RequestToken},
			"format":  map[string]any{"type": "json", "subject_token_field_name": "value"},
		},
	}
	if sa != "" {
		f["service_account_impersonation_url"] = w.g.IAMURL + "/v1/projects/-/serviceAccounts/" + sa + ":generateAccessToken"
	}
	return f
}

// checkFile compares a credentials file with want, naming differing fields only: the file
// holds the request token.
func checkFile(t *testing.T, got []byte, want map[string]any) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatalf("the credentials file is not JSON: %v", err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	for k := range want {
		if _, ok := m[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !reflect.DeepEqual(m[k], want[k]) {
			t.Errorf("credentials file field %q differs from what was expected", k)
		}
	}
}
