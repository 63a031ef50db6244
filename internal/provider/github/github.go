// Package github is the `github` provider: the GitHub ID token itself, for tools that take
// one directly (kubectl with OIDC, registries, sigstore). The token login already fetched is
// the credential, so this login makes no request of its own.
package github

import (
	"context"
	"fmt"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// EnvTokenFile is the variable later steps read the token file's host path from.
const EnvTokenFile = "GITHUB_ID_TOKEN_FILE"

// Provider hands the ID token to later steps.
type Provider struct{}

// New has no inputs of its own to validate: the audience is the common `audience` input.
func New(config.Inputs, config.Common) (provider.Provider, error) {
	return &Provider{}, nil
}

// Name is the provider's name in the provider input.
func (p *Provider) Name() string { return Name }

// Audience is "": GitHub's default (https://github.com/<owner>) unless `audience` is set.
func (p *Provider) Audience() string { return "" }

// Login writes the token to a fresh 0600 file in the home mount, exported by its host path.
// A fresh name per step means two steps never overwrite or delete each other's token.
func (p *Provider) Login(_ context.Context, tok *idtoken.Token, env provider.Env) (*provider.Result, error) {
	rel := runner.NewName("github-id-token", ".jwt")
	path := env.Home.HostPath(rel)
	exp := tok.Claims.Time("exp")
	r := &provider.Result{
		Secrets:           []string{tok.Raw},
		Files:             []runner.File{{Rel: rel, Data: []byte(tok.Raw)}},
		OwnFiles:          []string{rel},
		Env:               []runner.Var{{Name: EnvTokenFile, Value: path}},
		SecretEnv:         []string{EnvTokenFile},
		Outputs:           []runner.Var{{Name: "github-id-token-file", Value: path}},
		CredentialOutputs: []runner.Var{{Name: "github-id-token", Value: tok.Raw}},
		Expiration:        exp,
		Summary: provider.Summary{
			Identity: tok.Claims.String("repository"),
			Account:  tok.Claims.String("repository_owner"),
			Audience: tok.Claims.AudienceString(),
			Subject:  tok.Claims.Subject(),
			Expires:  exp,
		},
	}
	until := ""
	if !exp.IsZero() {
		until = ", valid until " + exp.Format(time.RFC3339)
	}
	r.Log = []string{fmt.Sprintf("github: ID token for audience %s written to %s%s", tok.Claims.AudienceString(), path, until)}
	return r, nil
}
