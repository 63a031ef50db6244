package gcp_test

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// TestGCPRefusals feeds Google's real refusals: each fails on the first answer (no retry),
// explains itself with the token's claims and the exact configuration that would admit it,
// and writes nothing.
func TestGCPRefusals(t *testing.T) {
	t.Parallel()
	longBranch := "refs/heads/feature/" + strings.Repeat("a-very-long-branch-name-", 5)
	cases := []struct {
		name   string
		setup  func(w *world)
		inputs []string
		// requests (token, STS, IAM) the failure takes.
		requests [3]int
		want     []string
	}{{
		name:     "provider does not exist",
		inputs:   []string{"gcp-workload-identity-provider", poolName + "/providers/gitlab-provider"},
		requests: [3]int{1, 1, 0},
		want: []string{
			`invalid_target: The target service indicated by the "audience" parameters is invalid.`,
			"names the provider (…/providers/<id>), not the pool",
			"projects/123456789012 is the project NUMBER (not the id)",
			"gcloud iam workload-identity-pools providers list",
		},
	}, {
		name: "provider disabled",
		setup: func(w *world) {
			w.g.AddProvider(gcpfake.Provider{Name: wip, Issuer: fakegithub.Issuer, JWKSURL: w.gh.JWKSURL(), Disabled: true})
		},
		requests: [3]int{1, 1, 0},
		want:     []string{"invalid_target", "is disabled or deleted"},
	}, {
		name:     "audience not allowed",
		inputs:   []string{"audience", "https://github.com/octo-org"},
		requests: [3]int{1, 1, 0},
		want: []string{
			"invalid_grant: The audience in ID Token [https://github.com/octo-org] does not match the expected audience.",
			"aud=https://github.com/octo-org",
			`does not accept the token's audience "https://github.com/octo-org", which the audience input chose. Remove the audience input: the step then asks for https://iam.googleapis.com/projects/`,
			"--allowed-audiences=https://github.com/octo-org",
		},
	}, {
		name:     "issuer not the provider's",
		setup:    func(w *world) { w.gh.SetIssuer("https://token.actions.githubusercontent.com/octo-enterprise") },
		requests: [3]int{1, 1, 0},
		want: []string{
			"invalid_grant: The issuer in ID Token https://token.actions.githubusercontent.com/octo-enterprise does not match the expected ones.",
			"iss=https://token.actions.githubusercontent.com/octo-enterprise",
			"--issuer-uri=https://token.actions.githubusercontent.com/octo-enterprise",
		},
	}, {
		name: "attribute condition",
		setup: func(w *world) {
			w.gh.SetClaims(map[string]any{"repository": "octo-org/other-repo", "sub": "repo:octo-org/other-repo:ref:refs/heads/main"})
		},
		requests: [3]int{1, 1, 0},
		want: []string{
			"invalid_grant: The given credential is rejected by the attribute condition.",
			"sub=repo:octo-org/other-repo:ref:refs/heads/main",
			"  repository           octo-org/other-repo",
			"  assertion.repository == 'octo-org/other-repo' && assertion.ref == 'refs/heads/main'",
			`--attribute-condition="assertion.repository == 'octo-org/other-repo' && assertion.ref == 'refs/heads/main'"`,
			"Or, to admit any workflow of octo-org/other-repo:",
		},
	}, {
		name: "mapped attribute over 127 bytes",
		setup: func(w *world) {
			w.gh.SetClaims(map[string]any{"ref": longBranch, "sub": "repo:octo-org/octo-repo:ref:" + longBranch})
		},
		requests: [3]int{1, 1, 0},
		want: []string{
			"invalid_grant: The size of mapped attribute google.subject exceeds the 127 bytes limit.",
			"ref (139 bytes), sub (167 bytes)",
			"--attribute-mapping=\"google.subject=assertion.repository_id + ':' + assertion.run_id,",
		},
	}, {
		name:     "service account binding missing",
		inputs:   []string{"gcp-service-account", "other@" + project + ".iam.gserviceaccount.com", "gcp-token-format", "access_token"},
		requests: [3]int{1, 1, 1},
		want: []string{
			"Google IAM Credentials generateAccessToken refused: PERMISSION_DENIED: Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
			"gcloud iam service-accounts add-iam-policy-binding other@octo-project.iam.gserviceaccount.com \\",
			"--project=octo-project \\",
			"--role=roles/iam.workloadIdentityUser \\",
			"--member=" + repoMember,
		},
	}, {
		name: "binding for another repository, id token",
		setup: func(w *world) {
			w.g.AddServiceAccount(gcpfake.ServiceAccount{Email: serviceAcct, Members: []string{"principalSet://iam.googleapis.com/" + poolName + "/attribute.repository/octo-org/infra"}})
		},
		inputs:   []string{"gcp-service-account", serviceAcct, "gcp-token-format", "id_token", "gcp-id-token-audience", "https://api.example.com"},
		requests: [3]int{1, 1, 1},
		want: []string{
			"generateIdToken refused: PERMISSION_DENIED: Permission 'iam.serviceAccounts.getOpenIdToken' denied",
			"--member=" + repoMember,
		},
	}, {
		name:     "binding missing, no token format",
		setup:    func(w *world) { w.g.AddServiceAccount(gcpfake.ServiceAccount{Email: serviceAcct}) },
		inputs:   []string{"gcp-service-account", serviceAcct},
		requests: [3]int{1, 1, 1},
		want:     []string{"PERMISSION_DENIED", "--member=" + repoMember},
	}, {
		name:     "lifetime beyond the organisation policy",
		inputs:   []string{"gcp-service-account", serviceAcct, "gcp-token-format", "access_token", "gcp-access-token-lifetime", "7200s"},
		requests: [3]int{1, 1, 1},
		want:     []string{"INVALID_ARGUMENT: The lifetime of the token must be less than or equal to 3600s.", "constraints/iam.allowServiceAccountCredentialLifetimeExtension"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if tc.setup != nil {
				tc.setup(w)
			}
			r := harness.Exec(t, w.step(w.inputs(tc.inputs...)))
			harness.RequireExit(t, r, 1)
			for _, s := range tc.want {
				if !strings.Contains(r.Stdout, s) {
					t.Errorf("output lacks %q:\n%s", s, r.Log())
				}
			}
			if errs := harness.ErrorLines(r); len(errs) != 1 || !strings.Contains(errs[0], "gcp failed") {
				t.Errorf("::error:: lines = %q, want one for gcp", errs)
			}
			if got := w.requests(); got != tc.requests {
				t.Errorf("requests (token, STS, IAM) = %v, want %v: a refusal is never retried", got, tc.requests)
			}
			harness.NothingWritten(t, r)
			harness.Masked(t, r, w.g.Secrets()...)
			harness.NoLeak(t, r, w.secrets()...)
		})
	}
}

// TestGCPTransientRetried checks 5xx, 429 and resets are retried on both endpoints, and that
// the login then succeeds with what the final answers issued.
func TestGCPTransientRetried(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.g.STSFaults.Queue(fault.Status503, fault.Throttle429)
	w.g.IAMFaults.Queue(fault.Reset, fault.Status503)
	r := harness.Exec(t, w.step(w.inputs("gcp-service-account", serviceAcct, "gcp-token-format", "access_token")))
	harness.RequireExit(t, r, 0)
	if got := w.requests(); got != [3]int{1, 3, 3} {
		t.Errorf("requests (token, STS, IAM) = %v, want [1 3 3] (two faults each, then success)", got)
	}
	if at := w.g.AccessTokens(); len(at) != 1 || r.Outputs["gcp-access-token"] != at[0].Token {
		t.Errorf("gcp-access-token is not the token of the final answer")
	}
	harness.NoLeak(t, r, w.secrets()...)
}

// TestGCPBrokenAnswers checks that a 200 which is not a token fails at once, never read as
// an empty credential and never retried.
func TestGCPBrokenAnswers(t *testing.T) {
	t.Parallel()
	for _, k := range []fault.Kind{fault.Malformed, fault.WrongContentType, fault.Empty200} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.g.STSFaults.Queue(k)
			r := harness.Exec(t, w.step(w.inputs()))
			harness.RequireExit(t, r, 1)
			if got := w.requests(); got != [3]int{1, 1, 0} {
				t.Errorf("requests (token, STS, IAM) = %v, want [1 1 0]", got)
			}
			if errs := harness.ErrorLines(r); len(errs) != 1 || !strings.Contains(errs[0], "Google STS token exchange") {
				t.Errorf("::error:: lines = %q", errs)
			}
			harness.NothingWritten(t, r)
			harness.NoLeak(t, r, w.secrets()...)
		})
	}
}

// TestGCPBadInputs checks every gcp-* input is validated before any request: the step fails
// naming the input and what it allows, writes nothing, and asks nobody for anything.
func TestGCPBadInputs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		inputs []string
		want   string
	}{
		{[]string{"gcp-workload-identity-provider", ""}, "input gcp-workload-identity-provider: is required when provider includes gcp"},
		{[]string{"gcp-workload-identity-provider", poolName}, "input gcp-workload-identity-provider: names a pool, not a provider"},
		{[]string{"gcp-workload-identity-provider", "projects/octo-project/locations/global/workloadIdentityPools/github-pool/providers/github-provider"}, `must name the project by its number, not its id "octo-project"`},
		{[]string{"gcp-workload-identity-provider", "//iam.googleapis.com/" + wip}, "input gcp-workload-identity-provider: must be the resource name without //iam.googleapis.com/"},
		{[]string{"gcp-workload-identity-provider", "projects/1/locations/europe-west1/workloadIdentityPools/p00l/providers/prov"}, "input gcp-workload-identity-provider: must look like projects/<project number>/locations/global/"},
		{[]string{"gcp-service-account", "deploy"}, "input gcp-service-account: must be a service account email"},
		{[]string{"gcp-project-id", "My_Project"}, "input gcp-project-id: must be a project id"},
		{[]string{"gcp-token-format", "refresh_token"}, "input gcp-token-format: must be access_token, id_token or empty"},
		{[]string{"gcp-token-format", "id_token", "gcp-id-token-audience", "x"}, "input gcp-token-format: id_token needs gcp-service-account"},
		{[]string{"gcp-token-format", "id_token", "gcp-service-account", serviceAcct}, "input gcp-id-token-audience: is required with gcp-token-format id_token"},
		{[]string{"gcp-access-token-lifetime", "3600"}, "input gcp-access-token-lifetime: must be a number of seconds followed by s, from 1s to 43200s"},
		{[]string{"gcp-access-token-lifetime", "0s"}, "input gcp-access-token-lifetime: must be"},
		{[]string{"gcp-access-token-lifetime", "43201s"}, "input gcp-access-token-lifetime: must be"},
		{[]string{"gcp-access-token-scopes", "cloud-platform"}, "input gcp-access-token-scopes: each scope must be an https:// scope URL"},
		{[]string{"gcp-id-token-include-email", "yes"}, "input gcp-id-token-include-email: must be true or false"},
		{[]string{"gcp-create-credentials-file", "maybe"}, "input gcp-create-credentials-file: must be true or false"},
		{[]string{"gcp-universe", "not a domain"}, "input gcp-universe: must be a domain name"},
		{[]string{"gcp-sts-endpoint", "http://sts.example.com"}, "input gcp-sts-endpoint: must use https://"},
		{[]string{"gcp-iam-credentials-endpoint", "ftp://127.0.0.1"}, "input gcp-iam-credentials-endpoint: must be an https:// URL"},
	}
	for _, tc := range cases {
		t.Run(tc.inputs[0]+"="+tc.inputs[1], func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			r := harness.Exec(t, w.step(w.inputs(tc.inputs...)))
			harness.RequireInputRefused(t, r, tc.want, w.gh.Requests, w.g.STSFaults.Requests, w.g.IAMFaults.Requests)
		})
	}
}
