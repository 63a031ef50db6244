package httpcall

import (
	"crypto/tls"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/oidc-login/oidc-login/internal/retry"
	"github.com/oidc-login/oidc-login/internal/sysroots"
)

// Transport is every call's round tripper: proxies from HTTPS_PROXY/NO_PROXY, a bound on the
// wait for answer headers, and the system roots (package sysroots) for TLS. Loading the roots
// is the dearest thing a login does, so they are loaded when the first request that needs TLS
// is sent; a login whose calls are all plain http (loopback emulators, service containers)
// never loads them.
type Transport struct {
	plain *http.Transport
	tls   func() *http.Transport
	built atomic.Bool // the TLS transport
}

// NewTransport returns a Transport with nothing loaded yet.
func NewTransport() *Transport {
	plain := http.DefaultTransport.(*http.Transport).Clone()
	plain.Proxy = http.ProxyFromEnvironment
	plain.ResponseHeaderTimeout = retry.MaxAttemptTimeout
	tr := &Transport{plain: plain}
	tr.tls = sync.OnceValue(func() *http.Transport {
		defer tr.built.Store(true)
		t := plain.Clone()
		// On an error or on macOS and Windows (nil), RootCAs stays nil and Go's own loader or
		// the platform's verifier decides, as it would without this package.
		if pool, err := sysroots.Pool(); err == nil && pool != nil {
			t.TLSClientConfig = &tls.Config{RootCAs: pool}
		}
		return t
	})
	return tr
}

// RoundTrip sends r on the transport that fits it.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.needsTLS(r) {
		return t.tls().RoundTrip(r)
	}
	return t.plain.RoundTrip(r)
}

// needsTLS: https, or plain http through an https proxy. A proxy setting that does not parse
// is left to the plain transport, which reports it.
func (t *Transport) needsTLS(r *http.Request) bool {
	if r.URL.Scheme != "http" {
		return true
	}
	p, err := t.plain.Proxy(r)
	return err == nil && p != nil && p.Scheme == "https"
}

// TLS returns the transport for TLS requests, waiting for the system roots; a caller adding
// CAs of its own clones it.
func (t *Transport) TLS() *http.Transport { return t.tls() }

// CloseIdleConnections closes both transports' idle connections (http.Client calls it),
// without loading the roots for a TLS transport never used.
func (t *Transport) CloseIdleConnections() {
	t.plain.CloseIdleConnections()
	if t.built.Load() {
		t.tls().CloseIdleConnections()
	}
}
