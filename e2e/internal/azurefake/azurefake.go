// Package azurefake is an emulator of the Microsoft Entra ID endpoints a workload identity
// federation login touches, over TLS like the real one: the v2.0 token endpoint
// (client-credentials grant with a JWT client assertion), the tenant's OpenID configuration
// and instance discovery that MSAL-based clients (azidentity) read first. It checks a client
// assertion as Entra does — tenant, application, the federated identity credentials' issuer,
// signature via the issuer's JWKS, validity window, audience, exact subject — and refuses with
// Entra's own AADSTS codes and error body.
package azurefake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
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

// The grant Entra ID's token endpoint takes with a federated credential.
const (
	GrantType     = "client_credentials"
	AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// TokenLifetime is what Entra answers in expires_in for an app-only token.
	TokenLifetime = 3599
)

// Credential is a federated identity credential of an application. Entra ID matches issuer,
// subject and audience exactly (case-sensitive, no wildcards).
type Credential struct {
	Name      string
	Issuer    string
	Subject   string
	Audiences []string
}

// Issued is one access token handed out.
type Issued struct {
	Tenant, ClientID string
	// Scope is the resource's /.default scope; RawScope the scope parameter as sent (MSAL
	// adds openid, profile and offline_access, which Entra ignores here).
	Scope, RawScope string
	Subject         string
	AccessToken     string
	ExpiresIn       int
}

type tenant struct {
	id      string
	domains []string
	apps    map[string][]Credential
}

// Subscription is an Azure subscription of a tenant, and the principals (client ids) that
// hold a role on it and so see it in ARM's subscription list.
type Subscription struct {
	ID, TenantID, DisplayName string
	Principals                []string
}

// Server is a running emulator.
type Server struct {
	// URL is the authority host (https://127.0.0.1:<port>).
	URL    string
	Faults *fault.Injector
	// Hostile, once Set, makes the emulator a malicious server (package hostile).
	Hostile hostile.Mode

	srv     *httptest.Server
	jwksURL map[string]string
	// keys keeps each issuer's signing keys between assertions: Entra ID stores the keys it
	// downloads from a federated issuer ("How it works" in
	// https://learn.microsoft.com/entra/workload-id/workload-identity-federation). When it
	// fetches them again is not documented; jwtcheck.KeyCache fetches for a key id it does
	// not hold, or when the issuer's answer says how long to keep them.
	keys jwtcheck.KeyCache

	mu          sync.Mutex
	tenants     []*tenant
	subs        []Subscription
	issued      []Issued
	forced      []forcedError
	propagating int
	now         func() time.Time
	log         []string
	unexpected  []string
	tokenCalls  int
}

type forcedError struct {
	status       int
	code         int
	name, detail string
}

// New starts an emulator with a certificate from ca. jwks maps each issuer the tenant may
// federate with to its JWKS URL (Entra finds it through the issuer's discovery document).
func New(ca *testca.CA, jwks map[string]string) (*Server, error) {
	s := &Server{jwksURL: jwks}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.openIDConfiguration)
	mux.HandleFunc("GET /common/discovery/instance", s.instanceDiscovery)
	mux.HandleFunc("GET /subscriptions", s.subscriptions)
	mux.HandleFunc("/", s.notFound)
	s.Faults = &fault.Injector{Next: s.Hostile.Wrap(s.logged(mux), hostileKeep), HangFor: 2 * time.Second}
	// The certificate also names the public cloud's hosts, for clients that reach the
	// emulator by those names through a proxy (package connectproxy), as the Azure CLI does.
	srv, err := ca.NewTLSServerFor(s.Faults, LoginHost, ARMHost)
	if err != nil {
		return nil, err
	}
	s.srv = srv
	s.URL = srv.URL
	return s, nil
}

// The public cloud's Entra ID and Azure Resource Manager hosts, which the emulator answers for
// behind a proxy.
const (
	LoginHost = "login.microsoftonline.com"
	ARMHost   = "management.azure.com"
)

// Addr is the emulator's loopback address (host:port), for a proxy's routes.
func (s *Server) Addr() string { return strings.TrimPrefix(s.URL, "https://") }

// Close stops the emulator.
func (s *Server) Close() { s.srv.Close() }

// AddTenant creates a tenant with its id (a GUID) and verified domains.
func (s *Server) AddTenant(id string, domains ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tenants = append(s.tenants, &tenant{id: id, domains: domains, apps: map[string][]Credential{}})
}

// AddApp registers an application (or user-assigned managed identity) with its federated
// identity credentials in a tenant.
func (s *Server) AddApp(tenantID, clientID string, creds ...Credential) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tenants {
		if t.id == tenantID {
			t.apps[strings.ToLower(clientID)] = append(t.apps[strings.ToLower(clientID)], creds...)
			return
		}
	}
	panic("azurefake: no tenant " + tenantID)
}

// SetClock sets the clock assertions are checked against (time.Now by default), to show what
// a client that keeps an assertion meets once it expired.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

func (s *Server) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// AddSubscription creates a subscription in a tenant, visible to the given principals.
func (s *Server) AddSubscription(sub Subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = append(s.subs, sub)
}

// Propagating makes the next n token requests answer AADSTS70021 whatever the credentials
// say, as Entra does for a while after a credential is created.
func (s *Server) Propagating(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.propagating = n
}

// FailNext makes the next token request answer this AADSTS error.
func (s *Server) FailNext(status, code int, errName, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forced = append(s.forced, forcedError{status: status, code: code, name: errName, detail: detail})
}

// Issued returns every access token handed out.
func (s *Server) Issued() []Issued {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Issued(nil), s.issued...)
}

// Requests counts every request, faults included.
func (s *Server) Requests() int { return s.Faults.Requests() }

// TokenRequests counts requests that reached the token endpoint's handler (no fault served).
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenCalls
}

// Log lists "METHOD /path" of every request that got past the faults.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// Unexpected lists requests for paths Entra ID does not serve; a test fails on any.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unexpected...)
}

func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.log = append(s.log, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.unexpected = append(s.unexpected, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("<html><body>azurefake: no such endpoint</body></html>"))
}

// findTenant resolves a tenant by id or verified domain, as Entra does (case-insensitive).
func (s *Server) findTenant(name string) *tenant {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tenants {
		if strings.EqualFold(t.id, name) || slices.ContainsFunc(t.domains, func(d string) bool { return strings.EqualFold(d, name) }) {
			return t
		}
	}
	return nil
}

func (s *Server) tenantNotFound(w http.ResponseWriter, name string) {
	writeError(w, http.StatusBadRequest, 90002, "invalid_request", fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", name))
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenCalls++
	var forced *forcedError
	if len(s.forced) > 0 {
		forced = &s.forced[0]
		s.forced = s.forced[1:]
	}
	s.mu.Unlock()
	if forced != nil {
		writeError(w, forced.status, forced.code, forced.name, forced.detail)
		return
	}
	t := s.findTenant(r.PathValue("tenant"))
	if t == nil {
		s.tenantNotFound(w, r.PathValue("tenant"))
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		writeError(w, http.StatusBadRequest, 900144, "invalid_request", "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 900144, "invalid_request", "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	f := r.PostForm
	for _, p := range []string{"grant_type", "client_id", "scope"} {
		if f.Get(p) == "" {
			writeError(w, http.StatusBadRequest, 900144, "invalid_request", fmt.Sprintf("The request body must contain the following parameter: '%s'.", p))
			return
		}
	}
	if f.Get("grant_type") != GrantType {
		writeError(w, http.StatusBadRequest, 70003, "unsupported_grant_type", "The app requested an unsupported grant type '"+f.Get("grant_type")+"'.")
		return
	}
	resource, ok := scopeResource(f.Get("scope"))
	if !ok {
		writeError(w, http.StatusBadRequest, 1002012, "invalid_scope", fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", f.Get("scope")))
		return
	}
	clientID := f.Get("client_id")
	creds, ok := t.apps[strings.ToLower(clientID)]
	if !ok {
		writeError(w, http.StatusBadRequest, 700016, "unauthorized_client", fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, t.id))
		return
	}
	if f.Get("client_assertion_type") != AssertionType || f.Get("client_assertion") == "" {
		writeError(w, http.StatusUnauthorized, 7000218, "invalid_client", "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
		return
	}
	sub, err := s.verify(f.Get("client_assertion"), creds)
	if err != nil {
		var ae *aadError
		errors.As(err, &ae)
		writeError(w, ae.status, ae.code, ae.name, ae.detail)
		return
	}
	s.mu.Lock()
	if s.propagating > 0 {
		s.propagating--
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, 70021, "invalid_request", noMatch(sub))
		return
	}
	s.mu.Unlock()
	at := accessToken()
	s.mu.Lock()
	leak.Register(at)
	s.issued = append(s.issued, Issued{Tenant: t.id, ClientID: clientID, Scope: resource + "/.default", RawScope: f.Get("scope"), Subject: sub.sub, AccessToken: at, ExpiresIn: TokenLifetime})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token_type": "Bearer", "expires_in": TokenLifetime, "ext_expires_in": TokenLifetime, "access_token": at,
	})
}

// reservedScopes are the OpenID scopes MSAL may add to any request; Entra ignores them for
// the client-credentials grant.
var reservedScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true}

// scopeResource returns the one resource of a client-credentials scope (<resource>/.default).
func scopeResource(scope string) (string, bool) {
	var resources []string
	for _, sc := range strings.Fields(scope) {
		if reservedScopes[sc] {
			continue
		}
		res, ok := strings.CutSuffix(sc, "/.default")
		if !ok || res == "" {
			return "", false
		}
		resources = append(resources, res)
	}
	return strings.Join(resources, " "), len(resources) == 1
}

type aadError struct {
	status       int
	code         int
	name, detail string
}

func (e *aadError) Error() string { return fmt.Sprintf("AADSTS%d", e.code) }

type assertion struct{ iss, sub, aud string }

const caseNote = "Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"

func noMatch(a assertion) string {
	return fmt.Sprintf("No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation", a.iss, a.sub, a.aud)
}

// verify checks a client assertion in Entra's order: readable, a credential for its issuer,
// signature and validity, a credential with its audience, one with its exact subject.
func (s *Server) verify(raw string, creds []Credential) (assertion, error) {
	unverified := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(raw, unverified); err != nil {
		return assertion{}, &aadError{http.StatusBadRequest, 50027, "invalid_request", "JWT token is invalid or malformed."}
	}
	var a assertion
	a.iss, _ = unverified["iss"].(string)
	a.sub, _ = unverified["sub"].(string)
	auds, _ := unverified.GetAudience()
	a.aud = strings.Join(auds, ",")
	if len(creds) == 0 {
		return a, &aadError{http.StatusBadRequest, 70021, "invalid_request", noMatch(a)}
	}
	byIssuer := slices.DeleteFunc(slices.Clone(creds), func(c Credential) bool { return c.Issuer != a.iss })
	if len(byIssuer) == 0 {
		return a, &aadError{http.StatusBadRequest, 700211, "invalid_request", fmt.Sprintf("No matching federated identity record found for presented assertion issuer '%s'. %s", a.iss, caseNote)}
	}
	jwks, ok := s.jwksURL[a.iss]
	if !ok {
		return a, &aadError{http.StatusUnauthorized, 50013, "invalid_client", "Assertion failed signature validation. [Reason - The key was not found.]"}
	}
	v := &jwtcheck.Verifier{Issuer: a.iss, JWKSURL: jwks, Now: s.clock, Keys: &s.keys}
	if _, err := v.Verify(raw); err != nil {
		var je *jwtcheck.Error
		errors.As(err, &je)
		switch je.Reason {
		case jwtcheck.Expired, jwtcheck.NotYet:
			now := s.clock().UTC()
			nbf, _ := unverified.GetNotBefore()
			exp, _ := unverified.GetExpirationTime()
			return a, &aadError{http.StatusUnauthorized, 700024, "invalid_client", fmt.Sprintf("Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .", stamp(now), stampOf(nbf), stampOf(exp))}
		case jwtcheck.Malformed:
			return a, &aadError{http.StatusBadRequest, 50027, "invalid_request", "JWT token is invalid or malformed."}
		default:
			return a, &aadError{http.StatusUnauthorized, 50013, "invalid_client", "Assertion failed signature validation. [Reason - The key was not found.]"}
		}
	}
	byAudience := slices.DeleteFunc(byIssuer, func(c Credential) bool {
		return !slices.ContainsFunc(auds, func(x string) bool { return slices.Contains(c.Audiences, x) })
	})
	if len(byAudience) == 0 {
		return a, &aadError{http.StatusBadRequest, 700212, "invalid_request", fmt.Sprintf("No matching federated identity record found for presented assertion audience '%s'. %s", a.aud, caseNote)}
	}
	if !slices.ContainsFunc(byAudience, func(c Credential) bool { return c.Subject == a.sub }) {
		return a, &aadError{http.StatusBadRequest, 700213, "invalid_request", fmt.Sprintf("No matching federated identity record found for presented assertion subject '%s'. %s", a.sub, caseNote)}
	}
	return a, nil
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

func stampOf(t *jwt.NumericDate) string {
	if t == nil {
		return "(none)"
	}
	return stamp(t.Time)
}

// multiTenantAliases are the authority paths that name no one tenant.
var multiTenantAliases = map[string]bool{"common": true, "organizations": true, "consumers": true}

// openIDConfiguration is the tenant's discovery document, as MSAL reads it before its first
// token request; the issuer must be on the authority's host.
func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("tenant")
	id, issuerTenant := name, ""
	if multiTenantAliases[strings.ToLower(name)] {
		// Entra serves these for multi-tenant clients (MSAL's public client app opens
		// .../organizations, as az account clear does); the issuer is a template.
		issuerTenant = "{tenantid}"
	} else {
		t := s.findTenant(name)
		if t == nil {
			s.tenantNotFound(w, name)
			return
		}
		id, issuerTenant = t.id, t.id
	}
	// On the host the client asked for: through a proxy that is the real service's name.
	host := "https://" + r.Host
	base := host + "/" + id
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                host + "/" + issuerTenant + "/v2.0",
		"request_uri_parameter_supported":       false,
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"kerberos_endpoint":                     base + "/kerberos",
		"tenant_region_scope":                   "WW",
		"cloud_instance_name":                   "microsoftonline.com",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          "graph.microsoft.com",
	})
}

// instanceDiscovery answers MSAL's authority validation for this host.
func (s *Server) instanceDiscovery(w http.ResponseWriter, r *http.Request) {
	host := strings.TrimPrefix(s.URL, "https://")
	tenantName := "common"
	if ae := r.URL.Query().Get("authorization_endpoint"); ae != "" {
		rest := strings.TrimPrefix(ae, s.URL+"/")
		if i := strings.Index(rest, "/"); i > 0 {
			tenantName = rest[:i]
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"tenant_discovery_endpoint": s.URL + "/" + tenantName + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata":                  []map[string]any{{"preferred_network": host, "preferred_cache": host, "aliases": []string{host}}},
	})
}

// writeError answers in Entra ID's error format: the description carries the AADSTS code and
// the trace lines, error_codes the number.
func writeError(w http.ResponseWriter, status, code int, name, detail string) {
	now := time.Now().UTC()
	trace, corr := fakeid.UUID(), fakeid.UUID()
	ts := now.Format("2006-01-02 15:04:05Z")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("x-ms-request-id", trace)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error":             name,
		"error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", code, detail, trace, corr, ts),
		"error_codes":       []int{code},
		"timestamp":         ts,
		"trace_id":          trace,
		"correlation_id":    corr,
		"error_uri":         fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", code),
	})
}

// The fault kinds of Entra's own transient answers.
const (
	// Throttled is AADSTS90055, tenant throttling, with HTTP 429.
	Throttled fault.Kind = "aadsts90055"
	// TransientError is AADSTS90033, "a transient error has occurred", with HTTP 503.
	TransientError fault.Kind = "aadsts90033"
)

func init() {
	fault.Custom[Throttled] = func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "0")
		writeError(w, http.StatusTooManyRequests, 90055, "temporarily_unavailable", "There are too many incoming requests. Please try again later.")
	}
	fault.Custom[TransientError] = func(w http.ResponseWriter) {
		writeError(w, http.StatusServiceUnavailable, 90033, "temporarily_unavailable", "A transient error has occurred. Please try again.")
	}
}

func accessToken() string {
	seg := func(n int) string {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + seg(600) + "." + seg(256)
}

// Secrets lists every secret value handed out so far, for leak and mask checks.
func (s *Server) Secrets() []string {
	var out []string
	for _, c := range s.Issued() {
		out = append(out, c.AccessToken)
	}
	return out
}

// armResources are the audiences Azure Resource Manager accepts in the public cloud: the
// classic one the Azure CLI asks for (azure-cli 2.45 core/cloud.py AZURE_PUBLIC_CLOUD
// active_directory_resource_id) and ARM's own URL.
var armResources = map[string]bool{
	"https://management.core.windows.net/": true,
	"https://management.core.windows.net":  true,
	"https://management.azure.com/":        true,
	"https://management.azure.com":         true,
}

// subscriptions is ARM's Subscriptions - List (GET /subscriptions?api-version=…): the bearer
// must be an access token this emulator issued for ARM; the answer lists the subscriptions the
// token's principal holds a role on, in the token's tenant, in ARM's shape.
func (s *Server) subscriptions(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("api-version") == "" {
		armError(w, http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return
	}
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || bearer == "" {
		armError(w, http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
		return
	}
	var tok *Issued
	for _, is := range s.Issued() {
		if is.AccessToken == bearer {
			tok = &is
		}
	}
	if tok == nil || !armResources[strings.TrimSuffix(tok.Scope, "/.default")] {
		w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="The access token is invalid."`)
		armError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
		return
	}
	s.mu.Lock()
	value := []map[string]any{}
	for _, sub := range s.subs {
		if !strings.EqualFold(sub.TenantID, tok.Tenant) || !slices.ContainsFunc(sub.Principals, func(p string) bool { return strings.EqualFold(p, tok.ClientID) }) {
			continue
		}
		value = append(value, map[string]any{
			"id":                   "/subscriptions/" + sub.ID,
			"authorizationSource":  "RoleBased",
			"managedByTenants":     []any{},
			"subscriptionId":       sub.ID,
			"tenantId":             sub.TenantID,
			"displayName":          sub.DisplayName,
			"state":                "Enabled",
			"subscriptionPolicies": map[string]any{"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
		})
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"value": value, "count": map[string]any{"type": "Total", "value": len(value)}})
}

// armError answers in ARM's error format.
func armError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("x-ms-failure-cause", "gateway")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg}})
}
