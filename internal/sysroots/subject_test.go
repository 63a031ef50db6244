package sysroots

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"
)

// FuzzSubjectOf: whenever crypto/x509 parses a certificate, subjectOf finds its RawSubject,
// so a root is indexed under the name crypto/x509 looks it up by.
func FuzzSubjectOf(f *testing.F) {
	if debian, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		for _, der := range appendBlocks(nil, debian)[:20] {
			f.Add(der)
		}
	}
	for _, c := range [][]byte{newCert(f, "A"), newCert(f, "a name long enough for the long form of a length")} {
		b, _ := pem.Decode(c)
		f.Add(b.Bytes)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := x509.ParseCertificate(der)
		subject, ok := subjectOf(der)
		if err != nil {
			return // not a certificate: Load parses what subjectOf cannot place, and drops it
		}
		if !ok || !bytes.Equal(subject, c.RawSubject) {
			t.Fatalf("subjectOf: %x, %v; crypto/x509's RawSubject: %x", subject, ok, c.RawSubject)
		}
	})
}

// TestSubjectOfEveryRoot runs the same check over every certificate of this machine's store.
func TestSubjectOfEveryRoot(t *testing.T) {
	r, err := Load(Sources{Files: []string{"/etc/ssl/certs/ca-certificates.crt"}})
	if err != nil || len(r.roots) == 0 {
		t.Skipf("no Debian bundle here: %v", err)
	}
	for i := range r.roots {
		c := r.roots[i].parsed()
		if c == nil {
			continue
		}
		if s, ok := subjectOf(r.roots[i].der); !ok || !bytes.Equal(s, c.RawSubject) {
			t.Errorf("%s: subjectOf found %x, %v", c.Subject, s, ok)
		}
	}
}

// TestSubjectOfRefuses: a DER subjectOf cannot walk is reported, never guessed.
func TestSubjectOfRefuses(t *testing.T) {
	b, _ := pem.Decode(newCert(t, "A"))
	der := b.Bytes
	for name, bad := range map[string][]byte{
		"empty":           nil,
		"cut short":       der[:len(der)/2],
		"not a SEQUENCE":  append([]byte{0x31}, der[1:]...),
		"indefinite":      append([]byte{0x30, 0x80}, der[2:]...),
		"length too long": {0x30, 0x85, 1, 2, 3, 4, 5},
		"non-minimal":     {0x30, 0x81, 0x05, 0, 0, 0, 0, 0},
		"leading zero":    {0x30, 0x82, 0x00, 0x85},
	} {
		if s, ok := subjectOf(bad); ok {
			t.Errorf("%s: subjectOf found %x", name, s)
		}
	}
}
