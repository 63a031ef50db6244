package sysroots

import (
	"crypto/x509"
	"errors"
	"slices"
	"time"
)

// Verify verifies a server's certificates the way crypto/tls does with Roots as its RootCAs
// (handshake_client.go, verifyServerCertificate, go1.26.8): certs[0] is the leaf, the rest
// are intermediates, dnsName is the name the client asked for (tls.Config.ServerName) and
// now the time to judge validity at. A nil Roots verifies as crypto/tls does with RootCAs
// nil: against Go's own system pool, or with the platform's verifier on macOS and Windows.
//
// The roots handed to crypto/x509 are only those a chain from certs can reach. Its verifier
// looks at the roots in two ways only (verify.go, Certificate.Verify and buildChains): whether
// the leaf itself is one (CertPool.contains, an equal DER, so the same subject), and, for the
// leaf and each intermediate it builds through, the roots whose subject is that certificate's
// issuer (CertPool.findPotentialParents: the raw issuer, byte for byte, is the only key). A
// root is never built through, and the intermediates are certs[1:] only, so those names are
// known before verifying. The subset keeps Go's order among roots of one subject, so the
// candidates are tried in the same order, with the same signature-check budget, and the
// chains and errors are the ones the full pool gives.
func (r *Roots) Verify(certs []*x509.Certificate, dnsName string, now time.Time) ([][]*x509.Certificate, error) {
	if len(certs) == 0 {
		return nil, errors.New("x509: no certificate to verify")
	}
	opts := x509.VerifyOptions{
		CurrentTime:   now,
		DNSName:       dnsName,
		Intermediates: x509.NewCertPool(),
	}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	if r != nil {
		opts.Roots = r.candidates(certs)
	}
	return certs[0].Verify(opts)
}

// candidates is the pool of every root whose subject is the leaf's subject or the issuer of
// one of certs, never nil (a nil pool would mean Go's own system roots).
func (r *Roots) candidates(certs []*x509.Certificate) *x509.CertPool {
	idx := slices.Clone(r.bySubject[string(certs[0].RawSubject)])
	for _, c := range certs {
		idx = append(idx, r.bySubject[string(c.RawIssuer)]...)
	}
	slices.Sort(idx)
	return r.poolOf(slices.Compact(idx))
}
