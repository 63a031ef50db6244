package httpcall

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestTransportPlainHTTPLoadsNoRoots(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	tr := NewTransport()
	c := &http.Client{Transport: tr}
	res, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "ok" {
		t.Fatalf("got %q", b)
	}
	c.CloseIdleConnections()
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
