// Package tokenexchange is the `token-exchange` provider: the GitHub ID token exchanged at
// any OAuth 2.0 Token Exchange (RFC 8693) endpoint, and the issued token exported under the
// name the user chose.
package tokenexchange

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// RFC 8693's fixed values.
const (
	GrantType = "urn:ietf:params:oauth:grant-type:token-exchange"
	// SubjectTokenType says what GitHub's token is: an OpenID Connect ID token.
	SubjectTokenType = "urn:ietf:params:oauth:token-type:id_token"
)

// Provider exchanges the ID token at one RFC 8693 endpoint.
type Provider struct {
	cfg Config
}

// New validates the token-exchange-* inputs.
func New(in config.Inputs, _ config.Common) (provider.Provider, error) {
	c, err := Parse(in)
	if err != nil {
		return nil, err
	}
	return &Provider{cfg: c}, nil
}

// Name is the provider's name in the provider input.
func (p *Provider) Name() string { return Name }

// Audience is the origin of token-exchange-url (Origin): the ID token names the server it is
// for, so the server cannot replay it at another relying party of the same job (a Vault that
// accepts GitHub's default audience). The audience input overrides it.
func (p *Provider) Audience() string { return p.cfg.IDAudience }

// answer is RFC 8693 §2.2.1's success answer. expires_in is a number by the RFC, but some
// servers send it as a string.
type answer struct {
	AccessToken     string          `json:"access_token"`
	IssuedTokenType string          `json:"issued_token_type"`
	TokenType       string          `json:"token_type"`
	ExpiresIn       json.RawMessage `json:"expires_in"`
	RefreshToken    string          `json:"refresh_token"`
}

// oauthError is RFC 6749 §5.2's error answer.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// Login makes the exchange once per attempt.
func (p *Provider) Login(ctx context.Context, tok *idtoken.Token, env provider.Env) (*provider.Result, error) {
	c := p.cfg
	form := url.Values{
		"grant_type":         {GrantType},
		"subject_token":      {tok.Raw},
		"subject_token_type": {SubjectTokenType},
	}
	for name, v := range map[string]string{
		"audience": c.Audience, "resource": c.Resource, "scope": c.Scope,
		"requested_token_type": c.RequestedTokenType, "client_id": c.ClientID,
	} {
		if v != "" {
			form.Set(name, v)
		}
	}
	req := httpcall.PostForm(exchangeCall, c.URL, form)
	var out answer
	_, _, err := httpcall.Do(ctx, env.HTTP, env.Retry, req, func(r *httpcall.Response) error {
		if r.Status == http.StatusOK {
			return decode(r, &out)
		}
		return p.refusal(r, tok.Claims)
	})
	if err != nil {
		return nil, err
	}
	return p.result(tok, &out, env.Now()), nil
}

// decode reads a 200 answer; one without access_token is an error, never an empty token.
func decode(r *httpcall.Response, out *answer) error {
	call := exchangeCall
	if err := httpcall.CheckJSON(call, r); err != nil {
		return err
	}
	if err := json.Unmarshal(r.Body, out); err != nil {
		return fmt.Errorf("%s: the answer is not valid JSON: %v", call, err)
	}
	if out.AccessToken == "" {
		return fmt.Errorf("%s: the server answered HTTP 200 without an access_token", call)
	}
	return nil
}

// refusal sorts an error answer: 429 and 5xx (and the RFC's server_error and
// temporarily_unavailable codes) are retried, anything else is final and explained.
func (p *Provider) refusal(r *httpcall.Response, claims idtoken.Claims) error {
	c := p.cfg
	var e oauthError
	_ = json.Unmarshal(r.Body, &e)
	if httpcall.IsTransientStatus(r.Status) || e.Error == "temporarily_unavailable" || e.Error == "server_error" {
		detail := e.Error
		if e.Description != "" {
			detail += ": " + e.Description
		}
		return retry.Transient(&httpcall.StatusError{Call: exchangeCall, Status: r.Status, Detail: detail}, httpcall.RetryAfter(r.Header))
	}
	return explain(failure{
		URL: c.URL, Status: r.Status, Code: e.Error, Description: e.Description,
		Audience: c.Audience, Resource: c.Resource, Scope: c.Scope,
		RequestedTokenType: c.RequestedTokenType, ClientID: c.ClientID,
	}, claims)
}

// expiresIn reads expires_in as whole seconds, number or numeric string; 0 when absent.
func expiresIn(raw json.RawMessage) int64 {
	raw = bytes.Trim(bytes.TrimSpace(raw), `"`)
	n, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || n <= 0 {
		return 0
	}
	return int64(n)
}

func (p *Provider) result(tok *idtoken.Token, out *answer, now time.Time) *provider.Result {
	c := p.cfg
	r := &provider.Result{
		Secrets:   []string{out.AccessToken},
		Env:       []runner.Var{{Name: c.EnvName, Value: out.AccessToken}},
		SecretEnv: []string{c.EnvName},
		// The token is the point of this provider, so it is an output without output-credentials.
		Outputs: []runner.Var{{Name: "token-exchange-access-token", Value: out.AccessToken}},
	}
	if out.RefreshToken != "" {
		// Not exported, but a secret the process holds: mask it all the same.
		r.Secrets = append(r.Secrets, out.RefreshToken)
	}
	if secs := expiresIn(out.ExpiresIn); secs > 0 {
		r.Expiration = now.Add(time.Duration(secs) * time.Second).UTC().Truncate(time.Second)
		r.Outputs = append(r.Outputs, runner.Var{Name: "token-exchange-expiration", Value: r.Expiration.Format(time.RFC3339)})
	}
	issued := out.IssuedTokenType
	if issued == "" {
		issued = "token"
	}
	identity := c.Audience
	if identity == "" {
		identity = c.Resource
	}
	if identity == "" {
		identity = c.URL
	}
	r.Summary = provider.Summary{
		Identity: identity,
		Audience: tok.Claims.AudienceString(),
		Subject:  tok.Claims.Subject(),
		Expires:  r.Expiration,
	}
	until := ""
	if !r.Expiration.IsZero() {
		until = " until " + r.Expiration.Format(time.RFC3339)
	}
	r.Log = []string{fmt.Sprintf("token-exchange: exchanged the ID token at %s for a %s, exported as %s%s", c.URL, issued, c.EnvName, until)}
	return r
}
