package alibaba_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/alibabafake"
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// The alibaba world's account.
const (
	account     = alibabafake.Account
	roleARN     = alibabafake.RoleARN
	providerARN = alibabafake.OIDCProviderARN
	audience    = alibabafake.Audience
)

// newSTS starts the alibaba world: the OIDC provider for GitHub's issuer (client id
// sts.aliyuncs.com) and the deploy role trusting the repository's branches, here with a
// maximum session of 2 hours.
func newSTS(t *testing.T, gh *fakegithub.Server) *alibabafake.Server {
	t.Helper()
	s := worlds.Must(t, alibabafake.NewWorld, gh)
	s.AddRole(alibabafake.Role{ARN: roleARN, Provider: providerARN, Audience: audience, Subject: fakegithub.AnyBranch, MaxSessionDuration: 7200})
	return s.Server
}

func inputs(endpoint string, more ...string) map[string]string {
	in := map[string]string{
		"provider":                  "alibaba",
		"alibaba-role-arn":          roleARN,
		"alibaba-oidc-provider-arn": providerARN,
		"alibaba-sts-endpoint":      endpoint,
	}
	for i := 0; i+1 < len(more); i += 2 {
		in[more[i]] = more[i+1]
	}
	return in
}

// TestAlibabaLogin checks every value the step writes against what the emulator issued, what
// the emulator was sent, and that one login is exactly two HTTP requests. It also holds what
// issue 16 decided for workflows moving over from aliyun/configure-aliyun-credentials-action
// (v1.0.7, see docs/migrate/configure-aliyun-credentials-action.md): its default session name
// and duration, its ALIBABACLOUD_* variables, and its aliyun-* outputs, with
// output-credentials only.
func TestAlibabaLogin(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		in          []string
		session     string
		duration    int
		policy      string
		region      string
		credOutputs bool
	}{{
		// configure-aliyun-credentials-action's defaults (issue 16).
		name:     "defaults",
		session:  "github-action-session",
		duration: 1800,
	}, {
		name: "every input",
		in: []string{
			"alibaba-role-session-name", "deploy@main.1",
			"alibaba-duration-seconds", "7200",
			"alibaba-policy", "{\n  \"Version\": \"1\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"oss:GetObject\", \"Resource\": \"*\"}]\n}",
			"alibaba-region", "cn-hangzhou",
			"output-credentials", "true",
		},
		session:     "deploy@main.1",
		duration:    7200,
		policy:      `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"*"}]}`,
		region:      "cn-hangzhou",
		credOutputs: true,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newSTS(t, gh)
			before := time.Now().UTC().Truncate(time.Second)
			r := harness.Exec(t, harness.Step{Inputs: inputs(sts.URL, tc.in...), IDToken: gh.Env()})
			harness.RequireExit(t, r, 0)
			issued := sts.Issued()
			if len(issued) != 1 {
				t.Fatalf("STS issued %d credentials, want 1", len(issued))
			}
			c := issued[0]
			wantARN := "acs:ram::" + account + ":role/deploy/" + tc.session
			wantEnv := map[string]string{
				"ALIBABA_CLOUD_ACCESS_KEY_ID":     c.AccessKeyID,
				"ALIBABA_CLOUD_ACCESS_KEY_SECRET": c.AccessKeySecret,
				"ALIBABA_CLOUD_SECURITY_TOKEN":    c.SecurityToken,
				"ALICLOUD_ACCESS_KEY":             c.AccessKeyID,
				"ALICLOUD_SECRET_KEY":             c.AccessKeySecret,
				"ALICLOUD_SECURITY_TOKEN":         c.SecurityToken,
				"ALIBABACLOUD_ACCESS_KEY_ID":      c.AccessKeyID,
				"ALIBABACLOUD_ACCESS_KEY_SECRET":  c.AccessKeySecret,
				"ALIBABACLOUD_SECURITY_TOKEN":     c.SecurityToken,
			}
			if tc.region != "" {
				wantEnv["ALIBABA_CLOUD_REGION_ID"] = tc.region
				wantEnv["ALICLOUD_REGION"] = tc.region
			}
			harness.MustEqual(t, "GITHUB_ENV", r.Env, wantEnv)
			wantOut := map[string]string{
				"alibaba-assumed-role-arn": wantARN,
				"claims":                   r.Outputs["claims"],
				"expiration":               c.Expiration.Format(time.RFC3339),
			}
			if tc.credOutputs {
				wantOut["alibaba-access-key-id"] = c.AccessKeyID
				wantOut["alibaba-access-key-secret"] = c.AccessKeySecret
				wantOut["alibaba-security-token"] = c.SecurityToken
				wantOut["aliyun-access-key-id"] = c.AccessKeyID
				wantOut["aliyun-access-key-secret"] = c.AccessKeySecret
				wantOut["aliyun-security-token"] = c.SecurityToken
			}
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, wantOut)
			var claims map[string]any
			if err := json.Unmarshal([]byte(r.Outputs["claims"]), &claims); err != nil || claims["aud"] != audience || claims["sub"] != fakegithub.DefaultSubject {
				t.Errorf("claims output = %v (%v)", claims, err)
			}
			if c.SessionName != tc.session || c.DurationSeconds != tc.duration || c.Policy != tc.policy {
				t.Errorf("STS got session %q, duration %d, policy %q", c.SessionName, c.DurationSeconds, c.Policy)
			}
			ts, err := time.Parse("2006-01-02T15:04:05Z", c.Timestamp)
			if err != nil || ts.Before(before) || ts.After(time.Now().Add(time.Second)) {
				t.Errorf("Timestamp %q is not the time of the call in ISO 8601 UTC", c.Timestamp)
			}
			if gh.Requests() != 1 || sts.Requests() != 1 {
				t.Errorf("one login made %d token + %d STS requests, want 1 + 1", gh.Requests(), sts.Requests())
			}
			if got := gh.Audiences(); len(got) != 1 || got[0] != audience {
				t.Errorf("ID token audiences requested = %q, want one %s", got, audience)
			}
			wantRow := "| alibaba | `" + wantARN + "` | `" + account + "` | `" + audience + "` | `" + fakegithub.DefaultSubject + "` | " + c.Expiration.Format(time.RFC3339) + " |"
			if !strings.Contains(r.Summary, wantRow) {
				t.Errorf("job summary lacks the row %s:\n%s", wantRow, r.Summary)
			}
			secrets := harness.SecretsOf(gh, sts.Secrets()...)
			harness.Masked(t, r, secrets[1:]...)
			harness.MasksFirst(t, r)
			harness.NoLeak(t, r, secrets...)
			if files := harness.HomeFiles(t, r.Workspace); len(files) != 0 {
				t.Errorf("the alibaba login wrote files %v", files)
			}
		})
	}
}

// TestAlibabaRefusals feeds STS's real refusals: each fails on the first answer, explained
// from the token's claims, and writes nothing.
func TestAlibabaRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		setup  func(t *testing.T, gh *fakegithub.Server, s *alibabafake.Server)
		inputs []string
		want   []string
		// policy is set when the output must suggest a RAM trust policy.
		policy bool
	}{{
		name: "subject not trusted",
		setup: func(_ *testing.T, gh *fakegithub.Server, _ *alibabafake.Server) {
			gh.SetClaims(map[string]any{"sub": "repo:octo-org/octo-repo:environment:production", "environment": "production"})
		},
		want: []string{
			"AuthenticationFail.NoPermission: There is no permission",
			"The trust policy of " + roleARN + " does not admit this token",
			"iss=https://token.actions.githubusercontent.com, sub=repo:octo-org/octo-repo:environment:production, aud=sts.aliyuncs.com",
			`"oidc:sub": "repo:octo-org/octo-repo:environment:production"`,
			`"oidc:sub": "repo:octo-org/octo-repo:environment:*"`,
			`"oidc:iss": "https://token.actions.githubusercontent.com"`,
			`"oidc:aud": "sts.aliyuncs.com"`,
			`"Federated": [` + "\n" + `          "` + providerARN + `"`,
			"aliyun ram UpdateRole",
			"--RoleName deploy",
			"RequestId: ",
			"https://api.aliyun.com/troubleshoot?q=AuthenticationFail.NoPermission&product=Sts",
		},
		policy: true,
	}, {
		name:   "audience not a client id",
		inputs: []string{"audience", "https://github.com/octo-org"},
		want: []string{
			"AuthenticationFail.OIDCToken.AudienceNotMatch: Invalid audience",
			"does not list the token's audience \"https://github.com/octo-org\", which the audience input chose, as a client id. Remove the audience input: the step then asks for sts.aliyuncs.com, this provider's default",
			"aud=https://github.com/octo-org",
			"aliyun ims UpdateOIDCProvider",
			"--OIDCProviderName github",
			"--ClientIds https://github.com/octo-org",
		},
	}, {
		name:   "OIDC provider not registered",
		inputs: []string{"alibaba-oidc-provider-arn", "acs:ram::" + account + ":oidc-provider/gh-actions"},
		want: []string{
			"AuthenticationFail.NoPermission: No such OIDC Provider registered",
			"aliyun ims CreateOIDCProvider",
			"--OIDCProviderName gh-actions",
			"--IssuerUrl https://token.actions.githubusercontent.com",
			"--ClientIds sts.aliyuncs.com",
		},
		policy: true,
	}, {
		name: "token expired",
		setup: func(_ *testing.T, gh *fakegithub.Server, _ *alibabafake.Server) {
			now := time.Now()
			gh.SetClaims(map[string]any{"iat": now.Add(-time.Hour).Unix(), "nbf": now.Add(-time.Hour).Unix(), "exp": now.Add(-50 * time.Minute).Unix()})
		},
		want: []string{"AuthenticationFail.OIDCToken.Expired: This JsonWebToken is expired", "GitHub's tokens live about 5 minutes"},
	}, {
		name: "signature does not verify against the provider's keys",
		setup: func(t *testing.T, _ *fakegithub.Server, s *alibabafake.Server) {
			other := harness.NewGitHub(t)
			s.AddProvider(alibabafake.OIDCProvider{ARN: providerARN, Issuer: fakegithub.Issuer, ClientIDs: []string{audience}, JWKSURL: other.JWKSURL()})
		},
		want: []string{
			"AuthenticationFail.OIDCToken.InvalidSignature: OIDC token validate failed: invalid signature",
			"its fingerprint must be the current SHA-1 fingerprint",
			"openssl s_client -connect token.actions.githubusercontent.com:443",
			"aliyun ims AddFingerprintToOIDCProvider",
			"--Fingerprint <fingerprint>",
		},
	}, {
		name: "issuer of another provider",
		setup: func(_ *testing.T, gh *fakegithub.Server, _ *alibabafake.Server) {
			gh.SetIssuer("https://token.actions.githubusercontent.com/octo-enterprise")
		},
		want: []string{
			"AuthenticationFail.OIDCToken.Invalid",
			"IssuerUrl is exactly the token's issuer https://token.actions.githubusercontent.com/octo-enterprise",
			"iss=https://token.actions.githubusercontent.com/octo-enterprise",
		},
	}, {
		name:   "duration above the role's maximum",
		inputs: []string{"alibaba-duration-seconds", "43200"},
		want: []string{
			"InvalidParameter.DurationSeconds: The Min/Max value of DurationSeconds is 15min/2hr",
			"alibaba-duration-seconds is longer than the maximum session duration of " + roleARN,
			"--NewMaxSessionDuration 43200",
		},
	}, {
		name: "session name refused",
		setup: func(_ *testing.T, _ *fakegithub.Server, s *alibabafake.Server) {
			s.FailNext(400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.")
		},
		want: []string{"InvalidParameter.RoleSessionName: The parameter RoleSessionName is wrongly formed", "alibaba-role-session-name must be 2 to 64 characters"},
	}, {
		name:   "role does not exist",
		inputs: []string{"alibaba-role-arn", "acs:ram::" + account + ":role/nope"},
		want:   []string{"EntityNotExist.Role", "check alibaba-role-arn"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newSTS(t, gh)
			if tc.setup != nil {
				tc.setup(t, gh, sts)
			}
			r := harness.Exec(t, harness.Step{Inputs: inputs(sts.URL, tc.inputs...), IDToken: gh.Env()})
			harness.RequireExit(t, r, 1)
			for _, w := range tc.want {
				if !strings.Contains(r.Stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.Log())
				}
			}
			errs := harness.ErrorLines(r)
			if len(errs) != 1 || !strings.Contains(errs[0], "alibaba: Alibaba Cloud STS AssumeRoleWithOIDC refused") {
				t.Errorf("annotations %q, want one alibaba refusal", errs)
			}
			if sts.Requests() != 1 {
				t.Errorf("a refusal was sent %d times, want once (no retry)", sts.Requests())
			}
			if len(sts.Issued()) != 0 {
				t.Errorf("STS issued credentials on a refusal")
			}
			harness.NothingWritten(t, r)
			harness.NoLeak(t, r, harness.SecretsOf(gh)...)
			if n := checkTrustPolicies(t, r.Stdout); tc.policy && n == 0 {
				t.Errorf("no RAM trust policy suggested:\n%s", r.Log())
			}
		})
	}
}

// checkTrustPolicies parses every RAM trust policy the output suggests and returns how many.
func checkTrustPolicies(t *testing.T, out string) int {
	t.Helper()
	n := 0
	for _, block := range strings.Split(out, "\n{\n")[1:] {
		end := strings.Index(block, "\n}")
		if end < 0 {
			t.Errorf("unterminated policy in output")
			continue
		}
		var p struct {
			Version   string
			Statement []struct {
				Action    string
				Effect    string
				Principal struct{ Federated []string }
				Condition map[string]map[string]string
			}
		}
		if err := json.Unmarshal([]byte("{\n"+block[:end]+"\n}"), &p); err != nil || p.Version != "1" || len(p.Statement) != 1 {
			t.Errorf("suggested policy is not a RAM trust policy (%v):\n{%s}", err, block[:end])
			continue
		}
		st := p.Statement[0]
		if st.Action != "sts:AssumeRole" || st.Effect != "Allow" || len(st.Principal.Federated) != 1 || st.Condition["StringEquals"]["oidc:aud"] == "" {
			t.Errorf("suggested policy lacks the OIDC trust: %+v", st)
		}
		n++
	}
	return n
}

// TestAlibabaTransientRetried checks that throttling, 5xx and network faults are retried and
// the login then succeeds with the credentials of the final answer.
func TestAlibabaTransientRetried(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(s *alibabafake.Server)
		want  int
	}{
		{"Throttling.User then Throttling", func(s *alibabafake.Server) {
			s.FailNext(400, "Throttling.User", "Request was denied due to user flow control.")
			s.FailNext(400, "Throttling", "Request was denied due to request throttling.")
		}, 3},
		{"ServiceUnavailable", func(s *alibabafake.Server) {
			s.FailNext(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
		}, 2},
	}
	for _, k := range []fault.Kind{fault.Status500, fault.Status502, fault.Status503, fault.Throttle429, fault.Reset, fault.CutBody, fault.Hang} {
		cases = append(cases, struct {
			name  string
			setup func(s *alibabafake.Server)
			want  int
		}{"fault " + string(k), func(s *alibabafake.Server) { s.Faults.Queue(k) }, 2})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newSTS(t, gh)
			tc.setup(sts)
			r := harness.Exec(t, harness.Step{Inputs: inputs(sts.URL), IDToken: gh.Env()})
			harness.RequireExit(t, r, 0)
			if sts.Requests() != tc.want || gh.Requests() != 1 {
				t.Errorf("STS saw %d requests (want %d), token service %d (want 1)", sts.Requests(), tc.want, gh.Requests())
			}
			issued := sts.Issued()
			if len(issued) != 1 || r.Env["ALIBABA_CLOUD_SECURITY_TOKEN"] != issued[0].SecurityToken {
				t.Errorf("exported credentials are not the ones issued")
			}
			harness.NoLeak(t, r, harness.SecretsOf(gh, sts.Secrets()...)...)
		})
	}
}

// TestAlibabaBrokenAnswers checks that a 200 that is not STS's answer fails on the first try
// and writes nothing, and that an exhausted retry budget says so.
func TestAlibabaBrokenAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		setup    func(s *alibabafake.Server)
		in       []string
		requests int
		want     string
	}{
		{"malformed JSON", func(s *alibabafake.Server) { s.Faults.Queue(fault.Malformed) }, nil, 1, "the answer is not valid JSON"},
		{"captive portal", func(s *alibabafake.Server) { s.Faults.Queue(fault.WrongContentType) }, nil, 1, `expected a JSON answer, got Content-Type "text/html"`},
		{"empty 200", func(s *alibabafake.Server) { s.Faults.Queue(fault.Empty200) }, nil, 1, "empty answer (HTTP 200)"},
		{"throttled past the budget", func(s *alibabafake.Server) {
			for range 3 {
				s.FailNext(400, "Throttling.User", "Request was denied due to user flow control.")
			}
		}, []string{"retry-max-attempts", "2"}, 2, "Alibaba Cloud STS AssumeRoleWithOIDC: gave up after 2 attempt(s) (retry-max-attempts): HTTP 400: Throttling.User"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newSTS(t, gh)
			tc.setup(sts)
			r := harness.Exec(t, harness.Step{Inputs: inputs(sts.URL, tc.in...), IDToken: gh.Env()})
			harness.RequireExit(t, r, 1)
			if errs := harness.ErrorLines(r); len(errs) != 1 || !strings.Contains(errs[0], tc.want) {
				t.Errorf("annotations %q, want one containing %q", errs, tc.want)
			}
			if sts.Requests() != tc.requests {
				t.Errorf("STS saw %d requests, want %d", sts.Requests(), tc.requests)
			}
			harness.NothingWritten(t, r)
			harness.NoLeak(t, r, harness.SecretsOf(gh, sts.Secrets()...)...)
		})
	}
}

// TestAlibabaBadInputMakesNoRequest checks every alibaba-* input is validated before the
// token is even requested.
func TestAlibabaBadInputMakesNoRequest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   []string
		want string
	}{
		{"missing role", []string{"alibaba-role-arn", ""}, "input alibaba-role-arn: is required when provider includes alibaba"},
		{"AWS role ARN", []string{"alibaba-role-arn", "arn:aws:iam::123456789012:role/deploy"}, "input alibaba-role-arn: must look like acs:ram::<account id>:role/<role name>"},
		{"account not digits", []string{"alibaba-role-arn", "acs:ram::octo:role/deploy"}, "input alibaba-role-arn: must look like"},
		{"missing provider", []string{"alibaba-oidc-provider-arn", ""}, "input alibaba-oidc-provider-arn: is required when provider includes alibaba"},
		{"role as provider", []string{"alibaba-oidc-provider-arn", roleARN}, "input alibaba-oidc-provider-arn: must look like acs:ram::<account id>:oidc-provider/<provider name>"},
		{"session name too short", []string{"alibaba-role-session-name", "x"}, "input alibaba-role-session-name: must be 2 to 64 characters of letters, digits and ._@-"},
		{"session name with a space", []string{"alibaba-role-session-name", "my session"}, "input alibaba-role-session-name: must be 2 to 64"},
		{"session name too long", []string{"alibaba-role-session-name", strings.Repeat("a", 65)}, "input alibaba-role-session-name: must be 2 to 64"},
		{"duration too short", []string{"alibaba-duration-seconds", "899"}, `input alibaba-duration-seconds: must be a whole number from 900 to 43200, got "899"`},
		{"duration too long", []string{"alibaba-duration-seconds", "43201"}, "input alibaba-duration-seconds: must be a whole number from 900 to 43200"},
		{"policy not JSON", []string{"alibaba-policy", "{Statement"}, "input alibaba-policy: must be a JSON policy document"},
		{"policy not an object", []string{"alibaba-policy", `["oss:*"]`}, "input alibaba-policy: must be a JSON policy document"},
		{"region", []string{"alibaba-region", "Hangzhou"}, "input alibaba-region: must be an Alibaba Cloud region id such as cn-hangzhou"},
		{"http endpoint off loopback", []string{"alibaba-sts-endpoint", "http://sts.aliyuncs.com"}, "input alibaba-sts-endpoint: must use https://"},
		{"endpoint not a URL", []string{"alibaba-sts-endpoint", "sts.aliyuncs.com"}, "input alibaba-sts-endpoint: must be an absolute https:// URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			sts := newSTS(t, gh)
			r := harness.Exec(t, harness.Step{Inputs: inputs(sts.URL, tc.in...), IDToken: gh.Env()})
			harness.RequireInputRefused(t, r, tc.want, gh.Requests, sts.Requests)
		})
	}
}

// TestAlibabaPostBlanksEnv runs main then post: the post step blanks every secret variable,
// keeps the region, and calls nobody.
func TestAlibabaPostBlanksEnv(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	sts := newSTS(t, gh)
	ws := harness.NewWorkspace(t)
	in := inputs(sts.URL, "alibaba-region", "eu-central-1")
	main := harness.Exec(t, harness.Step{Inputs: in, IDToken: gh.Env(), Workspace: ws})
	harness.RequireExit(t, main, 0)
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := harness.Exec(t, harness.Step{Inputs: in, Post: true, State: main.State, Workspace: ws})
	harness.RequireExit(t, post, 0)
	blanked := map[string]string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID": "", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "", "ALIBABA_CLOUD_SECURITY_TOKEN": "",
		"ALICLOUD_ACCESS_KEY": "", "ALICLOUD_SECRET_KEY": "", "ALICLOUD_SECURITY_TOKEN": "",
		"ALIBABACLOUD_ACCESS_KEY_ID": "", "ALIBABACLOUD_ACCESS_KEY_SECRET": "", "ALIBABACLOUD_SECURITY_TOKEN": "",
	}
	harness.MustEqual(t, "post GITHUB_ENV", post.Env, blanked)
	// MustEqual takes a missing variable for an empty one: each must really be written empty.
	for k := range blanked {
		if _, ok := post.Env[k]; !ok {
			t.Errorf("the post step did not blank %s", k)
		}
	}
	if strings.Contains(post.Stdout, "::warning::") {
		t.Errorf("the post step warned:\n%s", post.Log())
	}
	if sts.Requests() != 1 || gh.Requests() != 1 {
		t.Errorf("the post step made requests (STS %d, token %d; want 1 and 1 from the main step)", sts.Requests(), gh.Requests())
	}
	harness.NoLeak(t, post, harness.SecretsOf(gh, sts.Secrets()...)...)
}
