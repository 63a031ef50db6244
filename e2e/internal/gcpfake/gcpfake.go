// Package gcpfake emulates Google's Security Token Service (the token exchange of Workload
// Identity Federation) and IAM Credentials over TLS. STS verifies the subject token the way
// Google does: a provider must exist and be enabled, the JWT's signature must verify against
// the issuer's JWKS, its audience must be one the provider allows, its issuer the provider's,
// every mapped attribute at most 127 bytes, and the attribute condition true. IAM Credentials
// accepts only the federated tokens STS issued, as bearers, and only for principals with a
// roles/iam.workloadIdentityUser binding on the service account. Errors use Google's own
// bodies and codes.
package gcpfake

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/jwtcheck"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// MappedAttributeLimit is Google's limit on every mapped attribute.
const MappedAttributeLimit = 127

// FederatedLifetime is how long STS's tokens live.
const FederatedLifetime = time.Hour

// Provider is a workload identity pool provider.
type Provider struct {
	// Name is projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<id>.
	Name    string
	Issuer  string
	JWKSURL string
	// AllowedAudiences; empty accepts the provider's own names (//iam… and https://iam…).
	AllowedAudiences []string
	// Mapping maps Google attributes (google.subject, attribute.repository, …) to claims;
	// nil is GitHub's usual mapping.
	Mapping map[string]string
	// Condition is the attribute condition: every assertion.<claim> must equal its value
	// (an && of equalities, the shape most GitHub conditions take); nil admits any token.
	Condition map[string]string
	Disabled  bool
}

// DefaultMapping is the mapping Google's GitHub guide configures.
var DefaultMapping = map[string]string{
	"google.subject":             "sub",
	"attribute.repository":       "repository",
	"attribute.repository_owner": "repository_owner",
	"attribute.ref":              "ref",
}

// ServiceAccount is a service account and who may impersonate it.
type ServiceAccount struct {
	Email string
	// UniqueID is the account's numeric unique id, which IAM Credentials takes in place of
	// the email in projects/-/serviceAccounts/<id> (optional).
	UniqueID string
	// Members hold roles/iam.workloadIdentityUser: principal://…/subject/<sub> or
	// principalSet://…/attribute.<name>/<value>.
	Members []string
	// ExtendedLifetime allows lifetimes up to 43200s (the organisation policy).
	ExtendedLifetime bool
	// TokenCreators hold roles/iam.serviceAccountTokenCreator on the account, which a
	// delegation chain needs at every link: serviceAccount:<email> for the delegate before it,
	// or a principal:// / principalSet:// member for the federated identity at its start.
	TokenCreators []string
}

// Federated is a token STS issued and whom it stands for.
type Federated struct {
	Token      string
	Provider   string
	Attributes map[string]string
	Scope      string
	Expires    time.Time
}

// AccessToken is what generateAccessToken issued.
type AccessToken struct {
	Token          string
	ServiceAccount string
	Scope          []string
	Lifetime       string
	Expires        time.Time
	// Delegates is the request's delegation chain (projects/-/serviceAccounts/<email>).
	Delegates []string
}

// IDToken is what generateIdToken issued.
type IDToken struct {
	Token          string
	ServiceAccount string
	Audience       string
	IncludeEmail   bool
	Delegates      []string
}

// Server is a running emulator: STS and IAM Credentials on two TLS endpoints.
type Server struct {
	// STSURL and IAMURL are the endpoints' bases (https://127.0.0.1:port).
	STSURL, IAMURL string
	// STSFaults and IAMFaults sit in front of each endpoint and count its requests.
	STSFaults, IAMFaults *fault.Injector
	// Hostile, once Set, makes both endpoints a malicious server (package hostile).
	Hostile hostile.Mode

	sts, iam *httptest.Server
	key      *rsa.PrivateKey
	// keys keeps the providers' signing keys between tokens (jwtcheck.KeyCache says whose
	// behaviour that follows).
	keys jwtcheck.KeyCache

	mu        sync.Mutex
	providers map[string]Provider
	accounts  map[string]ServiceAccount
	federated map[string]Federated
	access    []AccessToken
	idTokens  []IDToken
	stsForms  []url.Values
	// unexpected lists requests no real Google endpoint would answer, for tests to fail on.
	unexpected []string
}

// New starts the emulator with certificates from ca.
func New(ca *testca.CA) (*Server, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s := &Server{key: key, providers: map[string]Provider{}, accounts: map[string]ServiceAccount{}, federated: map[string]Federated{}}
	s.STSFaults = &fault.Injector{Next: s.Hostile.Wrap(http.HandlerFunc(s.handleSTS), hostileKeep), HangFor: 30 * time.Second}
	s.IAMFaults = &fault.Injector{Next: s.Hostile.Wrap(http.HandlerFunc(s.handleIAM), hostileKeep), HangFor: 30 * time.Second}
	if s.sts, err = ca.NewTLSServer(s.STSFaults); err != nil {
		return nil, err
	}
	if s.iam, err = ca.NewTLSServer(s.IAMFaults); err != nil {
		s.sts.Close()
		return nil, err
	}
	s.STSURL, s.IAMURL = s.sts.URL, s.iam.URL
	return s, nil
}

// Close stops both endpoints.
func (s *Server) Close() {
	s.sts.Close()
	s.iam.Close()
}

// AddProvider creates (or replaces) a provider.
func (s *Server) AddProvider(p Provider) {
	if p.Mapping == nil {
		p.Mapping = DefaultMapping
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.providers[p.Name] = p
}

// AddServiceAccount creates (or replaces) a service account.
func (s *Server) AddServiceAccount(a ServiceAccount) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[a.Email] = a
}

// Federated returns every token STS issued.
func (s *Server) Federated() []Federated {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Federated, 0, len(s.federated))
	for _, f := range s.federated {
		out = append(out, f)
	}
	return out
}

// AccessTokens returns every token generateAccessToken issued, in order.
func (s *Server) AccessTokens() []AccessToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AccessToken(nil), s.access...)
}

// IDTokens returns every token generateIdToken issued, in order.
func (s *Server) IDTokens() []IDToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]IDToken(nil), s.idTokens...)
}

// STSForms returns the (normalised) parameters of every exchange STS answered.
func (s *Server) STSForms() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.stsForms...)
}

// Secrets lists every token issued, for leak checks.
func (s *Server) Secrets() []string {
	var out []string
	for _, f := range s.Federated() {
		out = append(out, f.Token)
	}
	for _, a := range s.AccessTokens() {
		out = append(out, a.Token)
	}
	for _, t := range s.IDTokens() {
		out = append(out, t.Token)
	}
	return out
}

// Unexpected lists the requests neither endpoint knows; a test fails when there are any.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unexpected...)
}

func (s *Server) refuseUnexpected(w http.ResponseWriter, endpoint string, r *http.Request) {
	s.mu.Lock()
	s.unexpected = append(s.unexpected, endpoint+": "+r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	rpcError(w, http.StatusNotFound, "NOT_FOUND", "gcpfake: "+endpoint+" has no "+r.Method+" "+r.URL.Path, "")
}

// stsParams reads an exchange sent as a form (Google's libraries) or as JSON with either
// snake_case or camelCase names (google-github-actions, REST clients), as STS accepts.
func stsParams(r *http.Request) (url.Values, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var m map[string]any
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m); err != nil {
			return nil, err
		}
		v := url.Values{}
		for k, val := range m {
			if str, ok := val.(string); ok {
				v.Set(snake(k), str)
			}
		}
		return v, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

var upperRE = regexp.MustCompile(`[A-Z]`)

func snake(k string) string {
	return upperRE.ReplaceAllStringFunc(k, func(u string) string { return "_" + strings.ToLower(u) })
}

func (s *Server) handleSTS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/token" {
		s.refuseUnexpected(w, "STS", r)
		return
	}
	f, err := stsParams(r)
	if err != nil {
		oauthError(w, "invalid_request", "Invalid request body.")
		return
	}
	switch {
	case f.Get("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange":
		oauthError(w, "unsupported_grant_type", fmt.Sprintf("Invalid value for \"grant_type\": %q.", f.Get("grant_type")))
		return
	case f.Get("requested_token_type") != "urn:ietf:params:oauth:token-type:access_token":
		oauthError(w, "invalid_request", "Invalid value for \"requested_token_type\".")
		return
	case f.Get("subject_token_type") != "urn:ietf:params:oauth:token-type:jwt" && f.Get("subject_token_type") != "urn:ietf:params:oauth:token-type:id_token":
		oauthError(w, "invalid_request", "Invalid value for \"subject_token_type\".")
		return
	case f.Get("subject_token") == "":
		oauthError(w, "invalid_request", "Missing required parameter: \"subject_token\".")
		return
	}
	name, ok := strings.CutPrefix(f.Get("audience"), "//iam.googleapis.com/")
	s.mu.Lock()
	p, found := s.providers[name]
	s.mu.Unlock()
	if !ok || !found || p.Disabled {
		oauthError(w, "invalid_target", "The target service indicated by the \"audience\" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.")
		return
	}
	token := f.Get("subject_token")
	auds := p.AllowedAudiences
	if len(auds) == 0 {
		auds = []string{"//iam.googleapis.com/" + p.Name, "https://iam.googleapis.com/" + p.Name}
	}
	v := &jwtcheck.Verifier{Issuer: p.Issuer, JWKSURL: p.JWKSURL, Audiences: auds, Keys: &s.keys}
	claims, err := v.Verify(token)
	if err != nil {
		unverified := jwt.MapClaims{}
		_, _, _ = jwt.NewParser().ParseUnverified(token, unverified)
		var je *jwtcheck.Error
		errors.As(err, &je)
		switch je.Reason {
		case jwtcheck.Issuer:
			oauthError(w, "invalid_grant", fmt.Sprintf("The issuer in ID Token %s does not match the expected ones.", unverified["iss"]))
		case jwtcheck.Audience:
			a, _ := unverified.GetAudience()
			oauthError(w, "invalid_grant", fmt.Sprintf("The audience in ID Token [%s] does not match the expected audience.", strings.Join(a, ", ")))
		case jwtcheck.Expired:
			oauthError(w, "invalid_grant", "The ID Token has expired.")
		case jwtcheck.Malformed:
			oauthError(w, "invalid_grant", "Unable to parse the ID Token.")
		default:
			oauthError(w, "invalid_grant", "Invalid ID Token signature.")
		}
		return
	}
	attrs := map[string]string{}
	// google.subject first, then the custom attributes by name, so the error names the
	// attribute Google would.
	names := make([]string, 0, len(p.Mapping))
	for attr := range p.Mapping {
		names = append(names, attr)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "google.subject") != (names[j] == "google.subject") {
			return names[i] == "google.subject"
		}
		return names[i] < names[j]
	})
	for _, attr := range names {
		val, _ := claims[p.Mapping[attr]].(string)
		if len(val) > MappedAttributeLimit {
			oauthError(w, "invalid_grant", fmt.Sprintf("The size of mapped attribute %s exceeds the %d bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than %d bytes.", attr, MappedAttributeLimit, MappedAttributeLimit))
			return
		}
		if val != "" {
			attrs[attr] = val
		}
	}
	for claim, want := range p.Condition {
		if got, _ := claims[claim].(string); got != want {
			oauthError(w, "invalid_grant", "The given credential is rejected by the attribute condition.")
			return
		}
	}
	fed := Federated{Token: "ya29.d." + fakeid.String(160, alphabet), Provider: p.Name, Attributes: attrs, Scope: f.Get("scope"), Expires: time.Now().Add(FederatedLifetime)}
	s.mu.Lock()
	leak.Register(fed.Token)
	s.federated[fed.Token] = fed
	s.stsForms = append(s.stsForms, f)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":      fed.Token,
		"issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
		"token_type":        "Bearer",
		"expires_in":        int(FederatedLifetime/time.Second) - 1,
	})
}

func oauthError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": desc})
}

// iamPathRE is an IAM Credentials method on a service account.
var iamPathRE = regexp.MustCompile(`^/v1/projects/-/serviceAccounts/([^/:]+):(generateAccessToken|generateIdToken)$`)

func (s *Server) handleIAM(w http.ResponseWriter, r *http.Request) {
	m := iamPathRE.FindStringSubmatch(r.URL.Path)
	if r.Method != http.MethodPost || m == nil {
		s.refuseUnexpected(w, "IAM Credentials", r)
		return
	}
	// The account is addressed by its email or its unique id; answers name it by email.
	email, method := m[1], m[2]
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	fed, known := s.federated[bearer]
	sa, exists := s.accounts[email]
	for _, a := range s.accounts {
		if !exists && a.UniqueID != "" && a.UniqueID == email {
			sa, exists = a, true
		}
	}
	s.mu.Unlock()
	if !ok || !known || time.Now().After(fed.Expires) {
		rpcError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.", "")
		return
	}
	permission := "iam.serviceAccounts.getAccessToken"
	if method == "generateIdToken" {
		permission = "iam.serviceAccounts.getOpenIdToken"
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		rpcError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid JSON payload received.", "")
		return
	}
	var chain struct {
		Delegates []string `json:"delegates"`
	}
	_ = json.Unmarshal(raw, &chain)
	// Google answers the same for a missing account as for a missing binding, so that
	// callers cannot probe which accounts exist; along a delegation chain it does not say
	// which link is missing either.
	if len(chain.Delegates) > 0 {
		if status, msg, perm := s.checkChain(fed, chain.Delegates, email, permission); status != 0 {
			rpcError(w, status, map[int]string{400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED"}[status], msg, perm)
			return
		}
	} else if !exists || !bound(sa.Members, fed) {
		rpcError(w, http.StatusForbidden, "PERMISSION_DENIED", fmt.Sprintf("Permission '%s' denied on resource (or it may not exist).", permission), permission)
		return
	}
	if method == "generateIdToken" {
		s.generateIDToken(w, raw, sa, chain.Delegates)
		return
	}
	var body struct {
		Scope    []string `json:"scope"`
		Lifetime string   `json:"lifetime"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		rpcError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid JSON payload received.", "")
		return
	}
	if len(body.Scope) == 0 {
		rpcError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Scope required.", "")
		return
	}
	lifetime := time.Hour
	if body.Lifetime != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(body.Lifetime, "s"))
		if err != nil || !strings.HasSuffix(body.Lifetime, "s") || n < 1 {
			rpcError(w, http.StatusBadRequest, "INVALID_ARGUMENT", fmt.Sprintf("Invalid value at 'lifetime' (type.googleapis.com/google.protobuf.Duration), Field 'lifetime', Illegal duration format; %q", body.Lifetime), "")
			return
		}
		max := 3600
		if sa.ExtendedLifetime {
			max = 43200
		}
		if n > max {
			rpcError(w, http.StatusBadRequest, "INVALID_ARGUMENT", fmt.Sprintf("The lifetime of the token must be less than or equal to %ds.", max), "")
			return
		}
		lifetime = time.Duration(n) * time.Second
	}
	at := AccessToken{
		Token: "ya29.c." + fakeid.String(200, alphabet), ServiceAccount: sa.Email, Scope: body.Scope, Lifetime: body.Lifetime,
		Expires: time.Now().Add(lifetime).UTC().Truncate(time.Second), Delegates: chain.Delegates,
	}
	s.mu.Lock()
	leak.Register(at.Token)
	s.access = append(s.access, at)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"accessToken": at.Token, "expireTime": at.Expires.Format(time.RFC3339)})
}

// GoogleIssuer is the iss of Google-signed ID tokens.
const GoogleIssuer = "https://accounts.google.com"

func (s *Server) generateIDToken(w http.ResponseWriter, raw []byte, sa ServiceAccount, delegates []string) {
	var body struct {
		Audience     string `json:"audience"`
		IncludeEmail bool   `json:"includeEmail"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Audience == "" {
		rpcError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid value for audience: must not be empty.", "")
		return
	}
	now := time.Now()
	claims := jwt.MapClaims{
		"iss": GoogleIssuer, "aud": body.Audience, "sub": "10" + fakeid.String(19, fakeid.Digits), "azp": "10" + fakeid.String(19, fakeid.Digits),
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	if body.IncludeEmail {
		claims["email"], claims["email_verified"] = sa.Email, true
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = "gcpfake"
	signed, err := t.SignedString(s.key)
	if err != nil {
		rpcError(w, http.StatusInternalServerError, "INTERNAL", err.Error(), "")
		return
	}
	s.mu.Lock()
	leak.Register(signed)
	s.idTokens = append(s.idTokens, IDToken{Token: signed, ServiceAccount: sa.Email, Audience: body.Audience, IncludeEmail: body.IncludeEmail, Delegates: delegates})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"token": signed})
}

// delegateRE is a delegate as the API takes it.
var delegateRE = regexp.MustCompile(`^projects/-/serviceAccounts/([^/]+@[^/]+)$`)

// checkChain checks a delegation chain the way IAM Credentials does: the federated identity
// needs roles/iam.serviceAccountTokenCreator on the first delegate, each delegate on the
// next, and the last one on the target. A broken link is refused like a missing binding:
// iam.serviceAccounts.implicitDelegation for a delegate, the method's own permission for the
// target, without naming the link. It returns 0 when every link holds.
func (s *Server) checkChain(fed Federated, delegates []string, target, permission string) (int, string, string) {
	var emails []string
	for _, d := range delegates {
		m := delegateRE.FindStringSubmatch(d)
		if m == nil {
			return http.StatusBadRequest, fmt.Sprintf("Invalid form of account ID %s. Should be [Gaia ID |Email |Unique ID |] of the account", d), ""
		}
		emails = append(emails, m[1])
	}
	links := append(emails, target)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range links {
		sa, ok := s.accounts[e]
		granted := false
		if ok && i == 0 {
			granted = bound(sa.TokenCreators, fed)
		} else if ok {
			granted = slices.Contains(sa.TokenCreators, "serviceAccount:"+links[i-1])
		}
		if !granted {
			perm := permission
			if i < len(links)-1 {
				perm = "iam.serviceAccounts.implicitDelegation"
			}
			return http.StatusForbidden, fmt.Sprintf("Permission '%s' denied on resource (or it may not exist).", perm), perm
		}
	}
	return 0, "", ""
}

// bound reports whether the federated principal is one of members (roles/iam.workloadIdentityUser
// on a service account, or its token creators).
func bound(members []string, fed Federated) bool {
	pool := fed.Provider[:strings.Index(fed.Provider, "/providers/")]
	base := "iam.googleapis.com/" + pool
	for _, m := range members {
		if m == "principalSet://"+base+"/*" {
			return true
		}
		if sub, ok := strings.CutPrefix(m, "principal://"+base+"/subject/"); ok && sub == fed.Attributes["google.subject"] {
			return true
		}
		if rest, ok := strings.CutPrefix(m, "principalSet://"+base+"/attribute."); ok {
			name, value, _ := strings.Cut(rest, "/")
			if v, ok := fed.Attributes["attribute."+name]; ok && v == value {
				return true
			}
		}
	}
	return false
}

func rpcError(w http.ResponseWriter, code int, status, msg, permission string) {
	e := map[string]any{"code": code, "message": msg, "status": status}
	if permission != "" {
		e["details"] = []map[string]any{{
			"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "IAM_PERMISSION_DENIED",
			"domain": "iam.googleapis.com", "metadata": map[string]string{"permission": permission},
		}}
	}
	writeJSON(w, code, map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
