package alibaba

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
)

func TestParse(t *testing.T) {
	t.Parallel()
	base := config.MapInputs{
		"alibaba-role-arn":          "acs:ram::1234567890123456:role/Deploy.prod",
		"alibaba-oidc-provider-arn": "acs:ram::1234567890123456:oidc-provider/github",
	}
	c, err := Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{RoleARN: base["alibaba-role-arn"], RoleName: "Deploy.prod", Account: "1234567890123456",
		ProviderARN: base["alibaba-oidc-provider-arn"], ProviderName: "github", SessionName: "github-action-session",
		DurationSeconds: 1800, Endpoint: "https://sts.aliyuncs.com"}
	if c != want {
		t.Errorf("defaults: got %+v, want %+v", c, want)
	}
	with := func(kv ...string) config.MapInputs {
		m := config.MapInputs{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	c, err = Parse(with("alibaba-policy", "{ \"Version\": \"1\" }", "alibaba-region", "cn-shanghai-finance-1",
		"alibaba-sts-endpoint", "https://sts-vpc.cn-hangzhou.aliyuncs.com/", "alibaba-role-session-name", "a@b.c-d_e", "alibaba-duration-seconds", "43200"))
	if err != nil || c.Policy != `{"Version":"1"}` || c.Region != "cn-shanghai-finance-1" || c.Endpoint != "https://sts-vpc.cn-hangzhou.aliyuncs.com" ||
		c.SessionName != "a@b.c-d_e" || c.DurationSeconds != 43200 {
		t.Errorf("every input: %+v, %v", c, err)
	}
	for _, bad := range [][]string{
		{"alibaba-role-arn", ""}, {"alibaba-role-arn", "acs:ram::12:user/bob"}, {"alibaba-role-arn", "acs:ram::12:role/a/b"},
		{"alibaba-oidc-provider-arn", ""}, {"alibaba-oidc-provider-arn", "acs:ram::12:saml-provider/x"},
		{"alibaba-role-session-name", "a"}, {"alibaba-role-session-name", "a+b"}, {"alibaba-duration-seconds", "600"},
		{"alibaba-policy", "Version: 1"}, {"alibaba-region", "CN-HANGZHOU"}, {"alibaba-sts-endpoint", "ftp://sts"},
	} {
		_, err := Parse(with(bad...))
		if err == nil || !config.IsInputError(err) || !strings.HasPrefix(err.Error(), "input "+bad[0]+": ") {
			t.Errorf("%s=%q: error %v, want an input error naming it", bad[0], bad[1], err)
		}
	}
}

func TestAccountFromARN(t *testing.T) {
	t.Parallel()
	if got := AccountFromARN("acs:ram::1234567890123456:role/deploy/GitHubActions"); got != "1234567890123456" {
		t.Errorf("AccountFromARN = %q", got)
	}
	if got := AccountFromARN("nonsense"); got != "" {
		t.Errorf("AccountFromARN(nonsense) = %q", got)
	}
}
