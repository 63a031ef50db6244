// Package stsfake is an emulator of AWS STS AssumeRoleWithWebIdentity that does what moto
// does not: it verifies the web identity token like IAM (OIDC provider registered for the
// issuer, client ids, signature via JWKS, expiry) and evaluates the role's trust conditions on
// aud and sub, answering AWS's own error codes in AWS's XML. For role chaining it also serves
// AssumeRole: the request's SigV4 signature is verified against the session credentials it
// issued, and the target role's trust policy must name the caller's role; GetCallerIdentity
// answers whichever of its sessions signed the request.
package stsfake

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
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
)

// Role is an IAM role and its trust policy's conditions.
type Role struct {
	ARN string
	// Audience is the StringEquals condition on <issuer>:aud.
	Audience string
	// Subject is the StringLike condition on <issuer>:sub.
	Subject string
	// MaxSessionDuration in seconds (AWS's default is 3600).
	MaxSessionDuration int
	// TrustedRoles are the role ARNs whose sessions the trust policy lets call sts:AssumeRole
	// into this role (Principal {"AWS": <role ARN>}), for role chaining.
	TrustedRoles []string
}

// Credentials are what one successful call issued.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
	AssumedRoleARN                             string
	// RoleARN is the role the session belongs to; Action the call that issued it.
	RoleARN, Action string
	// CallerARN is the session that called AssumeRole (empty for AssumeRoleWithWebIdentity).
	CallerARN       string
	Policy          string
	PolicyARNs      []string
	DurationSeconds int
}

// Server is a running emulator.
type Server struct {
	URL    string
	Faults *fault.Injector
	// Hostile, once Set, makes the emulator a malicious STS (package hostile).
	Hostile hostile.Mode
	// Issuer and ClientIDs are the account's IAM OIDC provider.
	Issuer    string
	ClientIDs []string
	JWKSURL   string
	// keys keeps the provider's signing keys between tokens, as STS does.
	keys jwtcheck.KeyCache

	// Rewrite, when set, changes each set of credentials before it is answered: a hostile STS
	// handing out values no real one would (a key with a line break).
	Rewrite func(*Credentials)

	srv *httptest.Server

	mu     sync.Mutex
	roles  map[string]Role
	issued []Credentials
	forced []forced
	now    func() time.Time
}

type forced struct {
	status    int
	code, msg string
	// action limits the fault to one STS action ("" for any).
	action string
}

// New starts an emulator trusting tokens of issuer, verified with the keys at jwksURL.
func New(issuer, jwksURL string, clientIDs ...string) *Server {
	s := &Server{Issuer: issuer, JWKSURL: jwksURL, ClientIDs: clientIDs, roles: map[string]Role{}}
	s.Faults = &fault.Injector{Next: s.Hostile.Wrap(http.HandlerFunc(s.handle), hostileKeep), ContentType: "text/xml", HangFor: 30 * time.Second}
	s.srv = httptest.NewServer(s.Faults)
	s.URL = s.srv.URL
	return s
}

// Close stops the emulator.
func (s *Server) Close() { s.srv.Close() }

// AddRole creates a role.
func (s *Server) AddRole(r Role) {
	if r.MaxSessionDuration == 0 {
		r.MaxSessionDuration = 3600
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roles[r.ARN] = r
}

// SetClock sets the emulator's clock, which judges token expiry and dates what it issues
// (time.Now when nil): tests move a step hours into the past instead of sleeping.
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

// FailNext makes the next call answer an AWS error with this status, code and message.
func (s *Server) FailNext(status int, code, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forced = append(s.forced, forced{status: status, code: code, msg: msg})
}

// FailNextAction is FailNext for the next call of one action only (AssumeRole, for a hop of a
// role chain); calls of other actions pass it by.
func (s *Server) FailNextAction(action string, status int, code, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forced = append(s.forced, forced{status: status, code: code, msg: msg, action: action})
}

// Issued returns every set of credentials handed out.
func (s *Server) Issued() []Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Credentials(nil), s.issued...)
}

// Requests counts requests, faults included.
func (s *Server) Requests() int { return s.Faults.Requests() }

var sessionRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// sessionAndDuration reads RoleSessionName and DurationSeconds, which AssumeRole and
// AssumeRoleWithWebIdentity validate alike (before any check of the caller), and answers STS's
// ValidationError itself when one is bad (ok false).
func sessionAndDuration(w http.ResponseWriter, f url.Values) (session string, duration int, ok bool) {
	session = f.Get("RoleSessionName")
	if !sessionRE.MatchString(session) {
		writeError(w, http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '"+session+"' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
		return "", 0, false
	}
	duration = 3600
	if d := f.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			writeError(w, http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '"+d+"' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200")
			return "", 0, false
		}
		duration = n
	}
	return session, duration, true
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "InvalidAction", "STS query API calls are POSTs")
		return
	}
	// The body is kept for the SigV4 check of AssumeRole: its hash is part of the signature.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "MalformedQueryString", err.Error())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "MalformedQueryString", err.Error())
		return
	}
	f := r.PostForm
	if a := f.Get("Action"); a != "AssumeRoleWithWebIdentity" && a != "AssumeRole" && a != "GetCallerIdentity" {
		writeError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("Could not find operation %s for version %s", f.Get("Action"), f.Get("Version")))
		return
	}
	if f.Get("Version") != "2011-06-15" {
		writeError(w, http.StatusBadRequest, "InvalidAction", "unknown version "+f.Get("Version"))
		return
	}
	s.mu.Lock()
	if len(s.forced) > 0 && (s.forced[0].action == "" || s.forced[0].action == f.Get("Action")) {
		fe := s.forced[0]
		s.forced = s.forced[1:]
		s.mu.Unlock()
		writeError(w, fe.status, fe.code, fe.msg)
		return
	}
	s.mu.Unlock()
	switch f.Get("Action") {
	case "AssumeRole":
		s.assumeRole(w, r, body)
		return
	case "GetCallerIdentity":
		s.getCallerIdentity(w, r, body)
		return
	}

	roleARN, token := f.Get("RoleArn"), f.Get("WebIdentityToken")
	session, duration, ok := sessionAndDuration(w, f)
	if !ok {
		return
	}
	// IAM finds the OIDC provider by the token's issuer before it checks anything else.
	unverified := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, unverified); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidIdentityToken", "Couldn't parse the token: the web identity token is not a valid JWT")
		return
	}
	iss, _ := unverified["iss"].(string)
	if iss != s.Issuer {
		writeError(w, http.StatusBadRequest, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for "+iss)
		return
	}
	now := s.clock()
	v := &jwtcheck.Verifier{Issuer: s.Issuer, JWKSURL: s.JWKSURL, Audiences: s.ClientIDs, Now: func() time.Time { return now }, Keys: &s.keys}
	claims, err := v.Verify(token)
	if err != nil {
		var je *jwtcheck.Error
		errors.As(err, &je)
		switch je.Reason {
		case jwtcheck.Audience:
			writeError(w, http.StatusBadRequest, "InvalidIdentityToken", "Incorrect token audience")
		case jwtcheck.Expired:
			exp, _ := unverified.GetExpirationTime()
			writeError(w, http.StatusBadRequest, "ExpiredTokenException", fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), exp.Unix()))
		case jwtcheck.Keys:
			writeError(w, http.StatusBadRequest, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")
		default:
			writeError(w, http.StatusBadRequest, "InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.")
		}
		return
	}
	s.mu.Lock()
	role, ok := s.roles[roleARN]
	s.mu.Unlock()
	sub, _ := claims["sub"].(string)
	auds, _ := claims.GetAudience()
	if !ok || !trusts(role, sub, auds) {
		writeError(w, http.StatusForbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
		return
	}
	if duration > role.MaxSessionDuration {
		writeError(w, http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		return
	}
	var policyARNs []string
	for i := 1; ; i++ {
		a := f.Get(fmt.Sprintf("PolicyArns.member.%d.arn", i))
		if a == "" {
			break
		}
		policyARNs = append(policyARNs, a)
	}
	account := strings.Split(roleARN, ":")[4]
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
	partition := strings.Split(roleARN, ":")[1]
	c := Credentials{
		AccessKeyID:     "ASIA" + fakeid.String(16, upper),
		SecretAccessKey: fakeid.String(40, upper+lower+digits+"/+"),
		SessionToken:    "IQoJb3JpZ2luX2VjE" + fakeid.String(300, upper+lower+digits+"/+") + "==",
		Expiration:      now.Add(time.Duration(duration) * time.Second).UTC().Truncate(time.Second),
		AssumedRoleARN:  fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", partition, account, roleName, session),
		RoleARN:         roleARN,
		Action:          "AssumeRoleWithWebIdentity",
		Policy:          f.Get("Policy"),
		PolicyARNs:      policyARNs,
		DurationSeconds: duration,
	}
	if s.Rewrite != nil {
		s.Rewrite(&c)
	}
	leak.Register(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	s.mu.Lock()
	s.issued = append(s.issued, c)
	s.mu.Unlock()
	host := strings.TrimPrefix(s.Issuer, "https://")
	resp := response{
		Xmlns: "https://sts.amazonaws.com/doc/2011-06-15/",
		Result: result{
			Subject:  sub,
			Audience: strings.Join(auds, ","),
			User:     user{ARN: c.AssumedRoleARN, ID: "AROA" + fakeid.String(17, upper+digits) + ":" + session},
			Credentials: creds{
				AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
				SessionToken: c.SessionToken, Expiration: c.Expiration.Format(time.RFC3339),
			},
			Provider: fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", partition, account, host),
		},
		RequestID: requestID(),
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", resp.RequestID)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(resp)
}

func trusts(r Role, sub string, auds []string) bool {
	audOK := false
	for _, a := range auds {
		audOK = audOK || a == r.Audience
	}
	return audOK && jwtcheck.Like(r.Subject, sub)
}

type response struct {
	XMLName   xml.Name `xml:"AssumeRoleWithWebIdentityResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Result    result   `xml:"AssumeRoleWithWebIdentityResult"`
	RequestID string   `xml:"ResponseMetadata>RequestId"`
}

type result struct {
	Subject     string `xml:"SubjectFromWebIdentityToken"`
	Audience    string `xml:"Audience"`
	User        user   `xml:"AssumedRoleUser"`
	Credentials creds  `xml:"Credentials"`
	Provider    string `xml:"Provider"`
}

type user struct {
	ARN string `xml:"Arn"`
	ID  string `xml:"AssumedRoleId"`
}

type creds struct {
	SessionToken    string `xml:"SessionToken"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	Expiration      string `xml:"Expiration"`
	AccessKeyID     string `xml:"AccessKeyId"`
}

type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(errorResponse{Xmlns: "https://sts.amazonaws.com/doc/2011-06-15/", Type: typ, Code: code, Message: msg, RequestID: requestID()})
}

const (
	upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lower  = "abcdefghijklmnopqrstuvwxyz"
	digits = "0123456789"
)

func requestID() string {
	return strings.ToLower(fakeid.String(8, lower+digits) + "-" + fakeid.String(4, lower+digits) + "-" + fakeid.String(4, lower+digits) + "-" + fakeid.String(12, lower+digits))
}

// Secrets lists every secret value handed out so far, for leak and mask checks.
func (s *Server) Secrets() []string {
	var out []string
	for _, c := range s.Issued() {
		out = append(out, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	}
	return out
}
