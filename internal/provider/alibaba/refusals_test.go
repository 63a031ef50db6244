package alibaba

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

const (
	testRole     = "acs:ram::1234567890123456:role/deploy"
	testProvider = "acs:ram::1234567890123456:oidc-provider/github"
)

func testClaims(sub string) idtoken.Claims {
	return idtoken.Claims{"iss": "https://token.actions.githubusercontent.com", "aud": "sts.aliyuncs.com", "sub": sub}
}

func TestAlibabaExplains(t *testing.T) {
	t.Parallel()
	cases := []struct {
		code, msg string
		trust     bool
		cause     string
		fix       []string
	}{
		{"AuthenticationFail.NoPermission", "There is no permission.", true, "The trust policy of " + testRole + " does not admit this token",
			[]string{`"oidc:sub": "repo:o/r:ref:refs/heads/main"`, `"oidc:sub": "repo:o/r:ref:refs/heads/*"`, "--RoleName deploy", diagnose.NeverTrust}},
		{"AuthenticationFail.NoPermission", "No such OIDC Provider registered.", true, "The account has no OIDC provider " + testProvider,
			[]string{"aliyun ims CreateOIDCProvider", "--OIDCProviderName github", "--ClientIds sts.aliyuncs.com"}},
		{"AuthenticationFail.OIDCToken.AudienceNotMatch", "Invalid audience.", true, `does not list the token's audience "sts.aliyuncs.com"`,
			[]string{"aliyun ims UpdateOIDCProvider", "--ClientIds sts.aliyuncs.com"}},
		{"AuthenticationFail.OIDCToken.Expired", "This JsonWebToken is expired.", false, "expired before STS saw it", nil},
		{"AuthenticationFail.OIDCToken.InvalidSignature", "OIDC token validate failed: invalid signature.", true, "fingerprint",
			[]string{"openssl s_client -connect token.actions.githubusercontent.com:443", "aliyun ims AddFingerprintToOIDCProvider", "--Fingerprint <fingerprint>"}},
		{"AuthenticationFail.OIDCToken.Invalid", "The Jwt content is invalid that cannot be recognized.", true, "IssuerUrl is exactly the token's issuer", nil},
		{"InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.", false, "alibaba-role-session-name must be 2 to 64", nil},
		{"InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/1hr.", false, "raise the role's MaxSessionDuration",
			[]string{"--NewMaxSessionDuration 43200"}},
		{"EntityNotExist.Role", "The role not exists.", false, "check alibaba-role-arn", nil},
		{"InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.", false, "alibaba-policy", nil},
	}
	for _, tc := range cases {
		e := explain(failure{Code: tc.code, Message: tc.msg, RequestID: "REQ-1", Recommend: "https://api.aliyun.com/troubleshoot?q=" + tc.code,
			RoleARN: testRole, ProviderARN: testProvider}, testClaims("repo:o/r:ref:refs/heads/main"))
		if e.Trust != tc.trust || !strings.Contains(e.Cause, tc.cause) {
			t.Errorf("%s %q: trust %v, cause %q; want trust %v and a cause with %q", tc.code, tc.msg, e.Trust, e.Cause, tc.trust, tc.cause)
		}
		for _, f := range append(tc.fix, "RequestId: REQ-1", "Alibaba Cloud's diagnosis: https://api.aliyun.com/troubleshoot?q="+tc.code) {
			if !strings.Contains(e.Fix, f) {
				t.Errorf("%s: fix lacks %q:\n%s", tc.code, f, e.Fix)
			}
		}
		if msg := e.Error(); strings.Contains(msg, "..") || !strings.HasPrefix(msg, assumeCall+" refused: "+tc.code+": ") {
			t.Errorf("%s: message reads badly: %s", tc.code, msg)
		}
	}
}

func TestAlibabaTrustPolicy(t *testing.T) {
	t.Parallel()
	for _, wildcard := range []bool{false, true} {
		var p struct {
			Version   string
			Statement []struct {
				Action, Effect string
				Principal      struct{ Federated []string }
				Condition      map[string]map[string]string
			}
		}
		text := trustPolicy(testProvider, testClaims("repo:o/r:environment:prod"), wildcard)
		if err := json.Unmarshal([]byte(text), &p); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, text)
		}
		st := p.Statement[0]
		eq, like := st.Condition["StringEquals"], st.Condition["StringLike"]
		if p.Version != "1" || st.Action != "sts:AssumeRole" || st.Effect != "Allow" || len(st.Principal.Federated) != 1 || st.Principal.Federated[0] != testProvider ||
			eq["oidc:iss"] != "https://token.actions.githubusercontent.com" || eq["oidc:aud"] != "sts.aliyuncs.com" {
			t.Errorf("wildcard=%v: policy %s", wildcard, text)
		}
		switch {
		case !wildcard && (eq["oidc:sub"] != "repo:o/r:environment:prod" || like != nil):
			t.Errorf("exact policy: %s", text)
		case wildcard && (like["oidc:sub"] != "repo:o/r:environment:*" || eq["oidc:sub"] != ""):
			t.Errorf("wildcard policy: %s", text)
		}
	}
}

// TestAlibabaAudienceInputAdvice: a client id the provider lacks that the audience input chose
// is first to be removed, naming the default the provider is created with.
func TestAlibabaAudienceInputAdvice(t *testing.T) {
	t.Parallel()
	c := testClaims("repo:o/r:ref:refs/heads/main")
	c["aud"] = "https://github.com/o"
	e := explain(failure{Code: "AuthenticationFail.OIDCToken.AudienceNotMatch", Message: "Invalid audience.", RoleARN: testRole, ProviderARN: testProvider}, c)
	want := `The OIDC provider ` + testProvider + ` does not list the token's audience "https://github.com/o", which the audience input chose, as a client id. Remove the audience input: the step then asks for sts.aliyuncs.com, this provider's default, the client id the quick start creates the OIDC provider with; or add "https://github.com/o" to the provider's client ids`
	if e.Cause != want {
		t.Errorf("cause\n  %s\nwant\n  %s", e.Cause, want)
	}
	if fix := "Remove `audience: https://github.com/o` from the step's with: (the step then asks for sts.aliyuncs.com).\n\nOr add it to the provider's client ids. UpdateOIDCProvider replaces the whole list"; !strings.HasPrefix(e.Fix, fix) {
		t.Errorf("fix\n%s\nwant it to start with\n%s", e.Fix, fix)
	}
}
