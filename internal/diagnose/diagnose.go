// Package diagnose turns a cloud's refusal, together with the claims of the token it refused,
// into what a user can act on: what was refused, the likely cause, and the trust
// configuration, in that cloud's own syntax, that would admit this very token.
package diagnose

import (
	"strings"

	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// Error is a refusal, explained.
type Error struct {
	// Call is the remote call that was refused, e.g. "AWS STS AssumeRoleWithWebIdentity".
	Call string
	// Code and Message are the service's own.
	Code, Message string
	// Cause says what most likely went wrong and what to change, in one paragraph.
	Cause string
	// Fix is the suggested configuration, shown in a collapsed group.
	Fix string
	// Trust marks a refusal of the token's claims: the trust-relevant claims are printed.
	Trust  bool
	Claims idtoken.Claims
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Call)
	b.WriteString(" refused")
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Message != "" {
		// Services end their messages with a period or not; we add our own punctuation.
		b.WriteString(": " + strings.TrimSuffix(strings.TrimSpace(e.Message), "."))
	}
	if e.Cause != "" {
		b.WriteString(". " + strings.TrimSuffix(e.Cause, "."))
	}
	b.WriteString(".")
	if e.Trust && e.Claims != nil {
		b.WriteString(" The token had iss=" + e.Claims.Issuer() + ", sub=" + e.Claims.Subject() + ", aud=" + e.Claims.AudienceString() + ".")
	}
	return b.String()
}

// Details is the text for the collapsed group: the claims trust is judged on, then the fix.
func (e *Error) Details() string {
	var b strings.Builder
	if e.Trust && e.Claims != nil {
		b.WriteString("Claims of the refused token that trust conditions match on:\n")
		b.WriteString(e.Claims.Table(idtoken.TrustClaims))
	}
	if e.Fix != "" {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(strings.TrimRight(e.Fix, "\n") + "\n")
	}
	return b.String()
}
