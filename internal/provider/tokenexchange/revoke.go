package tokenexchange

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
)

// revokeCall names the revocation in messages.
const revokeCall = "token revocation"

// Cleanup revokes the issued token where token-exchange-revoke says (provider.Cleaner). The
// URL is this step's input, never the state's, and the call carries the issued token only.
// A failure is a warning (provider.SoftError): the token still expires on its own.
func (p *Provider) Cleanup(ctx context.Context, state map[string]string, env provider.Env) error {
	tok := state[StateToken]
	if tok == "" || p.cfg.Revoke == nil {
		return nil
	}
	if err := p.revoke(ctx, tok, env.HTTP, env.Retry); err != nil {
		return &provider.SoftError{Err: fmt.Errorf("%w; the token stays valid until it expires", err)}
	}
	return nil
}

// Abort revokes the token of a login whose step failed for another reason, so no live token
// outlives a step that handed nothing over (provider.Aborter).
func (p *Provider) Abort(ctx context.Context, res *provider.Result, env provider.Env) {
	for _, st := range res.State {
		if st.Name == StateToken && p.cfg.Revoke != nil {
			_ = p.revoke(ctx, st.Value, env.HTTP, retry.New(1))
		}
	}
}

// revoke makes the call: 2xx, and 404 (nothing to revoke, or already gone), count as revoked.
func (p *Provider) revoke(ctx context.Context, tok string, c *http.Client, policy retry.Policy) error {
	rv := p.cfg.Revoke
	req := httpcall.Request{Call: revokeCall + " at " + rv.URL, Method: rv.Method, URL: rv.URL,
		Header: http.Header{"Authorization": {"Bearer " + tok}, "Accept": {"application/json"}}}
	_, _, err := httpcall.Do(ctx, c, policy, req, func(r *httpcall.Response) error {
		if r.Status >= 200 && r.Status < 300 || r.Status == http.StatusNotFound {
			return nil
		}
		code, desc := errorDetail(r)
		return httpcall.Fail(req.Call, r, strings.TrimPrefix(code+": "+desc, ": "))
	})
	return err
}
