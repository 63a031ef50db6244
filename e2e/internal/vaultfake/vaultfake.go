// Package vaultfake is an emulator of the parts of HashiCorp Vault (and OpenBao) a workflow
// uses: JWT auth login that verifies the GitHub ID token like vault-plugin-auth-jwt
// (signature via the issuer's JWKS, bound_issuer, bound_audiences, bound_subject,
// bound_claims with glob, user_claim, expiry) with named and default roles, KV v1 and v2
// reads under per-token ACL policies, namespaces (X-Vault-Namespace), token lookup-self and
// revoke-self. It answers Vault's own JSON, errors included ({"errors":[…]}), and records
// every request; a request it does not know is recorded as unexpected and answered 404.
package vaultfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/jwtcheck"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// Vault's answers, word for word.
const (
	// PermissionDenied is the body of every ACL refusal (a go-multierror list).
	PermissionDenied = "1 error occurred:\n\t* permission denied\n\n"
	// KV2InvalidPath is the warning a KV v2 mount gives for a read without data/.
	KV2InvalidPath = "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation."
)

// Standby412 is the answer of a performance standby that has not caught up yet.
const Standby412 fault.Kind = "vault-412"

func init() {
	fault.Custom[Standby412] = func(w http.ResponseWriter) {
		writeErrors(w, http.StatusPreconditionFailed, "required index state not present")
	}
}

// Role is a role on a JWT auth mount, with vault-plugin-auth-jwt's fields.
type Role struct {
	Name           string
	RoleType       string // "jwt" (default) or "oidc"
	BoundAudiences []string
	BoundSubject   string
	// BoundClaims maps a claim to the values it may take; with BoundClaimsType "glob" the
	// values are globs (* and ?).
	BoundClaims     map[string][]string
	BoundClaimsType string
	UserClaim       string // default "sub"
	Policies        []string
	TTL             time.Duration // default 1h
}

// Token is one token the emulator issued.
type Token struct {
	Token, Accessor string
	Namespace       string
	Mount, Role     string
	DisplayName     string
	Policies        []string
	Issued, Expires time.Time
	Revoked         bool
}

// Request is one request the emulator answered (faults are counted by Faults only).
type Request struct {
	Method string
	// Path is the API path without /v1/.
	Path string
	// Namespace is the X-Vault-Namespace header; HasNamespace tells empty from absent.
	Namespace    string
	HasNamespace bool
	HasToken     bool
	// Body is the JSON body of a login, with the jwt replaced by "<jwt>".
	Body map[string]any
}

type authMount struct {
	defaultRole string
	roles       map[string]Role
}

type kvMount struct {
	version int
	data    map[string]map[string]any
}

type namespace struct {
	auth     map[string]*authMount
	kv       map[string]*kvMount
	policies map[string][]string
}

// Server is a running emulator.
type Server struct {
	URL    string
	Faults *fault.Injector
	// Hostile, once Set, makes the emulator a malicious server (package hostile).
	Hostile hostile.Mode
	// Issuer is the mount's bound_issuer; JWKSURL where its keys are (oidc_discovery_url).
	Issuer  string
	JWKSURL string

	srv *httptest.Server
	// keys keeps the issuer's signing keys between logins, as Vault does: the JWT auth method
	// builds its validator once per configuration and keeps it, and that validator's key set
	// is go-oidc's RemoteKeySet (vault-plugin-auth-jwt 2e68bba, backend.go jwtValidator;
	// hashicorp/cap 3105c2b, jwt/keyset.go NewJSONWebKeySet and NewOIDCDiscoveryKeySet), whose
	// behaviour jwtcheck.KeyCache follows.
	keys jwtcheck.KeyCache

	mu         sync.Mutex
	namespaces map[string]*namespace
	tokens     map[string]*Token
	requests   []Request
	unexpected []string
}

// New starts an emulator on loopback http that trusts tokens of issuer.
func New(issuer, jwksURL string) *Server {
	s := newServer(issuer, jwksURL)
	s.srv = httptest.NewServer(s.Faults)
	s.URL = s.srv.URL
	return s
}

// NewTLS starts an emulator on loopback https with a certificate from ca.
func NewTLS(ca *testca.CA, issuer, jwksURL string) (*Server, error) {
	s := newServer(issuer, jwksURL)
	srv, err := ca.NewTLSServer(s.Faults)
	if err != nil {
		return nil, err
	}
	s.srv = srv
	s.URL = srv.URL
	return s, nil
}

func newServer(issuer, jwksURL string) *Server {
	s := &Server{Issuer: issuer, JWKSURL: jwksURL, namespaces: map[string]*namespace{}, tokens: map[string]*Token{}}
	s.Faults = &fault.Injector{Next: s.Hostile.Wrap(http.HandlerFunc(s.handle), hostileKeep), HangFor: 30 * time.Second}
	s.ns("")
	return s
}

// Close stops the emulator.
func (s *Server) Close() { s.srv.Close() }

// ns returns (creating) a namespace; "" is the root. Callers hold mu or are setting up.
func (s *Server) ns(name string) *namespace {
	n, ok := s.namespaces[name]
	if !ok {
		n = &namespace{auth: map[string]*authMount{}, kv: map[string]*kvMount{}, policies: map[string][]string{}}
		s.namespaces[name] = n
	}
	return n
}

// AddRole creates a role on the JWT auth mount at mount (enabling it) in namespace ns.
func (s *Server) AddRole(ns, mount string, r Role) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.RoleType == "" {
		r.RoleType = "jwt"
	}
	if r.UserClaim == "" {
		r.UserClaim = "sub"
	}
	if r.TTL == 0 {
		r.TTL = time.Hour
	}
	s.authMount(ns, mount).roles[strings.ToLower(r.Name)] = r
}

// SetDefaultRole sets the mount's default_role.
func (s *Server) SetDefaultRole(ns, mount, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authMount(ns, mount).defaultRole = role
}

func (s *Server) authMount(ns, mount string) *authMount {
	n := s.ns(ns)
	m, ok := n.auth[mount]
	if !ok {
		m = &authMount{roles: map[string]Role{}}
		n.auth[mount] = m
	}
	return m
}

// AddKV mounts a KV secrets engine of version 1 or 2 at mount in namespace ns.
func (s *Server) AddKV(ns, mount string, version int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ns(ns).kv[mount] = &kvMount{version: version, data: map[string]map[string]any{}}
}

// Put writes a secret (the path within the mount, without data/).
func (s *Server) Put(ns, mount, path string, data map[string]any) {
	for _, v := range data {
		if str, ok := v.(string); ok {
			leak.Register(str)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ns(ns).kv[mount].data[path] = data
}

// AddPolicy creates an ACL policy granting read on each path pattern (exact, or a prefix
// ending in *), as `path "<p>" { capabilities = ["read"] }` does.
func (s *Server) AddPolicy(ns, name string, paths ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ns(ns).policies[name] = paths
}

// Tokens returns every token issued.
func (s *Server) Tokens() []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Token
	for _, t := range s.tokens {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Issued.Before(out[j].Issued) })
	return out
}

// Valid reports whether token would be accepted now.
func (s *Server) Valid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[token]
	return ok && !t.Revoked && time.Now().Before(t.Expires)
}

// Requests returns every request answered, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count counts the answered requests with this method and API path.
func (s *Server) Count(method, path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// Total counts every request, faults included.
func (s *Server) Total() int { return s.Faults.Requests() }

// Unexpected lists requests the emulator does not implement.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unexpected...)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, "/v1/")
	if !ok {
		s.unknown(w, r)
		return
	}
	ns, hasNS := r.Header.Get("X-Vault-Namespace"), len(r.Header.Values("X-Vault-Namespace")) > 0
	ns = strings.Trim(ns, "/")
	req := Request{Method: r.Method, Path: path, Namespace: ns, HasNamespace: hasNS, HasToken: r.Header.Get("X-Vault-Token") != ""}
	switch {
	case path == "auth/token/revoke-self" && r.Method == http.MethodPost:
		s.record(req)
		s.revokeSelf(w, r, ns)
	case path == "auth/token/lookup-self" && r.Method == http.MethodGet:
		s.record(req)
		s.lookupSelf(w, r, ns)
	case strings.HasPrefix(path, "auth/") && strings.HasSuffix(path, "/login") && r.Method == http.MethodPost:
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			s.record(req)
			writeErrors(w, http.StatusBadRequest, "failed to parse JSON input: "+err.Error())
			return
		}
		jwt, _ := body["jwt"].(string)
		shown := map[string]any{}
		for k, v := range body {
			shown[k] = v
		}
		if _, ok := shown["jwt"]; ok {
			shown["jwt"] = "<jwt>"
		}
		req.Body = shown
		s.record(req)
		role, _ := body["role"].(string)
		s.login(w, ns, strings.TrimSuffix(strings.TrimPrefix(path, "auth/"), "/login"), role, jwt)
	case r.Method == http.MethodGet && !strings.HasPrefix(path, "auth/") && !strings.HasPrefix(path, "sys/"):
		s.record(req)
		s.read(w, r, ns, path)
	default:
		s.unknown(w, r)
	}
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

func (s *Server) unknown(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.unexpected = append(s.unexpected, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	writeErrors(w, http.StatusNotFound, fmt.Sprintf("no handler for route %q. route entry not found.", strings.TrimPrefix(r.URL.Path, "/v1/")))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErrors(w http.ResponseWriter, status int, errs ...string) {
	writeJSON(w, status, map[string]any{"errors": errs})
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
