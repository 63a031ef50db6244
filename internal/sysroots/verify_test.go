package sysroots

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pki issues the certificates of the equivalence test.
type pki struct {
	t      *testing.T
	now    time.Time
	serial int64
}

type issued struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// issue signs tmpl with parent's key (self-signed when parent is nil); key is the subject's
// key, a fresh ECDSA one when nil.
func (p *pki) issue(tmpl *x509.Certificate, parent *issued, key crypto.Signer) *issued {
	p.t.Helper()
	if key == nil {
		var err error
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			p.t.Fatal(err)
		}
	}
	p.serial++
	tmpl.SerialNumber = big.NewInt(p.serial)
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore, tmpl.NotAfter = p.now.Add(-time.Hour), p.now.Add(24*time.Hour)
	}
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), signer)
	if err != nil {
		p.t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		p.t.Fatal(err)
	}
	return &issued{c, key}
}

func ca(name string) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: name}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
}

func leaf(names ...string) *x509.Certificate {
	c := &x509.Certificate{Subject: pkix.Name{CommonName: names[0]}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			c.IPAddresses = append(c.IPAddresses, ip)
		} else {
			c.DNSNames = append(c.DNSNames, n)
		}
	}
	return c
}

func pemOf(certs ...*issued) []byte {
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})...)
	}
	return b
}

// verifyCase is one chain a server could present, the name asked for, and whether Go's own
// verifier accepts it (so the test also fails if both verifiers wrongly agree).
type verifyCase struct {
	Name   string
	Chain  [][]byte
	DNS    string
	Accept bool
}

// verifyResult is what each verifier decided on one case, in the child.
type verifyResult struct {
	Name          string
	GoErr, OurErr string // "" when accepted
	SameChains    bool
}

// storeCase is a trust store (the SSL_CERT_FILE and SSL_CERT_DIR the process starts with:
// "" leaves Go's default) and the chains judged against it.
type storeCase struct {
	name      string
	file, dir string
	cases     []verifyCase
}

func chain(certs ...*issued) [][]byte {
	var out [][]byte
	for _, c := range certs {
		out = append(out, c.cert.Raw)
	}
	return out
}

// TestVerifyAsGo compares Roots.Verify with crypto/x509's own verifier using Go's own system
// pool (x509.SystemCertPool, loaded by Go from the environment the process starts with, so
// each store runs in a child process): accept or reject, the error text, and the chains, for
// chains judged against this machine's store (Debian's on the runners and here), a private
// CA in SSL_CERT_FILE next to the system's directories, a cross-signed intermediate, an
// expired root, a name constraint, and two roots sharing one subject (the order Go tries
// them in shows in its error).
func TestVerifyAsGo(t *testing.T) {
	if platform == nil {
		t.Skip("no file-based system store on this OS: the platform verifies")
	}
	if path := os.Getenv("SYSROOTS_VERIFY_CASES"); path != "" {
		verifyChild(t, path)
		return
	}
	now := time.Now()
	p := &pki{t: t, now: now}

	root := p.issue(ca("Private Root"), nil, nil)
	// Another root under the same subject, with a key of another type: Go tries both, in the
	// store's order, and its error names the first failure, so the order shows.
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sameName := p.issue(ca("Private Root"), nil, edKey)
	expired := p.issue(&x509.Certificate{Subject: pkix.Name{CommonName: "Expired Root"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour)}, nil, nil)
	constrained := ca("Constrained Root")
	constrained.PermittedDNSDomains = []string{"example.com"}
	constrainedRoot := p.issue(constrained, nil, nil)

	inter := p.issue(ca("Issuing CA"), root, nil)
	good := p.issue(leaf("svc.example.com", "127.0.0.1"), inter, nil)
	expiredLeaf := p.issue(&x509.Certificate{Subject: pkix.Name{CommonName: "old.example.com"}, DNSNames: []string{"old.example.com"},
		NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)}, inter, nil)
	// The same intermediate (subject and key) cross-signed by the expired root and by root.
	crossKey := inter.key
	crossByExpired := p.issue(ca("Issuing CA"), expired, crossKey)
	crossByRoot := p.issue(ca("Issuing CA"), root, crossKey)
	onlyExpired := p.issue(ca("Legacy CA"), expired, nil)
	legacyLeaf := p.issue(leaf("legacy.example.com"), onlyExpired, nil)
	pinned := p.issue(leaf("pinned.example.com"), inter, nil) // trusted itself, not its issuer
	inside := p.issue(leaf("api.example.com"), constrainedRoot, nil)
	outside := p.issue(leaf("api.evil.test"), constrainedRoot, nil)
	bySecond := p.issue(leaf("second.example.com"), sameName, nil)
	stranger := p.issue(ca("Private Root"), nil, nil) // signs, but trusted nowhere
	byStranger := p.issue(leaf("svc.example.com"), stranger, nil)

	// A certificate of this machine's store, and an impostor CA with its subject and our key.
	sys, err := Load(*platform)
	if err != nil {
		t.Fatal(err)
	}
	var sysRoot *x509.Certificate
	for i := range sys.roots {
		if c := sys.roots[i].parsed(); c != nil && c.IsCA {
			sysRoot = c
			break
		}
	}
	if sysRoot == nil {
		t.Fatal("this machine's store has no CA certificate")
	}
	impostor := p.issue(&x509.Certificate{RawSubject: sysRoot.RawSubject, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	forgedInter := p.issue(&x509.Certificate{Subject: pkix.Name{CommonName: "Forged CA"}, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, impostor, nil)
	forged := p.issue(leaf("svc.example.com"), forgedInter, nil)
	sysAsLeaf := &issued{cert: sysRoot}

	dir := t.TempDir()
	private := filepath.Join(dir, "private.pem")
	write(t, private, pemOf(root, expired, constrainedRoot, pinned))
	privateDir := filepath.Join(dir, "private")
	write(t, filepath.Join(privateDir, "private.pem"), pemOf(root, expired, constrainedRoot))
	extraDir := filepath.Join(dir, "extra")
	write(t, filepath.Join(extraDir, "second.pem"), pemOf(sameName))
	// A directory whose bundle repeats its single files in another order: each file keeps
	// its own place, so the first copy of each root is the one Go's order keeps.
	var fillers []*issued
	for i := range 30 {
		fillers = append(fillers, p.issue(ca(fmt.Sprintf("Filler %d", i)), nil, nil))
	}
	reorderedDir := filepath.Join(dir, "reordered")
	write(t, filepath.Join(reorderedDir, "a-root.pem"), pemOf(root))
	write(t, filepath.Join(reorderedDir, "b-second.pem"), pemOf(sameName))
	write(t, filepath.Join(reorderedDir, "z-bundle.crt"), pemOf(append([]*issued{sameName, root}, fillers...)...))
	onlyExpiredFile := filepath.Join(dir, "expired.pem")
	write(t, onlyExpiredFile, pemOf(expired))
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}

	privateCases := []verifyCase{
		{"leaf and intermediate", chain(good, inter), "svc.example.com", true},
		{"an IP address in the certificate", chain(good, inter), "127.0.0.1", true},
		{"another name", chain(good, inter), "other.example.com", false},
		{"another IP address", chain(good, inter), "127.0.0.2", false},
		{"no intermediate sent", chain(good), "svc.example.com", false},
		{"expired leaf", chain(expiredLeaf, inter), "old.example.com", false},
		{"cross-signed: through the valid root", chain(good, crossByExpired, crossByRoot), "svc.example.com", true},
		{"cross-signed: only the expired path sent", chain(good, crossByExpired), "svc.example.com", false},
		{"expired root", chain(legacyLeaf, onlyExpired), "legacy.example.com", false},
		{"name constraint: inside", chain(inside), "api.example.com", true},
		{"name constraint: outside", chain(outside), "api.evil.test", false},
		{"signed by an untrusted root with a trusted root's name", chain(byStranger), "svc.example.com", false},
		{"a trusted root as the leaf", chain(root), "", true},
		{"a trusted leaf whose issuer is not", chain(pinned), "pinned.example.com", true},
	}
	systemCases := []verifyCase{
		{"an impostor of a system root", chain(forged, forgedInter), "svc.example.com", false},
		{"an impostor of a system root, impostor sent too", chain(forged, forgedInter, impostor), "svc.example.com", false},
		{"a system root as the leaf", chain(sysAsLeaf), "", true},
		{"a system root as the leaf, for a host name", chain(sysAsLeaf), "svc.example.com", false},
		{"a private chain", chain(good, inter), "svc.example.com", false},
	}
	for _, s := range []storeCase{
		{"this machine's store", "", "", systemCases},
		{"a private CA in SSL_CERT_FILE, the system's directories", private, "", append(append([]verifyCase{}, privateCases...), systemCases[:2]...)},
		{"two roots named alike, the second in SSL_CERT_DIR", private, extraDir + ":" + empty, append(append([]verifyCase{}, privateCases...),
			verifyCase{"signed by the second root of that name", chain(bySecond), "second.example.com", true},
			verifyCase{"signed by neither root of that name", chain(byStranger), "svc.example.com", false})},
		{"two roots named alike, the second first", onlyEd(t, dir, sameName), privateDir, []verifyCase{
			{"signed by neither root of that name", chain(byStranger), "svc.example.com", false},
			{"signed by the first root of that name", chain(good, inter), "svc.example.com", true},
		}},
		{"a bundle repeating the directory's files in another order", onlyExpiredFile, reorderedDir, []verifyCase{
			{"signed by neither root of that name", chain(byStranger), "svc.example.com", false},
			{"signed by the second root of that name", chain(bySecond), "second.example.com", true},
		}},
		{"only the expired root", onlyExpiredFile, empty, []verifyCase{
			{"cross-signed: the expired path only", chain(good, crossByExpired), "svc.example.com", false},
			{"expired root", chain(legacyLeaf, onlyExpired), "legacy.example.com", false},
		}},
	} {
		t.Run(s.name, func(t *testing.T) {
			runChild(t, s, now)
		})
	}
}

// onlyEd writes c alone to a file in dir.
func onlyEd(t *testing.T, dir string, c *issued) string {
	f := filepath.Join(dir, "second-first.pem")
	write(t, f, pemOf(c))
	return f
}

// runChild judges s's cases in a child process started with s's store, and checks the
// verifiers agree on each, and that Go decides as the case says.
func runChild(t *testing.T, s storeCase, now time.Time) {
	t.Helper()
	in := filepath.Join(t.TempDir(), "cases.json")
	b, err := json.Marshal(struct {
		Now   time.Time
		Cases []verifyCase
	}{now, s.cases})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestVerifyAsGo$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SYSROOTS_VERIFY_CASES="+in, "SSL_CERT_FILE="+s.file, "SSL_CERT_DIR="+s.dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(in + ".out")
	if err != nil {
		t.Fatal(err)
	}
	var results []verifyResult
	if err := json.Unmarshal(raw, &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != len(s.cases) {
		t.Fatalf("%d results for %d cases", len(results), len(s.cases))
	}
	for i, r := range results {
		c := s.cases[i]
		if r.GoErr != r.OurErr || !r.SameChains {
			t.Errorf("%s: Go: %q, ours: %q (same chains: %v)", c.Name, r.GoErr, r.OurErr, r.SameChains)
		}
		if accepted := r.GoErr == ""; accepted != c.Accept {
			t.Errorf("%s: Go accepted: %v (%s), want %v: the case does not test what it says", c.Name, accepted, r.GoErr, c.Accept)
		}
	}
}

// verifyChild judges the cases in path with Go's system pool and with Roots read from the
// same environment, and writes the results next to it.
func verifyChild(t *testing.T, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var in struct {
		Now   time.Time
		Cases []verifyCase
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	goPool, err := x509.SystemCertPool()
	if err != nil {
		t.Fatal(err)
	}
	ours, err := Load(FromEnv(os.Getenv, *platform))
	if err != nil {
		t.Fatal(err)
	}
	var out []verifyResult
	for _, c := range in.Cases {
		var certs []*x509.Certificate
		for _, der := range c.Chain {
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			certs = append(certs, cert)
		}
		// As crypto/tls's verifyServerCertificate builds its options (go1.26.8).
		opts := x509.VerifyOptions{Roots: goPool, CurrentTime: in.Now, DNSName: c.DNS, Intermediates: x509.NewCertPool()}
		for _, cert := range certs[1:] {
			opts.Intermediates.AddCert(cert)
		}
		goChains, goErr := certs[0].Verify(opts)
		ourChains, ourErr := ours.Verify(certs, c.DNS, in.Now)
		out = append(out, verifyResult{Name: c.Name, GoErr: errText(goErr), OurErr: errText(ourErr), SameChains: sameChains(goChains, ourChains)})
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".out", b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func sameChains(a, b [][]*x509.Certificate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if !bytes.Equal(a[i][j].Raw, b[i][j].Raw) {
				return false
			}
		}
	}
	return true
}

// TestVerifyUsesOnlyCandidates: verifying a chain parses the roots its names lead to, not the
// store (the point of Roots), and a nil Roots means Go's own verifier.
func TestVerifyUsesOnlyCandidates(t *testing.T) {
	p := &pki{t: t, now: time.Now()}
	root := p.issue(ca("Private Root"), nil, nil)
	good := p.issue(leaf("svc.example.com"), root, nil)
	var others []*issued
	for i := range 20 {
		others = append(others, p.issue(ca(fmt.Sprintf("Other Root %d", i)), nil, nil))
	}
	f := filepath.Join(t.TempDir(), "bundle.pem")
	write(t, f, pemOf(others[:10]...), pemOf(root), pemOf(others[10:]...))
	r, err := Load(Sources{Files: []string{f}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Verify([]*x509.Certificate{good.cert}, "svc.example.com", time.Now()); err != nil {
		t.Fatal(err)
	}
	var parsed []string
	for i := range r.roots {
		if r.roots[i].cert != nil {
			parsed = append(parsed, r.roots[i].cert.Subject.CommonName)
		}
	}
	if strings.Join(parsed, ",") != "Private Root" {
		t.Errorf("verifying parsed %v, want only the issuer", parsed)
	}
	var none *Roots
	if _, err := none.Verify([]*x509.Certificate{good.cert}, "svc.example.com", time.Now()); err == nil || !strings.Contains(err.Error(), "unknown authority") {
		t.Errorf("a nil Roots (Go's own roots) accepted a private chain: %v", err)
	}
}
