package aws

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/lazyre"
)

// Bounds AWS sets for AssumeRoleWithWebIdentity.
const (
	DefaultSessionName     = "GitHubActions"
	DefaultDurationSeconds = 3600
	MinDurationSeconds     = 900
	MaxDurationSeconds     = 43200
	MaxManagedPolicies     = 10
)

// The inputs every login reads are checked by hand (match.go); these expressions check what
// fewer logins give.
var (
	policyARNRE = lazyre.New(`^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):iam::(aws|\d{12}):policy/[\w+=,.@/-]+$`)
	accountIDRE = lazyre.New(`^\d{12}$`)
	profileRE   = lazyre.New(`^[\w.+@-]{1,64}$`)
)

// DefaultAudience is the ID-token audience in every partition, China included: it is what
// aws-actions/configure-aws-credentials sends (its action.yml default, never changed by
// region), so the IAM OIDC providers of workflows moving over list it. A provider created
// with sts.amazonaws.com.cn needs the audience input; explainAssume says so when STS refuses.
const DefaultAudience = "sts.amazonaws.com"

// Config is the validated aws-* inputs.
type Config struct {
	RoleARN           string
	Partition         string
	RoleAccount       string
	Region            string
	SessionName       string
	DurationSeconds   int
	InlinePolicy      string
	ManagedPolicies   []string
	Endpoint          string
	AllowedAccountIDs []string
	MaskAccountID     bool
	Profile           string
	// Chain is aws-role-chain: roles assumed, in order, after the web-identity login.
	Chain []Hop
	// ExportProfile exports AWS_PROFILE with aws-profile; off by default, as in
	// configure-aws-credentials, so later steps keep their default identity.
	ExportProfile bool
	// Refresh writes a credential_process profile instead of the credentials (refresh.go).
	Refresh bool
}

// Parse reads and validates every aws-* input.
func Parse(in config.Inputs) (Config, error) {
	var c Config
	var err error
	if c.RoleARN, err = config.Required(in, "aws-role-arn", "aws"); err != nil {
		return c, err
	}
	var ok bool
	if c.Partition, c.RoleAccount, _, ok = matchRoleARN(c.RoleARN); !ok {
		return c, config.Errorf("aws-role-arn", "must look like arn:aws:iam::<12-digit account id>:role/<name> (a role, not a user or an assumed-role session), got %s", config.Quote(c.RoleARN))
	}
	if c.Region, err = config.Required(in, "aws-region", "aws"); err != nil {
		return c, err
	}
	if !isRegion(c.Region) {
		return c, config.Errorf("aws-region", "must be an AWS region code such as us-east-1 or eu-central-1, got %s", config.Quote(c.Region))
	}
	if c.Partition == "aws-cn" && !strings.HasPrefix(c.Region, "cn-") {
		return c, config.Errorf("aws-region", "must be a China region (cn-north-1, cn-northwest-1) for the aws-cn role %s", config.Quote(c.RoleARN))
	}
	c.SessionName = config.Or(in, "aws-role-session-name", DefaultSessionName)
	if !isSessionName(c.SessionName) {
		return c, config.Errorf("aws-role-session-name", "must be 2 to 64 characters of letters, digits and +=,.@_-, got %s", config.Quote(c.SessionName))
	}
	if c.DurationSeconds, err = config.Int(in, "aws-role-duration-seconds", DefaultDurationSeconds, MinDurationSeconds, MaxDurationSeconds); err != nil {
		return c, err
	}
	if p := in.Input("aws-inline-session-policy"); p != "" {
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(p)); err != nil || !strings.HasPrefix(buf.String(), "{") {
			return c, config.Errorf("aws-inline-session-policy", "must be a JSON policy document ({\"Version\": \"2012-10-17\", \"Statement\": [...]})")
		}
		c.InlinePolicy = buf.String()
	}
	c.ManagedPolicies = config.Lines(in.Input("aws-managed-session-policies"))
	if len(c.ManagedPolicies) > MaxManagedPolicies {
		return c, config.Errorf("aws-managed-session-policies", "allows at most %d policy ARNs, got %d", MaxManagedPolicies, len(c.ManagedPolicies))
	}
	for _, p := range c.ManagedPolicies {
		if !policyARNRE().MatchString(p) {
			return c, config.Errorf("aws-managed-session-policies", "each item must be a policy ARN like arn:aws:iam::aws:policy/ReadOnlyAccess, got %s", config.Quote(p))
		}
	}
	if c.Endpoint, err = config.URL(in, "aws-sts-endpoint", ""); err != nil {
		return c, err
	}
	c.AllowedAccountIDs = config.List(in.Input("aws-allowed-account-ids"))
	for _, a := range c.AllowedAccountIDs {
		if !accountIDRE().MatchString(a) {
			return c, config.Errorf("aws-allowed-account-ids", "must be 12-digit account ids separated by commas, got %s", config.Quote(a))
		}
	}
	if c.MaskAccountID, err = config.Bool(in, "aws-mask-account-id", false); err != nil {
		return c, err
	}
	if c.Chain, err = parseChain(in, c); err != nil {
		return c, err
	}
	c.Profile = in.Input("aws-profile")
	if c.Profile != "" && !profileRE().MatchString(c.Profile) {
		return c, config.Errorf("aws-profile", "must be 1 to 64 characters of letters, digits and ._+@-, got %s", config.Quote(c.Profile))
	}
	if c.ExportProfile, err = config.Bool(in, "aws-export-profile", false); err != nil {
		return c, err
	}
	if c.ExportProfile && c.Profile == "" {
		return c, config.Errorf("aws-export-profile", "needs aws-profile: it exports AWS_PROFILE naming that profile")
	}
	if c.Refresh, err = config.Bool(in, "aws-refresh", false); err != nil {
		return c, err
	}
	if c.Refresh && len(c.Chain) > 0 {
		// The credential_process helper repeats the web-identity call only; a chain renewed
		// halfway would hand out the wrong role.
		return c, config.Errorf("aws-role-chain", "cannot be combined with aws-refresh: the refresh helper renews the web-identity role only")
	}
	return c, nil
}
