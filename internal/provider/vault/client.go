package vault

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/retry"
	"github.com/oidc-login/oidc-login/internal/sysroots"
)

// client makes the calls of one login to one Vault server.
type client struct {
	http      *http.Client
	retry     retry.Policy
	addr      string
	namespace string
}

// newClient trusts extra CAs (vault-ca-certificate) on top of the system roots, in a copy of
// the step's client so proxies, timeouts and the no-redirect rule still hold.
func newClient(base *http.Client, p retry.Policy, addr, namespace string, cas []*x509.Certificate) *client {
	c := &client{http: base, retry: p, addr: addr, namespace: namespace}
	if len(cas) == 0 {
		return c
	}
	var t *http.Transport
	switch bt := base.Transport.(type) {
	case *httpcall.Transport:
		t = bt.TLS().Clone()
		t.DialTLSContext = nil // its dialer verifies with the step's roots, not this pool
	case *http.Transport:
		t = bt.Clone()
	case nil:
		t = http.DefaultTransport.(*http.Transport).Clone()
	default:
		t = httpcall.NewTransport().TLS().Clone()
	}
	// The roots the step's client trusts (package sysroots) when they are loaded here; on
	// macOS and Windows, Go's pool, which defers to the platform's store.
	pool, err := sysroots.Pool()
	if pool != nil {
		pool = pool.Clone()
	} else {
		pool, err = x509.SystemCertPool()
	}
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	for _, ca := range cas {
		pool.AddCert(ca)
	}
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.RootCAs = pool
	hc := *base
	hc.Transport = t
	c.http = &hc
	return c
}

// header is what every call sends: the namespace only when one is set, since an empty
// X-Vault-Namespace is not the same as none behind some proxies.
func (c *client) header(token string) http.Header {
	h := http.Header{"X-Vault-Request": {"true"}}
	if c.namespace != "" {
		h.Set("X-Vault-Namespace", c.namespace)
	}
	if token != "" {
		h.Set("X-Vault-Token", token)
	}
	return h
}

// url is the API URL of path; each segment is escaped, so a secret path cannot smuggle a
// query or climb out of /v1/.
func (c *client) url(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return c.addr + "/v1/" + strings.Join(segs, "/")
}

// do makes one call under the retry policy.
func (c *client) do(ctx context.Context, call, method, path, token string, body []byte, classify httpcall.Classify) (*httpcall.Response, error) {
	h := c.header(token)
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	r, _, err := httpcall.Do(ctx, c.http, c.retry, httpcall.Request{Call: call, Method: method, URL: c.url(path), Header: h, Body: body, CAInput: "vault-ca-certificate"}, classify)
	return r, err
}

// errorBody is Vault's error answer.
type errorBody struct {
	Errors   []string `json:"errors"`
	Warnings []string `json:"warnings"`
}

// parseErrors reads {"errors":[…]} from an answer; a proxy's HTML page gives none.
func parseErrors(b []byte) errorBody {
	var e errorBody
	_ = json.Unmarshal(b, &e)
	return e
}

// transient reports the statuses Vault means as "try again": 412 (a performance standby
// has not caught up yet), 429 and 5xx.
func transient(status int) bool {
	return status == http.StatusPreconditionFailed || httpcall.IsTransientStatus(status)
}

// failTransient is the retryable error of such an answer, honouring Retry-After.
func failTransient(call string, r *httpcall.Response, detail string) error {
	return retry.Transient(&httpcall.StatusError{Call: call, Status: r.Status, Detail: detail}, httpcall.RetryAfter(r.Header))
}

// unreadable describes an answer that could not be decoded, naming the fault: not JSON at all
// (a proxy's page, a body garbled or cut short on the way) or JSON of another shape.
func unreadable(err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the answer is not valid JSON: " + err.Error()
	}
	return "the answer is not Vault's JSON: " + err.Error()
}
