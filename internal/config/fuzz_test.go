package config

import (
	"net"
	"net/url"
	"strings"
	"testing"
)

// FuzzURL: an accepted endpoint is https, or http to a loopback address, localhost or a
// single-label name (a job's service container): never http to a dotted name or to an address
// that is not loopback, in any spelling a resolver could read as one.
func FuzzURL(f *testing.F) {
	for _, s := range []string{"https://sts.amazonaws.com", "http://127.0.0.1:1", "http://localhost.evil.com", "http://[::1]", "http://127.0.0.1@evil.com", "https://", "//x",
		"http://localstack:4566", "http://vault.", "http://10.0.0.1", "http://2130706433", "http://0x7f000001", "http://[::ffff:8.8.8.8]", "HTTP://Vault:8200/v1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		// A single-label name only on the job's network: on the host it is never taken over
		// plain http.
		if got, err := URL(MapInputs{"e": v}, "e", ""); err == nil && strings.HasPrefix(got, "http://") {
			if u, perr := url.Parse(got); perr == nil && IsSingleLabelHost(u.Hostname()) && !IsLoopbackHost(u.Hostname()) {
				t.Fatalf("on the host, accepted plain http to the one-word name in %q", v)
			}
		}
		got, err := URL(WithJobNetwork(MapInputs{"e": v}, true), "e", "")
		if err != nil || got == "" {
			return
		}
		if strings.HasPrefix(got, "https://") {
			return
		}
		if !strings.HasPrefix(got, "http://") {
			t.Fatalf("accepted %q", v)
		}
		u, perr := url.Parse(got)
		if perr != nil {
			t.Fatalf("accepted %q, which normalises to the unparseable %q", v, got)
		}
		host := u.Hostname()
		if ip := net.ParseIP(host); ip != nil {
			if !ip.IsLoopback() {
				t.Fatalf("accepted plain http to the address %s (from %q)", host, v)
			}
			return
		}
		if strings.EqualFold(host, "localhost") {
			return
		}
		if host == "" || strings.Contains(host, ".") || strings.Trim(host, "0123456789") == "" || inetAtonHex(host) {
			t.Fatalf("accepted plain http to %q (from %q): not loopback and not a single-label name", host, v)
		}
	})
}

// inetAtonHex reports whether inet_aton would read host as a hexadecimal IPv4 address.
func inetAtonHex(host string) bool {
	h := strings.ToLower(host)
	return strings.HasPrefix(h, "0x") && strings.Trim(h[2:], "0123456789abcdef") == ""
}
