// Package testca makes a throwaway certificate authority and TLS servers signed by it, so
// emulators can speak https on loopback the way the real services do; the binary under test
// trusts the CA through SSL_CERT_FILE, exactly as a user's runner would trust a corporate CA.
package testca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// CA is a certificate authority for loopback servers.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// PEM is the CA certificate.
	PEM []byte
	// File holds PEM, for SSL_CERT_FILE.
	File string
	// Pool trusts the CA (for in-process clients such as Google's or Azure's libraries).
	Pool *x509.CertPool
}

var (
	once   sync.Once
	shared *CA
	err    error
)

// Shared returns one CA for the whole test process.
func Shared() (*CA, error) {
	once.Do(func() { shared, err = New(os.TempDir()) })
	return shared, err
}

// RemoveShared deletes the shared CA's certificate file, if Shared made one; harness.Main calls
// it when the test process ends so runs leave nothing in the temp dir.
func RemoveShared() {
	if shared != nil {
		_ = os.Remove(shared.File)
	}
}

// New creates a CA and writes its certificate to a file in dir.
func New(dir string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "oidc-login test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &CA{cert: cert, key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Pool: x509.NewCertPool()}
	ca.Pool.AddCert(cert)
	f, err := os.CreateTemp(dir, "oidc-login-test-ca-*.pem")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// A certificate is public; later steps that run as the runner's user read it too.
	if err := f.Chmod(0o644); err != nil {
		return nil, err
	}
	if _, err := f.Write(ca.PEM); err != nil {
		return nil, err
	}
	ca.File, _ = filepath.Abs(f.Name())
	return ca, nil
}

// ServerCert issues a certificate for localhost and the loopback addresses.
func (ca *CA) ServerCert() (tls.Certificate, error) { return ca.ServerCertFor() }

// ServerCertFor issues a certificate for localhost, the loopback addresses and names, for a
// server that clients reach by a real service's name through a proxy (a CONNECT tunnel).
func (ca *CA) ServerCertFor(names ...string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     append([]string{"localhost"}, names...),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// NewTLSServer starts an https server on loopback with a certificate from the CA.
func (ca *CA) NewTLSServer(h http.Handler) (*httptest.Server, error) {
	return ca.NewTLSServerFor(h)
}

// NewTLSServerFor is NewTLSServer with a certificate for names too (ServerCertFor).
func (ca *CA) NewTLSServerFor(h http.Handler, names ...string) (*httptest.Server, error) {
	cert, err := ca.ServerCertFor(names...)
	if err != nil {
		return nil, err
	}
	s := httptest.NewUnstartedServer(h)
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.StartTLS()
	return s, nil
}

// Client returns an http.Client that trusts the CA.
func (ca *CA) Client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: ca.Pool}
	return &http.Client{Transport: t}
}
