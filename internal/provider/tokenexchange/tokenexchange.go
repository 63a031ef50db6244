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
	"strings"
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

// oauthError is RFC 6749 §5.2's error answer.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// call names the exchange in messages: RFC 8693's, or the service's own shape.
func (p *Provider) call() string {
	if p.cfg.RFC8693() {
		return exchangeCall
	}
	return customCall
}

// request is the exchange as this step's inputs shape it. The ID token goes to c.URL only, as
// the subject field, as a bearer, or both.
func (p *Provider) request(idToken string) (httpcall.Request, error) {
	c := p.cfg
	var fields []Field
	switch {
	case c.RFC8693():
		fields = append(fields, Field{"grant_type", GrantType}, Field{"subject_token", idToken}, Field{"subject_token_type", c.SubjectTokenType})
	case c.SubjectField != "":
		fields = append(fields, Field{c.SubjectField, idToken})
	}
	for _, f := range []Field{
		{"audience", c.Audience}, {"resource", c.Resource}, {"scope", c.Scope},
		{"requested_token_type", c.RequestedTokenType}, {"client_id", c.ClientID},
	} {
		if f.Value != "" {
			fields = append(fields, f)
		}
	}
	fields = append(fields, c.Fields...)
	req := httpcall.Request{Call: p.call(), Method: c.Method, URL: c.URL, Header: http.Header{"Accept": {"application/json"}}}
	if c.Bearer {
		req.Header.Set("Authorization", "Bearer "+idToken)
	}
	switch {
	case c.Method == http.MethodGet:
		u, err := url.Parse(c.URL)
		if err != nil {
			return req, err
		}
		q := u.Query()
		for _, f := range fields {
			q.Add(f.Name, f.Value)
		}
		u.RawQuery = q.Encode()
		req.URL = u.String()
	case c.JSON:
		obj := make(map[string]string, len(fields))
		for _, f := range fields {
			obj[f.Name] = f.Value
		}
		b, err := json.Marshal(obj)
		if err != nil {
			return req, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Body = b
	default:
		form := url.Values{}
		for _, f := range fields {
			form.Add(f.Name, f.Value)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Body = []byte(form.Encode())
	}
	return req, nil
}

// Login makes the exchange once per attempt.
func (p *Provider) Login(ctx context.Context, tok *idtoken.Token, env provider.Env) (*provider.Result, error) {
	req, err := p.request(tok.Raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.call(), err)
	}
	var out *answer
	_, _, err = httpcall.Do(ctx, env.HTTP, env.Retry, req, func(r *httpcall.Response) error {
		if r.Status >= 200 && r.Status < 300 {
			out, err = p.decode(r)
			return err
		}
		return p.refusal(r, tok.Claims)
	})
	if err != nil {
		return nil, err
	}
	return p.result(tok, out, env.Now()), nil
}

// refusal sorts an error answer: 429 and 5xx (and the RFC's server_error and
// temporarily_unavailable codes) are retried, anything else is final and explained.
func (p *Provider) refusal(r *httpcall.Response, claims idtoken.Claims) error {
	c := p.cfg
	code, description := errorDetail(r)
	if httpcall.IsTransientStatus(r.Status) || code == "temporarily_unavailable" || code == "server_error" {
		detail := code
		if description != "" {
			detail = strings.TrimPrefix(detail+": "+description, ": ")
		}
		return retry.Transient(&httpcall.StatusError{Call: p.call(), Status: r.Status, Detail: detail}, httpcall.RetryAfter(r.Header))
	}
	return explain(failure{
		Call: p.call(), URL: c.URL, Status: r.Status, Code: code, Description: description, RFC8693: c.RFC8693(),
		Audience: c.Audience, Resource: c.Resource, Scope: c.Scope,
		RequestedTokenType: c.RequestedTokenType, ClientID: c.ClientID,
	}, claims)
}

// maxDetail bounds how much of a server's error text a message quotes.
const maxDetail = 500

// errorDetail reads a refusal's code and description from the error shapes services use:
// RFC 6749's error and error_description; a message (npm, Tailscale, octo-sts, PyPI); an
// errors list of objects with code and detail, description or message (crates.io, PyPI,
// JFrog). An answer that is not JSON gives none, with what it was instead.
func errorDetail(r *httpcall.Response) (code, description string) {
	var e oauthError
	if json.Unmarshal(r.Body, &e) == nil && (e.Error != "" || e.Description != "") {
		return e.Error, clip(e.Description)
	}
	var other struct {
		Message string `json:"message"`
		Errors  []struct {
			Code        string `json:"code"`
			Detail      string `json:"detail"`
			Description string `json:"description"`
			Message     string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(r.Body, &other); err != nil {
		if ct := r.Header.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
			return "", fmt.Sprintf("the answer is %s, not JSON", clip(ct))
		}
		return "", ""
	}
	var parts []string
	if other.Message != "" {
		parts = append(parts, other.Message)
	}
	for _, x := range other.Errors {
		if code == "" {
			code = x.Code
		}
		for _, d := range []string{x.Detail, x.Description, x.Message} {
			if d != "" {
				parts = append(parts, d)
				break
			}
		}
	}
	return clip(code), clip(strings.Join(parts, "; "))
}

func clip(s string) string {
	if len(s) > maxDetail {
		return s[:maxDetail] + "…"
	}
	return s
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
		Secrets:   out.Secrets,
		Env:       []runner.Var{{Name: c.EnvName, Value: out.Token}},
		SecretEnv: []string{c.EnvName},
		// The token is the point of this provider, so it is an output without output-credentials.
		Outputs: []runner.Var{{Name: "token-exchange-access-token", Value: out.Token}},
	}
	if c.Revoke != nil {
		r.State = []runner.Var{{Name: StateToken, Value: out.Token}}
	}
	r.Expiration = out.expiration(now)
	if !r.Expiration.IsZero() {
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
