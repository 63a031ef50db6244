// Package alibaba is the `alibaba` provider: Alibaba Cloud STS AssumeRoleWithOIDC, an
// anonymous RPC call small enough for a typed client of our own, with the temporary
// credentials exported under the names Alibaba's SDKs, CLI and Terraform provider read.
package alibaba

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// Provider logs into Alibaba Cloud.
type Provider struct {
	cfg Config
}

// New validates the alibaba-* inputs.
func New(in config.Inputs, _ config.Common) (provider.Provider, error) {
	c, err := Parse(in)
	if err != nil {
		return nil, err
	}
	return &Provider{cfg: c}, nil
}

// Name is the provider's name in the provider input.
func (p *Provider) Name() string { return Name }

// Audience is sts.aliyuncs.com, the client id Alibaba's documentation registers.
func (p *Provider) Audience() string { return DefaultAudience }

// Login calls AssumeRoleWithOIDC once per attempt.
func (p *Provider) Login(ctx context.Context, tok *idtoken.Token, env provider.Env) (*provider.Result, error) {
	out, err := p.assumeRole(ctx, tok, env)
	if err != nil {
		return nil, err
	}
	return p.result(tok, out), nil
}

// AccountFromARN reads the account id out of an assumed-role ARN
// (acs:ram::<account>:role/<role>/<session>).
func AccountFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

func (p *Provider) result(tok *idtoken.Token, out *answer) *provider.Result {
	c := p.cfg
	cr := out.Credentials
	arn := out.AssumedRoleUser.ARN
	expires := parseTime(cr.Expiration)
	r := &provider.Result{
		Secrets:    []string{cr.AccessKeyID, cr.AccessKeySecret, cr.SecurityToken},
		Expiration: expires,
		Env: []runner.Var{
			{Name: "ALIBABA_CLOUD_ACCESS_KEY_ID", Value: cr.AccessKeyID},
			{Name: "ALIBABA_CLOUD_ACCESS_KEY_SECRET", Value: cr.AccessKeySecret},
			{Name: "ALIBABA_CLOUD_SECURITY_TOKEN", Value: cr.SecurityToken},
			// Terraform's alicloud provider reads its own names.
			{Name: "ALICLOUD_ACCESS_KEY", Value: cr.AccessKeyID},
			{Name: "ALICLOUD_SECRET_KEY", Value: cr.AccessKeySecret},
			{Name: "ALICLOUD_SECURITY_TOKEN", Value: cr.SecurityToken},
			// The names configure-aliyun-credentials-action also exports (older SDKs and
			// the aliyun CLI's environment mode read them).
			{Name: "ALIBABACLOUD_ACCESS_KEY_ID", Value: cr.AccessKeyID},
			{Name: "ALIBABACLOUD_ACCESS_KEY_SECRET", Value: cr.AccessKeySecret},
			{Name: "ALIBABACLOUD_SECURITY_TOKEN", Value: cr.SecurityToken},
		},
		SecretEnv: slices.Clone(secretEnv),
		Outputs:   []runner.Var{{Name: "alibaba-assumed-role-arn", Value: arn}},
		CredentialOutputs: []runner.Var{
			{Name: "alibaba-access-key-id", Value: cr.AccessKeyID},
			{Name: "alibaba-access-key-secret", Value: cr.AccessKeySecret},
			{Name: "alibaba-security-token", Value: cr.SecurityToken},
			// configure-aliyun-credentials-action's names for the same values. It sets
			// them on every run; here they wait for output-credentials like every secret.
			{Name: "aliyun-access-key-id", Value: cr.AccessKeyID},
			{Name: "aliyun-access-key-secret", Value: cr.AccessKeySecret},
			{Name: "aliyun-security-token", Value: cr.SecurityToken},
		},
		Summary: provider.Summary{
			Identity: arn,
			Account:  AccountFromARN(arn),
			Audience: tok.Claims.AudienceString(),
			Subject:  tok.Claims.Subject(),
			Expires:  expires,
		},
	}
	if c.Region != "" {
		r.Env = append(r.Env,
			runner.Var{Name: "ALIBABA_CLOUD_REGION_ID", Value: c.Region},
			runner.Var{Name: "ALICLOUD_REGION", Value: c.Region})
	}
	until := "an unknown time"
	if !expires.IsZero() {
		until = expires.Format(time.RFC3339)
	}
	r.Log = []string{fmt.Sprintf("alibaba: assumed %s, credentials as environment variables until %s", arn, until)}
	return r
}
