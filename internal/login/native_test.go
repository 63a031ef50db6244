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

// TestRefuseAzureCLILoginInDocker: the Docker action refuses azure-cli-login: true (its
// container has no access to the runner's az); false, a bad value (left to the provider's own
// check) and the native action pass.
func TestRefuseAzureCLILoginInDocker(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		home, v string
		want    string
	}{
		{"/github/home", "true", "input azure-cli-login: works in the native action only"},
		{"/github/home", "false", ""},
		{"/github/home", "nope", ""},
		{"/home/runner", "true", ""},
	} {
		getenv := func(k string) string {
			if k == "HOME" {
				return tc.home
			}
			return ""
		}
		err := refuseNativeOnly(getenv, config.MapInputs{"azure-cli-login": tc.v})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("HOME=%s %q: %v", tc.home, tc.v, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("HOME=%s %q: %v, want %q", tc.home, tc.v, err, tc.want)
		}
	}
}

// TestRefuseUnselected: azure-cli-login: true needs provider azure.
func TestRefuseUnselected(t *testing.T) {
	t.Parallel()
	if err := refuseUnselected(config.MapInputs{"azure-cli-login": "true"}, []string{"aws", "azure"}); err != nil {
		t.Error(err)
	}
	if err := refuseUnselected(config.MapInputs{"azure-cli-login": "false"}, []string{"aws"}); err != nil {
		t.Error(err)
	}
	err := refuseUnselected(config.MapInputs{"azure-cli-login": "true"}, []string{"aws", "gcp"})
	if err == nil || err.Error() != "input azure-cli-login: is for provider azure, which the provider input does not select (aws, gcp)" {
		t.Errorf("err = %v", err)
	}
	if err := refuseUnselected(config.MapInputs{"azure-cli-login": "2"}, []string{"azure"}); err == nil || !strings.Contains(err.Error(), "input azure-cli-login") {
		t.Errorf("a bad value: %v", err)
	}
}
