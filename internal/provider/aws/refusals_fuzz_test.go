package aws

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// FuzzTrustPolicy: whatever the subject and issuer, the suggested policy is valid JSON,
// matches the subject exactly, and no wildcard ever spans repositories.
func FuzzTrustPolicy(f *testing.F) {
	f.Add("repo:o/r:ref:refs/heads/main", "https://token.actions.githubusercontent.com")
	f.Add("repo:o@1/r@2:environment:prod\"x", "https://ghes.example/_services/token")
	f.Add("repo:*", "")
	f.Add("repo:o/r", "not a url")
	f.Fuzz(func(t *testing.T, sub, iss string) {
		c := idtoken.Claims{"sub": sub, "iss": iss, "aud": "sts.amazonaws.com"}
		for _, wildcard := range []bool{false, true} {
			var p trustDocument
			if err := json.Unmarshal([]byte(trustPolicy("aws", "123456789012", c, wildcard)), &p); err != nil {
				t.Fatalf("invalid JSON for sub %q: %v", sub, err)
			}
		}
		s := diagnose.SubjectFor(sub)
		if s.Exact != sub {
			t.Fatalf("exact subject changed")
		}
		if s.Wildcard != "" && !strings.HasPrefix(s.Wildcard, "repo:"+diagnose.Repository(sub)+":") || strings.HasPrefix(s.Wildcard, "repo:*") {
			t.Fatalf("wildcard %q for %q spans repositories", s.Wildcard, sub)
		}
	})
}
