// Package servicefake emulates the services that take a GitHub ID token in a shape of their
// own rather than RFC 8693's form (PyPI, crates.io, RubyGems, npm, octo-sts, JFrog, Tailscale,
// Databricks, and a custom Bearer+JSON API), one file each, written from the service's source
// or documentation (cited in each file). Each verifies the ID token as its service does
// (signature against the issuer's JWKS, issuer, audience, expiry, and its trust condition),
// refuses with the service's own error shape, and answers the later use of the token (an
// upload, an API call) only for a token it issued and has not revoked.
//
// Each constructor returns the running server, which knows the `with:` inputs that trust it
// (Inputs) and the real origins its recipe names (Origins), so a test can run the recipe's
// block against it with only those origins replaced. A Server is an e2e world
// (e2e/internal/worlds.World) of its recipe's login, so a test starts one as it starts a
// provider's: worlds.Must(t, servicefake.NewPyPI, gh).
package servicefake

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/jwtcheck"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
	"github.com/oidc-login/oidc-login/e2e/internal/recipes"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/internal/provider/tokenexchange"
)

// Server is one running emulated service.
type Server struct {
	// Name is the service ("pypi", "crates", ...), the recipe's name on the docs page.
	Name string
	// URL is the emulator's origin, https://localhost:<port>.
	URL string
	// Faults sits in front of every route; Hostile, once Set, taints every answer.
	Faults  *fault.Injector
	Hostile hostile.Mode

	// origins are the real origins the recipe names, each served here.
	origins []string
	// with is the recipe's with: block, as the page shows it.
	with map[string]string
	// caFile is the certificate bundle a step trusts the server through.
	caFile string
	// use builds the request a later step makes with the issued token (Use).
	use func(base, token string) (*http.Request, error)

	srv    *httptest.Server
	client *http.Client
	gh     *fakegithub.Server
	mux    *http.ServeMux
	// keys keeps the issuer's signing keys between tokens and fetches them again for an
	// unknown key id, as PyPI (warehouse/oidc/services.py _refresh_keyset, pypi/warehouse
	// 6b62157) and crates.io (crates/crates_io_trustpub/src/keystore/impl.rs, rust-lang/crates.io
	// 57fa000) do; octo-sts verifies with go-oidc's RemoteKeySet (pkg/provider/provider.go,
	// octo-sts/app cb87fc1), which jwtcheck.KeyCache follows.
	keys jwtcheck.KeyCache

	mu         sync.Mutex
	issued     map[string]time.Time
	revoked    []string
	jtis       map[string]bool
	subjects   []string
	unexpected []string
}

// newServer starts the service of the recipe name on https://localhost with a certificate
// from ca; the caller adds its routes to the mux, and keep names the answer fields hostile
// mode leaves alone (the issued token, which the emulator registered as a secret).
func newServer(name string, gh *fakegithub.Server, ca *testca.CA, keep ...string) (*Server, error) {
	r, err := recipes.Get(name)
	if err != nil {
		return nil, err
	}
	s := &Server{Name: name, with: r.With, caFile: ca.File, gh: gh, mux: http.NewServeMux(), issued: map[string]time.Time{}, jtis: map[string]bool{}, client: ca.Client()}
	s.Faults = &fault.Injector{Next: s.Hostile.Wrap(s.mux, hostile.Fields(keep...)), HangFor: 200 * time.Millisecond}
	srv, err := ca.NewTLSServer(s.Faults)
	if err != nil {
		return nil, err
	}
	s.srv = srv
	s.URL = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Origins are the real origins the service's recipe names; a test replaces each with URL.
func (s *Server) Origins() []string { return slices.Clone(s.origins) }

// Inputs are the with: inputs that log into this emulator: the recipe of the same name on the
// docs page (package recipes), its origins replaced by URL.
func (s *Server) Inputs() map[string]string {
	out := map[string]string{}
	for k, v := range s.with {
		out[k] = s.Local(v)
	}
	return out
}

// Env is what a step needs to trust the emulator: SSL_CERT_FILE, the test CA that signed its
// certificate, as a runner behind a corporate CA would.
func (s *Server) Env() map[string]string { return map[string]string{"SSL_CERT_FILE": s.caFile} }

// Exports are the variables the recipe's login hands later steps: the issued token, under
// the name the recipe gives it.
func (s *Server) Exports() []string {
	if name := s.with["token-exchange-env-name"]; name != "" {
		return []string{name}
	}
	return []string{tokenexchange.DefaultEnvName}
}

// Calls is what the recipe's login asks the service: one exchange.
func (s *Server) Calls() int { return 1 }

// RequestCount is every request the service got, faults included.
func (s *Server) RequestCount() int { return s.Requests() }

// HostileModes are the switches that make the service malicious.
func (s *Server) HostileModes() []*hostile.Mode { return []*hostile.Mode{&s.Hostile} }

// Local replaces every real origin of the recipe in v with the emulator's URL.
func (s *Server) Local(v string) string {
	for _, o := range s.origins {
		v = strings.ReplaceAll(v, o, s.URL)
	}
	return v
}

// bearerAPI serves pattern ("METHOD /path"), the API call a later step makes with the issued
// token as a bearer, and makes it the request Use sends: answered ok (HTTP 200) for a token
// the service issued and has not revoked, refused (HTTP 401) for any other.
func (s *Server) bearerAPI(pattern string, ok, refused any) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if !s.valid(bearer(r)) {
			writeJSON(w, http.StatusUnauthorized, refused)
			return
		}
		writeJSON(w, http.StatusOK, ok)
	})
	method, path, _ := strings.Cut(pattern, " ")
	s.use = func(base, token string) (*http.Request, error) {
		req, err := http.NewRequest(method, base+path, nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return req, err
	}
}

// unknown answers every request no other route takes with the service's own answer (its
// 404), recording it as one the service's client would never send.
func (s *Server) unknown(answer http.HandlerFunc) {
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.unexpectedf("%s %s", r.Method, r.URL.Path)
		answer(w, r)
	})
}

// jsonAnswer answers v as JSON with status.
func jsonAnswer(status int, v any) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, status, v) }
}

// Use makes the later step's request with token, the way the service's client sends it, and
// returns the status: 2xx only for a token this emulator issued and has not revoked.
func (s *Server) Use(token string) (int, error) {
	req, err := s.use(s.URL, token)
	if err != nil {
		return 0, err
	}
	res, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}

// Issued returns every token handed out, in order.
func (s *Server) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.issued))
	for t := range s.issued {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Revoked returns every token revoked.
func (s *Server) Revoked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.revoked)
}

// SubjectTokens returns every ID token the service was sent.
func (s *Server) SubjectTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.subjects)
}

// Requests counts requests, faults included.
func (s *Server) Requests() int { return s.Faults.Requests() }

// Unexpected lists requests the service's client would never send; tests require it empty.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.unexpected)
}

// Secrets lists every secret the emulator issued, for leak checks.
func (s *Server) Secrets() []string { return s.Issued() }

func (s *Server) unexpectedf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unexpected = append(s.unexpected, fmt.Sprintf(format, args...))
}

// issue records a token the service hands out, valid for ttl, as a secret the harness scans
// every output for.
func (s *Server) issue(tok string, ttl time.Duration) string {
	leak.Register(tok)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued[tok] = time.Now().Add(ttl)
	return tok
}

// valid reports whether tok is a live token of this service.
func (s *Server) valid(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.issued[tok]
	return ok && !time.Now().After(exp) && !slices.Contains(s.revoked, tok)
}

// revoke ends tok (a no-op for a token the service does not know, as the services do).
func (s *Server) revoke(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.issued[tok]; ok && !slices.Contains(s.revoked, tok) {
		s.revoked = append(s.revoked, tok)
	}
}

// verify checks an ID token the way the services here do before trusting it: RS256 signature
// against the issuer's JWKS, iss, the audience the service expects, exp; and, like PyPI,
// crates.io and RubyGems, that its jti was not used before. It records the token it was sent.
func (s *Server) verify(raw string, audiences ...string) (map[string]any, *jwtcheck.Error) {
	s.mu.Lock()
	s.subjects = append(s.subjects, raw)
	s.mu.Unlock()
	v := &jwtcheck.Verifier{Issuer: fakegithub.Issuer, JWKSURL: s.gh.JWKSURL(), Audiences: audiences, Leeway: 30 * time.Second, Keys: &s.keys}
	claims, err := v.Verify(raw)
	if err != nil {
		var je *jwtcheck.Error
		errors.As(err, &je)
		return nil, je
	}
	jti, _ := claims["jti"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	if jti != "" && s.jtis[jti] {
		return nil, &jwtcheck.Error{Reason: "reused", Msg: "the token was already used"}
	}
	s.jtis[jti] = true
	return claims, nil
}

// repositoryTrusted is the trust condition the recipes configure: the repository the fake
// GitHub mints tokens for.
func repositoryTrusted(claims map[string]any) bool {
	r, _ := claims["repository"].(string)
	return r == fakegithub.DefaultRepo
}

// bearer returns the token of an Authorization: Bearer header ("" if none).
func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readJSON reads an object of strings, as every JSON exchange here sends.
func readJSON(r *http.Request) (map[string]any, error) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return nil, fmt.Errorf("Content-Type %q is not application/json", ct)
	}
	var m map[string]any
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// alnum is the alphabet of the services' random tokens.
const alnum = fakeid.Upper + fakeid.Lower + fakeid.Digits

func fakeAlnum(n int) string { return fakeid.String(n, alnum) }

func readBody(r *http.Request) ([]byte, error) { return io.ReadAll(io.LimitReader(r.Body, 1<<20)) }

// jsonStrict decodes an object, refusing fields of the wrong type as typed parsers do.
func jsonStrict(b []byte, v any) error { return json.Unmarshal(b, v) }

func fakeHex(n int) string { return fakeid.Hex(n) }
