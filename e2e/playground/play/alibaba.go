package main

import (
	"fmt"
	"strings"

	"github.com/oidc-login/oidc-login/e2e/internal/alibabafake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// alibabaVars are what the step exports, in the order a reader looks for them.
var alibabaVars = []string{
	"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_REGION_ID",
	"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN", "ALICLOUD_REGION",
}

// alibabaPart starts the alibaba world, a RAM OIDC provider for GitHub's issuer and a role
// trusting the repository's branches, and logs in naming a region. No Alibaba Cloud client is
// a dependency of this repository, so the consumer only shows what one would read, and checks
// the values are the credentials the emulator issued.
func alibabaPart(l *lab) (*part, error) {
	s, err := alibabafake.NewWorld(l.gh, l.ca)
	if err != nil {
		return nil, err
	}
	p := worldPart(s)
	p.inputs["alibaba-region"] = alibabafake.Region
	p.consume = func(r *harness.Run) (string, error) {
		issued := s.Issued()
		if len(issued) != 1 {
			return "", fmt.Errorf("the emulator issued %d sets of credentials, want 1", len(issued))
		}
		c := issued[0]
		want := map[string]string{
			"ALIBABA_CLOUD_ACCESS_KEY_ID": c.AccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": c.AccessKeySecret,
			"ALIBABA_CLOUD_SECURITY_TOKEN": c.SecurityToken, "ALIBABA_CLOUD_REGION_ID": alibabafake.Region,
			"ALICLOUD_ACCESS_KEY": c.AccessKeyID, "ALICLOUD_SECRET_KEY": c.AccessKeySecret,
			"ALICLOUD_SECURITY_TOKEN": c.SecurityToken, "ALICLOUD_REGION": alibabafake.Region,
		}
		var b strings.Builder
		b.WriteString("No Alibaba Cloud client runs here (none is a dependency of this repository).\n" +
			"The aliyun CLI, the SDKs' default credential chain and Terraform's alicloud provider would read:\n")
		for _, k := range alibabaVars {
			if r.Env[k] != want[k] {
				return "", fmt.Errorf("%s is not what the emulator issued", k)
			}
			fmt.Fprintf(&b, "  %s=%s\n", k, r.Redact(r.Env[k]))
		}
		fmt.Fprintf(&b, "these are the STS credentials the emulator issued for %s, valid until %s",
			c.AssumedRoleARN, c.Expiration.Format("2006-01-02T15:04:05Z"))
		return b.String(), nil
	}
	return p, nil
}
