package stsfake

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
)

// getCallerIdentity serves sts:GetCallerIdentity, which needs no permission: whoever signed
// the request (SigV4, checked against a session this emulator issued) learns who they are.
// aws-actions/configure-aws-credentials calls it after AssumeRoleWithWebIdentity to check the
// credentials it got (validateCredentials in src/CredentialsClient.ts at v6.2.3, commit
// e6de054), so the benchmark that runs that action against this emulator needs it.
func (s *Server) getCallerIdentity(w http.ResponseWriter, r *http.Request, body []byte) {
	caller, code, msg := s.verifySigV4(r, body)
	if code != "" {
		writeError(w, http.StatusForbidden, code, msg)
		return
	}
	parts := strings.Split(caller.AssumedRoleARN, ":")
	session := caller.AssumedRoleARN[strings.LastIndex(caller.AssumedRoleARN, "/")+1:]
	resp := callerIdentityResponse{
		Xmlns: "https://sts.amazonaws.com/doc/2011-06-15/",
		Result: callerIdentity{
			ARN: caller.AssumedRoleARN, UserID: "AROA" + fakeid.String(17, upper+digits) + ":" + session, Account: parts[4],
		},
		RequestID: requestID(),
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", resp.RequestID)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(resp)
}

type callerIdentityResponse struct {
	XMLName   xml.Name       `xml:"GetCallerIdentityResponse"`
	Xmlns     string         `xml:"xmlns,attr"`
	Result    callerIdentity `xml:"GetCallerIdentityResult"`
	RequestID string         `xml:"ResponseMetadata>RequestId"`
}

type callerIdentity struct {
	ARN     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}
