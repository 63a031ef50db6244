package sysroots

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFromEnv(t *testing.T) {
	def := Sources{Files: []string{"/bundle-a", "/bundle-b"}, Dirs: []string{"/certs"}}
	for _, c := range []struct {
		name      string
		file, dir string
		want      Sources
	}{
		{"neither: the platform's lists", "", "", def},
		{"SSL_CERT_FILE alone replaces the bundle, not the directories", "/ca.pem", "", Sources{Files: []string{"/ca.pem"}, Dirs: def.Dirs}},
		{"SSL_CERT_DIR alone replaces the directories", "", "/d1:/d2", Sources{Files: def.Files, Dirs: []string{"/d1", "/d2"}}},
		{"both: that file and those directories", "/ca.pem", "/d1", Sources{Files: []string{"/ca.pem"}, Dirs: []string{"/d1"}}},
	} {
		env := map[string]string{"SSL_CERT_FILE": c.file, "SSL_CERT_DIR": c.dir}
		if got := FromEnv(func(k string) string { return env[k] }, def); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

// newCert returns a fresh self-signed CA certificate, PEM-encoded.
func newCert(t testing.TB, name string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func write(t *testing.T, path string, parts ...[]byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixture lays out a Debian-like store: a bundle inside the certificate directory, a link per
// certificate and OpenSSL hash links, plus what the loaders must skip. It returns the bundle,
// the directories, and the distinct certificates it holds.
func fixture(t *testing.T) (bundle string, dirs []string, certs [][]byte) {
	dir := t.TempDir()
	a, b, c, d := newCert(t, "A"), newCert(t, "B"), newCert(t, "C"), newCert(t, "D")
	certs = [][]byte{a, b, c, d}
	certsDir, other, share := filepath.Join(dir, "certs"), filepath.Join(dir, "other"), filepath.Join(dir, "share")
	bundle = filepath.Join(certsDir, "ca-certificates.crt")
	key := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("not a key")})
	withHeaders := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte("x")})
	broken := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})
	write(t, bundle, a, key, b, withHeaders, broken, []byte("trailing text\n"))
	write(t, filepath.Join(share, "A.crt"), a)
	write(t, filepath.Join(share, "C.crt"), c)
	write(t, filepath.Join(other, "D.pem"), d, a)
	write(t, filepath.Join(other, "notes.txt"), []byte("no certificate here\n"))
	for link, target := range map[string]string{
		filepath.Join(certsDir, "A.pem"):    filepath.Join(share, "A.crt"), // a duplicate of the bundle's
		filepath.Join(certsDir, "C.pem"):    filepath.Join(share, "C.crt"), // only in the directory
		filepath.Join(certsDir, "1a2b3c.0"): "C.pem",                       // a same-directory hash link
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(certsDir, "java"), 0o755); err != nil {
		t.Fatal(err)
	}
	return bundle, []string{certsDir, other, filepath.Join(dir, "missing")}, certs
}

func poolOf(t *testing.T, certs ...[]byte) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		if !p.AppendCertsFromPEM(c) {
			t.Fatal("fixture certificate did not parse")
		}
	}
	return p
}

func TestLoadTrustsEachDistinctCertificate(t *testing.T) {
	bundle, dirs, certs := fixture(t)
	got, err := Load(Sources{Files: []string{filepath.Join(t.TempDir(), "absent.crt"), bundle}, Dirs: dirs})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Pool().Equal(poolOf(t, certs...)) {
		t.Fatal("the pool is not exactly A, B, C and D")
	}
	// SSL_CERT_FILE alone names a private CA: it replaces the bundle file, and everything in
	// the directories still counts, as in Go: the bundle is one of the certificate
	// directory's files (Debian's layout), so all of A, B, C and D.
	private := newCert(t, "private")
	caFile := filepath.Join(t.TempDir(), "private.pem")
	write(t, caFile, private)
	only, err := Load(FromEnv(func(k string) string { return map[string]string{"SSL_CERT_FILE": caFile}[k] }, Sources{Files: []string{bundle}, Dirs: dirs}))
	if err != nil {
		t.Fatal(err)
	}
	if !only.Pool().Equal(poolOf(t, append([][]byte{private}, certs...)...)) {
		t.Fatal("with SSL_CERT_FILE alone the pool is not exactly its CA and the directories' A, B, C and D")
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	// Nothing there at all: an empty pool, as Go's loader gives.
	p, err := Load(Sources{Files: []string{filepath.Join(dir, "none.crt")}, Dirs: []string{filepath.Join(dir, "none")}})
	if err != nil || p == nil || !p.Pool().Equal(x509.NewCertPool()) {
		t.Fatalf("absent sources: got %v, %v; want an empty pool", p, err)
	}
	// A source that exists but cannot be read, and no certificate anywhere: the error.
	if _, err := Load(Sources{Files: []string{dir}}); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("unreadable bundle: got %v, want its read error", err)
	}
	// The same unreadable source next to a certificate: the certificate wins, as in Go.
	bundle, _, certs := fixture(t)
	if p, err := Load(Sources{Files: []string{dir}, Dirs: []string{filepath.Dir(bundle)}}); err != nil || p == nil {
		t.Fatalf("got %v, %v; want the directory's certificates", p, err)
	} else if want := poolOf(t, certs[0], certs[1], certs[2]); !p.Pool().Equal(want) {
		t.Fatal("the pool is not the directory's A, B and C")
	}
	// Next to a block that is placed by its subject but does not parse (trailing data after
	// the certificate), the read error still stands: Go's pool would be empty.
	b, _ := pem.Decode(newCert(t, "E"))
	trailing := filepath.Join(t.TempDir(), "trailing.pem")
	write(t, trailing, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: append(b.Bytes, 0)}))
	if _, ok := subjectOf(append(b.Bytes, 0)); !ok {
		t.Fatal("the fixture is not placed by its subject")
	}
	if _, err := Load(Sources{Files: []string{dir}, Dirs: []string{filepath.Dir(trailing)}}); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("unreadable bundle, unparseable block: got %v, want the read error", err)
	}
}

// TestSameAsGo compares Load with crypto/x509's own loader in a child process (Go loads the
// system roots once per process, from the environment it starts with): on the fixture with
// both variables set, on this machine's own store, and with only SSL_CERT_FILE set (the
// fixture's bundle plus this machine's directories).
func TestSameAsGo(t *testing.T) {
	if platform == nil {
		t.Skip("no file-based system store on this OS: Go's default applies")
	}
	if os.Getenv("SYSROOTS_CHILD") == "1" {
		goPool, goErr := x509.SystemCertPool()
		ours, err := Load(FromEnv(os.Getenv, *platform))
		if goErr != nil || err != nil {
			t.Fatalf("Go: %v; ours: %v", goErr, err)
		}
		if !ours.Pool().Equal(goPool) {
			t.Fatal("the pools differ")
		}
		return
	}
	bundle, dirs, _ := fixture(t)
	private := filepath.Join(t.TempDir(), "private.pem")
	write(t, private, newCert(t, "private"))
	for name, env := range map[string][]string{
		"fixture":      {"SSL_CERT_FILE=" + bundle, "SSL_CERT_DIR=" + strings.Join(dirs, ":")},
		"this machine": {"SSL_CERT_FILE=", "SSL_CERT_DIR="},
		// A bundle alone in SSL_CERT_FILE: Go still adds the machine's directories.
		"SSL_CERT_FILE only": {"SSL_CERT_FILE=" + bundle, "SSL_CERT_DIR="},
		// A private CA alone in SSL_CERT_FILE: the machine's bundle is then read in its
		// directory too, next to the files it repeats.
		"a private CA in SSL_CERT_FILE": {"SSL_CERT_FILE=" + private, "SSL_CERT_DIR="},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSameAsGo$", "-test.count=1")
		cmd.Env = append(append(os.Environ(), "SYSROOTS_CHILD=1"), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
	}
}

// BenchmarkLoad reads this machine's store as System does (go test -bench Load).
func BenchmarkLoad(b *testing.B) {
	if platform == nil {
		b.Skip("no file-based system store on this OS")
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(FromEnv(os.Getenv, *platform)); err != nil {
			b.Fatal(err)
		}
	}
}
