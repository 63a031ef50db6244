// Package sysroots reads the system's trusted root certificates once per process, on Linux for
// a fraction of what crypto/x509 spends, and verifies server chains against them exactly as
// crypto/tls would with Go's own system pool.
//
// Go's loader (crypto/x509 root_unix.go and root_linux.go, go1.26.8) reads one bundle file
// (SSL_CERT_FILE, or the first of the distributions' bundle paths that exists), then every
// file in the certificate directories (SSL_CERT_DIR, or /etc/ssl/certs and /etc/pki/tls/certs)
// except symlinks to a name in the same directory, and fully parses every certificate block
// it finds, duplicates too. On Debian and Ubuntu (GitHub's hosted runners) /etc/ssl/certs holds
// the bundle itself and a link to each of its certificates, so each root is parsed three
// times, also when SSL_CERT_FILE names another file; yet one handshake needs one root.
//
// Roots reads the same files in the same order, but parses none of them up front: each
// certificate is indexed by its raw subject, and a chain is verified against a pool of only
// the roots whose subject is the issuer of a certificate the server presented (Roots.Verify).
// crypto/x509 looks roots up by exactly that name and nothing else, so the decision, the
// chains and the errors are the ones the full pool gives. A block whose subject cannot be
// found cheaply is parsed at once, and a block that does not parse is never trusted, as in
// Go. SSL_CERT_FILE replaces only the bundle file, as in Go and OpenSSL: the directories are
// still read unless SSL_CERT_DIR names others, so a job that points SSL_CERT_FILE at its
// private CA still reaches public endpoints, as it does with every other Go tool on the
// runner.
//
// Elsewhere (macOS and Windows verify with the platform's own store: crypto/x509 root_darwin.go
// and root_windows.go give a pool that defers to systemVerify) System returns nil and Go's
// default applies.
package sysroots

import (
	"crypto/x509"
	"io/fs"
	"os"
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

// Roots is a trust store read from Sources: every certificate block, in Go's reading order,
// each parsed the first time a chain may need it.
type Roots struct {
	roots     []root
	bySubject map[string][]int // raw subject → indexes into roots, ascending

	fullOnce sync.Once
	full     *x509.CertPool
}

// root is one certificate block as read (a DER that appears twice is two roots; pools keep
// the first).
type root struct {
	der  []byte
	once sync.Once
	cert *x509.Certificate // nil until parsed, and when it does not parse
}

func (r *root) parsed() *x509.Certificate {
	r.once.Do(func() {
		if c, err := x509.ParseCertificate(r.der); err == nil {
			r.cert = c
		}
	})
	return r.cert
}

// Load reads and indexes every certificate block in s. Like Go's loader it returns an error
// only when it found no certificate and some source could not be read for a reason other than
// not existing.
//
// The certificate directory (on Debian 146 links to single-certificate files, plus the bundle
// again) costs more to read than the bundle, so it is read while the bundle is decoded, its
// entries spread over a few workers; which blocks are trusted, and in which order, is what
// the sequential reading gives. A file of the directory whose text is a run of the bundle's
// (Debian's links, a copy of the bundle) is not decoded again: its blocks are the bundle's,
// which a pool keeps only at their first place.
func Load(s Sources) (*Roots, error) {
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
	// The directory's files are decoded once the bundle is: a file that is a run of the
	// bundle's text adds only blocks read already, and is not decoded again (decoded).
	var fromBundle *decoded
	bundleDone := make(chan struct{})
	type dirResult struct {
		blocks [][]byte
		errs   []error
	}
	fromDirs := make(chan dirResult, 1)
	go func() {
		var r dirResult
		for _, dir := range s.Dirs {
			d, entries, err := openCertDir(dir)
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
					var buf []byte // each file's text, needed only until it is decoded
					for i := w; i < len(entries); i += workers {
						var text []byte
						if text, buf = readEntry(d, entries[i], bundle, buf); len(text) == 0 {
							continue
						}
						<-bundleDone
						if !fromBundle.holds(text) {
							perEntry[i] = appendBlocks(nil, text)
						}
					}
				})
			}
			wg.Wait()
			d.close()
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
			blocks, fromBundle = decodeBlocks(blocks, data)
			break
		}
		note(err)
	}
	close(bundleDone)
	r := <-fromDirs
	for _, err := range r.errs {
		note(err)
	}
	blocks = append(blocks, r.blocks...)

	roots := &Roots{roots: make([]root, len(blocks)), bySubject: make(map[string][]int, len(blocks))}
	for i, der := range blocks {
		roots.roots[i].der = der
		subject, ok := subjectOf(der)
		if !ok {
			// Not found cheaply: the full parse decides, now.
			c := roots.roots[i].parsed()
			if c == nil {
				continue // not a certificate Go would add either
			}
			subject = c.RawSubject
		}
		roots.bySubject[string(subject)] = append(roots.bySubject[string(subject)], i)
	}
	if firstErr == nil || roots.any() {
		return roots, nil
	}
	return nil, firstErr
}

// any reports whether some root parses, parsing them in order until one does (only needed
// when a source failed: then Go's loader reports the failure if its pool is empty).
func (r *Roots) any() bool {
	for i := range r.roots {
		if r.roots[i].parsed() != nil {
			return true
		}
	}
	return false
}

// readEntry returns the text of one directory entry, or none for an entry that is another
// name of a file read anyway or that does not read (Go's loader skips those too). The text is
// read into buf, returned for the next entry: the blocks decoded from it are copies.
func readEntry(d *certDir, e fs.DirEntry, bundle os.FileInfo, buf []byte) (text, next []byte) {
	name := e.Name() // in d: Go's loader opens d's path + "/" + name, the same file
	if e.Type()&fs.ModeSymlink != 0 {
		// A link to a name in the same directory (OpenSSL's hash links) is another name of a
		// file read anyway.
		if target, err := d.readlink(name); err == nil && !strings.Contains(target, "/") {
			return nil, buf
		}
	}
	if bundle != nil && e.Type().IsRegular() {
		if fi, err := e.Info(); err == nil && os.SameFile(fi, bundle) {
			return nil, buf // Debian's /etc/ssl/certs/ca-certificates.crt, read as the bundle
		}
	}
	data, err := d.readFile(name, buf)
	if err != nil {
		return nil, buf
	}
	return data, data
}

// Pool returns every root parsed, in a pool equal to the one Go's loader builds from the same
// sources (parsed once, on the first call; callers must not modify it: Clone it to add CAs).
func (r *Roots) Pool() *x509.CertPool {
	r.fullOnce.Do(func() {
		all := make([]int, len(r.roots))
		for i := range all {
			all[i] = i
		}
		r.full = r.poolOf(all)
	})
	return r.full
}

// poolOf is a pool of the roots at idx (ascending) that parse, in reading order: AddCert
// keeps the first of equal DERs, as Go's pool does, so this is the part of Go's pool those
// roots make, in the same order.
func (r *Roots) poolOf(idx []int) *x509.CertPool {
	p := x509.NewCertPool()
	parseAll(r.roots, idx)
	for _, i := range idx {
		if c := r.roots[i].cert; c != nil {
			p.AddCert(c)
		}
	}
	return p
}

// parseAll parses the roots at idx, spread over one worker per CPU when there are many.
func parseAll(roots []root, idx []int) {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(idx)/16))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := w; k < len(idx); k += workers {
				roots[idx[k]].parsed()
			}
		})
	}
	wg.Wait()
}

var system = sync.OnceValues(func() (*Roots, error) {
	if platform == nil {
		return nil, nil
	}
	return Load(FromEnv(os.Getenv, *platform))
})

// System returns the system roots, read on the first call; later and concurrent calls wait
// for and share that read. nil without an error means the platform verifies (macOS, Windows):
// leave tls.Config.RootCAs nil and let crypto/tls verify. On an error, too, leave it nil: Go's
// own loader then reports the same failure when a handshake needs the roots.
func System() (*Roots, error) { return system() }

// FromFiles reports whether System reads the roots from files on this system (Linux); where
// it does not, the platform's verifier decides and Roots has nothing to add.
func FromFiles() bool { return platform != nil }

// Pool returns the system roots as a parsed pool (see System for nil).
func Pool() (*x509.CertPool, error) {
	r, err := System()
	if r == nil || err != nil {
		return nil, err
	}
	return r.Pool(), nil
}
