package faults_test

import (
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/alibabafake"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// alibabaRig faults AssumeRoleWithOIDC.
func alibabaRig(t *testing.T) *rig {
	gh := harness.NewGitHub(t)
	s := worlds.Must(t, alibabafake.NewWorld, gh)
	return &rig{
		inputs:     s.Inputs(),
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
				"alibaba-assumed-role-arn": alibabafake.AssumedRoleARN,
				"expiration":               c.Expiration.Format(time.RFC3339),
				"claims":                   r.Outputs["claims"],
			})
		},
		secrets: s.Secrets,
	}
}
