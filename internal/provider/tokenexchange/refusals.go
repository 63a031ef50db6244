package tokenexchange

import (
	"fmt"
	"strings"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// exchangeCall and customCall name the exchange in messages: RFC 8693's shape, or another.
const (
	exchangeCall = "OAuth 2.0 token exchange (RFC 8693)"
	customCall   = "token exchange"
)

// failure is one error answer to the exchange and what was asked.
type failure struct {
	// Call names the exchange (exchangeCall or customCall); RFC8693 says which shape it was.
	Call    string
	RFC8693 bool
	URL     string
	Status  int
	// Code and Description are the answer's `error` and `error_description`.
	Code, Description string
	// Parameters is what we sent besides the token, for the explanation.
	Audience, Resource, Scope, RequestedTokenType, ClientID string
}

// explain explains a refusal of the exchange. The server's trust configuration is its
// own, so the fix is said in terms of what the server must accept rather than in its syntax.
func explain(f failure, claims idtoken.Claims) *diagnose.Error {
	if f.Call == "" {
		f.Call = exchangeCall
	}
	e := &diagnose.Error{Call: f.Call + " at " + f.URL, Code: f.Code, Message: diagnose.Sentence(f.Description), Claims: claims}
	if e.Code == "" {
		e.Code = fmt.Sprintf("HTTP %d", f.Status)
	}
	if f.Status >= 300 && f.Status < 400 {
		e.Cause = "The server answered with a redirect, which the step does not follow: it would carry the ID token to another address. Set token-exchange-url to the address the server redirects to"
		return e
	}
	if !f.RFC8693 && !rfc6749Codes[f.Code] {
		// A service's own shape: its refusals are its own, but nearly all are about whom it
		// trusts or what the request lacks.
		e.Trust = true
		e.Cause = fmt.Sprintf("The service refused the exchange. It must trust GitHub ID tokens from the issuer %s with the audience %q (token-exchange-id-token-audience sets it) and the subject %q, and it may want fields the request lacks (token-exchange-fields, token-exchange-subject-field, token-exchange-body): check its documentation", claims.Issuer(), claims.AudienceString(), claims.Subject())
		e.Fix = trustFix(claims)
		return e
	}
	switch f.Code {
	case "invalid_grant":
		e.Trust = true
		e.Cause = fmt.Sprintf("The server refused the GitHub ID token as subject_token: it must trust the issuer %s, accept the audience %q (token-exchange-id-token-audience sets it), and admit the subject %q", claims.Issuer(), claims.AudienceString(), claims.Subject())
		e.Fix = trustFix(claims)
	case "invalid_target":
		e.Cause = "The server will not issue a token for the target asked for: check " + targets(f) + " against what the server allows for this client"
	case "invalid_client", "unauthorized_client":
		if f.ClientID == "" {
			e.Cause = "The server wants to know the client: set token-exchange-client-id to the client id it registered for this exchange"
		} else {
			e.Cause = fmt.Sprintf("The server does not allow the client %q to exchange tokens: check token-exchange-client-id and that the client may use the token-exchange grant", f.ClientID)
		}
	case "invalid_scope":
		e.Cause = fmt.Sprintf("The server refused the scope %q: check token-exchange-scope", f.Scope)
	case "unsupported_grant_type":
		e.Cause = "The server does not support urn:ietf:params:oauth:grant-type:token-exchange at this endpoint: check token-exchange-url"
	case "invalid_request":
		e.Cause = "The server found the request malformed or missing a parameter it requires: check its documentation for the token-exchange parameters (" + targets(f) + ", token-exchange-client-id)"
	default:
		if f.Status == 401 || f.Status == 403 {
			e.Cause = "The server refused the request itself: set token-exchange-client-id if it wants a client id, and check that it accepts GitHub ID tokens at all"
		}
	}
	return e
}

// rfc6749Codes are the error codes of RFC 6749 §5.2 and RFC 8693 §2.2.2, which the
// explanations below speak to in any shape of request.
var rfc6749Codes = map[string]bool{
	"invalid_request": true, "invalid_client": true, "invalid_grant": true, "unauthorized_client": true,
	"unsupported_grant_type": true, "invalid_scope": true, "invalid_target": true,
}

// targets lists what was asked for, for the invalid_target explanation.
func targets(f failure) string {
	var parts []string
	for _, p := range []struct{ name, v string }{
		{"token-exchange-audience", f.Audience},
		{"token-exchange-resource", f.Resource},
		{"token-exchange-requested-token-type", f.RequestedTokenType},
	} {
		if p.v != "" {
			parts = append(parts, fmt.Sprintf("%s (%q)", p.name, p.v))
		}
	}
	if len(parts) == 0 {
		return "token-exchange-audience and token-exchange-resource (none was sent)"
	}
	return strings.Join(parts, ", ")
}

func trustFix(claims idtoken.Claims) string {
	var b strings.Builder
	b.WriteString("The server's trust configuration for GitHub ID tokens must accept:\n")
	fmt.Fprintf(&b, "  issuer    %s (keys at %s/.well-known/jwks)\n", claims.Issuer(), strings.TrimRight(claims.Issuer(), "/"))
	fmt.Fprintf(&b, "  audience  %s\n", claims.AudienceString())
	sub := diagnose.SubjectFor(claims.Subject())
	fmt.Fprintf(&b, "  subject   %s\n", sub.Exact)
	if sub.Wildcard != "" {
		fmt.Fprintf(&b, "            or, to admit %s, the pattern %s\n", sub.Kind, sub.Wildcard)
	}
	b.WriteString("\n" + diagnose.NeverTrust + "\n")
	return b.String()
}
