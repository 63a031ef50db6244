package gcp_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// The chain of these tests: the federated identity → relay → hop → deploy (the target).
const (
	relayAcct = "relay@" + project + ".iam.gserviceaccount.com"
	hopAcct   = "hop@other-project.iam.gserviceaccount.com"
)

// delegatedWorld is newWorld where deploy is reached only through relay and hop: each link
// holds roles/iam.serviceAccountTokenCreator on the next, and the repository none on deploy.
// broken names a link to leave out ("relay", "hop" or "deploy").
func delegatedWorld(t *testing.T, broken string) *world {
	t.Helper()
	w := newWorld(t)
	creators := map[string][]string{
		"relay":  {repoMember},
		"hop":    {"serviceAccount:" + relayAcct},
		"deploy": {"serviceAccount:" + hopAcct},
	}
	delete(creators, broken)
	w.g.AddServiceAccount(gcpfake.ServiceAccount{Email: relayAcct, TokenCreators: creators["relay"]})
	w.g.AddServiceAccount(gcpfake.ServiceAccount{Email: hopAcct, TokenCreators: creators["hop"]})
	w.g.AddServiceAccount(gcpfake.ServiceAccount{Email: serviceAcct, TokenCreators: creators["deploy"]})
	return w
}

var wantDelegates = []string{"projects/-/serviceAccounts/" + relayAcct, "projects/-/serviceAccounts/" + hopAcct}

// TestGCPDelegates mints an access token and an ID token for deploy through the chain, checks
// the emulator saw the chain in order (it verifies every link), and then hands the credentials
// file to Google's Go library, which must impersonate deploy through the same chain.
func TestGCPDelegates(t *testing.T) {
	t.Parallel()
	t.Run("access token and credentials file", func(t *testing.T) {
		t.Parallel()
		w := delegatedWorld(t, "")
		r := harness.Exec(t, w.step(w.inputs("gcp-service-account", serviceAcct, "gcp-token-format", "access_token",
			"gcp-delegates", relayAcct+",\nprojects/-/serviceAccounts/"+hopAcct)))
		harness.RequireExit(t, r, 0)
		at := w.g.AccessTokens()
		if len(at) != 1 || at[0].ServiceAccount != serviceAcct || !reflect.DeepEqual(at[0].Delegates, wantDelegates) {
			t.Fatalf("generateAccessToken calls for %v, want one for %s through %v", tokenAccounts(at), serviceAcct, wantDelegates)
		}
		if r.Outputs["gcp-access-token"] != at[0].Token {
			t.Errorf("gcp-access-token is not the token the emulator issued")
		}
		// The file: an impersonated_service_account around the federated external_account.
		data := harness.SecretFile(t, r.Env["GOOGLE_APPLICATION_CREDENTIALS"])
		source := w.wantFile(defaultAudience, "")
		checkFile(t, data, map[string]any{
			"type":                              "impersonated_service_account",
			"service_account_impersonation_url": w.g.IAMURL + "/v1/projects/-/serviceAccounts/" + serviceAcct + ":generateAccessToken",
			"delegates":                         []any{wantDelegates[0], wantDelegates[1]},
			"source_credentials":                source,
		})
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, w.ca.Client())
		creds, err := google.CredentialsFromJSONWithTypeAndParams(ctx, data, google.ImpersonatedServiceAccount, google.CredentialsParams{Scopes: []string{cloudPlatform}})
		if err != nil {
			t.Fatalf("google could not load the credentials file: %v", err)
		}
		tok, err := creds.TokenSource.Token()
		if err != nil {
			t.Fatalf("google could not get a token through the delegation chain: %v", err)
		}
		at = w.g.AccessTokens()
		if len(at) != 2 || tok.AccessToken != at[1].Token || at[1].ServiceAccount != serviceAcct || !reflect.DeepEqual(at[1].Delegates, wantDelegates) {
			t.Errorf("the library's token is not deploy's through the chain (calls %d)", len(at))
		}
		harness.NoLeak(t, r, w.secrets()...)
	})
	t.Run("id token", func(t *testing.T) {
		t.Parallel()
		w := delegatedWorld(t, "")
		r := harness.Exec(t, w.step(w.inputs("gcp-service-account", serviceAcct, "gcp-token-format", "id_token",
			"gcp-id-token-audience", "https://api.example.com", "gcp-delegates", relayAcct+"\n"+hopAcct)))
		harness.RequireExit(t, r, 0)
		ids := w.g.IDTokens()
		if len(ids) != 1 || ids[0].ServiceAccount != serviceAcct || !reflect.DeepEqual(ids[0].Delegates, wantDelegates) || r.Outputs["gcp-id-token"] != ids[0].Token {
			t.Errorf("generateIdToken calls %+v, want one for %s through %v", ids, serviceAcct, wantDelegates)
		}
		harness.NoLeak(t, r, w.secrets()...)
	})
}

// TestGCPDelegatesRefused breaks each link in turn: Google refuses with the same message
// whichever link is missing, so the explanation lists every binding of the chain.
func TestGCPDelegatesRefused(t *testing.T) {
	t.Parallel()
	for link, perm := range map[string]string{
		"relay":  "iam.serviceAccounts.implicitDelegation",
		"hop":    "iam.serviceAccounts.implicitDelegation",
		"deploy": "iam.serviceAccounts.getAccessToken",
	} {
		t.Run(link, func(t *testing.T) {
			t.Parallel()
			w := delegatedWorld(t, link)
			r := harness.Exec(t, w.step(w.inputs("gcp-service-account", serviceAcct, "gcp-delegates", relayAcct+","+hopAcct)))
			harness.RequireExit(t, r, 1)
			for _, want := range []string{
				"PERMISSION_DENIED: Permission '" + perm + "' denied on resource (or it may not exist)",
				"A link of the delegation chain federated identity → " + relayAcct + " → " + hopAcct + " → " + serviceAcct + " is missing",
				"gcloud iam service-accounts add-iam-policy-binding " + relayAcct + " \\\n  --role=roles/iam.serviceAccountTokenCreator \\\n  --member=" + repoMember,
				"gcloud iam service-accounts add-iam-policy-binding " + hopAcct + " \\\n  --role=roles/iam.serviceAccountTokenCreator \\\n  --member=serviceAccount:" + relayAcct,
				"gcloud iam service-accounts add-iam-policy-binding " + serviceAcct + " \\\n  --role=roles/iam.serviceAccountTokenCreator \\\n  --member=serviceAccount:" + hopAcct,
			} {
				if !strings.Contains(r.Stdout, want) {
					t.Errorf("output lacks %q:\n%s", want, r.Log())
				}
			}
			if n := len(harness.ErrorLines(r)); n != 1 {
				t.Errorf("%d ::error:: lines, want 1", n)
			}
			if w.g.IAMFaults.Requests() != 1 {
				t.Errorf("IAM Credentials saw %d requests, want 1 (a refusal is not retried)", w.g.IAMFaults.Requests())
			}
			harness.NothingWritten(t, r)
			harness.NoLeak(t, r, w.secrets()...)
		})
	}
}

// TestGCPDelegatesInputRefused checks gcp-delegates' own rules before any request.
func TestGCPDelegatesInputRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		inputs []string
		want   string
	}{
		{[]string{"gcp-delegates", relayAcct}, "input gcp-delegates: needs gcp-service-account"},
		{[]string{"gcp-service-account", serviceAcct, "gcp-delegates", "relay"}, `input gcp-delegates: each item must be a service account email such as relay@my-project.iam.gserviceaccount.com (or projects/-/serviceAccounts/<email>), got "relay"`},
		{[]string{"gcp-service-account", serviceAcct, "gcp-delegates", relayAcct + "," + serviceAcct}, "input gcp-delegates: lists " + serviceAcct + ", which is gcp-service-account itself"},
		{[]string{"gcp-service-account", serviceAcct, "gcp-delegates", relayAcct + "\nprojects/-/serviceAccounts/" + relayAcct}, "input gcp-delegates: lists " + relayAcct + " twice"},
	} {
		w := newWorld(t)
		r := harness.Exec(t, w.step(w.inputs(tc.inputs...)))
		harness.RequireInputRefused(t, r, tc.want, w.gh.Requests, w.g.STSFaults.Requests, w.g.IAMFaults.Requests)
	}
}

// tokenAccounts describes generateAccessToken calls for a failure message: each call's
// account and delegation chain, never the token IAM issued.
func tokenAccounts(at []gcpfake.AccessToken) []string {
	out := make([]string, len(at))
	for i, a := range at {
		out[i] = a.ServiceAccount + " via " + strings.Join(a.Delegates, ",")
	}
	return out
}
