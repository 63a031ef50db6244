package aws

// aws-refresh: instead of the credentials, the step writes a profile whose credential_process
// runs this binary again (package credprocess) whenever an SDK wants credentials. The helper
// mints a fresh ID token from the calling step's ACTIONS_ID_TOKEN_REQUEST_* and repeats the
// step's AssumeRoleWithWebIdentity, so a job outlives both the 5-minute ID token and the role
// session. Nothing secret is written to disk: the profile holds only the role's settings.

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/lazyre"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/runner"
)

const (
	// DefaultRefreshProfile names the profile when aws-profile is empty.
	DefaultRefreshProfile = "oidc-login"
	// HelperCommand is the first argument that starts the binary as the helper (main.go).
	HelperCommand = "credential-process"
	// MaxHelperTimeout bounds one refresh: aws-sdk-go-v2 kills a credential_process after
	// one minute (credentials/processcreds DefaultTimeout, v1.21.1), and an answer that comes
	// later is lost, so the helper gives up first and says why.
	MaxHelperTimeout = 50 * time.Second
)

// Helper says where later steps find the program credential_process runs: its path as they
// see it, and the files (relative to the home mount) to write and to delete in the post step.
type Helper func(home runner.Home) (path string, files []runner.File, own []string, err error)

// CopyHelper is the Docker action's helper: a copy of this very binary (static, no libraries)
// in the home mount, 0700 and owned by the runner's user, so it outlives the step's container.
func CopyHelper(home runner.Home) (string, []runner.File, []string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", nil, nil, fmt.Errorf("aws-refresh: finding this program to copy it for later steps: %w", err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		return "", nil, nil, fmt.Errorf("aws-refresh: reading this program to copy it for later steps: %w", err)
	}
	rel := runner.NewName("aws-refresh", "")
	return home.HostPath(rel), []runner.File{{Rel: rel, Data: b, Mode: 0o700}}, []string{rel}, nil
}

// RunningHelper is the native action's helper: the binary running now, on the host where
// later steps run. The launchers run the job's own copy under RUNNER_TEMP (a release's,
// verified against native/SHA256SUMS, or one built from source), which stays there until the
// job ends (native/run.sh's header says how).
func RunningHelper(runner.Home) (string, []runner.File, []string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", nil, nil, fmt.Errorf("aws-refresh: finding this program for later steps: %w", err)
	}
	return exe, nil, nil, nil
}

// refreshProfile is the profile aws-refresh writes.
func (c Config) refreshProfile() string {
	if c.Profile != "" {
		return c.Profile
	}
	return DefaultRefreshProfile
}

// unsafeArg finds what the two config parsers would mangle in credential_process: line breaks
// and control characters end or corrupt the line, and aws-sdk-go-v2 cuts a value at a space or
// tab followed by # or ; (config/internal/ini/strings.go trimPropertyComment, config v1.33.15;
// the same in internal/ini v1.8.6). Whitespace is
// refused altogether; no ARN, region, URL or IAM client id needs it.
var unsafeArg = lazyre.New(`[\s\x00-\x1f\x7f]`)

// checkRefresh refuses, at input time, values that cannot go into the profile's command line,
// and an STS endpoint the helper could not reach safely from later steps: plain http to a
// one-word name is a job's service container only on the job's network, which the later steps
// are on only in a job container (job.container.id set; elsewhere they run on the runner host,
// where the name goes to the host's resolver).
func (p *Provider) checkRefresh(in config.Inputs) error { return p.checkRefreshFor(runtime.GOOS, in) }

// checkRefreshFor is checkRefresh for the SDKs of goos (CommandLine).
func (p *Provider) checkRefreshFor(goos string, in config.Inputs) error {
	if !p.cfg.Refresh {
		return nil
	}
	if u, err := url.Parse(p.cfg.Endpoint); err == nil && u.Scheme == "http" && !config.IsLoopbackHost(u.Hostname()) && in.Input("job-container-id") == "" {
		return config.Errorf("aws-sts-endpoint", "cannot be plain http to the one-word name %s with aws-refresh outside a job container: later steps run the credential_process helper on the runner host, where that name is not the job's service container and the ID token would cross the network in clear; use aws-refresh in a job with container:, or log in without it", config.Quote(u.Hostname()))
	}
	audInput, aud := p.audience()
	if unsafeArg().MatchString(aud) {
		return config.Errorf(audInput, "must not contain spaces or control characters with aws-refresh (it goes into the profile's credential_process), got %s", config.Quote(aud))
	}
	if unsafeArg().MatchString(p.cfg.Endpoint) {
		return config.Errorf("aws-sts-endpoint", "must not contain spaces or control characters with aws-refresh, got %s", config.Quote(p.cfg.Endpoint))
	}
	if goos == "windows" {
		for _, v := range []struct{ input, value string }{{audInput, aud}, {"aws-sts-endpoint", p.cfg.Endpoint}} {
			if why := windowsArgProblem(v.value); why != "" {
				return config.Errorf(v.input, "cannot go into the profile's credential_process with aws-refresh on Windows: %s; got %s", why, config.Quote(v.value))
			}
		}
	}
	return nil
}

// audienceInput is this provider's own audience input (Spec.AudienceInput); a constant, since
// Spec names New, which reads it.
const audienceInput = "aws-id-token-audience"

// audience is the audience the helper asks for: the one the step's login asks for, chosen as
// package login chooses it (aws-id-token-audience, else audience, else the default), and the
// input that set it.
func (p *Provider) audience() (input, value string) {
	switch {
	case p.ownAudience != "":
		return audienceInput, p.ownAudience
	case p.common.Audience != "":
		return "audience", p.common.Audience
	}
	return "audience", DefaultAudience
}

// refreshExport fills r with the profile (config file only: there are no keys to store), the
// helper and the variables pointing at them. The first credentials are not handed over: a
// later step gets its own from the helper, as every SDK prefers AWS_ACCESS_KEY_ID to a profile.
func (p *Provider) refreshExport(r *provider.Result, env provider.Env) error {
	c := p.cfg
	profile := c.refreshProfile()
	helper := p.helper
	if helper == nil {
		helper = CopyHelper
	}
	path, files, own, err := helper(env.Home)
	if err != nil {
		return err
	}
	line, err := CommandLine(path, p.HelperArgs())
	if err != nil {
		return err
	}
	conf, err := readShared(env.Home.Path(configRel))
	if err != nil {
		return err
	}
	conf = setSection(conf, configSection(profile), []string{"region = " + c.Region, "credential_process = " + line})
	files = append(files, runner.File{Rel: configRel, Data: []byte(conf)})
	// A static profile of the same name from an earlier step would win over credential_process
	// in every SDK's chain (the credentials file is read first), so it is replaced too.
	if creds, err := readShared(env.Home.Path(credentialsRel)); err != nil {
		return err
	} else if rest := removeSection(creds, profile); rest != creds {
		files = append(files, runner.File{Rel: credentialsRel, Data: []byte(rest)})
	}
	r.Files = files
	r.OwnFiles = own
	r.Env = []runner.Var{
		{Name: "AWS_CONFIG_FILE", Value: env.Home.HostPath(configRel)},
		{Name: "AWS_PROFILE", Value: profile},
	}
	r.SecretEnv = []string{"AWS_CONFIG_FILE", "AWS_PROFILE"}
	r.State = []runner.Var{{Name: "profile", Value: profile}}
	return nil
}

// HelperConfig is what the helper needs: the step's aws settings, its audience and its retry
// budget.
type HelperConfig struct {
	Config
	Audience    string
	MaxAttempts int
	Timeout     time.Duration
}

// The helper's flags, one per aws-* input it repeats.
var helperInputs = []struct{ flag, input string }{
	{"role-arn", "aws-role-arn"},
	{"region", "aws-region"},
	{"session-name", "aws-role-session-name"},
	{"sts-endpoint", "aws-sts-endpoint"},
	{"policy-arns", "aws-managed-session-policies"},
	{"duration", "aws-role-duration-seconds"},
}

// HelperArgs are the arguments after HelperCommand that repeat this step's login. The inline
// policy travels base64url-encoded (JSON's quotes, braces and spaces would need quoting that
// the config parsers handle differently); the duration comes last, a bare number, so the
// command line never both starts and ends with a quote (CommandLine).
func (p *Provider) HelperArgs() []string {
	c := p.cfg
	timeout := min(p.common.Timeout, MaxHelperTimeout)
	if timeout <= 0 {
		timeout = MaxHelperTimeout
	}
	attempts := p.common.RetryMaxAttempts
	if attempts < 1 {
		attempts = config.DefaultRetryMaxAttempts
	}
	_, aud := p.audience()
	args := []string{"--role-arn=" + c.RoleARN, "--region=" + c.Region, "--session-name=" + c.SessionName, "--audience=" + aud}
	if c.Endpoint != "" {
		args = append(args, "--sts-endpoint="+c.Endpoint)
	}
	if c.InlinePolicy != "" {
		args = append(args, "--policy="+base64.RawURLEncoding.EncodeToString([]byte(c.InlinePolicy)))
	}
	if len(c.ManagedPolicies) > 0 {
		args = append(args, "--policy-arns="+strings.Join(c.ManagedPolicies, ","))
	}
	return append(args,
		"--retry-max-attempts="+strconv.Itoa(attempts),
		"--timeout-seconds="+strconv.Itoa(int(timeout/time.Second)),
		"--duration="+strconv.Itoa(c.DurationSeconds))
}

// ParseHelperArgs reads HelperArgs back, validating every value with the inputs' own rules
// (a hand-edited profile gets the same errors as the step). getenv is the calling step's
// environment: plain http to a one-word --sts-endpoint is taken only in a job container
// (HOME=/github/home, see runner.OnJobNetwork), where that name is the job's service.
func ParseHelperArgs(args []string, getenv func(string) string) (HelperConfig, error) {
	var hc HelperConfig
	fs := flag.NewFlagSet(HelperCommand, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	vals := map[string]*string{}
	for _, h := range helperInputs {
		vals[h.input] = fs.String(h.flag, "", "")
	}
	policy := fs.String("policy", "", "")
	aud := fs.String("audience", "", "")
	attempts := fs.Int("retry-max-attempts", config.DefaultRetryMaxAttempts, "")
	timeout := fs.Int("timeout-seconds", int(MaxHelperTimeout/time.Second), "")
	if err := fs.Parse(args); err != nil {
		return hc, fmt.Errorf("bad arguments: %v", err)
	}
	if fs.NArg() > 0 {
		return hc, fmt.Errorf("bad arguments: unexpected %q", fs.Arg(0))
	}
	in := config.MapInputs{}
	for k, v := range vals {
		in[k] = *v
	}
	if *policy != "" {
		b, err := base64.RawURLEncoding.DecodeString(*policy)
		if err != nil {
			return hc, fmt.Errorf("bad arguments: --policy is not base64url: %v", err)
		}
		in["aws-inline-session-policy"] = string(b)
	}
	c, err := Parse(config.WithJobNetwork(in, getenv("HOME") == runner.ContainerHome))
	if err != nil {
		return hc, fmt.Errorf("bad arguments: %v", err)
	}
	if *aud == "" {
		*aud = DefaultAudience
	}
	if *attempts < 1 || *attempts > config.MaxRetryAttempts || *timeout < 1 || *timeout > int(MaxHelperTimeout/time.Second) {
		return hc, fmt.Errorf("bad arguments: --retry-max-attempts must be 1 to %d and --timeout-seconds 1 to %d", config.MaxRetryAttempts, int(MaxHelperTimeout/time.Second))
	}
	return HelperConfig{Config: c, Audience: *aud, MaxAttempts: *attempts, Timeout: time.Duration(*timeout) * time.Second}, nil
}

// Credentials are one refresh's answer.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
}

// Assume is the helper's STS call: the login's own, with its retry policy and explanations.
func Assume(ctx context.Context, hc HelperConfig, tok *idtoken.Token, env provider.Env) (Credentials, error) {
	p := &Provider{cfg: hc.Config}
	out, err := p.assume(ctx, tok, env)
	if err != nil {
		return Credentials{}, err
	}
	cr := out.Credentials
	c := Credentials{AccessKeyID: *cr.AccessKeyId, SecretAccessKey: *cr.SecretAccessKey, SessionToken: *cr.SessionToken}
	if cr.Expiration != nil {
		c.Expiration = cr.Expiration.UTC()
	}
	return c, nil
}
