package httpcall

import (
	"context"
	"crypto/tls"
	"crypto/x509"
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
// wait for answer headers, and the system roots (package sysroots) for TLS. Loading the roots
// is the dearest thing a login does, so they are loaded when the first request that needs TLS
// is sent (or Preconnect is called); a login whose calls are all plain http (loopback
// emulators, service containers) never loads them.
type Transport struct {
	plain *http.Transport
	tls   func() *http.Transport
	built atomic.Bool // the TLS transport

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
func NewTransport() *Transport { return newTransport(sysroots.Pool) }

// newTransport takes the roots from roots (tests pass their own CA).
func newTransport(roots func() (*x509.CertPool, error)) *Transport {
	plain := http.DefaultTransport.(*http.Transport).Clone()
	plain.Proxy = http.ProxyFromEnvironment
	plain.ResponseHeaderTimeout = retry.MaxAttemptTimeout
	tr := &Transport{plain: plain, pending: map[string]*pendingConn{}, maxIdle: maxPreconnectIdle}
	tr.tls = sync.OnceValue(func() *http.Transport {
		defer tr.built.Store(true)
		t := plain.Clone()
		// On an error or on macOS and Windows (nil), RootCAs stays nil and Go's own loader or
		// the platform's verifier decides, as it would without this package.
		t.TLSClientConfig = &tls.Config{}
		if pool, err := roots(); err == nil && pool != nil {
			t.TLSClientConfig.RootCAs = pool
		}
		// Our own TLS dialer, so that a connection Preconnect opened can serve the first
		// request. net/http uses it for every TLS connection it opens itself: to the server
		// when no proxy applies, or to an https proxy; through a proxy's CONNECT tunnel it
		// still does the handshake with TLSClientConfig. ForceAttemptHTTP2 (from
		// http.DefaultTransport) keeps HTTP/2 on with a custom dialer.
		t.DialTLSContext = tr.dialTLS
		// net/http settles HTTP/2 and writes the ALPN protocols into TLSClientConfig once, on
		// the first call of RoundTrip or CloseIdleConnections; settle it now, so tlsConfig can
		// copy the config before any request without racing that write.
		t.CloseIdleConnections()
		return t
	})
	return tr
}

// tlsConfig is the configuration of one TLS connection to addr (host:port), as net/http
// would make it: the transport's (roots, ALPN protocols), with the host as the name to
// verify.
func (t *Transport) tlsConfig(addr string) (*tls.Config, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	c := t.tls().TLSClientConfig.Clone()
	if c.ServerName == "" {
		c.ServerName = host
	}
	return c, nil
}

// handshake opens a verified TLS connection to addr.
func (t *Transport) handshake(ctx context.Context, addr string) (*tls.Conn, error) {
	cfg, err := t.tlsConfig(addr)
	if err != nil {
		return nil, err
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

// dialTLS is the TLS transport's dialer: the connection Preconnect opened to addr, if there
// is one, it succeeded and it has not waited too long, else a new one. A failed preconnection is not reported: the dial
// is simply made again, under the request's own context and retry policy.
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
// CAs of its own clones it (a clone dials with this Transport's preconnections and roots
// unless it replaces DialTLSContext).
func (t *Transport) TLS() *http.Transport { return t.tls() }

// CloseIdleConnections closes both transports' idle connections (http.Client calls it) and
// any preconnection no request took, without loading the roots for a TLS transport never
// used.
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
	if t.built.Load() {
		t.tls().CloseIdleConnections()
	}
}
