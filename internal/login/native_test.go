package login

import (
	"slices"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
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
		err := refuseNativeOnly(getenv, config.MapInputs{"stage": tc.stage}, registry.All)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("HOME=%s stage=%q: %v, want no error", tc.home, tc.stage, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("HOME=%s stage=%q: %v, want %q", tc.home, tc.stage, err, tc.want)
		}
	}
}

// nativeOnly lists every provider's native-only inputs, and fails when there are none (the
// tests below would then test nothing).
func nativeOnly(t *testing.T) (inputs []provider.NativeOnly, owners []provider.Spec) {
	t.Helper()
	for _, s := range registry.All {
		for _, n := range s.NativeOnly {
			inputs, owners = append(inputs, n), append(owners, s)
		}
	}
	if len(inputs) == 0 {
		t.Fatal("no provider has a native-only input")
	}
	return inputs, owners
}

// TestRefuseNativeOnlyInputsInDocker: the Docker action refuses every provider's native-only
// input set to true (its container has no access to the runner's tools, az for
// azure-cli-login), giving the provider's reason; false, a bad value (left to the provider's
// own check) and the native action pass.
func TestRefuseNativeOnlyInputsInDocker(t *testing.T) {
	t.Parallel()
	inputs, _ := nativeOnly(t)
	for _, n := range inputs {
		for _, tc := range []struct {
			home, v string
			want    string
		}{
			{"/github/home", "true", "input " + n.Input + ": works in the native action only (uses: oidc-login/oidc-login/native@v1): " + n.Why},
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
			err := refuseNativeOnly(getenv, config.MapInputs{n.Input: tc.v}, registry.All)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("HOME=%s %s=%q: %v", tc.home, n.Input, tc.v, err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Errorf("HOME=%s %s=%q: %v, want %q", tc.home, n.Input, tc.v, err, tc.want)
			}
		}
	}
}

// TestRefuseUnselected: a native-only input set to true needs its provider.
func TestRefuseUnselected(t *testing.T) {
	t.Parallel()
	inputs, owners := nativeOnly(t)
	for i, n := range inputs {
		owner := owners[i].Name
		others := slices.DeleteFunc(registry.All.Names(), func(name string) bool { return name == owner })[:2]
		if err := refuseUnselected(config.MapInputs{n.Input: "true"}, []string{others[0], owner}, registry.All); err != nil {
			t.Error(err)
		}
		if err := refuseUnselected(config.MapInputs{n.Input: "false"}, others[:1], registry.All); err != nil {
			t.Error(err)
		}
		err := refuseUnselected(config.MapInputs{n.Input: "true"}, others, registry.All)
		if want := "input " + n.Input + ": is for provider " + owner + ", which the provider input does not select (" + others[0] + ", " + others[1] + ")"; err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
		if err := refuseUnselected(config.MapInputs{n.Input: "2"}, []string{owner}, registry.All); err == nil || !strings.Contains(err.Error(), "input "+n.Input) {
			t.Errorf("a bad value: %v", err)
		}
	}
}
