package login

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
)

// TestRefuseNativeOnly: the Docker action (HOME=/github/home) refuses stage, which only the
// native action declares; the native action and local runs accept it.
func TestRefuseNativeOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		home, stage string
		want        string
	}{
		{"/github/home", "post", "input stage: is an input of the native action"},
		{"/github/home", "main", "input stage: is an input of the native action"},
		{"/github/home", "", ""},
		{"/home/runner", "post", ""},
		{`C:\Users\runneradmin`, "main", ""},
	} {
		getenv := func(k string) string {
			if k == "HOME" {
				return tc.home
			}
			return ""
		}
		err := refuseNativeOnly(getenv, config.MapInputs{"stage": tc.stage})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("HOME=%s stage=%q: %v, want no error", tc.home, tc.stage, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("HOME=%s stage=%q: %v, want %q", tc.home, tc.stage, err, tc.want)
		}
	}
}
