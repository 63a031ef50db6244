// Package vault is the `vault` provider: HashiCorp Vault (or OpenBao) JWT auth with the
// GitHub ID token, then optional reads of KV secrets into variables and outputs. The post
// step revokes the token.
package vault

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/gcp"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// State names saved for the post step.
const (
	StateToken     = "token"
	StateAddress   = "address"
	StateNamespace = "namespace"
)

// Provider logs into Vault.
type Provider struct {
	cfg Config
	// issued is the token of the last login, for Abort.
	issued string
}

// New validates the vault-* inputs.
func New(in config.Inputs, common config.Common) (provider.Provider, error) {
	c, err := Parse(in)
	if err != nil {
		return nil, err
	}
	// With gcp in the same step, a secret's output could take the name of one of gcp's
	// google-github-actions/auth outputs (a secret ACCESS_TOKEN is output access_token), and
	// one of the two values would silently win.
	if slices.Contains(common.Providers, "gcp") {
		for _, s := range c.Secrets {
			if slices.Contains(gcp.AuthOutputs, s.Output()) {
				return nil, config.Errorf("vault-secrets", "the secret %s would set the output %s, which the gcp provider of this step sets too; name it with | NAME", s.Name, s.Output())
			}
		}
	}
	return &Provider{cfg: c}, nil
}

// Name is the provider's name in the provider input.
func (p *Provider) Name() string { return Name }

// Audience is GitHub's default (https://github.com/<owner>), which Vault roles commonly bind.
func (p *Provider) Audience() string { return "" }

func (p *Provider) target() trustTarget {
	return trustTarget{Mount: p.cfg.AuthPath, Role: p.cfg.Role, Namespace: p.cfg.Namespace}
}

// auth is the part of the login answer we use.
type auth struct {
	ClientToken   string            `json:"client_token"`
	Accessor      string            `json:"accessor"`
	Policies      []string          `json:"policies"`
	TokenPolicies []string          `json:"token_policies"`
	Metadata      map[string]string `json:"metadata"`
	LeaseDuration int64             `json:"lease_duration"`
}

// Login exchanges the ID token for a Vault token, reads the secrets asked for, and hands
// both over. A failure after the token was issued revokes it again, so a failed step leaves
// no live token behind.
func (p *Provider) Login(ctx context.Context, tok *idtoken.Token, env provider.Env) (*provider.Result, error) {
	c := p.cfg
	cl := newClient(env.HTTP, env.Retry, c.URL, c.Namespace, c.CACerts)
	a, err := p.login(ctx, cl, tok)
	if err != nil {
		return nil, err
	}
	p.issued = a.ClientToken
	// The token is masked even if a read below fails: login masks whatever we return.
	r := &provider.Result{Secrets: []string{a.ClientToken, a.Accessor}}
	values, err := p.readSecrets(ctx, cl, a, r)
	if err != nil {
		revokeQuietly(ctx, cl, a.ClientToken)
		return r, err
	}
	return p.result(tok, a, values, r, env), nil
}

func (p *Provider) login(ctx context.Context, cl *client, tok *idtoken.Token) (*auth, error) {
	body := map[string]string{"jwt": tok.Raw}
	// Without a role the mount's default_role applies; an empty "role" would be the same to
	// Vault, but leaving it out says so on the wire.
	if p.cfg.Role != "" {
		body["role"] = p.cfg.Role
	}
	b, _ := json.Marshal(body)
	call := loginCall
	var a *auth
	_, err := cl.do(ctx, call, http.MethodPost, "auth/"+p.cfg.AuthPath+"/login", "", b, func(r *httpcall.Response) error {
		if r.Status >= 300 {
			e := parseErrors(r.Body)
			if transient(r.Status) {
				return failTransient(call, r, serverMessage(e.Errors))
			}
			t := p.target()
			t.Audience, t.AudienceFrom = tok.Audience, tok.AudienceFrom
			return explainLogin(r.Status, e.Errors, t, tok.Claims)
		}
		if err := httpcall.CheckJSON(call, r); err != nil {
			return err
		}
		var resp struct {
			Auth *auth `json:"auth"`
		}
		if err := json.Unmarshal(r.Body, &resp); err != nil {
			return fmt.Errorf("%s: %s", call, unreadable(err))
		}
		if resp.Auth == nil || resp.Auth.ClientToken == "" {
			return fmt.Errorf("%s: the answer (HTTP %d) has no auth.client_token; a login that needs MFA cannot be completed from a workflow", call, r.Status)
		}
		a = resp.Auth
		return nil
	})
	return a, err
}

func (p *Provider) result(tok *idtoken.Token, a *auth, values []runner.Var, r *provider.Result, env provider.Env) *provider.Result {
	c := p.cfg
	r.Env = []runner.Var{{Name: "VAULT_ADDR", Value: c.URL}}
	if c.ExportToken {
		r.Env = append(r.Env, runner.Var{Name: "VAULT_TOKEN", Value: a.ClientToken})
		r.SecretEnv = []string{"VAULT_TOKEN"}
	}
	if c.Namespace != "" {
		r.Env = append(r.Env, runner.Var{Name: "VAULT_NAMESPACE", Value: c.Namespace})
	}
	var names []string
	declared := p.Exports()
	for _, v := range values {
		r.Env = append(r.Env, v)
		r.Outputs = append(r.Outputs, runner.Var{Name: strings.ToLower(v.Name), Value: v.Value})
		// The post step blanks only what Exports declares for its inputs. A key read with * is
		// named by the secret, not the inputs: no post step could tell it from forged state,
		// and the native one would refuse the whole state for it.
		if slices.Contains(declared, v.Name) {
			r.SecretEnv = append(r.SecretEnv, v.Name)
		}
		names = append(names, v.Name)
	}
	// vault_token is vault-action's name for it (its outputToken, also off by default).
	r.CredentialOutputs = []runner.Var{{Name: "vault-token", Value: a.ClientToken}, {Name: "vault_token", Value: a.ClientToken}}
	if c.RevokeToken {
		r.State = []runner.Var{{Name: StateToken, Value: a.ClientToken}, {Name: StateAddress, Value: c.URL}}
		if c.Namespace != "" {
			r.State = append(r.State, runner.Var{Name: StateNamespace, Value: c.Namespace})
		}
	}
	if a.LeaseDuration > 0 {
		r.Expiration = env.Now().Add(time.Duration(a.LeaseDuration) * time.Second).UTC().Truncate(time.Second)
	}
	role := a.Metadata["role"]
	if role == "" {
		role = c.Role
	}
	account := c.URL
	if c.Namespace != "" {
		account += " (namespace " + c.Namespace + ")"
	}
	r.Summary = provider.Summary{
		Identity: "role " + role + " on auth/" + c.AuthPath,
		Account:  account,
		Audience: tok.Claims.AudienceString(),
		Subject:  tok.Claims.Subject(),
		Expires:  r.Expiration,
	}
	line := fmt.Sprintf("vault: logged in to %s as role %s on auth/%s with policies %s", account, role, c.AuthPath, strings.Join(a.Policies, ", "))
	if !r.Expiration.IsZero() {
		line += ", token valid until " + r.Expiration.Format(time.RFC3339)
	}
	if len(names) > 0 {
		line += fmt.Sprintf("; exported %d secret(s): %s", len(names), strings.Join(names, ", "))
	}
	r.Log = []string{line}
	return r
}
