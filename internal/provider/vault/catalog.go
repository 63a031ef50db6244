package vault

import (
	"strconv"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// refusals are the refusals this provider explains, for its page's troubleshooting table and
// the tests (diagnose.Catalog).
var refusals = diagnose.Catalog{
	Title:     "Vault and OpenBao",
	CLIs:      []string{"vault"},
	Fallbacks: []string{"Vault refused the login on", "Vault refused to read"},
	Entries:   catalog,
}

// sampleTarget is the quick start's mount and role.
var sampleTarget = trustTarget{Mount: "jwt", Role: "deploy"}

// sampleAudienceInput is an audience a workflow set with the audience input.
const sampleAudienceInput = "https://vault.example.com"

func catalog() []diagnose.Entry {
	loginStatus := func(status int, sample string, claims idtoken.Claims) diagnose.Entry {
		return diagnose.Entry{Code: "HTTP " + strconv.Itoa(status), Sample: sample, Claims: claims,
			Explain: func(m string, c idtoken.Claims) *diagnose.Error {
				return explainLogin(status, []string{m}, sampleTarget, c)
			}}
	}
	login := func(sample string, claims idtoken.Claims) diagnose.Entry { return loginStatus(400, sample, claims) }
	read := func(status int, path, sample string, warnings ...string) diagnose.Entry {
		return diagnose.Entry{Code: "HTTP " + strconv.Itoa(status), Sample: sample, When: "reading `" + path + "`",
			Explain: func(m string, _ idtoken.Claims) *diagnose.Error {
				var errs []string
				if m != "" {
					errs = []string{m}
				}
				return explainRead(status, errs, warnings, path, "", sampleTarget, []string{"default", "ci"})
			}}
	}
	c := diagnose.SampleClaims(diagnose.SampleGitHubOwner)
	return []diagnose.Entry{
		login(`role "deploy" could not be found`, c),
		login("missing role", c),
		login("audience claim found in JWT but no audiences bound to the role", c),
		login("error validating token: invalid audience (aud) claim: audience claim does not match any expected audience", c),
		{Code: "HTTP 400", Sample: "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience", When: "the `audience` input is set",
			Claims: diagnose.SampleClaims(sampleAudienceInput), Explain: func(m string, c idtoken.Claims) *diagnose.Error {
				t := sampleTarget
				t.Audience = c.AudienceString()
				return explainLogin(400, []string{m}, t, c)
			}},
		login("sub claim does not match bound subject", c),
		login(`error validating claims: claim "sub" does not match any associated bound claim values`, c),
		login(`error validating claims: claim "environment" is missing`, c),
		login(`claim "email" not found in token`, c),
		login("error validating token: invalid issuer (iss) claim: issuer does not match the expected issuer", diagnose.SampleClaims(diagnose.SampleGitHubOwner, "iss", diagnose.SampleEnterprise)),
		login("error validating token: invalid expiration time (exp) claim: token is expired", c),
		login("error validating token: invalid not before (nbf) claim: token not yet valid", c),
		login("error validating token: failed to verify signature: no known key successfully validated the token signature", c),
		loginStatus(404, `no handler for route "auth/jwt/login". route entry not found.`, c),
		login("role with oidc role_type is not allowed", c),
		loginStatus(403, "1 error occurred:\n\t* permission denied\n\n", c),
		read(403, "secret/data/ci", "1 error occurred:\n\t* permission denied\n\n"),
		read(404, "secret/ci", "", "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation."),
		read(404, "kv/ci", ""),
	}
}
