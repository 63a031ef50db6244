package aws

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// helperAt is a helper that already exists at path: nothing to write, nothing to delete.
func helperAt(path string) Helper {
	return func(runner.Home) (string, []runner.File, []string, error) { return path, nil, nil, nil }
}

// noEnv is a helper's environment on the runner host with nothing set.
func noEnv(string) string { return "" }

func refreshInputs(more ...string) config.MapInputs {
	in := config.MapInputs{
		"aws-role-arn": "arn:aws:iam::123456789012:role/path/deploy", "aws-region": "eu-west-1",
		"aws-refresh": "true",
	}
	for i := 0; i+1 < len(more); i += 2 {
		in[more[i]] = more[i+1]
	}
	return in
}

// TestHelperArgsRoundTrip: what the step writes into credential_process reads back as the
// step's own settings, through the inputs' validation.
func TestHelperArgsRoundTrip(t *testing.T) {
	t.Parallel()
	in := refreshInputs(
		"aws-role-session-name", "deploy@main",
		"aws-role-duration-seconds", "7200",
		"aws-inline-session-policy", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/it's #1; $HOME"}]}`,
		"aws-managed-session-policies", "arn:aws:iam::aws:policy/ReadOnlyAccess\narn:aws:iam::123456789012:policy/x",
		"aws-sts-endpoint", "https://sts.eu-west-1.amazonaws.com",
	)
	p, err := New(in, config.Common{Audience: "https://github.com/octo-org", RetryMaxAttempts: 3, Timeout: 120 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	args := p.(*Provider).HelperArgs()
	if last := args[len(args)-1]; last != "--duration=7200" {
		t.Errorf("last argument %q, want the bare duration", last)
	}
	hc, err := ParseHelperArgs(args, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := p.(*Provider).cfg
	if hc.RoleARN != want.RoleARN || hc.Region != want.Region || hc.SessionName != want.SessionName || hc.DurationSeconds != 7200 ||
		hc.InlinePolicy != want.InlinePolicy || !slices.Equal(hc.ManagedPolicies, want.ManagedPolicies) || hc.Endpoint != want.Endpoint {
		t.Errorf("read back %+v, want %+v", hc.Config, want)
	}
	if hc.Audience != "https://github.com/octo-org" || hc.MaxAttempts != 3 || hc.Timeout != MaxHelperTimeout {
		t.Errorf("audience %q, attempts %d, timeout %s; want the step's audience and attempts, and the timeout capped at %s", hc.Audience, hc.MaxAttempts, hc.Timeout, MaxHelperTimeout)
	}
}

// TestHelperAudienceIsTheLogins: the helper asks for the audience the step's login asked for,
// chosen as login chooses it: aws-id-token-audience over the step-wide audience over the
// default; and a value that cannot go into the command line is an error naming its input.
func TestHelperAudienceIsTheLogins(t *testing.T) {
	t.Parallel()
	if Spec.AudienceInput() != audienceInput {
		t.Fatalf("Spec.AudienceInput() = %q, the helper reads %q", Spec.AudienceInput(), audienceInput)
	}
	for _, tc := range []struct {
		own, stepWide, want string
	}{
		{"", "", DefaultAudience},
		{"", "https://github.com/octo-org", "https://github.com/octo-org"},
		{"sts.example.com", "", "sts.example.com"},
		{"sts.example.com", "https://github.com/octo-org", "sts.example.com"},
	} {
		in := refreshInputs()
		if tc.own != "" {
			in[audienceInput] = tc.own
		}
		p, err := New(in, config.Common{Audience: tc.stepWide})
		if err != nil {
			t.Fatal(err)
		}
		hc, err := ParseHelperArgs(p.(*Provider).HelperArgs(), noEnv)
		if err != nil {
			t.Fatal(err)
		}
		if hc.Audience != tc.want {
			t.Errorf("%s %q, audience %q: the helper asks for %q, want %q", audienceInput, tc.own, tc.stepWide, hc.Audience, tc.want)
		}
	}
	_, err := New(refreshInputs(audienceInput, "a b"), config.Common{Audience: "https://github.com/octo-org"})
	if want := "input " + audienceInput + ": must not contain spaces"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("%s with a space: err = %v, want %q…", audienceInput, err, want)
	}
	in := refreshInputs(audienceInput, "a&b")
	p, err := New(in, config.Common{})
	if err != nil {
		t.Fatal(err)
	}
	err = p.(*Provider).checkRefreshFor("windows", in)
	if want := "input " + audienceInput + ": cannot go into the profile's credential_process with aws-refresh on Windows"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("%s with & on Windows: err = %v, want %q…", audienceInput, err, want)
	}
}

// TestParseHelperArgsRefuses: a hand-edited profile gets the inputs' own errors.
func TestParseHelperArgsRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--role-arn=arn:aws:iam::1:role/x", "--region=eu-west-1"}, "aws-role-arn"},
		{[]string{"--role-arn=arn:aws:iam::123456789012:role/x", "--region=eu-west-1", "--duration=60"}, "aws-role-duration-seconds"},
		{[]string{"--role-arn=arn:aws:iam::123456789012:role/x", "--region=eu-west-1", "--policy=%%%"}, "--policy is not base64url"},
		{[]string{"--role-arn=arn:aws:iam::123456789012:role/x", "--region=eu-west-1", "--timeout-seconds=600"}, "--timeout-seconds"},
		{[]string{"--role-arn=arn:aws:iam::123456789012:role/x", "--region=eu-west-1", "stray"}, `unexpected "stray"`},
		{[]string{"--nope"}, "flag provided but not defined"},
	} {
		if _, err := ParseHelperArgs(tc.args, noEnv); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to mention %s", tc.args, err, tc.want)
		}
	}
}

// TestCommandLineUnderSh runs the command line the way aws-sdk-go-v2 does (sh -c), with a
// stand-in helper that prints its arguments, and gets back exactly the words given, however
// hostile.
func TestCommandLineUnderSh(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	helper := filepath.Join(dir, "helper")
	if err := os.WriteFile(helper, []byte("#!/bin/sh\nprintf '%s\\0' \"$@\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	args := []string{"--audience=it's", `--a="b"`, "--x=$HOME`id`", "--y=a#b;c", `--z=\n`, "--u=é&|<>*?[]", "--duration=900"}
	line, err := CommandLine(helper, args)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("sh", "-c", line).Output()
	if err != nil {
		t.Fatalf("sh -c %s: %v", line, err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if want := append([]string{HelperCommand}, args...); !slices.Equal(got, want) {
		t.Errorf("sh -c %s gave %q, want %q", line, got, want)
	}
	for _, bad := range []string{"a b", "a\tb", "a\nb", "a\x00b"} {
		if _, err := CommandLine(helper, []string{"--audience=" + bad, "--duration=900"}); err == nil {
			t.Errorf("%q was accepted into the command line", bad)
		}
	}
	if _, err := CommandLine(helper, []string{"--audience=it's"}); err == nil {
		t.Errorf("a command line ending in a quote was accepted (aws-sdk-go-v2 would strip it)")
	}
}

// TestRefreshRefusesUnquotableInputs: values that cannot go into credential_process fail as
// input errors, before any request.
func TestRefreshRefusesUnquotableInputs(t *testing.T) {
	t.Parallel()
	if _, err := New(refreshInputs(), config.Common{Audience: "a b"}); err == nil || !config.IsInputError(err) || !strings.Contains(err.Error(), "audience") {
		t.Errorf("audience with a space: err = %v", err)
	}
	if _, err := New(refreshInputs("aws-refresh", "yes"), config.Common{}); err == nil || !strings.Contains(err.Error(), "aws-refresh") {
		t.Errorf("aws-refresh yes: err = %v", err)
	}
	if _, err := New(refreshInputs(), config.Common{Audience: "sts.amazonaws.com\nx"}); err == nil || !config.IsInputError(err) {
		t.Errorf("audience with a line break: err = %v", err)
	}
	// Without aws-refresh the audience goes nowhere near a command line.
	if _, err := New(refreshInputs("aws-refresh", "false"), config.Common{Audience: "a b"}); err != nil {
		t.Errorf("aws-refresh false: err = %v", err)
	}
}

// TestRefreshServiceNameNeedsJobContainer: the Docker action may log in through a job
// service's one-word name, but with aws-refresh the later steps run the helper too, and they
// are on the job's network only in a job container; the helper itself takes such a name only
// there (HOME=/github/home).
func TestRefreshServiceNameNeedsJobContainer(t *testing.T) {
	t.Parallel()
	in := refreshInputs("aws-sts-endpoint", "http://localstack:4566")
	_, err := New(config.WithJobNetwork(in, true), config.Common{})
	want := `input aws-sts-endpoint: cannot be plain http to the one-word name "localstack" with aws-refresh outside a job container`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("no job container: err = %v, want %q…", err, want)
	}
	in["job-container-id"] = "0123abcd"
	if _, err := New(config.WithJobNetwork(in, true), config.Common{}); err != nil {
		t.Errorf("in a job container: %v", err)
	}
	in["aws-refresh"] = "false"
	delete(in, "job-container-id")
	if _, err := New(config.WithJobNetwork(in, true), config.Common{}); err != nil {
		t.Errorf("without aws-refresh: %v", err)
	}
	args := []string{"--role-arn=arn:aws:iam::123456789012:role/x", "--region=eu-west-1", "--sts-endpoint=http://localstack:4566", "--duration=900"}
	if _, err := ParseHelperArgs(args, noEnv); err == nil || !strings.Contains(err.Error(), `plain http to the one-word name "localstack"`) {
		t.Errorf("helper on the host: err = %v", err)
	}
	jobContainer := func(k string) string { return map[string]string{"HOME": "/github/home"}[k] }
	if hc, err := ParseHelperArgs(args, jobContainer); err != nil || hc.Endpoint != "http://localstack:4566" {
		t.Errorf("helper in a job container: %+v, %v", hc.Endpoint, err)
	}
}

// TestRefreshExport: the profile goes into the config file only (a same-named static profile
// in the credentials file is dropped, other profiles stay), with the helper helperAt names.
func TestRefreshExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	home := runner.Home{Dir: dir, HostDir: "/host/home"}
	os.MkdirAll(filepath.Join(dir, ".aws"), 0o700)
	os.WriteFile(filepath.Join(dir, ".aws", "credentials"), []byte("[deploy]\naws_access_key_id = OLD\n\n[other]\naws_access_key_id = KEEP\n"), 0o600)
	os.WriteFile(filepath.Join(dir, ".aws", "config"), []byte("[profile other]\nregion = us-east-1\n"), 0o600)
	pp, err := newWithHelper(helperAt("/opt/oidc-login/bin/oidc-login"))(refreshInputs("aws-profile", "deploy"), config.Common{RetryMaxAttempts: 5, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p := pp.(*Provider)
	r := &provider.Result{}
	if err := p.refreshExport(r, provider.Env{Home: home}); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range r.Files {
		files[f.Rel] = string(f.Data)
	}
	wantConf := "[profile other]\nregion = us-east-1\n\n[profile deploy]\nregion = eu-west-1\ncredential_process = /opt/oidc-login/bin/oidc-login credential-process --role-arn=arn:aws:iam::123456789012:role/path/deploy --region=eu-west-1 --session-name=GitHubActions --audience=sts.amazonaws.com --retry-max-attempts=5 --timeout-seconds=30 --duration=3600\n"
	if files[configRel] != wantConf {
		t.Errorf("config file:\n%s\nwant:\n%s", files[configRel], wantConf)
	}
	if files[credentialsRel] != "[other]\naws_access_key_id = KEEP\n" {
		t.Errorf("credentials file:\n%s", files[credentialsRel])
	}
	if len(r.OwnFiles) != 0 || len(r.Files) != 2 {
		t.Errorf("files %d, own %v; want the two shared files and no helper to write", len(r.Files), r.OwnFiles)
	}
	if len(r.Env) != 2 || r.Env[0] != (runner.Var{Name: "AWS_CONFIG_FILE", Value: "/host/home/.aws/config"}) || r.Env[1] != (runner.Var{Name: "AWS_PROFILE", Value: "deploy"}) {
		t.Errorf("env = %v", r.Env)
	}
}

// TestNativeUsesTheCachedBinary: the native action (its stage input set) points the profile at
// the binary it runs, which the tool cache keeps; the Docker action copies itself instead.
func TestNativeUsesTheCachedBinary(t *testing.T) {
	t.Parallel()
	in := config.MapInputs{"aws-role-arn": "arn:aws:iam::123456789012:role/deploy", "aws-region": "eu-west-1", "aws-refresh": "true", "stage": "main"}
	p, err := New(in, config.Common{})
	if err != nil {
		t.Fatal(err)
	}
	path, files, own, err := p.(*Provider).helper(runner.Home{Dir: t.TempDir()})
	exe, _ := os.Executable()
	if err != nil || path != exe || len(files) != 0 || len(own) != 0 {
		t.Errorf("native helper = %q, %d files, %v, %v; want %q and nothing to write or delete", path, len(files), own, err, exe)
	}
	delete(in, "stage")
	p, err = New(in, config.Common{})
	if err != nil {
		t.Fatal(err)
	}
	if path, files, _, err := p.(*Provider).helper(runner.Home{Dir: t.TempDir(), HostDir: "/host"}); err != nil || path == exe || len(files) != 1 {
		t.Errorf("Docker action helper = %q, %d files, %v; want a copy to write", path, len(files), err)
	}
}
