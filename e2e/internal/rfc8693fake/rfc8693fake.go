// Package rfc8693fake is an OAuth 2.0 Token Exchange (RFC 8693) server: it takes the GitHub
// ID token as subject_token, verifies it like a real authorization server (signature via the
// issuer's JWKS, iss, aud, exp, and a trust condition on sub), checks grant_type,
// subject_token_type and, when configured, client_id and the requested targets, and answers
// an issued token or an RFC 6749 §5.2 error.
package rfc8693fake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/jwtcheck"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The RFC's identifiers.
const (
	GrantType       = "urn:ietf:params:oauth:grant-type:token-exchange"
	TokenTypeID     = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeJWT    = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeAccess = "urn:ietf:params:oauth:token-type:access_token"
)

// Config is the server's trust and policy.
type Config struct {
	Issuer  string
	JWKSURL string
	// Audiences are the accepted aud values of the subject token, besides the server's own
	// origin (Server.Origin), which it always accepts: it is configured, as the README's quick
	// start says, for the audience oidc-login asks for by default.
	Audiences []string
	// Subject is a glob the subject token's sub must match.
	Subject string
	// ClientID, when set, must be sent as client_id.
	ClientID string
	// Targets, when set, are the only audience/resource values the server issues for.
	Targets []string
	// ExpiresIn is sent as expires_in (omitted when 0).
	ExpiresIn int
}

// Issued is one token handed out and the request it answered (subject_token removed).
type Issued struct {
	AccessToken string
	Form        url.Values
	Expires     time.Time
}

// Server is a running emulator.
type Server struct {
	URL    string
	Faults *fault.Injector
	// Hostile, once Set, makes the emulator a malicious server (package hostile).
	Hostile hostile.Mode

	cfg Config
	srv *httptest.Server
	// keys keeps the issuer's signing keys between tokens, as authorization servers built on
	// go-oidc's RemoteKeySet do (jwtcheck.KeyCache says whose behaviour it follows).
	keys jwtcheck.KeyCache

	mu         sync.Mutex
	issued     []Issued
	forms      []url.Values
	subjects   []string
	forced     []forced
	unexpected []string
}

type forced struct {
	status            int
	code, description string
}

// New starts the server on plain-http loopback.
func New(cfg Config) *Server {
	s := newServer(cfg)
	s.srv = httptest.NewServer(s.Faults)
	s.URL = s.srv.URL + "/oauth2/token"
	return s
}

// NewTLS starts the server over https with a certificate from ca.
func NewTLS(cfg Config, ca *testca.CA) (*Server, error) {
	s := newServer(cfg)
	srv, err := ca.NewTLSServer(s.Faults)
	if err != nil {
		return nil, err
	}
	s.srv = srv
	s.URL = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/oauth2/token"
	return s, nil
}

func newServer(cfg Config) *Server {
	s := &Server{cfg: cfg}
	s.Faults = &fault.Injector{Next: s.Hostile.Wrap(http.HandlerFunc(s.handle), hostileKeep), HangFor: 200 * time.Millisecond}
	return s
}

// Origin is the server's origin (scheme://host:port), the ID-token audience it accepts
// without being told.
func (s *Server) Origin() string {
	u, _ := url.Parse(s.URL)
	return u.Scheme + "://" + u.Host
}

// SubjectTokens returns every subject_token received, as sent: what a hostile server would
// keep to replay.
func (s *Server) SubjectTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.subjects...)
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Requests counts requests, faults included.
func (s *Server) Requests() int { return s.Faults.Requests() }

// Issued returns every token handed out.
func (s *Server) Issued() []Issued {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Issued(nil), s.issued...)
}

// Forms returns the form of every request that reached the handler, subject_token removed.
func (s *Server) Forms() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.forms...)
}

// Unexpected lists requests no RFC 8693 client would send; tests require it empty.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unexpected...)
}

// FailNext makes the next exchange answer this RFC 6749 error.
func (s *Server) FailNext(status int, code, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forced = append(s.forced, forced{status, code, description})
}

func (s *Server) unexpectedf(w http.ResponseWriter, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.mu.Lock()
	s.unexpected = append(s.unexpected, msg)
	s.mu.Unlock()
	writeError(w, http.StatusBadRequest, "invalid_request", msg)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/oauth2/token" {
		s.unexpectedf(w, "unexpected %s %s", r.Method, r.URL.Path)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		s.unexpectedf(w, "the token endpoint takes application/x-www-form-urlencoded, got %q", ct)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.unexpectedf(w, "unreadable form: %v", err)
		return
	}
	f := r.PostForm
	if len(r.URL.Query()) > 0 {
		s.unexpectedf(w, "parameters belong in the body, not the query")
		return
	}
	for name, vs := range f {
		// RFC 6749 §3.2: parameters must not be repeated (audience/resource aside) nor sent empty.
		if (len(vs) > 1 && name != "audience" && name != "resource") || slices.Contains(vs, "") {
			s.unexpectedf(w, "parameter %s is repeated or empty", name)
			return
		}
	}
	seen := url.Values{}
	for k, v := range f {
		if k != "subject_token" {
			seen[k] = v
		}
	}
	s.mu.Lock()
	s.forms = append(s.forms, seen)
	if st := f.Get("subject_token"); st != "" {
		s.subjects = append(s.subjects, st)
	}
	if len(s.forced) > 0 {
		fe := s.forced[0]
		s.forced = s.forced[1:]
		s.mu.Unlock()
		writeError(w, fe.status, fe.code, fe.description)
		return
	}
	s.mu.Unlock()
	s.exchange(w, f, seen)
}

func (s *Server) exchange(w http.ResponseWriter, f, seen url.Values) {
	c := s.cfg
	if f.Get("grant_type") != GrantType {
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported", f.Get("grant_type")))
		return
	}
	if c.ClientID != "" {
		switch f.Get("client_id") {
		case c.ClientID:
		case "":
			writeError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed: client_id is required")
			return
		default:
			writeError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed: unknown client")
			return
		}
	}
	if f.Get("subject_token") == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "subject_token is required")
		return
	}
	if stt := f.Get("subject_token_type"); stt != TokenTypeID && stt != TokenTypeJWT {
		writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("unsupported subject_token_type %q", stt))
		return
	}
	v := &jwtcheck.Verifier{Issuer: c.Issuer, JWKSURL: c.JWKSURL, Audiences: append(slices.Clip(c.Audiences), s.Origin()), Keys: &s.keys}
	claims, err := v.Verify(f.Get("subject_token"))
	if err != nil {
		var je *jwtcheck.Error
		errors.As(err, &je)
		writeError(w, http.StatusBadRequest, "invalid_grant", "subject_token rejected: "+je.Msg)
		return
	}
	sub, _ := claims["sub"].(string)
	if !jwtcheck.Like(c.Subject, sub) {
		writeError(w, http.StatusBadRequest, "invalid_grant", "subject_token rejected: subject "+sub+" is not allowed to exchange tokens")
		return
	}
	if len(c.Targets) > 0 {
		for _, t := range append(f["audience"], f["resource"]...) {
			if !slices.Contains(c.Targets, t) {
				writeError(w, http.StatusBadRequest, "invalid_target", "the requested target "+t+" is not allowed")
				return
			}
		}
	}
	issuedType := f.Get("requested_token_type")
	if issuedType == "" {
		issuedType = TokenTypeAccess
	}
	tok := Issued{AccessToken: "at_" + fakeid.Hex(32), Form: seen}
	resp := map[string]any{
		"access_token":      tok.AccessToken,
		"issued_token_type": issuedType,
		"token_type":        "Bearer",
	}
	if c.ExpiresIn > 0 {
		resp["expires_in"] = c.ExpiresIn
		tok.Expires = time.Now().Add(time.Duration(c.ExpiresIn) * time.Second).UTC()
	}
	s.mu.Lock()
	leak.Register(tok.AccessToken)
	s.issued = append(s.issued, tok)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(resp)
}

func writeError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

// Secrets lists every secret value handed out so far, for leak and mask checks.
func (s *Server) Secrets() []string {
	var out []string
	for _, c := range s.Issued() {
		out = append(out, c.AccessToken)
	}
	return out
}
