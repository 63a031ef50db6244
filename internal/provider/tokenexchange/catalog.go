package tokenexchange

import (
	"strconv"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// refusals are the refusals this provider explains, for its page's troubleshooting table and
// the tests (diagnose.Catalog).
var refusals = diagnose.Catalog{
	Title:   "RFC 8693 token exchange",
	Entries: catalog,
}

// The sample targets, named like the quick start of the provider's page.
const (
	sampleURL = "https://sts.example.com/token"
)

func catalog() []diagnose.Entry {
	row := func(f failure, when string) diagnose.Entry {
		f.URL = sampleURL
		if f.Call == "" {
			f.RFC8693 = true
		}
		code := f.Code
		if code == "" {
			code = "HTTP " + strconv.Itoa(f.Status)
		}
		return diagnose.Entry{Code: code, Sample: f.Description, When: when, Claims: diagnose.SampleClaims(diagnose.SampleGitHubOwner),
			Explain: func(m string, c idtoken.Claims) *diagnose.Error { g := f; g.Description = m; return explain(g, c) }}
	}
	return []diagnose.Entry{
		row(failure{Status: 400, Code: "invalid_grant", Description: "subject_token rejected: subject repo:octo-org/octo-repo:ref:refs/heads/main is not allowed to exchange tokens"}, ""),
		row(failure{Status: 400, Code: "invalid_target", Description: "the requested target https://api.example.com is not allowed", Resource: "https://api.example.com"}, ""),
		row(failure{Status: 401, Code: "invalid_client", Description: "client authentication failed: client_id is required"}, "`token-exchange-client-id` is empty"),
		row(failure{Status: 401, Code: "invalid_client", Description: "client authentication failed: unknown client", ClientID: "ci"}, "`token-exchange-client-id` is set"),
		row(failure{Status: 400, Code: "unauthorized_client", Description: "the client is not authorized to use this grant type", ClientID: "ci"}, ""),
		row(failure{Status: 400, Code: "invalid_scope", Description: "the requested scope is invalid, unknown, or malformed", Scope: "admin"}, ""),
		row(failure{Status: 400, Code: "unsupported_grant_type", Description: `grant_type "urn:ietf:params:oauth:grant-type:token-exchange" is not supported`}, ""),
		row(failure{Status: 400, Code: "invalid_request", Description: `unsupported subject_token_type "urn:ietf:params:oauth:token-type:id_token"`}, ""),
		row(failure{Status: 403}, "the server answers without an RFC 6749 error body"),
		row(failure{Status: 302}, "the server redirects the exchange elsewhere"),
		row(failure{Call: customCall, Status: 422, Description: "valid token, but no corresponding publisher"}, "a service's own shape (`token-exchange-subject-field` other than `subject_token`) refuses with its own error"),
	}
}
