package aws

import (
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
)

// FuzzParse: any aws-* inputs either fail naming an aws input, or give a config whose ARN,
// duration and session name are within AWS's rules.
func FuzzParse(f *testing.F) {
	f.Add("arn:aws:iam::123456789012:role/deploy", "us-east-1", "3600", "GitHubActions", "")
	f.Add("arn:aws-cn:iam::123456789012:role/path/to/r", "cn-north-1", "900", "a@b", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	f.Add("arn:aws:iam::12345678901:role/x", "eu-west-1", "43201", "x", "")
	f.Add("arn:aws:sts::123456789012:assumed-role/x/y", "us-gov-west-1", "-1", "", "arn:aws:iam::aws:policy/a,b")
	f.Fuzz(func(t *testing.T, arn, region, duration, session, policies string) {
		c, err := Parse(config.MapInputs{
			"aws-role-arn": arn, "aws-region": region, "aws-role-duration-seconds": duration,
			"aws-role-session-name": session, "aws-managed-session-policies": policies,
		})
		if err != nil {
			if !config.IsInputError(err) {
				t.Fatalf("not an input error: %v", err)
			}
			return
		}
		if !roleARNRE.MatchString(c.RoleARN) || len(c.RoleAccount) != 12 || c.DurationSeconds < MinDurationSeconds || c.DurationSeconds > MaxDurationSeconds || !sessionRE.MatchString(c.SessionName) {
			t.Fatalf("accepted an invalid config %+v", c)
		}
	})
}
