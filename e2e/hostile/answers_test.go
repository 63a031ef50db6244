package hostile_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/servicefake"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
)

// Answers a hostile or broken service gives a token exchange of its own shape instead of a
// token: a 2xx without the token field, one whose token field is not a string, a body over
// the step's limit, and an HTML error page in place of JSON (with a 2xx and with a 4xx).
const (
	tokenMissing  fault.Kind = "exchange-token-missing"
	tokenNumber   fault.Kind = "exchange-token-number"
	hugeAnswer    fault.Kind = "exchange-huge"
	htmlPage      fault.Kind = "exchange-html-200"
	htmlErrorPage fault.Kind = "exchange-html-403"
)

// secretLooking is in every broken answer: the step must name fields, never print a value.
const secretLooking = "cio_tp_leakedLeakedLeakedLeaked0"

func init() {
	jsonAnswer := func(body string) func(http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}
	}
	fault.Custom[tokenMissing] = jsonAnswer(`{"tok":"` + secretLooking + `","expires":900}`)
	fault.Custom[tokenNumber] = jsonAnswer(`{"token":1234567890123}`)
	fault.Custom[hugeAnswer] = jsonAnswer(`{"token":"` + secretLooking + `","pad":"` + strings.Repeat("A", 2<<20) + `"}`)
	html := func(status int) func(http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			_, _ = w.Write([]byte("<html><head><title>Sign in</title></head><body><h1>" + secretLooking + "</h1><script>document.cookie</script></body></html>"))
		}
	}
	fault.Custom[htmlPage] = html(http.StatusOK)
	fault.Custom[htmlErrorPage] = html(http.StatusForbidden)
}

// TestHostileExchangeAnswers: each broken answer fails the step with one clear error naming
// what was wrong (the path and the fields there are, never a value), writes nothing, and
// prints no value of the answer.
func TestHostileExchangeAnswers(t *testing.T) {
	t.Parallel()
	for kind, want := range map[fault.Kind]string{
		tokenMissing:  `token exchange: the answer (HTTP 200) has no token (it has the fields "expires", "tok"); set token-exchange-token-field to the field that holds the token`,
		tokenNumber:   `token exchange: in the answer (HTTP 200), token is a JSON number, not a string; set token-exchange-token-field to the field that holds the token (the answer has the fields "token")`,
		hugeAnswer:    `token exchange: answer larger than 1048576 bytes`,
		htmlPage:      `token exchange: expected a JSON answer, got Content-Type "text/html; charset=utf-8" (HTTP 200)`,
		htmlErrorPage: `token exchange at https://localhost:`,
	} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			s := worlds.Must(t, servicefake.NewCrates, gh)
			in := s.Inputs()
			in["retry-max-attempts"] = "1"
			s.Faults.Queue(kind)
			r := harness.Exec(t, harness.Step{Inputs: in, IDToken: gh.Env(), Env: s.Env()})
			harness.RequireExit(t, r, 1)
			errs := harness.ErrorLines(r)
			if len(errs) != 1 || !strings.Contains(errs[0], want) {
				t.Errorf("errors %q, want one containing %q", errs, want)
			}
			if kind == htmlErrorPage && !strings.Contains(errs[0], "refused: HTTP 403: the answer is text/html; charset=utf-8, not JSON") {
				t.Errorf("the HTML error page is not named as such: %q", errs)
			}
			if strings.Contains(r.Stdout+r.Stderr+r.Summary, secretLooking) || strings.Contains(r.Stdout, "<script>") {
				t.Errorf("the step printed a value of the broken answer")
			}
			harness.NothingWritten(t, r)
			inert(t, r)
			if n := s.Requests(); n != 1 {
				t.Errorf("%d exchange requests, want 1 (a broken answer is final)", n)
			}
		})
	}
}
