package diagnose

import (
	"testing"

	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// TestAudienceAdvice: the fix names the input that chose the audience and what the step asks
// for without it. When the provider's own input overrode the step-wide audience, removing it
// would leave the step-wide one, so the fix is to set it to the default instead.
func TestAudienceAdvice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		a           Audience
		remove, fix string
	}{
		{"step-wide", Audience{Default: "sts.amazonaws.com", Asked: "x", From: idtoken.AudienceChoice{Input: "audience"}},
			"Remove the audience input: the step then asks for sts.amazonaws.com, this provider's default",
			"Remove `audience: x` from the step's with: (the step then asks for sts.amazonaws.com).\n\n"},
		{"own", Audience{Default: "sts.amazonaws.com", Asked: "x", From: idtoken.AudienceChoice{Input: "aws-id-token-audience"}},
			"Remove the aws-id-token-audience input: the step then asks for sts.amazonaws.com, this provider's default",
			"Remove `aws-id-token-audience: x` from the step's with: (the step then asks for sts.amazonaws.com).\n\n"},
		{"own over the default", Audience{Default: "sts.amazonaws.com", Asked: "x", From: idtoken.AudienceChoice{Input: "aws-id-token-audience", StepWide: "sts.amazonaws.com"}},
			"Remove the aws-id-token-audience input: the step then asks for sts.amazonaws.com, this provider's default",
			"Remove `aws-id-token-audience: x` from the step's with: (the step then asks for sts.amazonaws.com).\n\n"},
		{"own over the step-wide", Audience{Default: "sts.amazonaws.com", Asked: "x", From: idtoken.AudienceChoice{Input: "aws-id-token-audience", StepWide: "y"}},
			`Removing the aws-id-token-audience input would leave the audience input's "y"; set it to sts.amazonaws.com instead, this provider's default`,
			"Set `aws-id-token-audience: sts.amazonaws.com` in the step's with: (removing it would leave `audience: y` for this provider).\n\n"},
		{"own over the step-wide, GitHub's default", Audience{Asked: "x", From: idtoken.AudienceChoice{Input: "vault-id-token-audience", StepWide: "y"}},
			`Removing the vault-id-token-audience input would leave the audience input's "y"; set it to GitHub's default audience, https://github.com/<owner> instead, this provider's default`,
			"Set `vault-id-token-audience: https://github.com/<owner>` in the step's with: (removing it would leave `audience: y` for this provider).\n\n"},
	} {
		if got := tc.a.Remove(); got != tc.remove {
			t.Errorf("%s: Remove() =\n  %s\nwant\n  %s", tc.name, got, tc.remove)
		}
		if got := tc.a.RemoveFix(); got != tc.fix {
			t.Errorf("%s: RemoveFix() =\n  %q\nwant\n  %q", tc.name, got, tc.fix)
		}
	}
}
