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
	"runtime"
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
//
// Why it is shaped this way (measured on Debian's store, 146 roots, 2 cores): parsing the
// distinct certificates is about 4 ms and reading the certificate directory (146 links to
// single-certificate files, plus the bundle again) about 4 ms more. So the directory is read
// while the bundle is decoded, and the distinct certificates are parsed by one worker per CPU.
// Only the work is concurrent: which certificates end up trusted is what the sequential
// reading gives, in Go's order.
func Load(s Sources) (*x509.CertPool, error) {
	var firstErr error
	note := func(err error) {
		if err != nil && firstErr == nil && !os.IsNotExist(err) {
			firstErr = err
		}
	}
	// The bundle's identity is known before its content, so the directory reader can skip
	// the bundle's own entry (Debian keeps it in /etc/ssl/certs) without waiting.
	var bundle os.FileInfo
	for _, name := range s.Files {
		if fi, err := os.Stat(name); err == nil {
			bundle = fi
			break
		}
	}
	type dirResult struct {
		blocks [][]byte
		errs   []error
	}
	fromDirs := make(chan dirResult, 1)
	go func() {
		var r dirResult
		for _, dir := range s.Dirs {
			entries, err := os.ReadDir(dir)
			if err != nil {
				r.errs = append(r.errs, err)
				continue
			}
			// Each entry costs a few system calls and a PEM decode: spread over the workers,
			// kept in the directory's order.
			perEntry := make([][][]byte, len(entries))
			workers := min(2*runtime.GOMAXPROCS(0), max(1, len(entries)/16))
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := w; i < len(entries); i += workers {
						perEntry[i] = readEntry(dir, entries[i], bundle)
					}
				})
			}
			wg.Wait()
			for _, b := range perEntry {
				r.blocks = append(r.blocks, b...)
			}
		}
		fromDirs <- r
	}()
	// As Go: the first bundle file that reads is the bundle; the errors of those before it count.
	var blocks [][]byte
	for _, name := range s.Files {
		data, err := os.ReadFile(name)
		if err == nil {
			blocks = appendBlocks(blocks, data)
			break
		}
		note(err)
	}
	r := <-fromDirs
	for _, err := range r.errs {
		note(err)
	}
	blocks = append(blocks, r.blocks...)

	// Each distinct DER once (a pool keeps one copy anyway), in reading order.
	seen := make(map[[sha256.Size224]byte]bool, len(blocks))
	distinct := blocks[:0]
	for _, b := range blocks {
		sum := sha256.Sum224(b)
		if !seen[sum] {
			seen[sum] = true
			distinct = append(distinct, b)
		}
	}
	certs := parseAll(distinct)
	pool := x509.NewCertPool()
	n := 0
	for _, c := range certs {
		if c != nil {
			pool.AddCert(c)
			n++
		}
	}
	if n > 0 || firstErr == nil {
		return pool, nil
	}
	return nil, firstErr
}

// readEntry returns the certificate blocks of one directory entry, or none for an entry that
// is another name of a file read anyway.
func readEntry(dir string, e fs.DirEntry, bundle os.FileInfo) [][]byte {
	name := filepath.Join(dir, e.Name())
	if e.Type()&fs.ModeSymlink != 0 {
		// A link to a name in the same directory (OpenSSL's hash links) is another name of a
		// file read anyway.
		if target, err := os.Readlink(name); err == nil && !strings.Contains(target, "/") {
			return nil
		}
	}
	if bundle != nil && e.Type().IsRegular() {
		if fi, err := e.Info(); err == nil && os.SameFile(fi, bundle) {
			return nil // Debian's /etc/ssl/certs/ca-certificates.crt, read as the bundle
		}
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	return appendBlocks(nil, data)
}

// appendBlocks adds the DER of what x509.CertPool.AppendCertsFromPEM takes: CERTIFICATE blocks
// without headers; anything else in data is skipped.
func appendBlocks(blocks [][]byte, data []byte) [][]byte {
	for len(data) > 0 {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" && len(b.Headers) == 0 {
			blocks = append(blocks, b.Bytes)
		}
	}
	return blocks
}

// parseAll parses each DER with one worker per CPU; a block that does not parse is nil, and
// skipped as AppendCertsFromPEM skips it.
func parseAll(ders [][]byte) []*x509.Certificate {
	out := make([]*x509.Certificate, len(ders))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(ders)/16))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(ders); i += workers {
				if c, err := x509.ParseCertificate(ders[i]); err == nil {
					out[i] = c
				}
			}
		})
	}
	wg.Wait()
	return out
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
