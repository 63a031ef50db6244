package httpcall

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/internal/sysroots"
)

func TestTransportPlainHTTPLoadsNoRoots(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	var loads atomic.Int32
	tr := newTransport(func() (*sysroots.Roots, error) {
		loads.Add(1)
		return sysroots.System()
	}, true)
	get(t, tr, srv.URL)
	tr.CloseIdleConnections()
	if n := loads.Load(); n != 0 || tr.directBuilt.Load() || tr.proxiedBuilt.Load() {
		t.Fatalf("a plain http request read the roots %d times (direct built %v, proxied built %v)", n, tr.directBuilt.Load(), tr.proxiedBuilt.Load())
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
	if !tr.directBuilt.Load() {
		t.Fatal("an https request did not go through the direct TLS transport")
	}
}

func TestTransportRoutes(t *testing.T) {
	tr := NewTransport()
	for _, c := range []struct {
		url, proxy string
		want       string
	}{
		{"https://sts.googleapis.com/v1/token", "", "direct"},
		{"http://127.0.0.1:8200/v1/auth/jwt/login", "", "plain"},
		{"http://vault:8200/v1/auth/jwt/login", "http://proxy:3128", "plain"},
		{"http://vault:8200/v1/auth/jwt/login", "socks5://proxy:1080", "plain"},
		{"http://vault:8200/v1/auth/jwt/login", "https://proxy:3129", "proxied"},
		{"https://sts.amazonaws.com/", "http://proxy:3128", "proxied"},
		{"https://sts.amazonaws.com/", "socks5://proxy:1080", "proxied"},
		{"https://sts.amazonaws.com/", "::bad", "plain"},
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
		got := map[*http.Transport]string{tr.plain: "plain", tr.direct(): "direct", tr.proxied(): "proxied"}[tr.route(r)]
		if got != c.want {
			t.Errorf("%s via %q: routed %s, want %s", c.url, c.proxy, got, c.want)
		}
	}
	if tr.direct().Proxy != nil {
		t.Error("the direct transport has a proxy function: net/http could then do a handshake of its own")
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

// trusting is a Transport whose only root is the certificate srv serves.
func trusting(t *testing.T, srv *httptest.Server) *Transport {
	t.Helper()
	f := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	roots, err := sysroots.Load(sysroots.Sources{Files: []string{f}})
	if err != nil {
		t.Fatal(err)
	}
	return newTransport(func() (*sysroots.Roots, error) { return roots, nil }, true)
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
	tr := trusting(t, srv)
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
	tr := trusting(t, srv)
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
	none, err := sysroots.Load(sysroots.Sources{})
	if err != nil {
		t.Fatal(err)
	}
	tr := newTransport(func() (*sysroots.Roots, error) { return none, nil }, true)
	tr.Preconnect(context.Background(), srv.URL)
	_, err = (&http.Client{Transport: tr}).Get(srv.URL)
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
	tr := trusting(t, srv)
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
	tr := trusting(t, srv)
	tr.maxIdle = 0
	tr.Preconnect(context.Background(), srv.URL)
	get(t, tr, srv.URL)
	if n := conns.Load(); n != 2 {
		t.Errorf("the server accepted %d connections, want 2 (the stale preconnection, the request's)", n)
	}
}

// serverWith is an https server on 127.0.0.1 that presents chain (leaf first) for key.
func serverWith(t *testing.T, key crypto.Signer, chain ...*x509.Certificate) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	c := tls.Certificate{PrivateKey: key, Leaf: chain[0]}
	for _, cert := range chain {
		c.Certificate = append(c.Certificate, cert.Raw)
	}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{c}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func issue(t *testing.T, tmpl *x509.Certificate, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

// TestTransportVerifiesAsGo: through the direct transport (with and without a
// preconnection), each server is accepted or refused exactly as by net/http with Go's own
// verifier over the same roots, with the same error: the name checked is the host asked
// for, an IP address included (crypto/tls sends no SNI for it, yet it must match).
func TestTransportVerifiesAsGo(t *testing.T) {
	ca, caKey := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Test CA"}, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	stranger, strangerKey := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Test CA"}, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	serverAuth := func(dns []string, ips ...net.IP) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: "server"}, DNSNames: dns, IPAddresses: ips, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	}
	ipLeaf, ipKey := issue(t, serverAuth(nil, net.IPv4(127, 0, 0, 1)), ca, caKey)
	nameLeaf, nameKey := issue(t, serverAuth([]string{"svc.example.com"}), ca, caKey)
	strangerLeaf, strangerLeafKey := issue(t, serverAuth(nil, net.IPv4(127, 0, 0, 1)), stranger, strangerKey)

	f := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	roots, err := sysroots.Load(sysroots.Sources{Files: []string{f}})
	if err != nil {
		t.Fatal(err)
	}
	goClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots.Pool()}}}
	for _, c := range []struct {
		name   string
		srv    *httptest.Server
		accept bool
	}{
		{"the IP address it is for", serverWith(t, ipKey, ipLeaf), true},
		{"a name, asked for by IP address", serverWith(t, nameKey, nameLeaf), false},
		{"an untrusted CA of the same name", serverWith(t, strangerLeafKey, strangerLeaf), false},
	} {
		_, goErr := goClient.Get(c.srv.URL)
		if (goErr == nil) != c.accept {
			t.Fatalf("%s: Go's verifier says %v: the case does not test what it says", c.name, goErr)
		}
		for _, pre := range []bool{false, true} {
			tr := newTransport(func() (*sysroots.Roots, error) { return roots, nil }, true)
			if pre {
				tr.Preconnect(context.Background(), c.srv.URL)
			}
			res, err := (&http.Client{Transport: tr}).Get(c.srv.URL)
			if err == nil {
				res.Body.Close()
			}
			if errText(err) != errText(goErr) {
				t.Errorf("%s (preconnected %v): got %v, Go's verifier %v", c.name, pre, err, goErr)
			}
			if err != nil && !IsCertificateError(err) {
				t.Errorf("%s: %v is not a certificate error", c.name, err)
			}
			tr.CloseIdleConnections()
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestTransportThroughProxy: https through a CONNECT proxy goes the proxied way, where
// net/http does the handshake itself, verifying with every root of the store.
func TestTransportThroughProxy(t *testing.T) {
	srv, _ := tlsServer(t)
	var tunnels atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		tunnels.Add(1)
		w.WriteHeader(http.StatusOK)
		down, buffered, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		// Read through the buffer Hijack hands back: the server may already have read the
		// start of the client's handshake into it.
		go func() { _, _ = io.Copy(up, buffered); up.Close() }()
		_, _ = io.Copy(down, up)
		down.Close()
	}))
	defer proxy.Close()
	viaProxy := func(*http.Request) (*url.URL, error) { return url.Parse(proxy.URL) }

	tr := trusting(t, srv)
	tr.plain.Proxy = viaProxy
	get(t, tr, srv.URL)
	if tunnels.Load() != 1 || !tr.proxiedBuilt.Load() || tr.directBuilt.Load() {
		t.Fatalf("%d tunnels, proxied built %v, direct built %v: want the request through the proxy, on the proxied transport", tunnels.Load(), tr.proxiedBuilt.Load(), tr.directBuilt.Load())
	}
	tr.CloseIdleConnections()

	none, err := sysroots.Load(sysroots.Sources{})
	if err != nil {
		t.Fatal(err)
	}
	untrusting := newTransport(func() (*sysroots.Roots, error) { return none, nil }, true)
	untrusting.plain.Proxy = viaProxy
	if _, err := (&http.Client{Transport: untrusting}).Get(srv.URL); err == nil || !IsCertificateError(err) {
		t.Fatalf("through the proxy, a server no root signed: got %v, want a certificate error", err)
	}
}
