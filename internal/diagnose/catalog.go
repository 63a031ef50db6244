package diagnose

import (
	"strings"

	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// Catalog is one provider's explained refusals (its Spec holds it). The troubleshooting table
// of the provider's page (docs/providers/<name>.md) is rendered from what each entry's Explain
// returns, so the page says exactly what a failing step prints.
type Catalog struct {
	// Title heads the provider's table: the service that refuses ("AWS STS").
	Title string
	// CLIs are the command-line tools whose commands its fixes suggest ("aws").
	CLIs []string
	// Fallbacks start the causes it gives answers it does not recognise: no code to show, and
	// the service's own message is all the explanation there is, so no entry shows them.
	Fallbacks []string
	// Entries lists the refusals; only the documentation and the tests need them, so they
	// are built on demand.
	Entries func() []Entry
}

// Entry is one refusal the code explains: the service's own code and a real message (from
// the service's documentation or the e2e emulators), and how the provider's explanation is
// called with them.
type Entry struct {
	// Code is the service's code as the error shows it (AccessDenied, invalid_target,
	// AADSTS700213, HTTP 403…).
	Code string
	// Sample is the service's message, verbatim.
	Sample string
	// When names the circumstance the row is about when the same answer is explained
	// differently for different tokens or targets ("" for the usual case).
	When string
	// Claims are the claims of the refused token.
	Claims idtoken.Claims
	// Explain calls the provider's diagnose function with a message and the token's claims;
	// tests call it with other claim sets too.
	Explain func(message string, claims idtoken.Claims) *Error
}

// Explained is the explanation a step prints for this entry's sample.
func (e Entry) Explained() *Error { return e.Explain(e.Sample, e.Claims) }

// The sample token of every catalog: a push to main of octo-org/octo-repo on GitHub.com.
// Times are fixed so the pages render the same every time.
const (
	SampleIssuer     = "https://token.actions.githubusercontent.com"
	SampleEnterprise = "https://token.actions.githubusercontent.com/octo-enterprise"
	SampleSubject    = "repo:octo-org/octo-repo:ref:refs/heads/main"
	SampleImmutable  = "repo:octo-org@65432/octo-repo@123456:ref:refs/heads/main"
	// SampleGitHubOwner is GitHub's default audience for the sample repository's owner.
	SampleGitHubOwner = "https://github.com/octo-org"
)

// SampleClaims is the sample token with audience aud, changed by the name/value pairs in set.
func SampleClaims(aud string, set ...string) idtoken.Claims {
	c := idtoken.Claims{
		"iss": SampleIssuer, "aud": aud, "sub": SampleSubject,
		"repository": "octo-org/octo-repo", "repository_owner": "octo-org", "repository_owner_id": "65432",
		"ref": "refs/heads/main", "event_name": "push",
		"job_workflow_ref": "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main",
		"iat":              float64(1700000000), "nbf": float64(1700000000), "exp": float64(1700000300),
	}
	for i := 0; i+1 < len(set); i += 2 {
		c[set[i]] = set[i+1]
	}
	return c
}

// Sentence is a service's message without its closing full stop: Error adds its own
// punctuation after it.
func Sentence(msg string) string {
	return strings.TrimSuffix(strings.TrimSpace(msg), ".")
}

// FirstSentence is a message up to its first full stop, as the troubleshooting table shows it.
func FirstSentence(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i]
	}
	return strings.TrimSuffix(s, ".")
}
