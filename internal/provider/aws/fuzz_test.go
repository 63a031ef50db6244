package aws

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/runner"
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
		if !roleARNRE().MatchString(c.RoleARN) || len(c.RoleAccount) != 12 || c.DurationSeconds < MinDurationSeconds || c.DurationSeconds > MaxDurationSeconds || !sessionRE().MatchString(c.SessionName) {
			t.Fatalf("accepted an invalid config %+v", c)
		}
	})
}

// pyLines splits text the way Python's str.splitlines does (the widest line-break set of any
// INI reader the AWS tools use): \n \r \v \f \x1c \x1d \x1e \x85 U+2028 U+2029.
func pyLines(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		switch r {
		case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			return true
		}
		return false
	})
}

// FuzzProfileFiles: whatever STS answers, the shared files either are refused or hold exactly
// the lines we meant, read with the widest line-break set: one section header and three keys
// in the credentials file, one header and the region in the config file.
func FuzzProfileFiles(f *testing.F) {
	f.Add("ASIAEXAMPLE", "secret/+=", "token==", "ci")
	f.Add("ASIA\n[profile x]\ncredential_process = sh", "s", "t", "default")
	f.Add("ASIA", "s\u2028credential_process = sh", "t\x85x", "ci")
	f.Add("ASIA", "s", "t\rcredential_process=sh", "p.x")
	f.Fuzz(func(t *testing.T, keyID, secret, session, profile string) {
		home := runner.Home{Dir: t.TempDir()}
		files, err := profileFiles(home, profile, "eu-west-1", keyID, secret, session)
		if err != nil {
			return
		}
		want := map[string]int{credentialsRel: 4, configRel: 2}
		for _, file := range files {
			lines := pyLines(string(file.Data))
			if len(lines) != want[file.Rel] {
				t.Fatalf("%s has %d lines, want %d: %q", file.Rel, len(lines), want[file.Rel], file.Data)
			}
			for i, l := range lines {
				if (i == 0) != strings.HasPrefix(l, "[") {
					t.Fatalf("%s line %d is a section header out of place: %q", file.Rel, i+1, l)
				}
			}
		}
	})
}
