package bench_test

import (
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
)

// TestRequestsPerLogin checks that each login makes exactly the requests its protocol needs
// and not one more: one ID-token request per distinct audience, then the clouds' own calls
// (AWS: STS; GCP: STS, plus IAM Credentials for a service account; Vault: login, plus one
// read per secret path; Alibaba: STS; token exchange: one exchange; GitHub: nothing).
func TestRequestsPerLogin(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, sc)
			r := harness.Exec(t, w.step(nil))
			w.check(t, r)
			tokens, calls := w.requests()
			if want := w.wantCalls(); tokens != sc.tokens || calls != want {
				t.Errorf("one login made %d ID-token + %d cloud requests (%d in all), want %d + %d (%d)",
					tokens, calls, tokens+calls, sc.tokens, want, sc.tokens+want)
			}
		})
	}
}
