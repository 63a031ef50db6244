package gcp_test

import (
	"context"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// TestGCPCredentialsFileWithGoogleLibrary hands the file the step wrote to Google's own Go
// library, the consumer it is for: the library fetches a fresh ID token from the runner's
// token URL with the request token, exchanges it at STS and, with a service account,
// impersonates it, and gets a token the emulator issued.
func TestGCPCredentialsFileWithGoogleLibrary(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		inputs   []string
		setup    func(w *world)
		audience string
		sa       string
		universe string
	}{
		{name: "direct federation", audience: defaultAudience},
		{name: "service account", inputs: []string{"gcp-service-account", serviceAcct}, audience: defaultAudience, sa: serviceAcct},
		{
			name:   "audience input",
			inputs: []string{"audience", "https://github.com/octo-org"},
			setup: func(w *world) {
				w.g.AddProvider(gcpfake.Provider{Name: wip, Issuer: fakegithub.Issuer, JWKSURL: w.gh.JWKSURL(), AllowedAudiences: []string{"https://github.com/octo-org"}})
			},
			audience: "https://github.com/octo-org",
		},
		{name: "another universe", inputs: []string{"gcp-universe", "cloud.example.eu", "gcp-service-account", serviceAcct}, audience: defaultAudience, sa: serviceAcct, universe: "cloud.example.eu"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if tc.setup != nil {
				tc.setup(w)
			}
			r := harness.Exec(t, w.step(w.inputs(tc.inputs...)))
			harness.RequireExit(t, r, 0)
			before := w.requests()
			data := harness.SecretFile(t, r.Env["GOOGLE_APPLICATION_CREDENTIALS"])
			want := w.wantFile(tc.audience, tc.sa)
			if tc.universe != "" {
				want["universe_domain"] = tc.universe
			}
			checkFile(t, data, want)

			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, w.ca.Client())
			creds, err := google.CredentialsFromJSONWithTypeAndParams(ctx, data, google.ExternalAccount, google.CredentialsParams{Scopes: []string{cloudPlatform}})
			if err != nil {
				t.Fatalf("google could not load the credentials file: %v", err)
			}
			tok, err := creds.TokenSource.Token()
			if err != nil {
				t.Fatalf("google could not get a token through the credentials file: %v", err)
			}
			if ud, _ := creds.GetUniverseDomain(); tc.universe != "" && ud != tc.universe {
				t.Errorf("library universe domain = %q, want %q", ud, tc.universe)
			}
			wantIAM := 0
			if tc.sa != "" {
				wantIAM = 1
				at := w.g.AccessTokens()
				if tok.AccessToken != at[len(at)-1].Token || at[len(at)-1].ServiceAccount != tc.sa {
					t.Errorf("the library's token is not the service account token the emulator issued last")
				}
			} else {
				found := false
				for _, f := range w.g.Federated() {
					found = found || f.Token == tok.AccessToken
				}
				if !found {
					t.Errorf("the library's token is not a federated token the emulator issued")
				}
			}
			if got := w.requests(); got != [3]int{before[0] + 1, before[1] + 1, before[2] + wantIAM} {
				t.Errorf("requests (token, STS, IAM) went from %v to %v; the library should ask each once", before, got)
			}
			if auds := w.gh.Audiences(); len(auds) != 2 || auds[0] != tc.audience || auds[1] != tc.audience {
				t.Errorf("ID-token audiences = %q, want the step's and the library's both %s", auds, tc.audience)
			}
			harness.NoLeak(t, r, w.secrets()...)
		})
	}
}
