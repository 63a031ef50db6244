package login

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/runner"
)

func TestParseArgs(t *testing.T) {
	t.Parallel()
	full := []string{"--runner-temp=/home/runner/work/_temp", "--runner-workspace=/home/runner/work/r", "--job-container-id="}
	cases := []struct {
		argv0   string
		args    []string
		want    Invocation
		wantErr string
	}{
		{"/oidc-login", full, Invocation{Host: runner.HostPaths{Temp: "/home/runner/work/_temp", Workspace: "/home/runner/work/r"}, DockerAction: true}, ""},
		{"/oidc-login-post", full, Invocation{Post: true, Host: runner.HostPaths{Temp: "/home/runner/work/_temp", Workspace: "/home/runner/work/r"}, DockerAction: true}, ""},
		{"./oidc-login", append([]string{"post"}, full...), Invocation{Post: true, Host: runner.HostPaths{Temp: "/home/runner/work/_temp", Workspace: "/home/runner/work/r"}, DockerAction: true}, ""},
		// The native launchers: nothing, or post.
		{"oidc-login", nil, Invocation{}, ""},
		{"oidc-login", []string{"post"}, Invocation{Post: true}, ""},
		{"oidc-login", []string{"--job-container-id=abc"}, Invocation{Host: runner.HostPaths{JobContainerID: "abc"}, DockerAction: true}, ""},
		{"oidc-login", []string{"--runner-temp"}, Invocation{}, "unknown argument \"--runner-temp\""},
		{"oidc-login", []string{"--provider=aws"}, Invocation{}, "inputs (with:)"},
		{"oidc-login", []string{"main"}, Invocation{}, "unknown argument"},
	}
	for _, tc := range cases {
		got, err := ParseArgs(tc.argv0, tc.args)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseArgs(%q, %q): error %v, want %q", tc.argv0, tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseArgs(%q, %q) = %+v, %v; want %+v", tc.argv0, tc.args, got, err, tc.want)
		}
	}
}
