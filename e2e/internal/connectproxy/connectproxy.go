// Package connectproxy is an HTTPS proxy on loopback, as a corporate proxy is to a runner:
// clients that honour HTTPS_PROXY (Go's net/http, Python requests) open a CONNECT tunnel to a
// service's real name (login.microsoftonline.com:443), and the proxy connects the tunnel to
// the emulator that stands in for that service, on loopback. It never dials anything else: a
// CONNECT to a name it was not given is refused with 403, so a test can send traffic only to
// loopback, and a client reaching for a host the test did not expect shows up in Refused.
package connectproxy

import (
	"io"
	"net"
	"net/http"
	"sync"
)

// Proxy is a running proxy.
type Proxy struct {
	// URL is http://127.0.0.1:<port>, for HTTPS_PROXY.
	URL string

	ln     net.Listener
	routes map[string]string
	srv    *http.Server

	mu      sync.Mutex
	tunnels []string
	refused []string
	open    []net.Conn
}

// New starts a proxy that connects CONNECT host:port to routes[host:port] (a loopback address).
func New(routes map[string]string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), ln: ln, routes: routes}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve)}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Close stops the proxy and every tunnel (http.Server.Close leaves hijacked connections be).
func (p *Proxy) Close() {
	_ = p.srv.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.open {
		_ = c.Close()
	}
}

// Tunnels lists the host:port of every tunnel opened, in order.
func (p *Proxy) Tunnels() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.tunnels...)
}

// Refused lists every request the proxy refused (a CONNECT to an unknown name, or plain HTTP).
func (p *Proxy) Refused() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.refused...)
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	to, ok := p.routes[r.Host]
	if r.Method != http.MethodConnect || !ok {
		p.mu.Lock()
		p.refused = append(p.refused, r.Method+" "+r.Host)
		p.mu.Unlock()
		http.Error(w, "connectproxy: no route to "+r.Host, http.StatusForbidden)
		return
	}
	up, err := net.Dial("tcp", to)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		up.Close()
		http.Error(w, "connectproxy: cannot hijack", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		up.Close()
		return
	}
	p.mu.Lock()
	p.tunnels = append(p.tunnels, r.Host)
	p.open = append(p.open, conn, up)
	p.mu.Unlock()
	_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	go func() {
		// Bytes the client sent after its CONNECT (already buffered) go first.
		if n := buf.Reader.Buffered(); n > 0 {
			b, _ := buf.Reader.Peek(n)
			_, _ = up.Write(b)
		}
		_, _ = io.Copy(up, conn)
		_ = up.(*net.TCPConn).CloseWrite()
	}()
	go func() {
		_, _ = io.Copy(conn, up)
		conn.Close()
		up.Close()
	}()
}
