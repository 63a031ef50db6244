package alibaba

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/lazyre"
)

// Bounds Alibaba Cloud STS sets for AssumeRoleWithOIDC. The upper bound of the duration is
// the role's MaxSessionDuration, which only the server knows; 43200 is the largest any role
// can have.
const (
	DefaultAudience = "sts.aliyuncs.com"
	DefaultEndpoint = "https://sts.aliyuncs.com"
	// The defaults of aliyun/configure-aliyun-credentials-action (v1.0.7), so RAM policies
	// and audit queries written for its session names, and its credential lifetime, carry over.
	DefaultSessionName     = "github-action-session"
	DefaultDurationSeconds = 1800
	MinDurationSeconds     = 900
	MaxDurationSeconds     = 43200
)

var (
	roleARNRE     = lazyre.New(`^acs:ram::(\d+):role/([A-Za-z0-9._@-]{1,64})$`)
	providerARNRE = lazyre.New(`^acs:ram::(\d+):oidc-provider/([A-Za-z0-9._@-]{1,128})$`)
	sessionRE     = lazyre.New(`^[\w.@-]{2,64}$`)
	regionRE      = lazyre.New(`^[a-z]{2}(-[a-z0-9]+){1,4}$`)
)

// Config is the validated alibaba-* inputs.
type Config struct {
	RoleARN         string
	RoleName        string
	Account         string
	ProviderARN     string
	ProviderName    string
	SessionName     string
	DurationSeconds int
	Policy          string
	Region          string
	Endpoint        string
}

// Parse reads and validates every alibaba-* input.
func Parse(in config.Inputs) (Config, error) {
	var c Config
	var err error
	if c.RoleARN, err = config.Required(in, "alibaba-role-arn", "alibaba"); err != nil {
		return c, err
	}
	m := roleARNRE().FindStringSubmatch(c.RoleARN)
	if m == nil {
		return c, config.Errorf("alibaba-role-arn", "must look like acs:ram::<account id>:role/<role name>, got %s", config.Quote(c.RoleARN))
	}
	c.Account, c.RoleName = m[1], m[2]
	if c.ProviderARN, err = config.Required(in, "alibaba-oidc-provider-arn", "alibaba"); err != nil {
		return c, err
	}
	m = providerARNRE().FindStringSubmatch(c.ProviderARN)
	if m == nil {
		return c, config.Errorf("alibaba-oidc-provider-arn", "must look like acs:ram::<account id>:oidc-provider/<provider name>, got %s", config.Quote(c.ProviderARN))
	}
	c.ProviderName = m[2]
	c.SessionName = config.Or(in, "alibaba-role-session-name", DefaultSessionName)
	if !sessionRE().MatchString(c.SessionName) {
		return c, config.Errorf("alibaba-role-session-name", "must be 2 to 64 characters of letters, digits and ._@-, got %s", config.Quote(c.SessionName))
	}
	if c.DurationSeconds, err = config.Int(in, "alibaba-duration-seconds", DefaultDurationSeconds, MinDurationSeconds, MaxDurationSeconds); err != nil {
		return c, err
	}
	if p := in.Input("alibaba-policy"); p != "" {
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(p)); err != nil || !strings.HasPrefix(buf.String(), "{") {
			return c, config.Errorf("alibaba-policy", "must be a JSON policy document ({\"Version\": \"1\", \"Statement\": [...]})")
		}
		c.Policy = buf.String()
	}
	c.Region = in.Input("alibaba-region")
	if c.Region != "" && !regionRE().MatchString(c.Region) {
		return c, config.Errorf("alibaba-region", "must be an Alibaba Cloud region id such as cn-hangzhou or ap-southeast-1, got %s", config.Quote(c.Region))
	}
	if c.Endpoint, err = config.URL(in, "alibaba-sts-endpoint", DefaultEndpoint); err != nil {
		return c, err
	}
	return c, nil
}
