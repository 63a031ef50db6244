package vault

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
)

// quietRevokeTimeout bounds the best-effort revoke of a failed login, which must not turn
// one failure into a long wait.
const quietRevokeTimeout = 5 * time.Second

// Cleanup revokes the token the main step saved (vault-revoke-token). A token that is
// already revoked or expired is what we wanted, so Vault's 403 for it is success.
func (p *Provider) Cleanup(ctx context.Context, state map[string]string, env provider.Env) error {
	token := state[StateToken]
	if token == "" || !p.cfg.RevokeToken {
		return nil
	}
	addr := state[StateAddress]
	if addr == "" {
		addr = p.cfg.URL
	}
	cl := newClient(env.HTTP, env.Retry, addr, state[StateNamespace], p.cfg.CACerts)
	return revoke(ctx, cl, token)
}

func revoke(ctx context.Context, cl *client, token string) error {
	call := revokeCall
	_, err := cl.do(ctx, call, http.MethodPost, "auth/token/revoke-self", token, nil, func(r *httpcall.Response) error {
		if r.Status < 300 {
			return nil
		}
		e := parseErrors(r.Body)
		msg := serverMessage(e.Errors)
		switch {
		case transient(r.Status):
			return failTransient(call, r, msg)
		case r.Status == http.StatusForbidden || strings.Contains(strings.ToLower(msg), "invalid token"):
			// Gone already: revoked, expired, or its lease ran out with the job.
			return nil
		}
		return fmt.Errorf("%s: HTTP %d: %s; the token stays valid until its TTL runs out", call, r.Status, msg)
	})
	return err
}

// revokeQuietly revokes a token that will not be handed over (a read failed after login),
// with one attempt; the step's own error is what the user needs to see.
func revokeQuietly(ctx context.Context, cl *client, token string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), quietRevokeTimeout)
	defer cancel()
	one := *cl
	one.retry = retry.New(1)
	_ = revoke(ctx, &one, token)
}

// Abort revokes the token of a login whose step failed for another reason (another provider,
// or writing the results), so no live token outlives a step that handed nothing over.
func (p *Provider) Abort(ctx context.Context, res *provider.Result, env provider.Env) {
	if p.issued == "" {
		return
	}
	revokeQuietly(ctx, newClient(env.HTTP, env.Retry, p.cfg.URL, p.cfg.Namespace, p.cfg.CACerts), p.issued)
}
