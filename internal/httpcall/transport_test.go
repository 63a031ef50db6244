package httpcall

import (
	"context"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

func TestTransportPlainHTTPLoadsNoRoots(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	tr := NewTransport()
	get(t, tr, srv.URL)
	tr.CloseIdleConnections()
	if tr.built.Load() {
		t.Fatal("a plain http request built the TLS transport (and loaded the roots)")
	}
}

func TestTransportVerifiesTLS(t *testing.T) {
	// httptest's certificate is signed by no root of the system: refused, as a certificate
	// error, so the TLS transport verifies against the roots it was given.
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	tr := NewTransport()
	_, err := (&http.Client{Transport: tr}).Get(srv.URL)
	if err == nil || !IsCertificateError(err) {
		t.Fatalf("got %v, want a certificate error", err)
	}
	if !tr.built.Load() {
		t.Fatal("an https request did not go through the TLS transport")
	}
}

func TestTransportNeedsTLS(t *testing.T) {
	tr := NewTransport()
	for _, c := range []struct {
		url, proxy string
		want       bool
	}{
		{"https://sts.googleapis.com/v1/token", "", true},
		{"http://127.0.0.1:8200/v1/auth/jwt/login", "", false},
		{"http://vault:8200/v1/auth/jwt/login", "http://proxy:3128", false},
		{"http://vault:8200/v1/auth/jwt/login", "socks5://proxy:1080", false},
		{"http://vault:8200/v1/auth/jwt/login", "https://proxy:3129", true},
		{"https://sts.amazonaws.com/", "http://proxy:3128", true},
	} {
		tr.plain.Proxy = func(*http.Request) (*url.URL, error) {
			if c.proxy == "" {
				return nil, nil
			}
			return url.Parse(c.proxy)
		}
		r, err := http.NewRequest(http.MethodGet, c.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.needsTLS(r); got != c.want {
			t.Errorf("%s via %q: needsTLS %v, want %v", c.url, c.proxy, got, c.want)
		}
	}
}

// tlsServer is an https server that counts the connections it accepts and signals each
// one it closes on closed, if given.
func tlsServer(t *testing.T, closed ...chan struct{}) (*httptest.Server, *atomic.Int32) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch {
		case s == http.StateNew:
			conns.Add(1)
		case s == http.StateClosed && len(closed) > 0:
			closed[0] <- struct{}{}
		}
	}
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func trusting(srv *httptest.Server) *Transport {
	return newTransport(func() (*x509.CertPool, error) {
		p := x509.NewCertPool()
		p.AddCert(srv.Certificate())
		return p, nil
	})
}

func get(t *testing.T, tr *Transport, url string) *http.Response {
	t.Helper()
	res, err := (&http.Client{Transport: tr}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "ok" {
		t.Fatalf("got %q", b)
	}
	return res
}

// TestPreconnectServesTheFirstRequest: the connection Preconnect opens is the one the first
// request uses (one connection in all, twice the same host twice), HTTP/2 still negotiated,
// and the server verified against the transport's roots.
func TestPreconnectServesTheFirstRequest(t *testing.T) {
	srv, conns := tlsServer(t)
	tr := trusting(srv)
	tr.Preconnect(context.Background(), srv.URL+"/v1/token", srv.URL+"/v1/other")
	res := get(t, tr, srv.URL+"/v1/token")
	get(t, tr, srv.URL+"/v1/other")
	if n := conns.Load(); n != 1 {
		t.Errorf("the server accepted %d connections, want 1", n)
	}
	if res.ProtoMajor != 2 {
		t.Errorf("protocol %s, want HTTP/2 as without a preconnection", res.Proto)
	}
	tr.mu.Lock()
	left := len(tr.pending)
	tr.mu.Unlock()
	if left != 0 {
		t.Errorf("%d preconnections left after the request took its own", left)
	}
}

// TestPreconnectSkips: plain http, and https through a proxy (whose tunnel net/http opens
// itself), are not preconnected.
func TestPreconnectSkips(t *testing.T) {
	srv, conns := tlsServer(t)
	tr := trusting(srv)
	tr.plain.Proxy = func(r *http.Request) (*url.URL, error) {
		if r.URL.Hostname() == "proxied.example" {
			return url.Parse("http://127.0.0.1:1")
		}
		return nil, nil
	}
	tr.Preconnect(context.Background(), "http://127.0.0.1:8200/v1/auth", "https://proxied.example/v1/token", "::not a url")
	tr.mu.Lock()
	n := len(tr.pending)
	tr.mu.Unlock()
	if n != 0 || conns.Load() != 0 {
		t.Errorf("%d preconnections, %d connections; want none", n, conns.Load())
	}
}

// TestPreconnectFailureIsTheRequestsOwn: a server the roots do not trust fails the
// preconnection quietly; the request then dials again and fails with the certificate error
// it would have had anyway (final, not retried).
func TestPreconnectFailureIsTheRequestsOwn(t *testing.T) {
	srv, conns := tlsServer(t)
	tr := newTransport(func() (*x509.CertPool, error) { return x509.NewCertPool(), nil })
	tr.Preconnect(context.Background(), srv.URL)
	_, err := (&http.Client{Transport: tr}).Get(srv.URL)
	if err == nil || !IsCertificateError(err) {
		t.Fatalf("got %v, want a certificate error", err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("the server accepted %d connections, want 2 (the preconnection, the request's)", n)
	}
}

// TestPreconnectClosedWhenUnused: CloseIdleConnections closes a preconnection no request took.
func TestPreconnectClosedWhenUnused(t *testing.T) {
	closed := make(chan struct{}, 1)
	srv, _ := tlsServer(t, closed)
	tr := trusting(srv)
	tr.Preconnect(context.Background(), srv.URL)
	tr.CloseIdleConnections()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the unused preconnection was not closed")
	}
}

// TestPreconnectTooOldIsReplaced: a preconnection that waited longer than the idle bound is
// closed and the request dials its own.
func TestPreconnectTooOldIsReplaced(t *testing.T) {
	srv, conns := tlsServer(t)
	tr := trusting(srv)
	tr.maxIdle = 0
	tr.Preconnect(context.Background(), srv.URL)
	get(t, tr, srv.URL)
	if n := conns.Load(); n != 2 {
		t.Errorf("the server accepted %d connections, want 2 (the stale preconnection, the request's)", n)
	}
}
