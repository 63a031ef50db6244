package faults_test

import (
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/alibabafake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

const (
	alibabaRole     = "acs:ram::1234567890123456:role/deploy"
	alibabaProvider = "acs:ram::1234567890123456:oidc-provider/github"
)

// alibabaRig faults AssumeRoleWithOIDC.
func alibabaRig(t *testing.T) *rig {
	gh := harness.NewGitHub(t)
	s := alibabafake.New()
	harness.CloseChecked(t, "Alibaba Cloud STS", s)
	s.AddProvider(alibabafake.OIDCProvider{ARN: alibabaProvider, Issuer: fakegithub.Issuer, ClientIDs: []string{"sts.aliyuncs.com"}, JWKSURL: gh.JWKSURL()})
	s.AddRole(alibabafake.Role{ARN: alibabaRole, Provider: alibabaProvider, Audience: "sts.aliyuncs.com", Subject: "repo:octo-org/octo-repo:ref:refs/heads/*"})
	return &rig{
		inputs: map[string]string{
			"provider": "alibaba", "alibaba-role-arn": alibabaRole, "alibaba-oidc-provider-arn": alibabaProvider, "alibaba-sts-endpoint": s.URL,
		},
		gh:         gh,
		target:     s.Faults,
		okRequests: 1,
		verify: func(t *testing.T, r *harness.Run) {
			issued := s.Issued()
			if len(issued) != 1 {
				t.Fatalf("STS issued %d credentials, want 1", len(issued))
			}
			c := issued[0]
			harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{
				"ALIBABA_CLOUD_ACCESS_KEY_ID": c.AccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": c.AccessKeySecret, "ALIBABA_CLOUD_SECURITY_TOKEN": c.SecurityToken,
				"ALICLOUD_ACCESS_KEY": c.AccessKeyID, "ALICLOUD_SECRET_KEY": c.AccessKeySecret, "ALICLOUD_SECURITY_TOKEN": c.SecurityToken,
				"ALIBABACLOUD_ACCESS_KEY_ID": c.AccessKeyID, "ALIBABACLOUD_ACCESS_KEY_SECRET": c.AccessKeySecret, "ALIBABACLOUD_SECURITY_TOKEN": c.SecurityToken,
			})
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, map[string]string{
				"alibaba-assumed-role-arn": alibabaRole + "/github-action-session",
				"expiration":               c.Expiration.Format(time.RFC3339),
				"claims":                   r.Outputs["claims"],
			})
		},
		secrets: s.Secrets,
	}
}
