package tokenexchange

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

func TestTokenExchangeExplains(t *testing.T) {
	t.Parallel()
	claims := idtoken.Claims{"iss": "https://token.actions.githubusercontent.com", "aud": "https://github.com/o", "sub": "repo:o/r:ref:refs/heads/main"}
	cases := []struct {
		f     failure
		trust bool
		cause string
	}{
		{failure{Status: 400, Code: "invalid_grant", Description: "subject_token rejected."}, true, `accept the audience "https://github.com/o"`},
		{failure{Status: 400, Code: "invalid_target", Resource: "https://api"}, false, `token-exchange-resource ("https://api")`},
		{failure{Status: 400, Code: "invalid_target"}, false, "(none was sent)"},
		{failure{Status: 401, Code: "invalid_client"}, false, "set token-exchange-client-id"},
		{failure{Status: 400, Code: "unauthorized_client", ClientID: "c"}, false, `does not allow the client "c"`},
		{failure{Status: 400, Code: "invalid_scope", Scope: "admin"}, false, `refused the scope "admin"`},
		{failure{Status: 400, Code: "unsupported_grant_type"}, false, "check token-exchange-url"},
		{failure{Status: 400, Code: "invalid_request"}, false, "malformed or missing a parameter"},
		{failure{Status: 403}, false, "refused the request itself"},
	}
	for _, tc := range cases {
		tc.f.URL, tc.f.RFC8693 = "https://sts.example.com/token", true
		e := explain(tc.f, claims)
		if e.Trust != tc.trust || !strings.Contains(e.Cause, tc.cause) {
			t.Errorf("%s/%d: trust %v cause %q, want trust %v and %q", tc.f.Code, tc.f.Status, e.Trust, e.Cause, tc.trust, tc.cause)
		}
		msg := e.Error()
		if strings.Contains(msg, "..") || !strings.HasPrefix(msg, exchangeCall+" at https://sts.example.com/token refused: ") {
			t.Errorf("message reads badly: %s", msg)
		}
		if tc.f.Code == "" && !strings.Contains(msg, "HTTP 403") {
			t.Errorf("an answer without error should name the status: %s", msg)
		}
		if tc.trust && (!strings.Contains(e.Fix, "or, to admit any branch of o/r, the pattern repo:o/r:ref:refs/heads/*") || !strings.Contains(e.Fix, diagnose.NeverTrust)) {
			t.Errorf("trust fix: %s", e.Fix)
		}
	}
}
