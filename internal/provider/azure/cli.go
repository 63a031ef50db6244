package azure

import (
	"context"
	"fmt"

	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/azure/azcli"
)

// stateCLILogin is the post-stage state that says this step signed az in.
const stateCLILogin = "cli_login"

// cliLogin signs az in with the ID token the exchange just proved (package azcli).
func (p *Provider) cliLogin(ctx context.Context, tok *idtoken.Token) error {
	c := p.cfg
	err := p.cli.Login(ctx, azcli.Login{
		Cloud:          c.Cloud.Name,
		ClientID:       c.ClientID,
		TenantID:       c.TenantID,
		SubscriptionID: c.SubscriptionID,
		FederatedToken: tok.Raw,
	})
	if err != nil {
		// A failed az login may have left a partial session (cloud set, login done, account
		// set refused): clear it, so no later step finds az signed in after a failed step.
		_ = p.cli.Clear(context.WithoutCancel(ctx))
		return fmt.Errorf("%s: the trust works (Entra ID issued a token), but signing the Azure CLI in failed: %w", CLILoginInput, err)
	}
	return nil
}

// The step signs az out again when it fails after az signed in (another provider failed).
var _ provider.Aborter = (*Provider)(nil)

// Abort runs az account clear when this login signed az in (provider.Aborter).
func (p *Provider) Abort(ctx context.Context, res *provider.Result, _ provider.Env) {
	if p.cli == nil || res == nil {
		return
	}
	for _, st := range res.State {
		if st.Name == stateCLILogin {
			_ = p.cli.Clear(ctx)
		}
	}
}

// The post stage signs az out (provider.Cleaner).
var _ provider.Cleaner = (*Provider)(nil)

// Cleanup runs az account clear when the main stage signed az in, as Azure/login's post step
// does (Azure/login 833e823, src/cleanup.ts).
func (p *Provider) Cleanup(ctx context.Context, state map[string]string, _ provider.Env) error {
	if state[stateCLILogin] != "true" {
		return nil
	}
	if p.cli == nil {
		return fmt.Errorf("the main stage signed az in, but this step has %s off, so az is left signed in", CLILoginInput)
	}
	return p.cli.Clear(ctx)
}
