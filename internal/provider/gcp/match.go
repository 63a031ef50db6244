package gcp

import "strings"

// The checks of the inputs every GCP login reads, written out by hand: as regular expressions
// (kept beside their tests in match_test.go, which hold these functions to them), their bounded
// repetitions such as {4,32} compile into large programs, 0.3 ms of a login's start. Each
// matches exactly what its expression matches.

// matchProvider splits a provider resource name,
// ^projects/(\d+)/locations/global/workloadIdentityPools/([a-z0-9-]{4,32})/providers/([a-z0-9-]{4,32})$.
func matchProvider(v string) (project, pool, provider string, ok bool) {
	rest, ok := strings.CutPrefix(v, "projects/")
	if !ok {
		return "", "", "", false
	}
	project, rest, ok = strings.Cut(rest, "/locations/global/workloadIdentityPools/")
	if !ok || !allDigits(project) {
		return "", "", "", false
	}
	pool, provider, ok = strings.Cut(rest, "/providers/")
	if !ok || !isResourceID(pool) || !isResourceID(provider) {
		return "", "", "", false
	}
	return project, pool, provider, true
}

// isResourceID: [a-z0-9-]{4,32}.
func isResourceID(s string) bool {
	if len(s) < 4 || len(s) > 32 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !isLowerDigit(c) && c != '-' {
			return false
		}
	}
	return true
}

// isEmail: ^[a-zA-Z0-9][a-zA-Z0-9._+-]{0,63}@[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$. Neither side
// may hold an @, and the top-level domain, having no dot, follows the last one.
func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || len(local) < 1 || len(local) > 64 || !isAlnum(local[0]) {
		return false
	}
	for i := 1; i < len(local); i++ {
		if c := local[i]; !isAlnum(c) && c != '.' && c != '_' && c != '+' && c != '-' {
			return false
		}
	}
	dot := strings.LastIndexByte(domain, '.')
	if dot < 1 || len(domain)-dot-1 < 2 || !isLowerDigit(domain[0]) {
		return false
	}
	for i := 1; i < dot; i++ {
		if c := domain[i]; !isLowerDigit(c) && c != '.' && c != '-' {
			return false
		}
	}
	for i := dot + 1; i < len(domain); i++ {
		if c := domain[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// saSuffix ends a user-managed service account's email.
const saSuffix = ".iam.gserviceaccount.com"

// projectOfServiceAccount is the project id in such an email,
// @([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$: the id holds no @, so it
// follows the last one.
func projectOfServiceAccount(email string) (string, bool) {
	rest, ok := strings.CutSuffix(email, saSuffix)
	at := strings.LastIndexByte(rest, '@')
	if !ok || at < 0 {
		return "", false
	}
	p := rest[at+1:]
	if len(p) < 6 || len(p) > 30 || p[0] < 'a' || p[0] > 'z' || !isLowerDigit(p[len(p)-1]) {
		return "", false
	}
	for i := 1; i < len(p)-1; i++ {
		if c := p[i]; !isLowerDigit(c) && c != '-' {
			return "", false
		}
	}
	return p, true
}

// lifetimeDigits are the digits of ^(\d{1,6})s$.
func lifetimeDigits(v string) (string, bool) {
	d, ok := strings.CutSuffix(v, "s")
	return d, ok && len(d) >= 1 && len(d) <= 6 && allDigits(d)
}

// isUniverse: ^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$, two or more
// dot-separated labels that start and end with a letter or digit.
func isUniverse(s string) bool {
	labels := 0
	for label := range strings.SplitSeq(s, ".") {
		labels++
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := range len(label) {
			if c := label[i]; !isLowerDigit(c) && c != '-' {
				return false
			}
		}
	}
	return labels >= 2
}

// isScopeURL: ^https://[^\s"']+$ (\s is tab, newline, form feed, carriage return, space).
func isScopeURL(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	return ok && rest != "" && !strings.ContainsAny(rest, "\t\n\f\r \"'")
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLowerDigit(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isLowerDigit(c) || c >= 'A' && c <= 'Z' }
