package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/oidc-login/oidc-login/e2e/internal/gcpfake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// gcpPart starts the gcp world, the setup Google's GitHub guide makes: a provider trusting
// GitHub's issuer for the repository, and a service account the repository's principal set
// may impersonate, which the step does. The consumer is Google's Go library reading the
// credentials file the step wrote, as every Google SDK and gcloud would.
func gcpPart(l *lab) (*part, error) {
	g, err := gcpfake.NewWorld(l.gh, l.ca)
	if err != nil {
		return nil, err
	}
	p := worldPart(g)
	p.inputs = g.ServiceAccountInputs()
	p.consume = func(r *harness.Run) (string, error) {
		path := r.Env["GOOGLE_APPLICATION_CREDENTIALS"]
		data, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("reading GOOGLE_APPLICATION_CREDENTIALS: %w", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// The library's own HTTP client, trusting the emulator's CA as SSL_CERT_FILE makes
		// the step trust it.
		ctx = context.WithValue(ctx, oauth2.HTTPClient, l.ca.Client())
		creds, err := google.CredentialsFromJSONWithTypeAndParams(ctx, data, google.ExternalAccount,
			google.CredentialsParams{Scopes: []string{gcpfake.Scope}})
		if err != nil {
			return "", fmt.Errorf("google could not load the credentials file: %w", err)
		}
		tok, err := creds.TokenSource.Token()
		if err != nil {
			return "", fmt.Errorf("google could not get a token with the credentials file: %w", err)
		}
		at := g.AccessTokens()
		if len(at) == 0 || at[len(at)-1].Token != tok.AccessToken {
			return "", fmt.Errorf("the library's token is not the one the emulator issued last")
		}
		return fmt.Sprintf("$ (in process) golang.org/x/oauth2/google reads $GOOGLE_APPLICATION_CREDENTIALS = %s\n"+
			"  it fetched a fresh ID token from the runner, exchanged it at STS and impersonated %s\n"+
			"got a Google access token (expires %s): *** (a consumer's token is never printed)",
			path, at[len(at)-1].ServiceAccount, tok.Expiry.UTC().Format(time.RFC3339)), nil
	}
	return p, nil
}
