package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/jwtcheck"
)

// githubPart needs no emulator: the step writes GitHub's ID token itself to a file. The
// consumer is what any relying party does with it: verify its signature against the issuer's
// JWKS, its issuer, audience and expiry, and then read its claims.
func githubPart(l *lab) (*part, error) {
	w, err := fakegithub.NewWorld(l.gh, l.ca)
	if err != nil {
		return nil, err
	}
	p := worldPart(w)
	p.consume = func(r *harness.Run) (string, error) {
		path := r.Env["GITHUB_ID_TOKEN_FILE"]
		raw, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("reading GITHUB_ID_TOKEN_FILE: %w", err)
		}
		v := jwtcheck.Verifier{Issuer: fakegithub.Issuer, JWKSURL: l.gh.JWKSURL(), Audiences: []string{fakegithub.DefaultAudience}}
		claims, err := v.Verify(strings.TrimSpace(string(raw)))
		if err != nil {
			return "", fmt.Errorf("the token in GITHUB_ID_TOKEN_FILE does not verify: %w", err)
		}
		auds, _ := claims.GetAudience()
		exp, _ := claims.GetExpirationTime()
		return fmt.Sprintf("$ (in process) verify the JWT in $GITHUB_ID_TOKEN_FILE = %s\n"+
			"the signature verifies with the issuer's JWKS (%s); iss %v\n"+
			"sub=%v aud=%s expires %s",
			path, l.gh.JWKSURL(), claims["iss"], claims["sub"], strings.Join(auds, ","), exp.UTC().Format(time.RFC3339)), nil
	}
	return p, nil
}
