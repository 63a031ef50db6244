package gcp

import (
	"regexp"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/matchtest"
)

// The expressions the checks of match.go stand for: each function must decide (and capture)
// exactly as its expression does.
var (
	providerSpec = regexp.MustCompile(`^projects/(\d+)/locations/global/workloadIdentityPools/([a-z0-9-]{4,32})/providers/([a-z0-9-]{4,32})$`)
	emailSpec    = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._+-]{0,63}@[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$`)
	saSpec       = regexp.MustCompile(`@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$`)
	lifetimeSpec = regexp.MustCompile(`^(\d{1,6})s$`)
	universeSpec = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
	scopeSpec    = regexp.MustCompile(`^https://[^\s"']+$`)
)

func TestMatchProviderIsItsExpression(t *testing.T) {
	for _, s := range matchtest.Variants([]string{
		"projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github-provider",
		"projects/1/locations/global/workloadIdentityPools/abcd/providers/" + strings.Repeat("a", 32),
		"projects/1/locations/global/workloadIdentityPools/" + strings.Repeat("-", 32) + "/providers/a-b-",
	}, "0123456789abcdefghijklmnopqrstuvwxyz-/") {
		m := providerSpec.FindStringSubmatch(s)
		project, pool, provider, ok := matchProvider(s)
		if ok != (m != nil) || ok && (project != m[1] || pool != m[2] || provider != m[3]) {
			t.Errorf("matchProvider(%q) = %q %q %q %v, the expression says %q", s, project, pool, provider, ok, m)
		}
	}
}

func TestIsEmailIsItsExpression(t *testing.T) {
	for _, s := range matchtest.Variants([]string{
		"deploy@octo-project.iam.gserviceaccount.com",
		"A.b+c_d-e@x.io",
		strings.Repeat("a", 64) + "@a.bc",
		"9@0.0.aa",
	}, "abcdefghijklmnopqrstuvwxyzABCZ0123456789._+-@") {
		if got, want := isEmail(s), emailSpec.MatchString(s); got != want {
			t.Errorf("isEmail(%q) = %v, the expression says %v", s, got, want)
		}
	}
}

func TestProjectOfServiceAccountIsItsExpression(t *testing.T) {
	for _, s := range matchtest.Variants([]string{
		"deploy@octo-project.iam.gserviceaccount.com",
		"a@b@abcdef.iam.gserviceaccount.com",
		"x@" + strings.Repeat("a", 30) + ".iam.gserviceaccount.com",
		"@a-b-c9.iam.gserviceaccount.com",
	}, "abcdefghijklmnopqrstuvwxyz0123456789-.@") {
		m := saSpec.FindStringSubmatch(s)
		p, ok := projectOfServiceAccount(s)
		if ok != (m != nil) || ok && p != m[1] {
			t.Errorf("projectOfServiceAccount(%q) = %q %v, the expression says %q", s, p, ok, m)
		}
	}
}

func TestLifetimeDigitsIsItsExpression(t *testing.T) {
	for _, s := range matchtest.Variants([]string{"3600s", "1s", "999999s", "0s"}, "0123456789s") {
		m := lifetimeSpec.FindStringSubmatch(s)
		d, ok := lifetimeDigits(s)
		if ok != (m != nil) || ok && d != m[1] {
			t.Errorf("lifetimeDigits(%q) = %q %v, the expression says %q", s, d, ok, m)
		}
	}
}

func TestIsUniverseIsItsExpression(t *testing.T) {
	for _, s := range matchtest.Variants([]string{"googleapis.com", "a.b", "s3nsapis.fr", "x-1.y-2.z3"}, "abcxyz0189-.") {
		if got, want := isUniverse(s), universeSpec.MatchString(s); got != want {
			t.Errorf("isUniverse(%q) = %v, the expression says %v", s, got, want)
		}
	}
}

func TestIsScopeURLIsItsExpression(t *testing.T) {
	for _, s := range matchtest.Variants([]string{DefaultScope, "https://x", "https://a/b?c=d&e"}, "https:/abc.?=&") {
		if got, want := isScopeURL(s), scopeSpec.MatchString(s); got != want {
			t.Errorf("isScopeURL(%q) = %v, the expression says %v", s, got, want)
		}
	}
}
