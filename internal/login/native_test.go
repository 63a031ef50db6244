package login

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
)

// TestRefuseNativeOnly: the Docker action refuses stage, which only the native action
// declares; the native action and local runs accept it, wherever they run.
func TestRefuseNativeOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		docker bool
		stage  string
		want   string
	}{
		{true, "post", "input stage: is an input of the native action"},
		{true, "main", "input stage: is an input of the native action"},
		{true, "", ""},
		{false, "post", ""},
		{false, "main", ""},
	} {
		err := refuseNativeOnly(tc.docker, config.MapInputs{"stage": tc.stage}, registry.All)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("Docker action %v, stage=%q: %v, want no error", tc.docker, tc.stage, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("Docker action %v, stage=%q: %v, want %q", tc.docker, tc.stage, err, tc.want)
		}
	}
}

// TestNativeInJobContainer: the native action in a job with `container:` runs where the
// runner sets HOME=/github/home, as it does for the Docker action, but without runs.args; its
// stage input is its own there too. Without an ID-token permission the step stops at that, the
// first thing it needs after its inputs; the Docker action (runs.args on the command line)
// still refuses stage.
func TestNativeInJobContainer(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HOME": "/github/home", "RUNNER_TEMP": "/__w/_temp", "INPUT_PROVIDER": "github", "INPUT_STAGE": "main",
		"GITHUB_ENV": "/__w/_temp/_runner_file_commands/set_env", "GITHUB_OUTPUT": "/__w/_temp/_runner_file_commands/set_output"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "::error title=oidc-login%3A no ID token::the job cannot request a GitHub OIDC ID token"},
		{[]string{"--runner-temp=/home/runner/work/_temp", "--runner-workspace=/home/runner/work/r", "--job-container-id=abc"},
			"::error title=oidc-login%3A invalid input::input stage: is an input of the native action (uses: oidc-login/oidc-login/native@v1) only"},
	} {
		var out bytes.Buffer
		a := &Action{Stdout: &out, Getenv: func(k string) string { return env[k] }, Providers: registry.All}
		if code := a.Run(context.Background(), "oidc-login", tc.args); code != ExitFailure || !strings.HasPrefix(out.String(), tc.want) {
			t.Errorf("args %q: exit %d, output\n%s\nwant it to start with %q", tc.args, code, out.String(), tc.want)
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
			docker bool
			v      string
			want   string
		}{
			{true, "true", "input " + n.Input + ": works in the native action only (uses: oidc-login/oidc-login/native@v1): " + n.Why},
			{true, "false", ""},
			{true, "nope", ""},
			{false, "true", ""},
		} {
			err := refuseNativeOnly(tc.docker, config.MapInputs{n.Input: tc.v}, registry.All)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Docker action %v, %s=%q: %v", tc.docker, n.Input, tc.v, err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Errorf("Docker action %v, %s=%q: %v, want %q", tc.docker, n.Input, tc.v, err, tc.want)
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
