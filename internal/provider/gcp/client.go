package gcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
)

// The OAuth 2.0 token exchange (RFC 8693) values STS expects.
const (
	grantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	tokenTypeJWT       = "urn:ietf:params:oauth:token-type:jwt"
	tokenTypeAccess    = "urn:ietf:params:oauth:token-type:access_token"
	iamGenerateAccess  = "generateAccessToken"
	iamGenerateIDToken = "generateIdToken"
	stsTransientCode   = "temporarily_unavailable"
)

// client makes Google's calls over httpcall, so every one of them runs under the step's one
// retry policy. (golang.org/x/oauth2/google/externalaccount would make the same calls, but
// retries nothing itself, hides Google's error codes inside strings, cannot mint ID tokens,
// and would have to be retried as a whole chain; the e2e tests use it as the consumer of the
// credentials file instead.)
type client struct {
	cfg    Config
	env    provider.Env
	claims idtoken.Claims
	// audienceFrom is which input chose the token's audience.
	audienceFrom idtoken.AudienceChoice
}

func (c *client) target() trustTarget {
	return trustTarget{
		Provider: c.cfg.Provider, ProjectNumber: c.cfg.ProjectNumber, Pool: c.cfg.Pool, ProviderID: c.cfg.ProviderID,
		ServiceAccount: c.cfg.ServiceAccount, Project: c.cfg.ProjectID, Delegates: c.cfg.Delegates,
		AudienceFrom: c.audienceFrom,
	}
}

// federated is STS's answer.
type federated struct {
	Token   string
	Expires time.Time
}

// exchange trades the GitHub ID token for a federated access token.
func (c *client) exchange(ctx context.Context, subjectToken string, scopes []string) (*federated, error) {
	form := url.Values{
		"grant_type":           {grantTokenExchange},
		"audience":             {c.cfg.Audience()},
		"scope":                {strings.Join(scopes, " ")},
		"requested_token_type": {tokenTypeAccess},
		"subject_token_type":   {tokenTypeJWT},
		"subject_token":        {subjectToken},
	}
	req := httpcall.PostForm(stsCall, c.cfg.TokenURL(), form)
	var out federated
	_, _, err := httpcall.Do(ctx, c.env.HTTP, c.env.Retry, req, func(r *httpcall.Response) error {
		if r.Status != http.StatusOK {
			return c.stsRefusal(r)
		}
		if err := httpcall.CheckJSON(stsCall, r); err != nil {
			return err
		}
		var body struct {
			AccessToken string `json:"access_token"`
			TokenType   string `json:"token_type"`
			ExpiresIn   int64  `json:"expires_in"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			return fmt.Errorf("%s: the answer is not valid JSON: %v", stsCall, err)
		}
		if body.AccessToken == "" || body.ExpiresIn <= 0 {
			return fmt.Errorf("%s: the answer has no access_token or expires_in", stsCall)
		}
		out = federated{Token: body.AccessToken, Expires: c.env.Now().Add(time.Duration(body.ExpiresIn) * time.Second).UTC().Truncate(time.Second)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// stsRefusal reads STS's OAuth error ({"error","error_description"}). Throttling and server
// errors are retried; every other answer is a refusal and final.
func (c *client) stsRefusal(r *httpcall.Response) error {
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(r.Body, &body) != nil || body.Error == "" {
		return httpcall.Fail(stsCall, r, "")
	}
	if httpcall.IsTransientStatus(r.Status) || body.Error == stsTransientCode {
		return retry.Transient(&httpcall.StatusError{Call: stsCall, Status: r.Status, Detail: body.Error + ": " + body.Description}, httpcall.RetryAfter(r.Header))
	}
	return explainSTS(body.Error, body.Description, c.target(), c.claims)
}

// accessToken is generateAccessToken's answer.
type accessToken struct {
	Token   string
	Expires time.Time
}

// generateAccessToken mints a service account access token with the federated token.
func (c *client) generateAccessToken(ctx context.Context, fed string) (*accessToken, error) {
	req := map[string]any{"scope": c.cfg.Scopes, "lifetime": fmt.Sprintf("%ds", c.cfg.LifetimeSeconds)}
	if len(c.cfg.Delegates) > 0 {
		req["delegates"] = c.cfg.delegateNames()
	}
	body, _ := json.Marshal(req)
	var out accessToken
	err := c.iam(ctx, iamGenerateAccess, fed, body, func(b []byte) error {
		var v struct {
			AccessToken string `json:"accessToken"`
			ExpireTime  string `json:"expireTime"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		exp, err := time.Parse(time.RFC3339, v.ExpireTime)
		if v.AccessToken == "" || err != nil {
			return fmt.Errorf("no accessToken or no RFC 3339 expireTime")
		}
		out = accessToken{Token: v.AccessToken, Expires: exp.UTC()}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// generateIDToken mints a Google-signed ID token for the service account.
func (c *client) generateIDToken(ctx context.Context, fed string) (string, error) {
	req := map[string]any{"audience": c.cfg.IDTokenAudience, "includeEmail": c.cfg.IncludeEmail}
	if len(c.cfg.Delegates) > 0 {
		req["delegates"] = c.cfg.delegateNames()
	}
	body, _ := json.Marshal(req)
	var token string
	err := c.iam(ctx, iamGenerateIDToken, fed, body, func(b []byte) error {
		var v struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		if v.Token == "" {
			return fmt.Errorf("no token")
		}
		token = v.Token
		return nil
	})
	return token, err
}

// iam calls one IAM Credentials method with the federated token as the bearer.
func (c *client) iam(ctx context.Context, method, fed string, body []byte, read func([]byte) error) error {
	call := iamCall + " " + method
	req := httpcall.Request{
		Call:   call,
		Method: http.MethodPost,
		URL:    c.cfg.IAMURL(method),
		Header: http.Header{"Authorization": {"Bearer " + fed}, "Content-Type": {"application/json"}, "Accept": {"application/json"}},
		Body:   body,
	}
	_, _, err := httpcall.Do(ctx, c.env.HTTP, c.env.Retry, req, func(r *httpcall.Response) error {
		if r.Status != http.StatusOK {
			return c.iamRefusal(method, r)
		}
		if err := httpcall.CheckJSON(call, r); err != nil {
			return err
		}
		if err := read(r.Body); err != nil {
			var syntax *json.SyntaxError
			if errors.As(err, &syntax) {
				return fmt.Errorf("%s: the answer is not valid JSON: %v", call, err)
			}
			return fmt.Errorf("%s: the answer could not be read: %v", call, err)
		}
		return nil
	})
	return err
}

// transientStatuses are google.rpc codes that clear on their own.
var transientStatuses = map[string]bool{"UNAVAILABLE": true, "RESOURCE_EXHAUSTED": true, "INTERNAL": true, "DEADLINE_EXCEEDED": true, "ABORTED": true}

// iamRefusal reads a google.rpc error ({"error":{"code","message","status"}}).
func (c *client) iamRefusal(method string, r *httpcall.Response) error {
	call := iamCall + " " + method
	var body struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Status  string `json:"status"`
		} `json:"error"`
	}
	if json.Unmarshal(r.Body, &body) != nil || (body.Error.Status == "" && body.Error.Message == "") {
		return httpcall.Fail(call, r, "")
	}
	if httpcall.IsTransientStatus(r.Status) || transientStatuses[body.Error.Status] {
		return retry.Transient(&httpcall.StatusError{Call: call, Status: r.Status, Detail: body.Error.Status + ": " + body.Error.Message}, httpcall.RetryAfter(r.Header))
	}
	return explainIAM(method, r.Status, body.Error.Status, body.Error.Message, c.target(), c.claims)
}
