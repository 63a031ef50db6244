// Package httpcall makes one remote HTTP call the way every provider needs it: under the
// retry policy, with a per-attempt timeout inside the step deadline, a bounded body, and
// network faults (resets, timeouts, bodies cut short) treated as transient. What an answer
// means is left to the caller's classify function, which knows the service.
package httpcall

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/internal/retry"
)

const (
	// MaxBody bounds what we read of an answer; every real answer is a few KiB.
	MaxBody = 1 << 20
	// UserAgent identifies us to services (and in their audit logs).
	UserAgent = "oidc-login"
)

// NewClient returns the HTTP client of every call: a Transport (proxies from
// HTTPS_PROXY/NO_PROXY, the system roots with SSL_CERT_FILE and SSL_CERT_DIR honoured as Go
// honours them), and no redirects, which no login endpoint uses and which would carry tokens
// to another host.
func NewClient() *http.Client {
	return &http.Client{
		Transport: NewTransport(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Request is one call to make.
type Request struct {
	// Call names the call in errors, e.g. "Vault JWT login".
	Call   string
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// CAInput is the input that adds CAs to trust for this server (vault-ca-certificate), named
	// with SSL_CERT_FILE when its certificate is not trusted; "" when the provider has none.
	CAInput string
}

// PostForm is the request every OAuth-style token endpoint takes: a form POST answered in
// JSON.
func PostForm(call, url string, form neturl.Values) Request {
	return Request{
		Call:   call,
		Method: http.MethodPost,
		URL:    url,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}},
		Body:   []byte(form.Encode()),
	}
}

// Response is a complete answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Classify turns an answer into nil (accept), a final error, or retry.Transient(err).
type Classify func(*Response) error

// Do sends req until classify accepts the answer, the failure is final, or the policy gives
// up. It returns the accepted answer and the number of attempts made.
func Do(ctx context.Context, c *http.Client, p retry.Policy, req Request, classify Classify) (*Response, int, error) {
	var resp *Response
	n, err := p.Do(ctx, req.Call, func(ctx context.Context, _ int) error {
		ctx, cancel := p.Attempt(ctx)
		defer cancel()
		r, err := once(ctx, c, req)
		if err != nil {
			return err
		}
		if err := classify(r); err != nil {
			return err
		}
		resp = r
		return nil
	})
	return resp, n, err
}

func once(ctx context.Context, c *http.Client, req Request) (*Response, error) {
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req.Call, err)
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	if hr.Header.Get("User-Agent") == "" {
		hr.Header.Set("User-Agent", UserAgent)
	}
	res, err := c.Do(hr)
	if err != nil {
		e := fmt.Errorf("%s: %s", req.Call, networkFault(err))
		if IsCertificateError(err) {
			// A certificate the client does not trust will not be trusted on the next try.
			trust := "SSL_CERT_FILE"
			if req.CAInput != "" {
				trust = req.CAInput + ", or SSL_CERT_FILE,"
			}
			return nil, fmt.Errorf("%w (set %s to the CA that signed the server's certificate)", e, trust)
		}
		return nil, retry.Transient(e, 0)
	}
	defer res.Body.Close()
	b, err := readBounded(res.Body)
	if IsTooLarge(err) {
		return nil, fmt.Errorf("%s: %w", req.Call, err)
	}
	if err != nil {
		return nil, retry.Transient(fmt.Errorf("%s: answer cut off (HTTP %d): %s", req.Call, res.StatusCode, networkFault(err)), 0)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b}, nil
}

// networkFault describes a transport error without the request URL, which Go's url.Error
// repeats and which says nothing new.
func networkFault(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer within the attempt's time limit"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "connection closed before the answer was complete"
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			err = inner
		}
	}
	return err.Error()
}

// IsCertificateError reports a TLS verification failure, which no retry can cure.
func IsCertificateError(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid)
}

// RetryAfter reads a Retry-After header in seconds (the form these services send).
func RetryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// IsTransientStatus reports the HTTP statuses that every service here means as "try again".
func IsTransientStatus(code int) bool {
	return code == http.StatusTooManyRequests || code >= 500
}

// StatusError is an answer whose status the caller could not accept.
type StatusError struct {
	Call   string
	Status int
	// Detail is the service's own error code and message, already extracted.
	Detail string
}

func (e *StatusError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("%s: HTTP %d", e.Call, e.Status)
	}
	return fmt.Sprintf("%s: HTTP %d: %s", e.Call, e.Status, e.Detail)
}

// Fail builds the error for an unaccepted answer: transient for 429 and 5xx (honouring
// Retry-After), final otherwise.
func Fail(call string, r *Response, detail string) error {
	err := &StatusError{Call: call, Status: r.Status, Detail: detail}
	if IsTransientStatus(r.Status) {
		return retry.Transient(err, RetryAfter(r.Header))
	}
	return err
}

// CheckJSON refuses a 2xx answer that is not JSON, naming what came instead; an empty or
// mislabelled answer must never be read as an empty credential.
func CheckJSON(call string, r *Response) error {
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return fmt.Errorf("%s: empty answer (HTTP %d)", call, r.Status)
	}
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
		return fmt.Errorf("%s: expected a JSON answer, got Content-Type %q (HTTP %d)", call, ct, r.Status)
	}
	return nil
}
