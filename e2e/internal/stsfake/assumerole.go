package stsfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
)

// assumeRole serves sts:AssumeRole the way STS does for role chaining: the caller is whoever
// signed the request (SigV4, checked here against the secret of the session this emulator
// issued), and the target role's trust policy must name the caller's role. The error codes and
// messages are STS's own.
func (s *Server) assumeRole(w http.ResponseWriter, r *http.Request, body []byte) {
	caller, code, msg := s.verifySigV4(r, body)
	if code != "" {
		writeError(w, http.StatusForbidden, code, msg)
		return
	}
	roleARN := r.PostForm.Get("RoleArn")
	session, duration, ok := sessionAndDuration(w, r.PostForm)
	if !ok {
		return
	}
	s.mu.Lock()
	role, ok := s.roles[roleARN]
	s.mu.Unlock()
	// IAM answers an unknown role exactly like an untrusted one, so as not to reveal which exist.
	if !ok || !slices.Contains(role.TrustedRoles, caller.RoleARN) {
		writeError(w, http.StatusForbidden, "AccessDenied", fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.AssumedRoleARN, roleARN))
		return
	}
	// The caller is itself a role session: this is role chaining, capped at one hour.
	if duration > 3600 {
		writeError(w, http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		return
	}
	if duration > role.MaxSessionDuration {
		writeError(w, http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		return
	}
	parts := strings.Split(roleARN, ":")
	partition, account := parts[1], parts[4]
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
	c := Credentials{
		AccessKeyID:     "ASIA" + fakeid.String(16, upper),
		SecretAccessKey: fakeid.String(40, upper+lower+digits+"/+"),
		SessionToken:    "IQoJb3JpZ2luX2VjE" + fakeid.String(300, upper+lower+digits+"/+") + "==",
		Expiration:      s.clock().Add(time.Duration(duration) * time.Second).UTC().Truncate(time.Second),
		AssumedRoleARN:  fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", partition, account, roleName, session),
		RoleARN:         roleARN,
		Action:          "AssumeRole",
		DurationSeconds: duration,
		CallerARN:       caller.AssumedRoleARN,
	}
	leak.Register(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	s.mu.Lock()
	s.issued = append(s.issued, c)
	s.mu.Unlock()
	resp := assumeRoleResponse{
		Xmlns: "https://sts.amazonaws.com/doc/2011-06-15/",
		Result: assumeRoleResult{
			User: user{ARN: c.AssumedRoleARN, ID: "AROA" + fakeid.String(17, upper+digits) + ":" + session},
			Credentials: creds{
				AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
				SessionToken: c.SessionToken, Expiration: c.Expiration.Format(time.RFC3339),
			},
		},
		RequestID: requestID(),
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", resp.RequestID)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(resp)
}

type assumeRoleResponse struct {
	XMLName   xml.Name         `xml:"AssumeRoleResponse"`
	Xmlns     string           `xml:"xmlns,attr"`
	Result    assumeRoleResult `xml:"AssumeRoleResult"`
	RequestID string           `xml:"ResponseMetadata>RequestId"`
}

type assumeRoleResult struct {
	User        user  `xml:"AssumedRoleUser"`
	Credentials creds `xml:"Credentials"`
}

// sigV4Algorithm is the only signing algorithm STS's query API takes in a header.
const sigV4Algorithm = "AWS4-HMAC-SHA256"

// verifySigV4 checks the request's Signature Version 4 header signature the way AWS does,
// written from the published algorithm (not with the SDK's signer, so the client's signer is
// checked by an independent implementation): canonical request, string to sign, the
// HMAC-SHA256 key derivation from the session's secret. It returns the session that signed,
// or STS's error code and message.
func (s *Server) verifySigV4(r *http.Request, body []byte) (Credentials, string, string) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return Credentials{}, "MissingAuthenticationToken", "Request is missing Authentication Token"
	}
	rest, ok := strings.CutPrefix(auth, sigV4Algorithm+" ")
	if !ok {
		return Credentials{}, "IncompleteSignature", "Unsupported AWS 'algorithm': '" + strings.SplitN(auth, " ", 2)[0] + "'"
	}
	fields := map[string]string{}
	for _, kv := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	signed := strings.Split(fields["SignedHeaders"], ";")
	if len(scope) != 5 || scope[3] != "sts" || scope[4] != "aws4_request" || fields["Signature"] == "" || fields["SignedHeaders"] == "" {
		return Credentials{}, "IncompleteSignature", "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters with an sts aws4_request scope."
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if !slices.Contains(signed, "host") || !slices.Contains(signed, "x-amz-date") || !strings.HasPrefix(amzDate, scope[1]) {
		return Credentials{}, "IncompleteSignature", "The request must sign the host and x-amz-date headers, and the credential scope's date must be the request's date."
	}
	var caller Credentials
	found := false
	for _, c := range s.Issued() {
		if c.AccessKeyID == scope[0] {
			caller, found = c, true
		}
	}
	if !found || r.Header.Get("X-Amz-Security-Token") != caller.SessionToken || !slices.Contains(signed, "x-amz-security-token") {
		return Credentials{}, "InvalidClientTokenId", "The security token included in the request is invalid."
	}
	var canonHeaders strings.Builder
	for _, h := range signed {
		var v string
		switch h {
		case "host":
			v = r.Host
		case "content-length":
			v = strconv.FormatInt(r.ContentLength, 10)
		default:
			v = strings.Join(r.Header.Values(h), ",")
		}
		canonHeaders.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	payload := sha256.Sum256(body)
	canonical := strings.Join([]string{r.Method, path, canonicalQuery(r.URL.Query()), canonHeaders.String(), fields["SignedHeaders"], hex.EncodeToString(payload[:])}, "\n")
	hashed := sha256.Sum256([]byte(canonical))
	toSign := strings.Join([]string{sigV4Algorithm, amzDate, strings.Join(scope[1:], "/"), hex.EncodeToString(hashed[:])}, "\n")
	key := []byte("AWS4" + caller.SecretAccessKey)
	for _, part := range scope[1:] {
		key = hmacSHA256(key, part)
	}
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return Credentials{}, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	}
	if s.clock().After(caller.Expiration) {
		return Credentials{}, "ExpiredToken", "The security token included in the request is expired"
	}
	return caller, "", ""
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalQuery is the query string sorted by name, each part percent-encoded (space as %20).
func canonicalQuery(q url.Values) string {
	var parts []string
	for k, vs := range q {
		for _, v := range vs {
			parts = append(parts, strings.ReplaceAll(url.QueryEscape(k), "+", "%20")+"="+strings.ReplaceAll(url.QueryEscape(v), "+", "%20"))
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, "&")
}
