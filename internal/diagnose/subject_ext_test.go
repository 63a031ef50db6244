package diagnose_test

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/diagnose/diagnosetest"
)

// TestSubjectFor: the narrowest wildcard for every shape of GitHub token (an external test
// package, to share diagnosetest's claim sets).
func TestSubjectFor(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"branch":            "repo:octo-org/octo-repo:ref:refs/heads/*",
		"tag":               "repo:octo-org/octo-repo:ref:refs/tags/*",
		"environment":       "repo:octo-org/octo-repo:environment:*",
		"pull_request":      "",
		"reusable workflow": "repo:octo-org/octo-repo:ref:refs/heads/*",
		"immutable id":      "repo:octo-org@65432/octo-repo@123456:ref:refs/heads/*",
		"custom template":   "",
	}
	for name, c := range diagnosetest.ClaimSets {
		s := diagnose.SubjectFor(c.Subject())
		if s.Exact != c.Subject() || s.Wildcard != want[name] {
			t.Errorf("%s: SubjectFor = %+v, want wildcard %q", name, s, want[name])
		}
		if strings.HasPrefix(s.Wildcard, "repo:*") {
			t.Errorf("%s: suggested a wildcard over every repository", name)
		}
	}
}
