// Package alibabafake is an emulator of Alibaba Cloud STS AssumeRoleWithOIDC. It speaks the
// RPC gateway's protocol (form parameters, JSON answers, the {"RequestId","HostId","Code",
// "Message","Recommend"} error body) and checks the token like RAM does: the OIDC provider
// named by OIDCProviderArn must exist, the token must verify against the issuer's JWKS, its
// iss must be the provider's issuer and its aud one of the provider's client ids, and the
// role's trust policy must admit it (Principal = the provider, oidc:aud, oidc:sub).
package alibabafake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/jwtcheck"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
)

// HostID is what the gateway names itself in error bodies.
const HostID = "sts.aliyuncs.com"

// OIDCProvider is a RAM OIDC identity provider.
type OIDCProvider struct {
	ARN       string
	Issuer    string
	ClientIDs []string
	JWKSURL   string
}

// Role is a RAM role and its trust policy's conditions.
type Role struct {
	ARN string
	// Provider is the trust policy's Principal.Federated.
	Provider string
	// Audience is the StringEquals condition on oidc:aud.
	Audience string
	// Subject is the StringLike condition on oidc:sub.
	Subject string
	// MaxSessionDuration in seconds (RAM's default is 3600).
	MaxSessionDuration int
}

// Credentials are what one successful call issued, with what was asked for.
type Credentials struct {
	AccessKeyID, AccessKeySecret, SecurityToken string
	Expiration                                  time.Time
	AssumedRoleARN                              string
	Policy                                      string
	DurationSeconds                             int
	SessionName                                 string
	Timestamp                                   string
}

// Server is a running emulator.
type Server struct {
	URL    string
	Faults *fault.Injector
	// Hostile, once Set, makes the emulator a malicious server (package hostile).
	Hostile hostile.Mode

	srv *httptest.Server

	mu         sync.Mutex
	providers  map[string]OIDCProvider
	roles      map[string]Role
	issued     []Credentials
	forced     []forced
	unexpected []string
}

type forced struct {
	status    int
	code, msg string
}

// New starts an emulator with no providers and no roles.
func New() *Server {
	s := &Server{providers: map[string]OIDCProvider{}, roles: map[string]Role{}}
	s.Faults = &fault.Injector{Next: s.Hostile.Wrap(http.HandlerFunc(s.handle), hostileKeep), ContentType: "application/json;charset=utf-8", HangFor: 200 * time.Millisecond}
	s.srv = httptest.NewServer(s.Faults)
	s.URL = s.srv.URL
	return s
}

// Close stops the emulator.
func (s *Server) Close() { s.srv.Close() }

// AddProvider registers an OIDC provider.
func (s *Server) AddProvider(p OIDCProvider) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.providers[p.ARN] = p
}

// AddRole creates a role.
func (s *Server) AddRole(r Role) {
	if r.MaxSessionDuration == 0 {
		r.MaxSessionDuration = 3600
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roles[r.ARN] = r
}

// FailNext makes the next call answer this error.
func (s *Server) FailNext(status int, code, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forced = append(s.forced, forced{status: status, code: code, msg: msg})
}

// Issued returns every set of credentials handed out.
func (s *Server) Issued() []Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Credentials(nil), s.issued...)
}

// Unexpected lists requests that no client of this API would send (wrong method, path,
// action, version, format, or a signature on an anonymous call); tests require it empty.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unexpected...)
}

// Requests counts requests, faults included.
func (s *Server) Requests() int { return s.Faults.Requests() }

var (
	sessionRE   = regexp.MustCompile(`^[\w.@-]{2,64}$`)
	timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
)

func (s *Server) unexpectedf(w http.ResponseWriter, status int, code, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.mu.Lock()
	s.unexpected = append(s.unexpected, msg)
	s.mu.Unlock()
	writeError(w, status, code, msg)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		s.unexpectedf(w, http.StatusNotFound, "InvalidAction.NotFound", "unexpected %s %s", r.Method, r.URL.Path)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		s.unexpectedf(w, http.StatusBadRequest, "InvalidParameter", "unexpected Content-Type %q", ct)
		return
	}
	// The RPC gateway reads parameters from the query and the form body alike.
	if err := r.ParseForm(); err != nil {
		s.unexpectedf(w, http.StatusBadRequest, "InvalidParameter", "unreadable form: %v", err)
		return
	}
	f := r.Form
	switch {
	case f.Get("Action") != "AssumeRoleWithOIDC":
		s.unexpectedf(w, http.StatusNotFound, "InvalidAction.NotFound", "Specified api is not found, please check your url and method. (Action %q)", f.Get("Action"))
		return
	case f.Get("Version") != "2015-04-01":
		s.unexpectedf(w, http.StatusNotFound, "InvalidVersion", "Specified parameter Version is not valid. (%q)", f.Get("Version"))
		return
	case f.Get("Format") != "JSON":
		s.unexpectedf(w, http.StatusBadRequest, "InvalidParameter", "Format must be JSON, got %q", f.Get("Format"))
		return
	case !timestampRE.MatchString(f.Get("Timestamp")):
		s.unexpectedf(w, http.StatusBadRequest, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted. (%q)", f.Get("Timestamp"))
		return
	case f.Has("AccessKeyId") || f.Has("Signature"):
		s.unexpectedf(w, http.StatusBadRequest, "InvalidParameter", "AssumeRoleWithOIDC is an anonymous call; it carries no AccessKeyId or Signature")
		return
	}
	s.mu.Lock()
	if len(s.forced) > 0 {
		fe := s.forced[0]
		s.forced = s.forced[1:]
		s.mu.Unlock()
		writeError(w, fe.status, fe.code, fe.msg)
		return
	}
	s.mu.Unlock()
	s.assume(w, f.Get("RoleArn"), f.Get("OIDCProviderArn"), f.Get("OIDCToken"), f.Get("RoleSessionName"), f.Get("DurationSeconds"), f.Get("Policy"), f.Get("Timestamp"))
}

func (s *Server) assume(w http.ResponseWriter, roleARN, providerARN, token, session, durationParam, policy, timestamp string) {
	if !sessionRE.MatchString(session) {
		writeError(w, http.StatusBadRequest, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.")
		return
	}
	duration := 3600
	if durationParam != "" {
		n, err := strconv.Atoi(durationParam)
		if err != nil || n < 900 || n > 43200 {
			writeError(w, http.StatusBadRequest, "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/12hr.")
			return
		}
		duration = n
	}
	if policy != "" && !json.Valid([]byte(policy)) {
		writeError(w, http.StatusBadRequest, "InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.")
		return
	}
	if token == "" {
		writeError(w, http.StatusUnauthorized, "AuthenticationFail.OIDCToken.Invalid", "The OIDCToken can not empty.")
		return
	}
	if strings.Count(token, ".") != 2 {
		writeError(w, http.StatusUnauthorized, "AuthenticationFail.OIDCToken.Invalid", "The number of Jwt field should be divided into 3 parts with '.' .")
		return
	}
	s.mu.Lock()
	prov, provOK := s.providers[providerARN]
	role, roleOK := s.roles[roleARN]
	s.mu.Unlock()
	if !provOK {
		writeError(w, http.StatusUnauthorized, "AuthenticationFail.NoPermission", "No such OIDC Provider registered.")
		return
	}
	v := &jwtcheck.Verifier{Issuer: prov.Issuer, JWKSURL: prov.JWKSURL, Audiences: prov.ClientIDs}
	claims, err := v.Verify(token)
	if err != nil {
		var je *jwtcheck.Error
		errors.As(err, &je)
		switch je.Reason {
		case jwtcheck.Audience:
			writeError(w, http.StatusUnauthorized, "AuthenticationFail.OIDCToken.AudienceNotMatch", "Invalid audience.")
		case jwtcheck.Expired:
			writeError(w, http.StatusUnauthorized, "AuthenticationFail.OIDCToken.Expired", "This JsonWebToken is expired.")
		case jwtcheck.Signature, jwtcheck.Keys:
			writeError(w, http.StatusUnauthorized, "AuthenticationFail.OIDCToken.InvalidSignature", "OIDC token validate failed: invalid signature.")
		case jwtcheck.Issuer:
			writeError(w, http.StatusUnauthorized, "AuthenticationFail.OIDCToken.Invalid", "The issuer of the OIDC token does not match the IssuerUrl of the OIDC Provider.")
		default:
			writeError(w, http.StatusUnauthorized, "AuthenticationFail.OIDCToken.Invalid", "The Jwt content is invalid that cannot be recognized.")
		}
		return
	}
	if !roleOK {
		writeError(w, http.StatusNotFound, "EntityNotExist.Role", "The role not exists: "+roleARN+".")
		return
	}
	sub, _ := claims["sub"].(string)
	iss, _ := claims["iss"].(string)
	auds, _ := claims.GetAudience()
	if !trusts(role, prov, providerARN, iss, sub, auds) {
		writeError(w, http.StatusUnauthorized, "AuthenticationFail.NoPermission", "There is no permission.")
		return
	}
	if duration > role.MaxSessionDuration {
		writeError(w, http.StatusBadRequest, "InvalidParameter.DurationSeconds", fmt.Sprintf("The Min/Max value of DurationSeconds is 15min/%dhr.", role.MaxSessionDuration/3600))
		return
	}
	parts := strings.Split(roleARN, ":")
	account := parts[3]
	roleName := strings.ToLower(roleARN[strings.LastIndex(roleARN, "/")+1:])
	c := Credentials{
		AccessKeyID:     "STS.NT" + fakeid.String(22, upper+lower+digits),
		AccessKeySecret: fakeid.String(44, upper+lower+digits),
		SecurityToken:   "CAIS" + fakeid.String(400, upper+lower+digits+"+/") + "=",
		Expiration:      time.Now().Add(time.Duration(duration) * time.Second).UTC().Truncate(time.Second),
		AssumedRoleARN:  fmt.Sprintf("acs:ram::%s:role/%s/%s", account, roleName, session),
		Policy:          policy,
		DurationSeconds: duration,
		SessionName:     session,
		Timestamp:       timestamp,
	}
	s.mu.Lock()
	leak.Register(c.AccessKeyID, c.AccessKeySecret, c.SecurityToken)
	s.issued = append(s.issued, c)
	s.mu.Unlock()
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	resp := map[string]any{
		"RequestId": requestID(),
		"OIDCTokenInfo": map[string]string{
			"Subject":        sub,
			"Issuer":         iss,
			"ClientIds":      strings.Join(auds, ","),
			"IssuanceTime":   iat.UTC().Format(time.RFC3339),
			"ExpirationTime": exp.UTC().Format(time.RFC3339),
		},
		"AssumedRoleUser": map[string]string{
			"Arn":           c.AssumedRoleARN,
			"AssumedRoleId": fakeid.String(17, digits) + ":" + session,
		},
		"Credentials": map[string]string{
			"AccessKeyId":     c.AccessKeyID,
			"AccessKeySecret": c.AccessKeySecret,
			"SecurityToken":   c.SecurityToken,
			"Expiration":      c.Expiration.Format(time.RFC3339),
		},
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_ = json.NewEncoder(w).Encode(resp)
}

// trusts evaluates the role's trust policy: Principal.Federated, StringEquals oidc:iss and
// oidc:aud, StringLike oidc:sub.
func trusts(r Role, p OIDCProvider, providerARN, iss, sub string, auds []string) bool {
	if r.Provider != providerARN || iss != p.Issuer {
		return false
	}
	audOK := false
	for _, a := range auds {
		audOK = audOK || a == r.Audience
	}
	return audOK && jwtcheck.Like(r.Subject, sub)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"RequestId": requestID(),
		"HostId":    HostID,
		"Code":      code,
		"Message":   msg,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + code + "&product=Sts",
	})
}

const (
	upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lower  = "abcdefghijklmnopqrstuvwxyz"
	digits = "0123456789"
)

func requestID() string {
	h := digits + "ABCDEF"
	return fakeid.String(8, h) + "-" + fakeid.String(4, h) + "-" + fakeid.String(4, h) + "-" + fakeid.String(4, h) + "-" + fakeid.String(12, h)
}

// Secrets lists every secret value handed out so far, for leak and mask checks.
func (s *Server) Secrets() []string {
	var out []string
	for _, c := range s.Issued() {
		out = append(out, c.AccessKeyID, c.AccessKeySecret, c.SecurityToken)
	}
	return out
}
