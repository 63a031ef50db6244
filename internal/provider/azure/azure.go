// Package azure is the `azure` provider: Entra ID workload identity federation. It exchanges
// the ID token once (client-credentials grant, ID token as client_assertion) so a broken trust
// fails here with an explanation, writes the ID token to a file for Azure SDKs, and exports
// the variables azidentity, the az CLI and Terraform read.
//
// The exchange is one form POST, so it is a small client of our own rather than azidentity:
// azidentity would add its own retry pipeline under ours, an openid-configuration round trip
// before every first token, and hide Entra's error body behind its own message.
package azure

import (
	"context"
	"fmt"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/azure/azcli"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// Provider logs into Azure.
type Provider struct {
	cfg Config
	// propagationWait is PropagationWait, shorter in unit tests.
	propagationWait time.Duration
	// cli is the az that azure-cli-login signs in (nil without it).
	cli *azcli.CLI
}

// New validates the azure-* inputs.
func New(in config.Inputs, _ config.Common) (provider.Provider, error) {
	c, err := Parse(in)
	if err != nil {
		return nil, err
	}
	p := &Provider{cfg: c, propagationWait: PropagationWait}
	if c.CLILogin {
		// Looked up with the other inputs, so a runner without az fails before any request.
		if p.cli, err = azcli.Find(); err != nil {
			return nil, config.Errorf(CLILoginInput, "is true, but az (the Azure CLI) is not on PATH: install it on the runner (GitHub's Ubuntu, macOS and Windows images have it; on Debian or Ubuntu: apt-get install azure-cli, or Microsoft's packages) or set %s: false", CLILoginInput)
		}
	}
	return p, nil
}

// Name is the provider's name in the provider input.
func (p *Provider) Name() string { return Name }

// Audience is api://AzureADTokenExchange in every cloud, as Azure/login sends it.
func (p *Provider) Audience() string { return p.cfg.Cloud.Audience }

// Login proves the trust with one token request, then hands the ID token to later steps.
func (p *Provider) Login(ctx context.Context, tok *idtoken.Token, env provider.Env) (*provider.Result, error) {
	if env.Now == nil {
		env.Now = time.Now
	}
	at, err := p.exchange(ctx, tok, env)
	if err != nil {
		return nil, err
	}
	r := p.result(tok, at, env)
	if p.cli != nil {
		// Only once Entra ID accepted the token: a broken trust is explained by the exchange,
		// not by az's own message.
		if err := p.cliLogin(ctx, tok); err != nil {
			return nil, err
		}
		r.State = append(r.State, runner.Var{Name: stateCLILogin, Value: "true"})
		r.Log = append(r.Log, fmt.Sprintf("azure: %s: az signed in as service principal %s in tenant %s (cloud %s)%s; its state is in %s until the post stage runs az account clear", CLILoginInput, p.cfg.ClientID, p.cfg.TenantID, p.cfg.Cloud.Name, cliSubscription(p.cfg), azcli.ConfigDir(env.Getenv)))
	}
	return r, nil
}

func cliSubscription(c Config) string {
	if c.SubscriptionID == "" {
		return " with no subscription selected (--allow-no-subscriptions)"
	}
	return ", subscription " + c.SubscriptionID + " selected"
}

func (p *Provider) result(tok *idtoken.Token, at *accessToken, env provider.Env) *provider.Result {
	c := p.cfg
	rel := runner.NewName("azure-federated-token", ".jwt")
	file := env.Home.HostPath(rel)
	r := &provider.Result{
		// The ID token in the file was masked by login the moment it arrived.
		Secrets:    []string{at.Token},
		Files:      []runner.File{{Rel: rel, Data: []byte(tok.Raw)}},
		OwnFiles:   []string{rel},
		SecretEnv:  []string{"AZURE_FEDERATED_TOKEN_FILE"},
		Expiration: at.Expires,
	}
	r.Env = []runner.Var{
		{Name: "AZURE_CLIENT_ID", Value: c.ClientID},
		{Name: "AZURE_TENANT_ID", Value: c.TenantID},
	}
	if c.SubscriptionID != "" {
		r.Env = append(r.Env, runner.Var{Name: "AZURE_SUBSCRIPTION_ID", Value: c.SubscriptionID})
	}
	r.Env = append(r.Env,
		runner.Var{Name: "AZURE_FEDERATED_TOKEN_FILE", Value: file},
		// azidentity joins this with the tenant, and documents it with the trailing slash.
		runner.Var{Name: "AZURE_AUTHORITY_HOST", Value: c.AuthorityHost + "/"},
		runner.Var{Name: "ARM_CLIENT_ID", Value: c.ClientID},
		runner.Var{Name: "ARM_TENANT_ID", Value: c.TenantID},
	)
	if c.SubscriptionID != "" {
		r.Env = append(r.Env, runner.Var{Name: "ARM_SUBSCRIPTION_ID", Value: c.SubscriptionID})
	}
	// No ARM_OIDC_TOKEN: with ARM_USE_OIDC, Terraform asks the runner for fresh tokens
	// itself, where a static one would die five minutes into the run.
	r.Env = append(r.Env,
		runner.Var{Name: "ARM_USE_OIDC", Value: "true"},
		runner.Var{Name: "ARM_ENVIRONMENT", Value: c.Cloud.ARMEnvironment},
	)
	r.Outputs = []runner.Var{{Name: "azure-federated-token-file", Value: file}}
	r.CredentialOutputs = []runner.Var{
		{Name: "azure-access-token", Value: at.Token},
		{Name: "azure-access-token-expiration", Value: at.Expires.Format(time.RFC3339)},
	}
	account := "tenant " + c.TenantID
	if c.SubscriptionID != "" {
		account += ", subscription " + c.SubscriptionID
	}
	r.Summary = provider.Summary{
		Identity: c.ClientID,
		Account:  account,
		Audience: tok.Claims.AudienceString(),
		Subject:  tok.Claims.Subject(),
		Expires:  at.Expires,
	}
	fileUntil := "about 5 minutes"
	if exp := tok.Claims.Time("exp"); !exp.IsZero() {
		fileUntil = exp.Format(time.RFC3339)
	}
	r.Log = []string{
		fmt.Sprintf("azure: client %s signed in to tenant %s (%s); the access token for %s is valid until %s", c.ClientID, c.TenantID, c.Cloud.Name, c.Scope, at.Expires.Format(time.RFC3339)),
		fmt.Sprintf("azure: the federated token in %s is valid until %s: SDKs and az login must sign in before then; Terraform (ARM_USE_OIDC) mints its own", file, fileUntil),
	}
	return r
}
