// Package sysroots loads the system's trusted root certificates once per process, on Linux
// for a fraction of what crypto/x509 spends.
//
// Go's loader (crypto/x509 root_unix.go and root_linux.go, go1.26.8) reads one bundle file
// (SSL_CERT_FILE, or the first of the distributions' bundle paths that exists), then every
// file in the certificate directories (SSL_CERT_DIR, or /etc/ssl/certs and /etc/pki/tls/certs)
// except symlinks to a name in the same directory, and fully parses every certificate block
// it finds, duplicates too. On Debian and Ubuntu (GitHub's hosted runners) /etc/ssl/certs holds
// the bundle itself and a link to each of its certificates, so each root is parsed three
// times, also when SSL_CERT_FILE names another file: 433 parses for 146 roots, 13 ms of a
// 26 ms Google login with a service account here (perf), more than anything else it does.
//
// It trusts exactly what Go would, from the same files read in the same order; the one
// difference is the work: a block whose DER was seen already is skipped before parsing (a pool
// keeps one copy anyway), and a directory entry that is the bundle file already read is not
// read again. SSL_CERT_FILE replaces only the bundle file, as in Go and OpenSSL: the
// directories are still read unless SSL_CERT_DIR names others, so a job that points
// SSL_CERT_FILE at its private CA still reaches public endpoints, as it does with every other
// Go tool on the runner.
//
// Elsewhere (macOS and Windows verify with the platform's own store) Pool returns nil and Go's
// default applies.
package sysroots

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Sources is where the roots are read from: the candidate bundle files (the first readable
// one is used) and the directories whose files are all read.
type Sources struct {
	Files []string
	Dirs  []string
}

// FromEnv returns the sources for SSL_CERT_FILE and SSL_CERT_DIR (a ":"-separated list, as
// OpenSSL reads it), with defaults the platform's lists: each variable replaces its own list
// only, as in crypto/x509 root_unix.go (go1.26.8).
func FromEnv(getenv func(string) string, defaults Sources) Sources {
	s := defaults
	file, dir := getenv("SSL_CERT_FILE"), getenv("SSL_CERT_DIR")
	if file != "" {
		s.Files = []string{file}
	}
	if dir != "" {
		s.Dirs = strings.Split(dir, ":")
	}
	return s
}

// Load builds the pool of every certificate in s. Like Go's loader it returns an error only
// when it found no certificate and some source could not be read for a reason other than not
// existing.
func Load(s Sources) (*x509.CertPool, error) {
	l := loader{pool: x509.NewCertPool(), seen: map[[sha256.Size224]byte]bool{}}
	var firstErr error
	note := func(err error) {
		if firstErr == nil && !os.IsNotExist(err) {
			firstErr = err
		}
	}
	var bundle os.FileInfo
	for _, name := range s.Files {
		data, err := os.ReadFile(name)
		if err != nil {
			note(err)
			continue
		}
		l.add(data)
		bundle, _ = os.Stat(name)
		break
	}
	for _, dir := range s.Dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			note(err)
			continue
		}
		for _, e := range entries {
			name := filepath.Join(dir, e.Name())
			if e.Type()&fs.ModeSymlink != 0 {
				// A link to a name in the same directory (OpenSSL's hash links) is another
				// name of a file read anyway.
				if target, err := os.Readlink(name); err == nil && !strings.Contains(target, "/") {
					continue
				}
			}
			if bundle != nil && e.Type().IsRegular() {
				if fi, err := e.Info(); err == nil && os.SameFile(fi, bundle) {
					continue // Debian's /etc/ssl/certs/ca-certificates.crt, read just before
				}
			}
			if data, err := os.ReadFile(name); err == nil {
				l.add(data)
			}
		}
	}
	if l.n > 0 || firstErr == nil {
		return l.pool, nil
	}
	return nil, firstErr
}

type loader struct {
	pool *x509.CertPool
	seen map[[sha256.Size224]byte]bool
	n    int
}

// add takes what x509.CertPool.AppendCertsFromPEM takes: CERTIFICATE blocks without headers
// that parse; anything else in the file is skipped.
func (l *loader) add(data []byte) {
	for len(data) > 0 {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return
		}
		if b.Type != "CERTIFICATE" || len(b.Headers) != 0 {
			continue
		}
		sum := sha256.Sum224(b.Bytes)
		if l.seen[sum] {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			continue
		}
		l.seen[sum] = true
		l.pool.AddCert(c)
		l.n++
	}
}

var pool = sync.OnceValues(func() (*x509.CertPool, error) {
	if platform == nil {
		return nil, nil
	}
	return Load(FromEnv(os.Getenv, *platform))
})

// Pool returns the system roots, loaded on the first call; later and concurrent calls wait for
// and share that load. nil without an error means the platform verifies (macOS, Windows):
// leave tls.Config.RootCAs nil. On an error, too, leave it nil: Go's own loader then reports
// the same failure when a handshake needs the roots.
func Pool() (*x509.CertPool, error) { return pool() }
