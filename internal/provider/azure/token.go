package azure

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

	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/lazyre"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
)

// The client-credentials grant with a JWT client assertion (RFC 7523), as Entra ID takes it.
const (
	grantType     = "client_credentials"
	assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

const (
	// PropagationAttempts bounds how often AADSTS70021 is tried: Entra ID answers it for a
	// short while after a federated credential is created, so a brand-new setup deserves a
	// second look, but a wrong one must not burn the whole retry budget.
	PropagationAttempts = 3
	// PropagationWait is the least wait before asking again after AADSTS70021; the retry
	// policy's backoff is tuned for overloaded servers, not for replication.
	PropagationWait = 3 * time.Second
)

// transientCodes are AADSTS codes that mean "try again": 90033 (a transient error) and 90055
// (tenant throttling). 50196 (client request loop) is deliberately final: retrying feeds it.
var transientCodes = map[int]bool{90033: true, 90055: true}

// accessToken is the answer of the token endpoint.
type accessToken struct {
	Token   string
	Expires time.Time
}

// tokenAnswer is Entra ID's success body. expires_in is a number at the v2.0 endpoint, but
// older endpoints and some proxies send it as a string, so both are read.
type tokenAnswer struct {
	TokenType   string          `json:"token_type"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
	AccessToken string          `json:"access_token"`
}

// aadError is Entra ID's error body.
type aadError struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
}

// exchange runs the client-credentials grant with the ID token as client_assertion, under the
// one retry policy, and returns the access token.
func (p *Provider) exchange(ctx context.Context, tok *idtoken.Token, env provider.Env) (*accessToken, error) {
	c := p.cfg
	form := url.Values{
		"client_id":             {c.ClientID},
		"scope":                 {c.Scope},
		"grant_type":            {grantType},
		"client_assertion_type": {assertionType},
		"client_assertion":      {tok.Raw},
	}
	req := httpcall.PostForm(tokenCall, c.TokenURL(), form)
	// The expiry is counted from before the first attempt, so it is never later than Entra's.
	start := env.Now()
	propagation := 0
	var at *accessToken
	_, _, err := httpcall.Do(ctx, env.HTTP, env.Retry, req, func(r *httpcall.Response) error {
		if r.Status == http.StatusOK {
			var err error
			at, err = readToken(r, start)
			return err
		}
		return p.refusal(r, tok, &propagation)
	})
	if err != nil {
		return nil, err
	}
	return at, nil
}

func readToken(r *httpcall.Response, start time.Time) (*accessToken, error) {
	if err := httpcall.CheckJSON(tokenCall, r); err != nil {
		return nil, err
	}
	var a tokenAnswer
	if err := json.Unmarshal(r.Body, &a); err != nil {
		return nil, fmt.Errorf("%s: the answer is not valid JSON", tokenCall)
	}
	if a.AccessToken == "" {
		return nil, fmt.Errorf("%s: the answer has no access_token", tokenCall)
	}
	if a.TokenType != "" && !strings.EqualFold(a.TokenType, "Bearer") {
		return nil, fmt.Errorf("%s: the answer's token_type is %q, not Bearer", tokenCall, a.TokenType)
	}
	secs, err := strconv.Atoi(strings.Trim(string(bytes.TrimSpace(a.ExpiresIn)), `"`))
	if err != nil || secs <= 0 {
		return nil, fmt.Errorf("%s: the answer has no valid expires_in", tokenCall)
	}
	return &accessToken{Token: a.AccessToken, Expires: start.Add(time.Duration(secs) * time.Second).UTC().Truncate(time.Second)}, nil
}

var traceLineRE = lazyre.New(`(?m)^\s*(Trace ID|Correlation ID|Timestamp):.*$`)

// describe is the service's description without its AADSTS prefix and trace lines, on one
// line, with the trace and correlation ids Microsoft support asks for.
func (e aadError) describe(code int) string {
	d := traceLineRE().ReplaceAllString(e.Description, "")
	d = strings.TrimPrefix(strings.TrimSpace(d), fmt.Sprintf("AADSTS%d:", code))
	d = strings.Join(strings.Fields(d), " ")
	if d == "" {
		d = e.Error
	}
	var ids []string
	if e.TraceID != "" {
		ids = append(ids, "trace ID "+e.TraceID)
	}
	if e.CorrelationID != "" {
		ids = append(ids, "correlation ID "+e.CorrelationID)
	}
	if len(ids) > 0 {
		d += " (" + strings.Join(ids, ", ") + ")"
	}
	return d
}

var aadCodeRE = lazyre.New(`AADSTS(\d+)`)

// code is the AADSTS number: error_codes[0], or the one the description starts with.
func (e aadError) code() int {
	if len(e.Codes) > 0 {
		return e.Codes[0]
	}
	if m := aadCodeRE().FindStringSubmatch(e.Description); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// refusal classifies a non-200 answer: throttling, 5xx and Entra's transient codes are
// retried; AADSTS70021 is retried a few times for replication; every other refusal is final
// and explained.
func (p *Provider) refusal(r *httpcall.Response, tok *idtoken.Token, propagation *int) error {
	var e aadError
	if json.Unmarshal(r.Body, &e) != nil || (e.Error == "" && e.Description == "") {
		return httpcall.Fail(tokenCall, r, "")
	}
	code := e.code()
	if httpcall.IsTransientStatus(r.Status) || transientCodes[code] || e.Error == "temporarily_unavailable" {
		detail := e.Error
		if code != 0 {
			detail = fmt.Sprintf("AADSTS%d: %s", code, e.describe(code))
		}
		return retry.Transient(&httpcall.StatusError{Call: tokenCall, Status: r.Status, Detail: detail}, httpcall.RetryAfter(r.Header))
	}
	if code == 0 {
		return &httpcall.StatusError{Call: tokenCall, Status: r.Status, Detail: e.Error + ": " + e.describe(0)}
	}
	t := p.target()
	t.AudienceFrom = tok.AudienceFrom
	d := explain(code, e.describe(code), t, tok.Claims)
	if code == AADSTSNoMatchingRecord {
		*propagation++
		if *propagation < PropagationAttempts {
			return retry.Transient(d, p.propagationWait)
		}
		d.Cause = fmt.Sprintf("Entra ID gave this answer %d times in a row. %s", *propagation, d.Cause)
	}
	return d
}

func (p *Provider) target() trustTarget {
	c := p.cfg
	return trustTarget{
		ClientID:      c.ClientID,
		TenantID:      c.TenantID,
		Cloud:         c.Cloud.Name,
		AuthorityHost: c.AuthorityHost,
		Audience:      c.Cloud.Audience,
		CloudAudience: c.Cloud.PortalAudience,
		Graph:         c.Cloud.Graph,
	}
}
