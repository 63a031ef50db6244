// Package idtoken asks the runner for GitHub OIDC ID tokens and reads their (non-secret)
// claims. The token itself is a bearer secret: callers mask it before anything else runs.
package idtoken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/retry"
)

// The runner's variables for the token request; they exist only with `id-token: write`.
const (
	EnvRequestURL   = "ACTIONS_ID_TOKEN_REQUEST_URL"
	EnvRequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
)

// Call names the request in errors.
const Call = "GitHub ID token request"

// ErrNoPermission is returned when the runner gave the job no way to ask for a token.
var ErrNoPermission = errors.New("the job cannot request a GitHub OIDC ID token: " + EnvRequestURL + " and " + EnvRequestToken +
	" are not set. Give the job `permissions: id-token: write` (at workflow or job level; when a `permissions:` block exists, " +
	"every permission it does not list is none). Pull requests from forks never get an ID token, whatever the permissions, " +
	"so run this step only for pushes, same-repository pull requests, or with pull_request_target after review")

// Source asks the runner for tokens.
type Source struct {
	RequestURL   string
	RequestToken string
	Client       *http.Client
	Retry        retry.Policy
}

// FromEnv builds a Source from the runner's variables, or ErrNoPermission.
func FromEnv(getenv func(string) string, c *http.Client, p retry.Policy) (*Source, error) {
	u, t := getenv(EnvRequestURL), getenv(EnvRequestToken)
	if u == "" || t == "" {
		return nil, ErrNoPermission
	}
	if _, err := url.Parse(u); err != nil {
		return nil, fmt.Errorf("%s is not a URL: %w", EnvRequestURL, err)
	}
	return &Source{RequestURL: u, RequestToken: t, Client: c, Retry: p}, nil
}

// Token is one ID token and what it says.
type Token struct {
	Raw string
	// Audience is what we asked for ("" is GitHub's default).
	Audience string
	// AudienceFrom says which input chose Audience for the provider holding this copy. A
	// refusal of the audience then names the input to change.
	AudienceFrom AudienceChoice
	Claims       Claims
}

// AudienceChoice is which input chose a token's audience for one provider.
type AudienceChoice struct {
	// Input is audience or the provider's own <provider>-id-token-audience; "" when the
	// audience is the provider's default.
	Input string
	// StepWide is the audience input's value when the provider's own input overrode it: what
	// the provider would get without its own input.
	StepWide string
}

// URL returns the token request URL for audience, the form that also goes into credential
// files so libraries can ask again later.
func (s *Source) URL(audience string) string {
	if audience == "" {
		return s.RequestURL
	}
	sep := "&"
	if !strings.Contains(s.RequestURL, "?") {
		sep = "?"
	}
	return s.RequestURL + sep + "audience=" + url.QueryEscape(audience)
}

// Fetch gets a token for audience and decodes its claims. onToken is called with the raw
// token the moment it arrives, before any other use, so the caller can mask it first.
func (s *Source) Fetch(ctx context.Context, audience string, onToken func(raw string)) (*Token, error) {
	req := httpcall.Request{
		Call:   Call,
		Method: http.MethodGet,
		URL:    s.URL(audience),
		Header: http.Header{
			"Authorization": {"Bearer " + s.RequestToken},
			"Accept":        {"application/json; api-version=2.0"},
		},
	}
	var raw string
	_, _, err := httpcall.Do(ctx, s.Client, s.Retry, req, func(r *httpcall.Response) error {
		if r.Status != http.StatusOK {
			return classify(r)
		}
		// A 200 that is not a token is a broken answer, not a busy one: final.
		if err := httpcall.CheckJSON(Call, r); err != nil {
			return err
		}
		var body struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			return fmt.Errorf("%s: answer is not valid JSON: %v", Call, err)
		}
		if body.Value == "" {
			return fmt.Errorf("%s: answer has no token in \"value\"", Call)
		}
		if onToken != nil {
			onToken(body.Value)
		}
		raw = body.Value
		return nil
	})
	if err != nil {
		return nil, err
	}
	claims, err := Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Call, err)
	}
	return &Token{Raw: raw, Audience: audience, Claims: claims}, nil
}

// classify reads a refusal. GitHub answers 403 "Can't issue ID_TOKEN for job in 'Pending'
// state" for a job that has not quite started; that clears in seconds, so it is retried.
func classify(r *httpcall.Response) error {
	msg := message(r.Body)
	if r.Status == http.StatusForbidden && strings.Contains(strings.ToLower(msg), "pending") {
		return retry.Transient(&httpcall.StatusError{Call: Call, Status: r.Status, Detail: msg}, httpcall.RetryAfter(r.Header))
	}
	err := httpcall.Fail(Call, r, msg)
	if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
		return fmt.Errorf("%w (the runner refused the request token; it is valid only inside the job that received it)", err)
	}
	return err
}

// message extracts the runner's error text; anything else (a proxy's HTML page) is left out
// rather than echoed into the log.
func message(b []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(b, &e) == nil && e.Message != "" {
		if len(e.Message) > 300 {
			return e.Message[:300] + "…"
		}
		return e.Message
	}
	return ""
}
