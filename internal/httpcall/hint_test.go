package httpcall

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/internal/retry"
)

// TestCertificateHint: a server whose certificate is not trusted fails at once, and the hint
// names only what exists: SSL_CERT_FILE for every provider, and the provider's own CA input
// when it has one.
func TestCertificateHint(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	c := &http.Client{Transport: NewTransport()}
	for _, tc := range []struct {
		caInput, want string
	}{
		{"", "(set SSL_CERT_FILE to the CA that signed the server's certificate)"},
		{"vault-ca-certificate", "(set vault-ca-certificate, or SSL_CERT_FILE, to the CA that signed the server's certificate)"},
	} {
		_, n, err := Do(context.Background(), c, retry.ForStep(3, 10*time.Second), Request{Call: "Test call", Method: http.MethodGet, URL: srv.URL, CAInput: tc.caInput}, nil)
		if err == nil || n != 1 || !strings.HasPrefix(err.Error(), "Test call: ") || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("CAInput %q: %d attempts, %v; want one attempt and an error ending %q", tc.caInput, n, err, tc.want)
		}
	}
}
