package azure_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/azurefake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// TestAzureClouds logs into each cloud and checks that the ID token was asked for with that
// cloud's exchange audience, the grant carried that cloud's ARM scope, and every value the
// step wrote, exactly; one login is two HTTP requests.
func TestAzureClouds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, cloud, tenant, subscription string
		audience, scope, armEnv           string
	}{
		{"public, GUID tenant, subscription", "", tenantID, subscription, publicAudience, "https://management.azure.com/.default", "public"},
		{"US Government, verified domain", "azureusgovernment", tenantDomain, subscription, publicAudience, "https://management.usgovcloudapi.net/.default", "usgovernment"},
		{"China, no subscription", "AzureChinaCloud", tenantID, "", publicAudience, "https://management.chinacloudapi.cn/.default", "china"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			s := newEntra(t, gh, tc.audience)
			in := azureInputs(s, "azure-tenant-id", tc.tenant, "output-credentials", "true", "show-claims", "true")
			if tc.cloud != "" {
				in["azure-cloud"] = tc.cloud
			}
			if tc.subscription != "" {
				in["azure-subscription-id"] = tc.subscription
			}
			before := time.Now().Truncate(time.Second)
			r := harness.Exec(t, step(t, gh, in))
			after := time.Now()
			harness.RequireExit(t, r, 0)

			if got := gh.Audiences(); len(got) != 1 || got[0] != tc.audience {
				t.Errorf("ID token audiences requested = %q, want one %s", got, tc.audience)
			}
			issued := s.Issued()
			if len(issued) != 1 {
				t.Fatalf("Entra issued %d tokens, want 1", len(issued))
			}
			at := issued[0]
			if at.Scope != tc.scope || at.ClientID != clientID || at.Tenant != tenantID || at.Subject != fakegithub.DefaultSubject {
				t.Errorf("Entra got scope %q for client %s in tenant %s (sub %s), want %q for %s in %s", at.Scope, at.ClientID, at.Tenant, at.Subject, tc.scope, clientID, tenantID)
			}
			if gh.Requests() != 1 || s.Requests() != 1 || strings.Join(s.Log(), ",") != "POST /"+tc.tenant+"/oauth2/v2.0/token" {
				t.Errorf("one login made %d token + %d Entra requests (%v), want 1 + 1 POST to the token endpoint", gh.Requests(), s.Requests(), s.Log())
			}

			minted := gh.Minted()[0]
			file := tokenFile(t, r, minted)
			wantEnv := map[string]string{
				"AZURE_CLIENT_ID":            clientID,
				"AZURE_TENANT_ID":            tc.tenant,
				"AZURE_FEDERATED_TOKEN_FILE": file,
				"AZURE_AUTHORITY_HOST":       s.URL + "/",
				"ARM_CLIENT_ID":              clientID,
				"ARM_TENANT_ID":              tc.tenant,
				"ARM_USE_OIDC":               "true",
				"ARM_ENVIRONMENT":            tc.armEnv,
			}
			if tc.subscription != "" {
				wantEnv["AZURE_SUBSCRIPTION_ID"] = tc.subscription
				wantEnv["ARM_SUBSCRIPTION_ID"] = tc.subscription
			}
			harness.MustEqual(t, "GITHUB_ENV", r.Env, wantEnv)

			exp, err := time.Parse(time.RFC3339, r.Outputs["expiration"])
			lo, hi := before.Add(azurefake.TokenLifetime*time.Second), after.Add(azurefake.TokenLifetime*time.Second)
			if err != nil || exp.Before(lo) || exp.After(hi) {
				t.Errorf("expiration %q is not the access token's (%s … %s)", r.Outputs["expiration"], lo.Format(time.RFC3339), hi.Format(time.RFC3339))
			}
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{
				"azure-federated-token-file":    file,
				"azure-access-token":            at.AccessToken,
				"azure-access-token-expiration": r.Outputs["expiration"],
				"claims":                        r.Outputs["claims"],
				"expiration":                    r.Outputs["expiration"],
			})
			if !strings.Contains(r.Outputs["claims"], `"aud":"`+tc.audience+`"`) {
				t.Errorf("claims output = %s", r.Outputs["claims"])
			}
			account := "tenant " + tc.tenant
			if tc.subscription != "" {
				account += ", subscription " + tc.subscription
			}
			wantRow := fmt.Sprintf("| azure | `%s` | `%s` | `%s` | `%s` | %s |", clientID, account, tc.audience, fakegithub.DefaultSubject, r.Outputs["expiration"])
			if !strings.Contains(r.Summary, wantRow) {
				t.Errorf("job summary lacks the row %s:\n%s", wantRow, r.Summary)
			}
			if !strings.Contains(r.Stdout, "::group::ID token claims (azure, audience "+tc.audience+")") {
				t.Errorf("show-claims printed no claims table")
			}
			secrets := harness.SecretsOf(gh, at.AccessToken)
			harness.Masked(t, r, minted, at.AccessToken)
			harness.MasksFirst(t, r)
			harness.NoLeak(t, r, secrets...)
			if own := r.State["files"]; !strings.HasPrefix(file, r.Workspace.Home+"/"+own) {
				t.Errorf("state files = %q does not list %s for the post step", own, file)
			}
		})
	}
}

// TestAzureWithoutCredentialOutputs checks the access token stays out of the outputs unless
// output-credentials asks for it.
func TestAzureWithoutCredentialOutputs(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	s := newEntra(t, gh, publicAudience)
	r := harness.Exec(t, step(t, gh, azureInputs(s)))
	harness.RequireExit(t, r, 0)
	harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{
		"azure-federated-token-file": r.Env["AZURE_FEDERATED_TOKEN_FILE"],
		"claims":                     r.Outputs["claims"],
		"expiration":                 r.Outputs["expiration"],
	})
	at := s.Issued()[0].AccessToken
	harness.Masked(t, r, at)
	harness.NoLeak(t, r, harness.SecretsOf(gh, at)...)
}

// TestAzureRefusals feeds Entra ID's federation refusals and checks each is explained with
// the token's iss/sub/aud and the credential that would match, sent once (AADSTS70021 three
// times, for the replication delay), and that nothing is written.
func TestAzureRefusals(t *testing.T) {
	t.Parallel()
	now := time.Now()
	cases := []struct {
		name     string
		audience string // of the app's credential (default: public)
		setup    func(gh *fakegithub.Server, s *azurefake.Server)
		inputs   []string
		requests int
		want     []string
	}{{
		name:     "70021 credential still propagating",
		setup:    func(gh *fakegithub.Server, s *azurefake.Server) { s.Propagating(10) },
		requests: 3,
		want: []string{
			"AADSTS70021: No matching federated identity record found for presented assertion.",
			"Entra ID gave this answer 3 times in a row",
			"may not have propagated yet",
		},
	}, {
		name:     "70021 app without federated credentials",
		inputs:   []string{"azure-client-id", bareClientID},
		requests: 3,
		want:     []string{"AADSTS70021", "Assertion Subject: '" + fakegithub.DefaultSubject + "'", "application " + bareClientID},
	}, {
		name: "700211 enterprise issuer",
		setup: func(gh *fakegithub.Server, s *azurefake.Server) {
			gh.SetIssuer("https://token.actions.githubusercontent.com/octo-enterprise")
		},
		requests: 1,
		want: []string{
			"AADSTS700211: No matching federated identity record found for presented assertion issuer 'https://token.actions.githubusercontent.com/octo-enterprise'",
			"iss=https://token.actions.githubusercontent.com/octo-enterprise",
			"enterprise-specific issuer",
		},
	}, {
		name:     "700212 audience input override",
		inputs:   []string{"audience", "api://custom-exchange"},
		requests: 1,
		want:     []string{"AADSTS700212", "presented assertion audience 'api://custom-exchange'", "aud=api://custom-exchange", "which the audience input chose. Remove the audience input: the step then asks for api://AzureADTokenExchange, this provider's default in AzureCloud"},
	}, {
		name:     "700212 US Government app trusting the portal's per-cloud audience",
		audience: usgovAudience,
		inputs:   []string{"azure-cloud", "AzureUSGovernment"},
		requests: 1,
		want:     []string{"AADSTS700212", "aud=" + publicAudience, "In AzureUSGovernment this action sends api://AzureADTokenExchange, as Azure/login does, but Microsoft's portal proposes api://AzureADTokenExchangeUSGov for credentials in this cloud: if yours lists that, set `audience: api://AzureADTokenExchangeUSGov`"},
	}, {
		name:     "700212 China app trusting the portal's per-cloud audience",
		audience: chinaAudience,
		inputs:   []string{"azure-cloud", "azurechinacloud"},
		requests: 1,
		want:     []string{"AADSTS700212", "aud=" + publicAudience, "set `audience: api://AzureADTokenExchangeChina`"},
	}, {
		name: "700213 environment subject",
		setup: func(gh *fakegithub.Server, s *azurefake.Server) {
			gh.SetClaims(map[string]any{"sub": "repo:octo-org/octo-repo:environment:production", "environment": "production"})
		},
		requests: 1,
		want: []string{
			"AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:octo-org/octo-repo:environment:production'",
			"sub=repo:octo-org/octo-repo:environment:production",
			"a * in a subject is a literal character, not a wildcard",
			`"value": "claims['sub'] matches 'repo:octo-org/octo-repo:environment:*'"`,
			"az identity federated-credential create --identity-name <identity-name>",
		},
	}, {
		name:     "700016 unknown client id",
		inputs:   []string{"azure-client-id", "00000000-1111-4222-8333-444444444444"},
		requests: 1,
		want:     []string{"AADSTS700016: Application with identifier '00000000-1111-4222-8333-444444444444' was not found in the directory", "Application (client) ID"},
	}, {
		name:     "90002 unknown tenant",
		inputs:   []string{"azure-tenant-id", "11111111-2222-4333-8444-555555555555"},
		requests: 1,
		want:     []string{"AADSTS90002: Tenant '11111111-2222-4333-8444-555555555555' not found", "knows no tenant", "azure-cloud (now AzureCloud)"},
	}, {
		name: "700024 expired assertion",
		setup: func(gh *fakegithub.Server, s *azurefake.Server) {
			gh.SetClaims(map[string]any{"iat": now.Add(-10 * time.Minute).Unix(), "nbf": now.Add(-10 * time.Minute).Unix(), "exp": now.Add(-5 * time.Minute).Unix()})
		},
		requests: 1,
		want:     []string{"AADSTS700024: Client assertion is not within its valid time range.", "expires " + now.Add(-5*time.Minute).UTC().Format("2006-01-02T15:04:05Z"), "re-run the job"},
	}, {
		name: "50027 malformed assertion",
		setup: func(gh *fakegithub.Server, s *azurefake.Server) {
			s.FailNext(400, 50027, "invalid_request", "JWT token is invalid or malformed.")
		},
		requests: 1,
		want:     []string{"AADSTS50027: JWT token is invalid or malformed.", "check azure-authority-host"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			aud := tc.audience
			if aud == "" {
				aud = publicAudience
			}
			s := newEntra(t, gh, aud)
			if tc.setup != nil {
				tc.setup(gh, s)
			}
			r := harness.Exec(t, step(t, gh, azureInputs(s, tc.inputs...)))
			harness.RequireExit(t, r, 1)
			for _, w := range tc.want {
				if !strings.Contains(r.Stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.Log())
				}
			}
			errs := harness.ErrorLines(r)
			if len(errs) != 1 || !strings.Contains(errs[0], "azure: "+"Microsoft Entra ID token request refused: AADSTS") {
				t.Errorf("::error:: lines = %q, want one naming the call and the AADSTS code", errs)
			}
			minted := gh.Minted()[0]
			c := claimsOf(t, minted)
			for _, w := range []string{"iss=" + c["iss"].(string), "sub=" + c["sub"].(string), "::group::How to fix the azure trust setup"} {
				if !strings.Contains(r.Stdout, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			client := clientID
			for i := 0; i+1 < len(tc.inputs); i += 2 {
				if tc.inputs[i] == "azure-client-id" {
					client = tc.inputs[i+1]
				}
			}
			suggestedCredential(t, r.Stdout, minted, client)
			if s.Requests() != tc.requests || gh.Requests() != 1 {
				t.Errorf("Entra saw %d requests and GitHub %d, want %d and 1", s.Requests(), gh.Requests(), tc.requests)
			}
			harness.NothingWritten(t, r)
			harness.NoLeak(t, r, harness.SecretsOf(gh)...)
		})
	}
}

// TestAzurePropagationThenSuccess checks a credential that replicates between attempts
// logs in on the second.
func TestAzurePropagationThenSuccess(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	s := newEntra(t, gh, publicAudience)
	s.Propagating(1)
	r := harness.Exec(t, step(t, gh, azureInputs(s)))
	harness.RequireExit(t, r, 0)
	if s.Requests() != 2 || len(s.Issued()) != 1 {
		t.Errorf("Entra saw %d requests and issued %d tokens, want 2 and 1", s.Requests(), len(s.Issued()))
	}
	harness.NoLeak(t, r, harness.SecretsOf(gh, s.Issued()[0].AccessToken)...)
}

// TestAzureTransient checks every transient fault, Entra's own included, is retried and the
// login then succeeds, and that broken answers fail once without writing anything.
func TestAzureTransient(t *testing.T) {
	t.Parallel()
	for _, k := range append(append([]fault.Kind{}, fault.All...), azurefake.Throttled, azurefake.TransientError) {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			s := newEntra(t, gh, publicAudience)
			s.Faults.Queue(k)
			r := harness.Exec(t, step(t, gh, azureInputs(s)))
			transient := k.Transient() || k == azurefake.Throttled || k == azurefake.TransientError
			if transient {
				harness.RequireExit(t, r, 0)
				if s.Requests() != 2 || len(s.Issued()) != 1 {
					t.Errorf("Entra saw %d requests, want 2 (the fault, then success)", s.Requests())
				}
				at := s.Issued()[0].AccessToken
				if r.Env["AZURE_FEDERATED_TOKEN_FILE"] == "" {
					t.Errorf("no token file exported after the retry")
				}
				harness.NoLeak(t, r, harness.SecretsOf(gh, at)...)
				return
			}
			harness.RequireExit(t, r, 1)
			if s.Requests() != 1 {
				t.Errorf("a broken answer was retried: %d requests", s.Requests())
			}
			if errs := harness.ErrorLines(r); len(errs) != 1 || !strings.Contains(errs[0], "Microsoft Entra ID token request") {
				t.Errorf("::error:: lines = %q", errs)
			}
			harness.NothingWritten(t, r)
			harness.NoLeak(t, r, harness.SecretsOf(gh)...)
		})
	}
}

// TestAzureRetryBudget checks retry-max-attempts bounds the retries of a 5xx and of 70021.
func TestAzureRetryBudget(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	s := newEntra(t, gh, publicAudience)
	s.Faults.Queue(fault.Status503, fault.Status503, fault.Status503)
	r := harness.Exec(t, step(t, gh, azureInputs(s, "retry-max-attempts", "2")))
	harness.RequireExit(t, r, 1)
	if s.Requests() != 2 || !strings.Contains(r.Stdout, "gave up after 2 attempt(s) (retry-max-attempts)") {
		t.Errorf("Entra saw %d requests, want 2:\n%s", s.Requests(), r.Log())
	}
	harness.NothingWritten(t, r)

	gh2 := harness.NewGitHub(t)
	s2 := newEntra(t, gh2, publicAudience)
	s2.Propagating(10)
	r = harness.Exec(t, step(t, gh2, azureInputs(s2, "retry-max-attempts", "1")))
	harness.RequireExit(t, r, 1)
	if s2.Requests() != 1 || !strings.Contains(r.Stdout, "AADSTS70021") || !strings.Contains(r.Stdout, "::group::How to fix the azure trust setup") {
		t.Errorf("with retry-max-attempts 1, 70021 took %d requests or lost its explanation:\n%s", s2.Requests(), r.Log())
	}
	harness.NothingWritten(t, r)
}

// TestAzureBadInputs checks every azure-* input is validated before any request.
func TestAzureBadInputs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		input, value, want string
	}{
		{"azure-client-id", "", "is required when provider includes azure"},
		{"azure-client-id", "my-app", "Application (client) ID"},
		{"azure-tenant-id", "", "is required when provider includes azure"},
		{"azure-tenant-id", "common", "names no tenant"},
		{"azure-tenant-id", "not a tenant", "verified domain"},
		{"azure-subscription-id", "production", "GUID"},
		{"azure-cloud", "AzureGermanCloud", "closed Microsoft Cloud Deutschland in 2021"},
		{"azure-cloud", "azurestack", "AzureStack (Azure Stack Hub) is not supported: its authority and token audience come from the hub's own resource manager metadata"},
		{"azure-cloud", "Mars", "must be AzureCloud, AzureUSGovernment or AzureChinaCloud"},
		{"azure-authority-host", "http://127.0.0.1:1", "https://"},
		{"azure-authority-host", "https://login.microsoftonline.com/" + tenantID, "without a tenant, path or query"},
		{"azure-scope", "https://management.azure.com/user_impersonation", "/.default"},
	}
	for _, tc := range cases {
		t.Run(tc.input+"="+tc.value, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			s := newEntra(t, gh, publicAudience)
			r := harness.Exec(t, step(t, gh, azureInputs(s, tc.input, tc.value)))
			harness.RequireInputRefused(t, r, "input "+tc.input+": ", gh.Requests, s.Requests)
			if errs := harness.ErrorLines(r); len(errs) == 1 && !strings.Contains(errs[0], tc.want) {
				t.Errorf("the annotation for %s does not say %q: %s", tc.input, tc.want, errs[0])
			}
		})
	}
}

// TestAzurePostRemovesTokenFile runs main then post: the federated token file is deleted and
// Entra ID is not called again.
func TestAzurePostRemovesTokenFile(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	s := newEntra(t, gh, publicAudience)
	ws := harness.NewWorkspace(t)
	st := step(t, gh, azureInputs(s))
	st.Workspace = ws
	main := harness.Exec(t, st)
	harness.RequireExit(t, main, 0)
	file := tokenFile(t, main, gh.Minted()[0])
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := harness.Exec(t, harness.Step{Inputs: azureInputs(s), Post: true, State: main.State, Workspace: ws})
	harness.RequireExit(t, post, 0)
	fileGone(t, file)
	if s.Requests() != 1 {
		t.Errorf("the post step called Entra ID")
	}
	harness.NoLeak(t, post, harness.SecretsOf(gh, s.Issued()[0].AccessToken)...)
}

// TestAzureInContainer runs the binary with the runner's container mounts: the exported file
// path is the host path, and the file outlives the container, 0600 and owned by the runner.
func TestAzureInContainer(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	s := newEntra(t, gh, publicAudience)
	st := step(t, gh, azureInputs(s))
	r := harness.Exec(t, st)
	harness.RequireExit(t, r, 0)
	file := tokenFile(t, r, gh.Minted()[0])
	if r.Outputs["azure-federated-token-file"] != file || strings.HasPrefix(file, "/github/") {
		t.Errorf("the exported path %s is not the host path", file)
	}
	harness.NoLeak(t, r, harness.SecretsOf(gh, s.Issued()[0].AccessToken)...)
}
