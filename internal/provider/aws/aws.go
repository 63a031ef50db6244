// Package aws is the `aws` provider: STS AssumeRoleWithWebIdentity through the official SDK,
// with temporary credentials exported as env vars or as a named profile.
package aws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/retry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// Provider logs into AWS.
type Provider struct {
	cfg Config
	// common, ownAudience (aws-id-token-audience) and helper serve aws-refresh (refresh.go).
	common      config.Common
	ownAudience string
	helper      Helper
}

// New validates the aws-* inputs. With aws-refresh, the helper is, in the Docker action, a copy
// of this binary in the home mount (CopyHelper), and in the native action (whose stage input
// only it declares) this very binary, the job's own copy under RUNNER_TEMP (RunningHelper).
func New(in config.Inputs, common config.Common) (provider.Provider, error) {
	h := CopyHelper
	if in.Input("stage") != "" {
		h = RunningHelper
	}
	return newWithHelper(h)(in, common)
}

// newWithHelper is New with the aws-refresh helper given (tests give one at a fixed path).
func newWithHelper(h Helper) provider.Factory {
	return func(in config.Inputs, common config.Common) (provider.Provider, error) {
		c, err := Parse(in)
		if err != nil {
			return nil, err
		}
		p := &Provider{cfg: c, common: common, ownAudience: in.Input(audienceInput), helper: h}
		if err := p.checkRefresh(in); err != nil {
			return nil, err
		}
		return p, nil
	}
}

// Masks are the values of the inputs that aws-mask-account-id hides: the role's account id
// and ARN. They are masked before anything is printed, so a failure's trust diagnostics
// (which name the role and its account) show *** in the log and the job summary too.
func (p *Provider) Masks() []string {
	if !p.cfg.MaskAccountID {
		return nil
	}
	m := []string{p.cfg.RoleARN, p.cfg.RoleAccount}
	// Each aws-role-chain hop's role is named in the errors and explanations of that hop,
	// which may come before STS has issued anything whose account chainResult could mask.
	for _, h := range p.cfg.Chain {
		m = append(m, h.RoleARN, h.Account)
	}
	return m
}

// Name is the provider's name in the provider input.
func (p *Provider) Name() string { return Name }

// Audience is sts.amazonaws.com in every partition (see DefaultAudience).
func (p *Provider) Audience() string { return DefaultAudience }

// transientCodes are STS error codes that clear on their own.
var transientCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "RequestLimitExceeded": true,
	"IDPCommunicationError": true, "ServiceUnavailable": true, "InternalFailure": true,
	"RequestTimeout": true, "RequestTimeoutException": true,
}

// Login calls AssumeRoleWithWebIdentity once per attempt. The account id and ARN come from
// the answer's AssumedRoleUser, so no GetCallerIdentity round trip is needed.
func (p *Provider) Login(ctx context.Context, tok *idtoken.Token, env provider.Env) (*provider.Result, error) {
	out, err := p.assume(ctx, tok, env)
	if err != nil {
		return nil, err
	}
	if len(p.cfg.Chain) == 0 {
		return p.result(tok, out, env)
	}
	hops, err := p.chain(ctx, p.stsOptions(env), out, env.Retry)
	if err != nil {
		return issuedSoFar(out, hops), err
	}
	r, err := p.result(tok, hops[len(hops)-1].out, env)
	if err != nil {
		// Every hop's credentials were issued: login masks them all, as for a failed hop.
		issued := issuedSoFar(out, hops)
		if r != nil {
			issued.Secrets = append(issued.Secrets, r.Secrets...)
		}
		return issued, err
	}
	chainResult(r, p.cfg, out, hops)
	return r, nil
}

// Endpoints is the STS endpoint every call of the login goes to (the web-identity call and
// each aws-role-chain hop use the same client options), resolved by the SDK's own resolver
// from the parameters its client binds for these options (region, base endpoint; no FIPS or
// dual-stack), so login can open the connection while it fetches the ID token.
func (p *Provider) Endpoints() []string {
	o := p.stsOptions(provider.Env{})
	params := sts.EndpointParameters{
		Region:       awssdk.String(o.Region),
		Endpoint:     o.BaseEndpoint,
		UseFIPS:      awssdk.Bool(o.EndpointOptions.UseFIPSEndpoint == awssdk.FIPSEndpointStateEnabled),
		UseDualStack: awssdk.Bool(o.EndpointOptions.UseDualStackEndpoint == awssdk.DualStackEndpointStateEnabled),
	}
	e, err := sts.NewDefaultEndpointResolverV2().ResolveEndpoint(context.Background(), params.WithDefaults())
	if err != nil {
		return nil // the call itself reports it
	}
	return []string{e.URI.String()}
}

// stsOptions configures the SDK's STS client for every call of a login.
func (p *Provider) stsOptions(env provider.Env) sts.Options {
	opts := sts.Options{
		Region: p.cfg.Region,
		// The SDK reads answers itself: bounded like every other answer (httpcall.MaxBody).
		HTTPClient: httpcall.Bounded{Client: env.HTTP},
		// One retry policy for every call (ours), so the SDK must not retry underneath it.
		Retryer: awssdk.NopRetryer{},
		AppID:   "oidc-login",
		// An empty or non-XML 200 is named as such (answer.go).
		APIOptions: []func(*middleware.Stack) error{addAnswerCheck},
	}
	if p.cfg.Endpoint != "" {
		opts.BaseEndpoint = awssdk.String(p.cfg.Endpoint)
	}
	return opts
}

// assume is the STS call under the retry policy, shared by the login and the aws-refresh
// helper (refresh.go), so both retry and explain refusals alike.
func (p *Provider) assume(ctx context.Context, tok *idtoken.Token, env provider.Env) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	c := p.cfg
	client := sts.New(p.stsOptions(env))
	in := &sts.AssumeRoleWithWebIdentityInput{
		RoleArn:          awssdk.String(c.RoleARN),
		RoleSessionName:  awssdk.String(c.SessionName),
		WebIdentityToken: awssdk.String(tok.Raw),
		DurationSeconds:  awssdk.Int32(int32(c.DurationSeconds)),
	}
	if c.InlinePolicy != "" {
		in.Policy = awssdk.String(c.InlinePolicy)
	}
	for _, arn := range c.ManagedPolicies {
		in.PolicyArns = append(in.PolicyArns, ststypes.PolicyDescriptorType{Arn: awssdk.String(arn)})
	}
	var out *sts.AssumeRoleWithWebIdentityOutput
	_, err := env.Retry.Do(ctx, assumeCall, func(ctx context.Context, _ int) error {
		actx, cancel := env.Retry.Attempt(ctx)
		defer cancel()
		var err error
		out, err = client.AssumeRoleWithWebIdentity(actx, in)
		if err != nil && actx.Err() != nil && ctx.Err() == nil {
			// Only this attempt ran out of time (a hung connection): worth another try.
			return retry.Transient(fmt.Errorf("%s: no answer within the attempt's time limit", assumeCall), 0)
		}
		return p.classify(err, tok)
	})
	if err != nil {
		return nil, retryBudget(err)
	}
	if !complete(out.Credentials, out.AssumedRoleUser) {
		return nil, fmt.Errorf("%s: the answer has no credentials", assumeCall)
	}
	return out, nil
}

// complete reports whether an STS answer holds everything a login reads from it (the SDK
// leaves absent elements nil): checked before any of it is dereferenced.
func complete(c *ststypes.Credentials, u *ststypes.AssumedRoleUser) bool {
	return c != nil && u != nil && c.AccessKeyId != nil && c.SecretAccessKey != nil && c.SessionToken != nil && u.Arn != nil
}

// classify sorts an SDK error of AssumeRoleWithWebIdentity; STS's own refusals are explained
// against the token's claims.
func (p *Provider) classify(err error, tok *idtoken.Token) error {
	return classifyCall(err, assumeCall, func(code, msg string) error {
		return explainAssume(code, msg, p.cfg.Partition, p.cfg.RoleAccount, p.cfg.RoleARN, tok.AudienceFrom, tok.Claims)
	})
}

// classifyCall sorts an SDK error of the STS call named call into transient (retried) and
// final ones; explain turns STS's own final refusals into an explanation. The order matters:
// the SDK wraps network and decoding failures inside its response error.
func classifyCall(err error, call string, explain func(code, msg string) error) error {
	if err == nil {
		return nil
	}
	if httpcall.IsTooLarge(err) {
		// Checked first: the SDK wraps it as a decoding (or send) error of the answer.
		status := 0
		var re *awshttp.ResponseError
		var cut *httpcall.TooLargeError
		switch {
		case errors.As(err, &cut):
			status = cut.Status
		case errors.As(err, &re):
			status = re.HTTPStatusCode()
		}
		if status != 0 {
			return fmt.Errorf("%s: %v (HTTP %d); no STS answer is that large", assumeCall, httpcall.ErrTooLarge, status)
		}
		return fmt.Errorf("%s: %v; no STS answer is that large", assumeCall, httpcall.ErrTooLarge)
	}
	var broken *answerError
	if errors.As(err, &broken) {
		return fmt.Errorf("%s: %s", call, broken.fault)
	}
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		e := fmt.Errorf("%s: %s", call, rootCause(send.Err))
		if httpcall.IsCertificateError(err) {
			// An untrusted certificate stays untrusted on the next try.
			return fmt.Errorf("%w (set SSL_CERT_FILE to the CA that signed the endpoint's certificate)", e)
		}
		return retry.Transient(e, 0)
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "empty") {
			// The connection dropped mid-answer: a network fault, not a broken service.
			return retry.Transient(fmt.Errorf("%s: connection closed before the answer was complete", call), 0)
		}
		return fmt.Errorf("%s: the answer could not be read as STS XML: %s", call, rootCause(de.Err))
	}
	status, wait := 0, time.Duration(0)
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
		if re.Response != nil && re.Response.Response != nil {
			wait = httpcall.RetryAfter(re.Response.Header)
		}
	}
	transientStatus := status == 429 || status >= 500
	var api smithy.APIError
	if errors.As(err, &api) {
		code, msg := api.ErrorCode(), api.ErrorMessage()
		if transientCodes[code] || (code == "InvalidIdentityToken" && strings.Contains(msg, "retrieve verification key")) {
			return retry.Transient(fmt.Errorf("%s: %s: %s", call, code, msg), 0)
		}
		if code == "UnknownError" || code == "" {
			// Not an STS error document (a proxy's page, a load balancer's 5xx).
			e := fmt.Errorf("%s: HTTP %d with an answer that is not an STS error", call, status)
			if transientStatus {
				return retry.Transient(e, wait)
			}
			return e
		}
		if transientStatus {
			return retry.Transient(fmt.Errorf("%s: HTTP %d: %s: %s", call, status, code, msg), wait)
		}
		return explain(code, msg)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", call, err)
	}
	e := fmt.Errorf("%s: %s", call, rootCause(err))
	if transientStatus {
		return retry.Transient(e, wait)
	}
	return e
}

// rootCause drops the SDK's operation wrappers, which repeat the URL and the call.
func rootCause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

// AccountFromARN reads the account id out of an assumed-role ARN
// (arn:aws:sts::<account>:assumed-role/<role>/<session>).
func AccountFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

// issued is what STS handed out: the credentials, and whose they are.
type issued struct {
	keyID, secret, session string
	arn, account           string
	expires                time.Time
}

// result checks what STS issued and hands it over in the export mode the inputs chose
// (refreshExport, profileExport or envExport), with the outputs and the summary every mode has.
func (p *Provider) result(tok *idtoken.Token, out *sts.AssumeRoleWithWebIdentityOutput, env provider.Env) (*provider.Result, error) {
	c := p.cfg
	cr := out.Credentials
	is := issued{keyID: *cr.AccessKeyId, secret: *cr.SecretAccessKey, session: *cr.SessionToken, arn: *out.AssumedRoleUser.Arn}
	is.account = AccountFromARN(is.arn)
	if cr.Expiration != nil {
		is.expires = cr.Expiration.UTC()
	}
	r := &provider.Result{
		Secrets:    []string{is.keyID, is.secret, is.session},
		Expiration: is.expires,
	}
	if c.MaskAccountID {
		r.Secrets = append(r.Secrets, is.account, is.arn)
	}
	// Whatever refuses the answer below, the credentials were issued: the error goes back
	// with their secrets (and nothing else), so that login masks them all the same.
	err := p.checkIssued(is)
	if err == nil {
		switch {
		case c.Refresh:
			err = p.refreshExport(r, env)
		case c.Profile != "":
			err = p.profileExport(r, env, is)
		default:
			p.envExport(r, is)
		}
	}
	if err != nil {
		return &provider.Result{Secrets: r.Secrets}, err
	}
	p.describe(r, tok, is)
	return r, nil
}

// checkIssued refuses credentials no STS issues, and a role outside aws-allowed-account-ids.
func (p *Provider) checkIssued(is issued) error {
	c := p.cfg
	// A key or token that is not one printable token is no credential STS issues; it would
	// only add lines to the files later steps read. Refused before anything is written.
	for _, v := range []struct{ what, value string }{
		{"AccessKeyId", is.keyID}, {"SecretAccessKey", is.secret}, {"SessionToken", is.session},
	} {
		if err := oneToken(v.value); err != nil {
			return fmt.Errorf("%s: the answer's %s %v; a hostile or broken endpoint, so no credentials were exported", assumeCall, v.what, err)
		}
	}
	if len(c.AllowedAccountIDs) > 0 && !slices.Contains(c.AllowedAccountIDs, is.account) {
		shown := is.account
		if c.MaskAccountID {
			shown = "(masked)"
		}
		return fmt.Errorf("%s: the assumed role is in account %s, which is not in aws-allowed-account-ids (%s); no credentials were exported",
			assumeCall, shown, strings.Join(c.AllowedAccountIDs, ", "))
	}
	return nil
}

// profileExport fills r with aws-profile's profile in the shared files and the variables
// pointing at them (AWS_PROFILE only with aws-export-profile).
func (p *Provider) profileExport(r *provider.Result, env provider.Env, is issued) error {
	c := p.cfg
	files, err := profileFiles(env.Home, c.Profile, c.Region, is.keyID, is.secret, is.session)
	if err != nil {
		return err
	}
	r.Files = files
	r.Env = []runner.Var{
		{Name: "AWS_SHARED_CREDENTIALS_FILE", Value: env.Home.HostPath(credentialsRel)},
		{Name: "AWS_CONFIG_FILE", Value: env.Home.HostPath(configRel)},
	}
	r.State = []runner.Var{{Name: "profile", Value: c.Profile}}
	r.SecretEnv = []string{"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"}
	if c.ExportProfile {
		r.Env = append(r.Env, runner.Var{Name: "AWS_PROFILE", Value: c.Profile})
		r.SecretEnv = append(r.SecretEnv, "AWS_PROFILE")
	}
	r.Log = append(r.Log, hiddenSharedFiles(env)...)
	return nil
}

// envExport fills r with the credentials and the region as the variables every AWS SDK reads.
func (p *Provider) envExport(r *provider.Result, is issued) {
	c := p.cfg
	r.Env = []runner.Var{
		{Name: "AWS_ACCESS_KEY_ID", Value: is.keyID},
		{Name: "AWS_SECRET_ACCESS_KEY", Value: is.secret},
		{Name: "AWS_SESSION_TOKEN", Value: is.session},
		{Name: "AWS_REGION", Value: c.Region},
		{Name: "AWS_DEFAULT_REGION", Value: c.Region},
	}
	r.SecretEnv = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
}

// describe adds what every export mode has: the outputs, the summary row and the log line.
func (p *Provider) describe(r *provider.Result, tok *idtoken.Token, is issued) {
	c := p.cfg
	r.Outputs = []runner.Var{
		{Name: "aws-account-id", Value: is.account},
		{Name: "aws-arn", Value: is.arn},
		// configure-aws-credentials' name for the same ARN, so its workflows keep working.
		{Name: "authenticated-arn", Value: is.arn},
	}
	r.CredentialOutputs = []runner.Var{
		{Name: "aws-access-key-id", Value: is.keyID},
		{Name: "aws-secret-access-key", Value: is.secret},
		{Name: "aws-session-token", Value: is.session},
	}
	if !is.expires.IsZero() {
		r.CredentialOutputs = append(r.CredentialOutputs, runner.Var{Name: "aws-expiration", Value: is.expires.Format(time.RFC3339)})
	}
	identity, shownAccount := is.arn, is.account
	if c.MaskAccountID {
		// The summary is a file, not a log: masks do not reach it.
		identity, shownAccount = "(masked)", "(masked)"
	}
	r.Summary = provider.Summary{
		Identity: identity,
		Account:  shownAccount,
		Audience: tok.Claims.AudienceString(),
		Subject:  tok.Claims.Subject(),
		Expires:  is.expires,
	}
	where := "as environment variables"
	if c.Profile != "" {
		where = "as profile " + c.Profile
	}
	line := fmt.Sprintf("aws: assumed %s in %s, credentials %s until %s", is.arn, c.Region, where, is.expires.Format(time.RFC3339))
	if c.Refresh {
		line = fmt.Sprintf("aws: assumed %s in %s; profile %s renews the credentials through credential_process for the rest of the job", is.arn, c.Region, c.refreshProfile())
	}
	r.Log = append([]string{line}, r.Log...)
}

// hiddenSharedFiles names the shared files of the job's own that the exported
// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE hide from later steps: a container action
// cannot edit the runner user's ~/.aws, so its profiles go to files in the home mount
// (configure-aws-credentials writes ~/.aws itself). A workflow that pointed the variables at
// files of its own would lose their profiles (source_profile chains) without a word.
func hiddenSharedFiles(env provider.Env) []string {
	var out []string
	for _, f := range []struct{ name, rel string }{{"AWS_CONFIG_FILE", configRel}, {"AWS_SHARED_CREDENTIALS_FILE", credentialsRel}} {
		prev := env.Getenv(f.name)
		if prev == "" || prev == env.Home.Path(f.rel) || prev == env.Home.HostPath(f.rel) {
			continue
		}
		// Quoted: the value is the workflow's and may hold anything, line breaks included.
		out = append(out, fmt.Sprintf("aws: %s was %s; later steps now read %s instead, so profiles only in the old file are gone for them: add them to $%s in a later step (docs/migrate/configure-aws-credentials.md#aws-profile)",
			f.name, config.Quote(prev), env.Home.HostPath(f.rel), f.name))
	}
	return out
}
