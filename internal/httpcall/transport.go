package httpcall

import (
	"context"
	"crypto/fips140"
	"crypto/tls"
	"net"
	"net/http"
	neturl "net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oidc-login/oidc-login/internal/retry"
	"github.com/oidc-login/oidc-login/internal/sysroots"
)

// Transport is every call's round tripper: proxies from HTTPS_PROXY/NO_PROXY, a bound on the
// wait for answer headers, and the system roots (package sysroots) for TLS. Nothing about TLS
// is prepared before a request (or Preconnect) needs it, so a login whose calls are all plain
// http (loopback emulators, service containers) never reads the roots.
//
// A request goes one of three ways: plain http, directly or through an http proxy (plain);
// TLS straight to the server (direct), through our own dialer, which can hand the request a
// connection Preconnect opened and verifies the server against the roots a chain can use
// (sysroots.Roots.Verify), exactly as crypto/tls would decide; anything else that needs TLS
// through a proxy (proxied), where net/http does the handshakes itself with Go's standard
// verifier and every root parsed.
type Transport struct {
	plain   *http.Transport
	direct  func() *http.Transport
	proxied func() *http.Transport
	roots   func() (*sysroots.Roots, error)
	// fromFiles: roots come from files and Roots verifies (Linux); elsewhere crypto/tls
	// verifies with the platform's verifier, untouched.
	fromFiles    bool
	directBuilt  atomic.Bool
	proxiedBuilt atomic.Bool

	mu      sync.Mutex
	pending map[string]*pendingConn // by host:port, until a dial takes it
	maxIdle time.Duration           // maxPreconnectIdle (tests shorten it)
}

// pendingConn is a TLS connection being opened ahead of its first request.
type pendingConn struct {
	done chan struct{}
	conn *tls.Conn
	err  error
	at   time.Time // when the handshake ended
}

// maxPreconnectIdle is how long a preconnection may wait for its request before a fresh
// dial is preferred: long after the ID token normally arrives, well inside the idle time
// servers keep a connection open, so the first request does not meet one the server has
// already closed (a closed new connection is not retried by net/http, only by our policy).
const maxPreconnectIdle = 10 * time.Second

// handshakeTimeout bounds a TLS handshake, as http.DefaultTransport's TLSHandshakeTimeout
// does (a transport with its own TLS dialer ignores that field).
const handshakeTimeout = 10 * time.Second

// NewTransport returns a Transport with nothing loaded yet.
func NewTransport() *Transport { return newTransport(sysroots.System, sysroots.FromFiles()) }

// newTransport takes the roots from roots (tests pass their own CA); fromFiles says whether
// they are read from files, as sysroots.FromFiles.
func newTransport(roots func() (*sysroots.Roots, error), fromFiles bool) *Transport {
	plain := http.DefaultTransport.(*http.Transport).Clone()
	plain.Proxy = http.ProxyFromEnvironment
	plain.ResponseHeaderTimeout = retry.MaxAttemptTimeout
	tr := &Transport{plain: plain, roots: roots, fromFiles: fromFiles, pending: map[string]*pendingConn{}, maxIdle: maxPreconnectIdle}
	tr.direct = sync.OnceValue(func() *http.Transport {
		defer tr.directBuilt.Store(true)
		t := plain.Clone()
		// Only requests no proxy applies to come here (route), so net/http opens every
		// connection with DialTLSContext, never with a handshake of its own.
		t.Proxy = nil
		t.TLSClientConfig = &tls.Config{}
		// Our own TLS dialer, so that a connection Preconnect opened can serve the first
		// request. ForceAttemptHTTP2 (from http.DefaultTransport) keeps HTTP/2 on with it.
		t.DialTLSContext = tr.dialTLS
		// net/http settles HTTP/2 and writes the ALPN protocols into TLSClientConfig once, on
		// the first call of RoundTrip or CloseIdleConnections; settle it now, so tlsConfig can
		// copy the config before any request without racing that write.
		t.CloseIdleConnections()
		return t
	})
	tr.proxied = sync.OnceValue(func() *http.Transport {
		defer tr.proxiedBuilt.Store(true)
		t := plain.Clone()
		// On an error or on macOS and Windows (nil), RootCAs stays nil and Go's own loader or
		// the platform's verifier decides, as it would without this package.
		t.TLSClientConfig = &tls.Config{}
		if r, err := roots(); err == nil && r != nil {
			t.TLSClientConfig.RootCAs = r.Pool()
		}
		return t
	})
	return tr
}

// tlsConfig is the configuration of one TLS connection to addr (host:port), as net/http
// would make it: the direct transport's (ALPN protocols), with the host as the name to
// verify. Where the roots come from files, the chain is checked in VerifyConnection by
// sysroots.Roots.Verify, which decides as crypto/tls does with the full pool (its options
// are those of handshake_client.go's verifyServerCertificate, go1.26.8: these roots, the
// current time, ServerName, the other certificates as intermediates) but parses only the
// roots the chain can use. crypto/tls still checks everything else (the handshake's
// signature, the key types); only its own chain check, which would need every root parsed,
// is replaced. In FIPS 140-3 mode crypto/tls also filters the chains, so it keeps its own
// check there.
func (t *Transport) tlsConfig(addr string) (*tls.Config, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	c := t.direct().TLSClientConfig.Clone()
	if c.ServerName == "" {
		c.ServerName = host
	}
	if t.fromFiles && !fips140.Enabled() {
		// The name verified is this config's, not ConnectionState.ServerName: that one is the
		// SNI sent, empty for an IP address, which must still match the certificate.
		name, roots := c.ServerName, t.roots
		c.InsecureSkipVerify = true
		c.VerifyConnection = func(cs tls.ConnectionState) error {
			r, err := roots()
			if err != nil {
				r = nil // Go's own loader reports the failure, as it would without sysroots
			}
			if _, err := r.Verify(cs.PeerCertificates, name, time.Now()); err != nil {
				return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
			}
			return nil
		}
	}
	return c, nil
}

// handshake opens a verified TLS connection to addr.
func (t *Transport) handshake(ctx context.Context, addr string) (*tls.Conn, error) {
	cfg, err := t.tlsConfig(addr)
	if err != nil {
		return nil, err
	}
	if cfg.VerifyConnection != nil {
		// The roots are needed only once the server's certificates arrive: read them while
		// the connection is opened and the hellos cross.
		go func() { _, _ = t.roots() }()
	}
	ctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	defer cancel()
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}, Config: cfg}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return c.(*tls.Conn), nil
}

// dialTLS is the direct transport's dialer: the connection Preconnect opened to addr, if
// there is one, it succeeded and it has not waited too long, else a new one. A failed
// preconnection is not reported: the dial is simply made again, under the request's own
// context and retry policy.
func (t *Transport) dialTLS(ctx context.Context, _, addr string) (net.Conn, error) {
	t.mu.Lock()
	p := t.pending[addr]
	delete(t.pending, addr)
	t.mu.Unlock()
	if p != nil {
		select {
		case <-p.done:
			if p.err == nil && time.Since(p.at) <= t.maxIdle {
				return p.conn, nil
			}
			if p.conn != nil {
				p.conn.Close()
			}
		case <-ctx.Done():
			go func() { // still opening: close it once it is open
				<-p.done
				if p.conn != nil {
					p.conn.Close()
				}
			}()
			return nil, ctx.Err()
		}
	}
	return t.handshake(ctx, addr)
}

// Preconnect starts opening, in the background, the TLS connection that the first request
// to each of urls will use, so the handshakes (and loading the roots) overlap what the
// caller waits for first: the ID token, which every call needs before it can be sent. It
// sends nothing: no request, so no call is added or repeated. Only https URLs reached
// without a proxy are preconnected, one connection per host:port; a connection no request
// takes is closed with the process (or CloseIdleConnections).
func (t *Transport) Preconnect(ctx context.Context, urls ...string) {
	for _, raw := range urls {
		u, err := neturl.Parse(raw)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			continue
		}
		if p, err := t.plain.Proxy(&http.Request{URL: u}); err != nil || p != nil {
			continue
		}
		addr := u.Host
		if u.Port() == "" {
			addr = net.JoinHostPort(u.Hostname(), "443")
		}
		t.mu.Lock()
		if _, open := t.pending[addr]; open {
			t.mu.Unlock()
			continue
		}
		p := &pendingConn{done: make(chan struct{})}
		t.pending[addr] = p
		t.mu.Unlock()
		go func() {
			defer close(p.done)
			p.conn, p.err = t.handshake(ctx, addr)
			p.at = time.Now()
		}()
	}
}

// RoundTrip sends r on the transport that fits it.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.route(r).RoundTrip(r)
}

// route picks r's transport: plain for http without a proxy or through a proxy reached in
// plain text, direct for TLS to the server itself, proxied for the rest. A proxy setting
// that does not parse is left to the plain transport, which reports it.
func (t *Transport) route(r *http.Request) *http.Transport {
	p, err := t.plain.Proxy(r)
	switch {
	case err != nil:
		return t.plain
	case p == nil && r.URL.Scheme == "http":
		return t.plain
	case p == nil:
		return t.direct()
	case r.URL.Scheme == "http" && p.Scheme != "https":
		return t.plain
	default:
		return t.proxied()
	}
}

// TLS returns the transport that verifies with Go's standard verifier against every system
// root (parsed in full) and honours proxies: for a caller adding CAs of its own to a clone.
func (t *Transport) TLS() *http.Transport { return t.proxied() }

// CloseIdleConnections closes every transport's idle connections (http.Client calls it) and
// any preconnection no request took, without building a TLS transport never used.
func (t *Transport) CloseIdleConnections() {
	t.plain.CloseIdleConnections()
	t.mu.Lock()
	pending := t.pending
	t.pending = map[string]*pendingConn{}
	t.mu.Unlock()
	for _, p := range pending {
		go func() {
			<-p.done
			if p.conn != nil {
				p.conn.Close()
			}
		}()
	}
	if t.directBuilt.Load() {
		t.direct().CloseIdleConnections()
	}
	if t.proxiedBuilt.Load() {
		t.proxied().CloseIdleConnections()
	}
}
