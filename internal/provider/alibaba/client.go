package alibaba

import (
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
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
)

// The RPC API's fixed parameters for this call.
const (
	action     = "AssumeRoleWithOIDC"
	apiVersion = "2015-04-01"
	// timestampLayout is the ISO 8601 UTC form the RPC gateway requires.
	timestampLayout = "2006-01-02T15:04:05Z"
)

// answer is STS's JSON answer to a successful AssumeRoleWithOIDC.
type answer struct {
	RequestID     string `json:"RequestId"`
	OIDCTokenInfo struct {
		Subject   string `json:"Subject"`
		Issuer    string `json:"Issuer"`
		ClientIDs string `json:"ClientIds"`
	} `json:"OIDCTokenInfo"`
	AssumedRoleUser struct {
		ARN    string `json:"Arn"`
		RoleID string `json:"AssumedRoleId"`
	} `json:"AssumedRoleUser"`
	Credentials struct {
		AccessKeyID     string `json:"AccessKeyId"`
		AccessKeySecret string `json:"AccessKeySecret"`
		SecurityToken   string `json:"SecurityToken"`
		Expiration      string `json:"Expiration"`
	} `json:"Credentials"`
}

// apiError is the RPC gateway's error body, the same for every Alibaba Cloud product.
type apiError struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

// transient reports the codes that clear on their own: throttling of every flavour
// (Throttling, Throttling.User, Throttling.Api) and the gateway's own outages.
func transient(code string) bool {
	return code == "Throttling" || strings.HasPrefix(code, "Throttling.") ||
		code == "ServiceUnavailable" || code == "InternalError" || code == "UnknownError"
}

// assumeRole makes the anonymous (unsigned) AssumeRoleWithOIDC call: the OIDC token is the
// only credential, so there is no AccessKeyId, Signature or SignatureNonce.
func (p *Provider) assumeRole(ctx context.Context, tok *idtoken.Token, env provider.Env) (*answer, error) {
	c := p.cfg
	form := url.Values{
		"Action":          {action},
		"Version":         {apiVersion},
		"Format":          {"JSON"},
		"Timestamp":       {env.Now().UTC().Format(timestampLayout)},
		"RoleArn":         {c.RoleARN},
		"OIDCProviderArn": {c.ProviderARN},
		"OIDCToken":       {tok.Raw},
		"RoleSessionName": {c.SessionName},
		"DurationSeconds": {strconv.Itoa(c.DurationSeconds)},
	}
	if c.Policy != "" {
		form.Set("Policy", c.Policy)
	}
	req := httpcall.PostForm(assumeCall, c.Endpoint+"/", form)
	var out answer
	_, _, err := httpcall.Do(ctx, env.HTTP, env.Retry, req, func(r *httpcall.Response) error {
		if r.Status == http.StatusOK {
			return decode(r, &out)
		}
		return p.refusal(r, tok)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// decode reads a 200 answer; one without credentials is broken, never an empty login.
func decode(r *httpcall.Response, out *answer) error {
	if err := httpcall.CheckJSON(assumeCall, r); err != nil {
		return err
	}
	if err := json.Unmarshal(r.Body, out); err != nil {
		return fmt.Errorf("%s: the answer is not valid JSON: %v", assumeCall, err)
	}
	cr := out.Credentials
	if cr.AccessKeyID == "" || cr.AccessKeySecret == "" || cr.SecurityToken == "" || out.AssumedRoleUser.ARN == "" {
		return fmt.Errorf("%s: the answer has no credentials (RequestId %s)", assumeCall, out.RequestID)
	}
	return nil
}

// refusal sorts an error answer into transient (retried) and final (explained) ones.
func (p *Provider) refusal(r *httpcall.Response, tok *idtoken.Token) error {
	var e apiError
	if json.Unmarshal(r.Body, &e) != nil || e.Code == "" {
		// A proxy's or load balancer's page, not the gateway's answer.
		return httpcall.Fail(assumeCall, r, "")
	}
	if transient(e.Code) || httpcall.IsTransientStatus(r.Status) {
		return retry.Transient(&httpcall.StatusError{Call: assumeCall, Status: r.Status, Detail: e.Code + ": " + e.Message},
			httpcall.RetryAfter(r.Header))
	}
	return explain(failure{
		Code: e.Code, Message: e.Message, RequestID: e.RequestID, Recommend: e.Recommend,
		RoleARN: p.cfg.RoleARN, ProviderARN: p.cfg.ProviderARN, AudienceFrom: tok.AudienceFrom,
	}, tok.Claims)
}

// parseTime reads the answer's ISO 8601 expiry; zero when absent or unreadable.
func parseTime(v string) time.Time {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
