package declared

import (
	"slices"
	"strings"
	"testing"
)

const guide = "https://github.com/oidc-login/oidc-login/blob/main/docs/migrate/"

// TestCheck: every undeclared INPUT_* variable is one input error, with exactly the advice a
// user needs: the input meant, or an official action's name answered with ours and its guide.
func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		env      []string
		prefixes []string
		want     string
	}{
		{"declared inputs and other variables", []string{"INPUT_PROVIDER=aws", "INPUT_AWS-ROLE-ARN=x", "INPUT_STAGE=main", "HOME=/github/home", "STATE_X=1"}, []string{"aws-"}, ""},
		{"a typo", []string{"INPUT_PROVIDER=aws", "INPUT_AWS-ROLE-SESSION-NMAE=my-session"}, []string{"aws-"},
			"input aws-role-session-nmae: is not an input of this action, so it would be ignored; did you mean aws-role-session-name?"},
		{"underscores for hyphens", []string{"INPUT_AWS_ROLE_ARN=x"}, nil,
			"input aws_role_arn: is not an input of this action, so it would be ignored; did you mean aws-role-arn?"},
		{"the prefix left out", []string{"INPUT_REGION=eu-west-1"}, []string{"aws-"},
			"input region: is not an input of this action, so it would be ignored; did you mean aws-region?"},
		{"nothing close", []string{"INPUT_COLOUR=blue"}, nil,
			"input colour: is not an input of this action, so it would be ignored; its inputs are listed at https://github.com/oidc-login/oidc-login#common-inputs"},
		{"configure-aws-credentials", []string{"INPUT_ROLE-DURATION-SECONDS=900"}, []string{"aws-"},
			"input role-duration-seconds: is not an input of this action but of aws-actions/configure-aws-credentials; here it is aws-role-duration-seconds (same default, 3600); migration guide: " + guide + "configure-aws-credentials.md#inputs"},
		{"google-github-actions/auth", []string{"INPUT_WORKLOAD_IDENTITY_PROVIDER=projects/1/x"}, nil,
			"input workload_identity_provider: is not an input of this action but of google-github-actions/auth; here it is gcp-workload-identity-provider (required here; a project id instead of the number, or a pool without a provider, is refused with the fix); migration guide: " + guide + "google-github-actions-auth.md#inputs"},
		{"Azure/login", []string{"INPUT_CLIENT-ID=x"}, []string{"azure-"},
			"input client-id: is not an input of this action but of Azure/login; here it is azure-client-id (required here); migration guide: " + guide + "azure-login.md#inputs"},
		{"vault-action, whose names the runner upper-cases", []string{"INPUT_EXPORTTOKEN=true"}, []string{"vault-"},
			"input exportToken: is not an input of this action but of hashicorp/vault-action; here it is vault-export-token (same default: `VAULT_TOKEN` only when asked); migration guide: " + guide + "vault-action.md#inputs"},
		{"an official input with no counterpart", []string{"INPUT_AWS-ACCESS-KEY-ID=AKIA"}, nil,
			"input aws-access-key-id: is not an input of this action but of aws-actions/configure-aws-credentials; it has no counterpart here (not supported: static keys are out of scope by design: the login uses only the job's OIDC token); migration guide: " + guide + "configure-aws-credentials.md#inputs"},
		{"a name two actions use, for the provider selected", []string{"INPUT_ROLE-TO-ASSUME=acs:ram::1:role/x"}, []string{"alibaba-"},
			"input role-to-assume: is not an input of this action but of aliyun/configure-aliyun-credentials-action; here it is alibaba-role-arn (required here); migration guide: " + guide + "configure-aliyun-credentials-action.md#inputs"},
		{"a name two actions use, neither selected", []string{"INPUT_ROLE-TO-ASSUME=x"}, []string{"vault-"},
			"input role-to-assume: is not an input of this action but of aliyun/configure-aliyun-credentials-action; here it is alibaba-role-arn (required here); migration guide: " + guide + "configure-aliyun-credentials-action.md#inputs; and of aws-actions/configure-aws-credentials; here it is aws-role-arn (required here: the only way in is a role. A bare role name is not taken; give the full ARN); migration guide: " + guide + "configure-aws-credentials.md#inputs"},
		{"every undeclared name, in order", []string{"INPUT_ZONE=a", "INPUT_AWS-ROLE-ARN=x", "INPUT_AWS-REGON=eu-west-1"}, []string{"aws-"},
			"input aws-regon: is not an input of this action, so it would be ignored; did you mean aws-region?\ninput zone: is not an input of this action, so it would be ignored; its inputs are listed at https://github.com/oidc-login/oidc-login#common-inputs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.env, tc.prefixes)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Check(%q) =\n  %s\nwant\n  %s", tc.env, got, tc.want)
			}
		})
	}
}

// TestOfficialCoversEveryGuide: the generated list holds names from every guide, and none of
// them is one of ours (a declared name is never undeclared).
func TestOfficialCoversEveryGuide(t *testing.T) {
	t.Parallel()
	guides := map[string]int{}
	for _, o := range Official {
		guides[o.Guide]++
		if slices.Contains(Inputs, o.Name) {
			t.Errorf("%s (%s) is declared by action.yml too", o.Name, o.Action)
		}
		if o.Ours == "" && !strings.HasPrefix(o.Note, "not supported") && !strings.HasPrefix(o.Note, "not needed") {
			t.Errorf("%s (%s) has no counterpart and no reason: %q", o.Name, o.Action, o.Note)
		}
	}
	if len(guides) != 5 {
		t.Errorf("official inputs from %d guides, want the 5 of docs/migrate: %v", len(guides), guides)
	}
}

func TestDistance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want int
	}{{"", "abc", 3}, {"name", "nmae", 1}, {"kitten", "sitting", 3}, {"aws-region", "aws-regon", 1}, {"ca", "abc", 3}} {
		if got := distance(tc.a, tc.b); got != tc.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
