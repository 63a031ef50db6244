// Package fakegithub is the runner's ID-token service as a container action sees it: a token
// URL that wants the request token as a bearer, takes an audience, and answers
// {"value": "<JWT>"} with an RS256 token carrying GitHub's claims; plus the issuer's JWKS and
// discovery document that the cloud emulators verify tokens with.
package fakegithub

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
)

// Issuer is GitHub.com's issuer; tokens carry it whatever URL serves them, as the clouds'
// OIDC provider registrations name it.
const Issuer = "https://token.actions.githubusercontent.com"

// DefaultOwner and DefaultRepo are the repository tokens are minted for.
const (
	DefaultOwner   = "octo-org"
	DefaultRepo    = "octo-org/octo-repo"
	DefaultSubject = "repo:octo-org/octo-repo:ref:refs/heads/main"
	// DefaultAudience is the aud of a token asked for without an audience parameter, as
	// GitHub's: https://github.com/<owner> ("aud" in
	// https://docs.github.com/en/actions/reference/security/oidc).
	DefaultAudience = "https://github.com/" + DefaultOwner
	// AnyBranch is the subject pattern of a trust that admits every branch of DefaultRepo, as
	// the clouds' guides for GitHub set one up; the e2e worlds' trusts all use it.
	AnyBranch = "repo:" + DefaultRepo + ":ref:refs/heads/*"
	// Lifetime is GitHub's (exp - iat).
	Lifetime = 5 * time.Minute
)

// Server is a running fake.
type Server struct {
	URL string
	// RequestToken is what the runner hands the step as ACTIONS_ID_TOKEN_REQUEST_TOKEN.
	RequestToken string
	// Faults sits in front of the token endpoint.
	Faults *fault.Injector
	// Hostile, once Set, makes the emulator a malicious server (package hostile).
	Hostile hostile.Mode

	key *rsa.PrivateKey
	kid string
	srv *httptest.Server

	// keyFetches counts requests for the JWKS.
	keyFetches atomic.Int64

	mu     sync.Mutex
	claims map[string]any
	issuer string
	minted []string
	auds   []string
	now    func() time.Time
}

// New starts a fake on loopback; Close it when done.
func New() *Server {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	s := &Server{key: key, kid: fakeid.Hex(8), RequestToken: "ghrt_" + fakeid.Hex(20), issuer: Issuer, claims: map[string]any{}}
	leak.Register(s.RequestToken)
	mux := http.NewServeMux()
	s.Faults = &fault.Injector{Next: s.Hostile.Wrap(http.HandlerFunc(s.token), hostileKeep), HangFor: 30 * time.Second}
	mux.Handle("/token", s.Faults)
	mux.HandleFunc("/.well-known/jwks", s.jwks)
	mux.HandleFunc("/.well-known/openid-configuration", s.discovery)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// RequestURL is ACTIONS_ID_TOKEN_REQUEST_URL (it already carries api-version, as GitHub's does).
func (s *Server) RequestURL() string { return s.URL + "/token?api-version=2.0" }

// JWKSURL is where the signing keys are.
func (s *Server) JWKSURL() string { return s.URL + "/.well-known/jwks" }

// Env is what the runner sets for a job with `id-token: write`.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_URL":   s.RequestURL(),
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": s.RequestToken,
	}
}

// SetClaims overrides or adds claims of every token minted from now on (nil deletes one).
func (s *Server) SetClaims(c map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range c {
		if v == nil {
			delete(s.claims, k)
			continue
		}
		s.claims[k] = v
	}
}

// SetClock sets the clock that dates the tokens minted from now on (iat, nbf, exp; time.Now
// when nil), so a test can mint a token that expired hours ago without waiting.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetIssuer changes the iss of tokens minted from now on (GHES, enterprise issuers).
func (s *Server) SetIssuer(iss string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issuer = iss
}

// Minted returns every token handed out, for the leak scan.
func (s *Server) Minted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.minted...)
}

// Audiences returns the audience parameter of every successful request ("" for none).
func (s *Server) Audiences() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auds...)
}

// Requests counts requests to the token endpoint, faults included.
func (s *Server) Requests() int { return s.Faults.Requests() }

// Claims returns the claims a token for aud would carry now (for tests that predict them).
func (s *Server) Claims(aud string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.claimsLocked(aud, time.Now())
}

func (s *Server) claimsLocked(aud string, now time.Time) map[string]any {
	if aud == "" {
		aud = DefaultAudience
	}
	c := map[string]any{
		"jti":                   fakeid.Hex(16),
		"sub":                   DefaultSubject,
		"aud":                   aud,
		"ref":                   "refs/heads/main",
		"sha":                   "d6f9a3f1c0e1b5e7a6f4c2d3e4f5a6b7c8d9e0f1",
		"repository":            DefaultRepo,
		"repository_owner":      DefaultOwner,
		"repository_owner_id":   "65432",
		"repository_id":         "123456",
		"repository_visibility": "private",
		"run_id":                "9876543210",
		"run_number":            "42",
		"run_attempt":           "1",
		"actor":                 "octocat",
		"actor_id":              "583231",
		"workflow":              "deploy",
		"workflow_ref":          DefaultRepo + "/.github/workflows/deploy.yml@refs/heads/main",
		"workflow_sha":          "d6f9a3f1c0e1b5e7a6f4c2d3e4f5a6b7c8d9e0f1",
		"job_workflow_ref":      DefaultRepo + "/.github/workflows/deploy.yml@refs/heads/main",
		"job_workflow_sha":      "d6f9a3f1c0e1b5e7a6f4c2d3e4f5a6b7c8d9e0f1",
		"head_ref":              "",
		"base_ref":              "",
		"event_name":            "push",
		"ref_type":              "branch",
		"ref_protected":         "true",
		"runner_environment":    "github-hosted",
		"iss":                   s.issuer,
		"nbf":                   now.Add(-5 * time.Second).Unix(),
		"iat":                   now.Unix(),
		"exp":                   now.Add(Lifetime).Unix(),
	}
	for k, v := range s.claims {
		c[k] = v
	}
	return c
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeErr(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if r.URL.Query().Get("api-version") != "2.0" {
		writeErr(w, http.StatusBadRequest, "api-version is required")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.RequestToken {
		writeErr(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	aud := r.URL.Query().Get("audience")
	s.mu.Lock()
	now := time.Now()
	if s.now != nil {
		now = s.now()
	}
	claims := s.claimsLocked(aud, now)
	s.mu.Unlock()
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	t.Header["kid"] = s.kid
	t.Header["x5t"] = s.kid
	signed, err := t.SignedString(s.key)
	if err != nil {
		writeErr(w, http.StatusInternalServerError, err.Error())
		return
	}
	leak.Register(signed)
	s.mu.Lock()
	s.minted = append(s.minted, signed)
	s.auds = append(s.auds, aud)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"count": 1, "value": signed})
}

// KeyFetches counts the requests for the issuer's JWKS: how often the emulators that trust
// this issuer fetched its keys.
func (s *Server) KeyFetches() int { return int(s.keyFetches.Load()) }

func (s *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	s.keyFetches.Add(1)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": s.kid,
		"n": b64(s.key.N.Bytes()), "e": b64(big.NewInt(int64(s.key.E)).Bytes()),
	}}})
}

func (s *Server) discovery(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	iss := s.issuer
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                iss,
		"jwks_uri":                              s.JWKSURL(),
		"subject_types_supported":               []string{"public", "pairwise"},
		"response_types_supported":              []string{"id_token"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claims_supported":                      []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "environment"},
	})
}

// Sign mints a token with exactly these claims and the server's key (for tests of
// emulators and of expired or tampered tokens).
func (s *Server) Sign(claims map[string]any) string {
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	t.Header["kid"] = s.kid
	signed, err := t.SignedString(s.key)
	if err != nil {
		panic(err)
	}
	return signed
}

func writeErr(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Pending makes the next n token requests answer GitHub's 403 "Pending" refusal.
func (s *Server) Pending(n int) {
	for i := 0; i < n; i++ {
		s.Faults.Queue(pendingFault)
	}
}

const pendingFault fault.Kind = "pending"

func init() {
	fault.Custom[pendingFault] = func(w http.ResponseWriter) {
		writeErr(w, http.StatusForbidden, "Can't issue ID_TOKEN for job in 'Pending' state")
	}
}
