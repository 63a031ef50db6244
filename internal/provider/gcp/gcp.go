// Package gcp is the `gcp` provider: Google Cloud Workload Identity Federation. The GitHub ID
// token is exchanged at STS for a federated token once per step, so a broken trust setup fails
// here; with a service account, IAM Credentials then mints its access or ID token. Later steps
// get an external_account credentials file that re-mints tokens from the runner for the whole
// job.
package gcp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// Provider logs into Google Cloud.
type Provider struct {
	cfg Config
}

// New validates the gcp-* inputs.
func New(in config.Inputs, _ config.Common) (provider.Provider, error) {
	c, err := Parse(in)
	if err != nil {
		return nil, err
	}
	return &Provider{cfg: c}, nil
}

// Name is the provider's name in the provider input.
func (p *Provider) Name() string { return Name }

// Audience is https://iam.googleapis.com/<provider resource name>, which a provider accepts
// when it lists no allowed audiences.
func (p *Provider) Audience() string { return p.cfg.DefaultIDTokenAudience() }

// Endpoints are the hosts Login calls: STS, and IAM Credentials with a service account (only
// the scheme, host and port count; login opens a connection to each while the ID token is
// fetched).
func (p *Provider) Endpoints() []string {
	e := []string{p.cfg.TokenURL()}
	if p.cfg.ServiceAccount != "" {
		e = append(e, p.cfg.IAMURL("generateAccessToken"))
	}
	return e
}

// Env variables, as google-github-actions/auth exports them, so existing workflows and
// tools (gcloud, client libraries, Terraform) find them.
var (
	fileEnv    = []string{"GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", "GOOGLE_GHA_CREDS_PATH"}
	projectEnv = []string{"CLOUDSDK_CORE_PROJECT", "CLOUDSDK_PROJECT", "GCLOUD_PROJECT", "GCP_PROJECT", "GOOGLE_CLOUD_PROJECT"}
)

// AuthOutputs are the outputs set under google-github-actions/auth's names (beside their
// gcp-* twins); another provider of the same step must not set them too.
var AuthOutputs = []string{"credentials_file_path", "project_id", "access_token", "id_token", "auth_token"}

// minted is what the calls of one login issued.
type minted struct {
	fed        *federated
	access     *accessToken
	idToken    string
	idTokenExp time.Time
}

// Login exchanges the token at STS and, with a service account, calls IAM Credentials once:
// generateIdToken for id_token, generateAccessToken otherwise. Without a token format that
// call still runs, because the service account binding (roles/iam.workloadIdentityUser) is
// half of the trust setup and STS alone does not check it.
func (p *Provider) Login(ctx context.Context, tok *idtoken.Token, env provider.Env) (*provider.Result, error) {
	c := p.cfg
	cl := &client{cfg: c, env: env, claims: tok.Claims, audienceFrom: tok.AudienceFrom}
	// Impersonation needs a cloud-platform federated token; the requested scopes go on the
	// service account's token. In direct federation the federated token is the credential.
	stsScopes := c.Scopes
	if c.ServiceAccount != "" {
		stsScopes = []string{DefaultScope}
	}
	var m minted
	var err error
	if m.fed, err = cl.exchange(ctx, tok.Raw, stsScopes); err != nil {
		return nil, err
	}
	switch {
	case c.ServiceAccount == "":
		// Direct federation: the federated token is the credential.
	case c.TokenFormat == FormatIDToken:
		if m.idToken, err = cl.generateIDToken(ctx, m.fed.Token); err != nil {
			return issuedSoFar(m), err
		}
		if claims, err := idtoken.Decode(m.idToken); err == nil {
			m.idTokenExp = claims.Time("exp")
		}
	default:
		if m.access, err = cl.generateAccessToken(ctx, m.fed.Token); err != nil {
			return issuedSoFar(m), err
		}
	}
	return p.result(tok, env, m)
}

// issuedSoFar is the result of a login that failed after STS answered: the federated token is
// a credential all the same, and login masks a failed result's Secrets too.
func issuedSoFar(m minted) *provider.Result {
	return &provider.Result{Secrets: []string{m.fed.Token}}
}

// identity is who later steps act as: the service account, or the federated principal.
func (p *Provider) identity(claims idtoken.Claims) string {
	if p.cfg.ServiceAccount != "" {
		return p.cfg.ServiceAccount
	}
	return principal(trustTarget{ProjectNumber: p.cfg.ProjectNumber, Pool: p.cfg.Pool}, claims.Subject())
}

func (p *Provider) result(tok *idtoken.Token, env provider.Env, m minted) (*provider.Result, error) {
	c := p.cfg
	r := &provider.Result{Secrets: []string{m.fed.Token}}
	expires := m.fed.Expires
	switch {
	case m.access != nil:
		r.Secrets = append(r.Secrets, m.access.Token)
		expires = m.access.Expires
	case m.idToken != "":
		r.Secrets = append(r.Secrets, m.idToken)
		if !m.idTokenExp.IsZero() {
			expires = m.idTokenExp
		}
	}
	r.Expiration = expires

	var path string
	if c.CreateFile {
		if env.Tokens == nil {
			return nil, errors.New("the runner's token service is unknown, so no credentials file can be written")
		}
		rel := runner.NewName("gcp-credentials", ".json")
		path = env.Home.HostPath(rel)
		// The file sources tokens for the audience actually used (the audience input wins).
		r.Files = []runner.File{{Rel: rel, Data: c.CredentialsFile(env.Tokens.URL(tok.Audience), env.Tokens.RequestToken)}}
		r.OwnFiles = []string{rel}
		r.Secrets = append(r.Secrets, env.Tokens.RequestToken)
		for _, name := range fileEnv {
			r.Env = append(r.Env, runner.Var{Name: name, Value: path})
		}
		// Blanked by the post step, which deletes the file: a path to nothing breaks ADC.
		r.SecretEnv = append(r.SecretEnv, fileEnv...)
		r.Outputs = append(r.Outputs, runner.Var{Name: "gcp-credentials-file-path", Value: path}, runner.Var{Name: "credentials_file_path", Value: path})
	}
	if c.ProjectID != "" {
		for _, name := range projectEnv {
			r.Env = append(r.Env, runner.Var{Name: name, Value: c.ProjectID})
		}
		r.Outputs = append(r.Outputs, runner.Var{Name: "gcp-project-id", Value: c.ProjectID}, runner.Var{Name: "project_id", Value: c.ProjectID})
	}
	// The token outputs are what gcp-token-format asks for, so they are set without
	// output-credentials (masked all the same). Each also goes under the name
	// google-github-actions/auth gives it (project_id, access_token, …), so its workflows'
	// steps.<id>.outputs.<name> keep working.
	switch c.TokenFormat {
	case FormatAccessToken:
		token, exp := m.fed.Token, m.fed.Expires
		if m.access != nil {
			token, exp = m.access.Token, m.access.Expires
		}
		r.Outputs = append(r.Outputs,
			runner.Var{Name: "gcp-access-token", Value: token},
			runner.Var{Name: "access_token", Value: token},
			runner.Var{Name: "gcp-access-token-expiration", Value: exp.Format(time.RFC3339)})
	case FormatIDToken:
		r.Outputs = append(r.Outputs, runner.Var{Name: "gcp-id-token", Value: m.idToken}, runner.Var{Name: "id_token", Value: m.idToken})
	}
	// auth's auth_token is the federated token, which it sets on every run; here it is a
	// credential nobody asked for, so it waits for output-credentials like every other one.
	r.CredentialOutputs = append(r.CredentialOutputs, runner.Var{Name: "auth_token", Value: m.fed.Token})
	identity := p.identity(tok.Claims)
	r.Summary = provider.Summary{
		Identity: identity,
		Account:  c.ProjectID,
		Audience: tok.Claims.AudienceString(),
		Subject:  tok.Claims.Subject(),
		Expires:  expires,
	}
	var what []string
	if c.TokenFormat != FormatNone {
		what = append(what, c.TokenFormat+" until "+expires.Format(time.RFC3339))
	}
	if path != "" {
		what = append(what, "credentials file "+path)
	}
	if len(what) == 0 {
		what = append(what, "trust verified, nothing exported (gcp-create-credentials-file is false)")
	}
	r.Log = []string{fmt.Sprintf("gcp: authenticated as %s through %s; %s", identity, c.Provider, strings.Join(what, ", "))}
	return r, nil
}
