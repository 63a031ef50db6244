package runner

import "testing"

// The post step deletes only what NewName could have made.
func TestIsOwnName(t *testing.T) {
	t.Parallel()
	for i := 0; i < 20; i++ {
		if n := NewName("gcp-credentials", ".json"); !IsOwnName(n) {
			t.Fatalf("IsOwnName(%q) = false for a name NewName made", n)
		}
	}
	for _, rel := range []string{
		"victim", ".aws/credentials", ".oidc-login/victim", ".oidc-login/../x-0123456789ab.json",
		"../.oidc-login/x-0123456789ab.json", "/.oidc-login/x-0123456789ab.json", ".oidc-login/x-0123456789ab.json/y",
		".oidc-login/x-0123456789a.json", ".oidc-login/sub/x-0123456789ab.json", ".oidc-login/x-0123456789ab.json\n",
	} {
		if IsOwnName(rel) {
			t.Errorf("IsOwnName(%q) = true", rel)
		}
	}
}
