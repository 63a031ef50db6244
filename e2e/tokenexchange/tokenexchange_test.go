package tokenexchange_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/fault"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// config is a server trusting tokens for its own origin (the audience the step asks for by
// default, and nothing else) on any branch of the repository.
func config(gh *fakegithub.Server) rfc8693fake.Config {
	return rfc8693fake.Config{
		Issuer:    fakegithub.Issuer,
		JWKSURL:   gh.JWKSURL(),
		Subject:   "repo:octo-org/octo-repo:ref:refs/heads/*",
		ExpiresIn: 900,
	}
}

func newServer(t *testing.T, cfg rfc8693fake.Config) *rfc8693fake.Server {
	t.Helper()
	s := rfc8693fake.New(cfg)
	watch(t, s)
	return s
}

func watch(t *testing.T, s *rfc8693fake.Server) {
	t.Cleanup(s.Close)
	t.Cleanup(func() {
		if u := s.Unexpected(); len(u) > 0 {
			t.Errorf("the server got requests no RFC 8693 client would send: %q", u)
		}
	})
}

func inputs(u string, more ...string) map[string]string {
	in := map[string]string{"provider": "token-exchange", "token-exchange-url": u}
	for i := 0; i+1 < len(more); i += 2 {
		in[more[i]] = more[i+1]
	}
	return in
}

// TestTokenExchange checks the exact form sent (only the parameters that are set), and every
// value written, against an https server trusted through SSL_CERT_FILE.
func TestTokenExchange(t *testing.T) {
	t.Parallel()
	ca, err := testca.Shared()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		cfg     func(*rfc8693fake.Config)
		in      []string
		envName string
		form    url.Values
		expires bool
	}{{
		name:    "only the URL",
		cfg:     func(c *rfc8693fake.Config) { c.ExpiresIn = 0 },
		envName: "OIDC_ACCESS_TOKEN",
		form: url.Values{
			"grant_type":         {rfc8693fake.GrantType},
			"subject_token_type": {rfc8693fake.TokenTypeID},
		},
	}, {
		name: "every parameter",
		cfg: func(c *rfc8693fake.Config) {
			c.ClientID = "github-actions"
			c.Targets = []string{"https://api.example.com", "urn:example:billing"}
		},
		in: []string{
			"token-exchange-audience", "urn:example:billing",
			"token-exchange-resource", "https://api.example.com",
			"token-exchange-scope", "read write",
			"token-exchange-requested-token-type", "urn:ietf:params:oauth:token-type:access_token",
			"token-exchange-client-id", "github-actions",
			"token-exchange-env-name", "EXAMPLE_TOKEN",
		},
		envName: "EXAMPLE_TOKEN",
		form: url.Values{
			"grant_type":           {rfc8693fake.GrantType},
			"subject_token_type":   {rfc8693fake.TokenTypeID},
			"audience":             {"urn:example:billing"},
			"resource":             {"https://api.example.com"},
			"scope":                {"read write"},
			"requested_token_type": {"urn:ietf:params:oauth:token-type:access_token"},
			"client_id":            {"github-actions"},
		},
		expires: true,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			cfg := config(gh)
			tc.cfg(&cfg)
			s, err := rfc8693fake.NewTLS(cfg, ca)
			if err != nil {
				t.Fatal(err)
			}
			watch(t, s)
			before := time.Now().UTC().Truncate(time.Second)
			r := harness.Exec(t, harness.Step{Inputs: inputs(s.URL, tc.in...), IDToken: gh.Env(), Env: map[string]string{"SSL_CERT_FILE": ca.File}})
			after := time.Now().UTC()
			harness.RequireExit(t, r, 0)
			issued := s.Issued()
			if len(issued) != 1 {
				t.Fatalf("the server issued %d tokens, want 1", len(issued))
			}
			tok := issued[0].AccessToken
			harness.MustEqual(t, "GITHUB_ENV", r.Env, map[string]string{tc.envName: tok})
			wantOut := map[string]string{
				"token-exchange-access-token": tok,
				"claims":                      r.Outputs["claims"],
			}
			if tc.expires {
				exp, err := time.Parse(time.RFC3339, r.Outputs["token-exchange-expiration"])
				if err != nil || exp.Before(before.Add(900*time.Second)) || exp.After(after.Add(900*time.Second)) {
					t.Errorf("token-exchange-expiration %q is not now + expires_in (900s)", r.Outputs["token-exchange-expiration"])
				}
				wantOut["token-exchange-expiration"] = r.Outputs["token-exchange-expiration"]
				wantOut["expiration"] = r.Outputs["token-exchange-expiration"]
			}
			harness.MustEqual(t, "GITHUB_OUTPUT", r.Outputs, wantOut)
			forms := s.Forms()
			if len(forms) != 1 {
				t.Fatalf("the server saw %d exchanges, want 1", len(forms))
			}
			harness.MustEqual(t, "form", flat(forms[0]), flat(tc.form))
			if gh.Requests() != 1 || s.Requests() != 1 {
				t.Errorf("one exchange made %d token + %d exchange requests, want 1 + 1", gh.Requests(), s.Requests())
			}
			// The ID token names the server (its origin, default port left out), no other party.
			origin := strings.TrimSuffix(s.URL, "/oauth2/token")
			if got := gh.Audiences(); len(got) != 1 || got[0] != origin {
				t.Errorf("ID token audiences requested = %q, want the server's origin %s", got, origin)
			}
			if !strings.Contains(r.Summary, "| token-exchange | ") || !strings.Contains(r.Summary, "`"+origin+"` | `"+fakegithub.DefaultSubject+"`") {
				t.Errorf("job summary lacks the token-exchange row:\n%s", r.Summary)
			}
			secrets := harness.SecretsOf(gh, tok)
			harness.Masked(t, r, secrets[1:]...)
			harness.MasksFirst(t, r)
			harness.NoLeak(t, r, secrets...)
			if r.State["secret_env"] != tc.envName {
				t.Errorf("the post step would blank %q, want %s", r.State["secret_env"], tc.envName)
			}
		})
	}
}

// flat turns single-valued forms into maps for MustEqual.
func flat(v url.Values) map[string]string {
	out := map[string]string{}
	for k, vs := range v {
		out[k] = strings.Join(vs, "\x00")
	}
	return out
}

// noAccessToken is a 200 that carries no token.
const noAccessToken fault.Kind = "no-access-token"

func init() {
	fault.Custom[noAccessToken] = func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":900}`))
	}
}

// TestTokenExchangeRefusals checks each RFC 6749 error fails on the first answer, shows the
// server's error and error_description, explains it, and writes nothing.
func TestTokenExchangeRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		cfg   func(*rfc8693fake.Config)
		setup func(gh *fakegithub.Server, s *rfc8693fake.Server)
		in    []string
		want  []string
	}{{
		name: "subject not allowed",
		setup: func(gh *fakegithub.Server, _ *rfc8693fake.Server) {
			gh.SetClaims(map[string]any{"sub": "repo:octo-org/octo-repo:pull_request"})
		},
		want: []string{
			"invalid_grant: subject_token rejected: subject repo:octo-org/octo-repo:pull_request is not allowed to exchange tokens",
			"it must trust the issuer https://token.actions.githubusercontent.com, accept the audience \"http://127.0.0.1:",
			"sub=repo:octo-org/octo-repo:pull_request",
			"subject   repo:octo-org/octo-repo:pull_request",
		},
	}, {
		name: "audience not accepted",
		in:   []string{"audience", "https://exchange.example.com"},
		want: []string{
			"invalid_grant: subject_token rejected: audience [https://exchange.example.com] is not one of [http://127.0.0.1:",
			"aud=https://exchange.example.com",
			"audience  https://exchange.example.com",
			"or, to admit any branch of octo-org/octo-repo, the pattern repo:octo-org/octo-repo:ref:refs/heads/*",
		},
	}, {
		name: "client id missing",
		cfg:  func(c *rfc8693fake.Config) { c.ClientID = "github-actions" },
		want: []string{"invalid_client: client authentication failed: client_id is required", "set token-exchange-client-id"},
	}, {
		name: "client id wrong",
		cfg:  func(c *rfc8693fake.Config) { c.ClientID = "github-actions" },
		in:   []string{"token-exchange-client-id", "octo"},
		want: []string{"invalid_client: client authentication failed: unknown client", `does not allow the client "octo"`},
	}, {
		name: "target not allowed",
		cfg:  func(c *rfc8693fake.Config) { c.Targets = []string{"https://api.example.com"} },
		in:   []string{"token-exchange-resource", "https://admin.example.com"},
		want: []string{"invalid_target: the requested target https://admin.example.com is not allowed", `token-exchange-resource ("https://admin.example.com")`},
	}, {
		name:  "grant type not supported",
		setup: func(_ *fakegithub.Server, s *rfc8693fake.Server) { s.FailNext(400, "unsupported_grant_type", "") },
		want:  []string{"refused: unsupported_grant_type.", "does not support urn:ietf:params:oauth:grant-type:token-exchange at this endpoint"},
	}, {
		name:  "200 without access_token",
		setup: func(_ *fakegithub.Server, s *rfc8693fake.Server) { s.Faults.Queue(noAccessToken) },
		want:  []string{`the answer (HTTP 200) has no access_token (it has the fields "expires_in", "issued_token_type", "token_type"); set token-exchange-token-field to the field that holds the token`},
	}, {
		name:  "200 that is not JSON",
		setup: func(_ *fakegithub.Server, s *rfc8693fake.Server) { s.Faults.Queue(fault.WrongContentType) },
		want:  []string{`expected a JSON answer, got Content-Type "text/html"`},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			cfg := config(gh)
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			s := newServer(t, cfg)
			if tc.setup != nil {
				tc.setup(gh, s)
			}
			r := harness.Exec(t, harness.Step{Inputs: inputs(s.URL, tc.in...), IDToken: gh.Env()})
			harness.RequireExit(t, r, 1)
			for _, w := range tc.want {
				if !strings.Contains(r.Stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.Log())
				}
			}
			if errs := harness.ErrorLines(r); len(errs) != 1 || !strings.Contains(errs[0], "token-exchange: OAuth 2.0 token exchange (RFC 8693)") {
				t.Errorf("annotations %q, want one token-exchange error", errs)
			}
			if s.Requests() != 1 {
				t.Errorf("a refusal was sent %d times, want once (no retry)", s.Requests())
			}
			harness.NothingWritten(t, r)
			harness.NoLeak(t, r, harness.SecretsOf(gh, s.Secrets()...)...)
		})
	}
}

// TestTokenExchangeTransientRetried checks 5xx, 429 and network faults, and the RFC's
// temporarily_unavailable, are retried with the request counts to show it.
func TestTokenExchangeTransientRetried(t *testing.T) {
	t.Parallel()
	type tcase struct {
		name  string
		setup func(s *rfc8693fake.Server)
		want  int
	}
	cases := []tcase{
		{"server_error then temporarily_unavailable", func(s *rfc8693fake.Server) {
			s.FailNext(500, "server_error", "the database is down")
			s.FailNext(400, "temporarily_unavailable", "try again")
		}, 3},
	}
	for _, k := range []fault.Kind{fault.Status500, fault.Status502, fault.Status503, fault.Throttle429, fault.Reset, fault.CutBody, fault.Hang} {
		cases = append(cases, tcase{"fault " + string(k), func(s *rfc8693fake.Server) { s.Faults.Queue(k) }, 2})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			s := newServer(t, config(gh))
			tc.setup(s)
			r := harness.Exec(t, harness.Step{Inputs: inputs(s.URL), IDToken: gh.Env()})
			harness.RequireExit(t, r, 0)
			if s.Requests() != tc.want || gh.Requests() != 1 {
				t.Errorf("the server saw %d requests (want %d), token service %d (want 1)", s.Requests(), tc.want, gh.Requests())
			}
			issued := s.Issued()
			if len(issued) != 1 || r.Env["OIDC_ACCESS_TOKEN"] != issued[0].AccessToken {
				t.Errorf("the exported token is not the one issued")
			}
			harness.NoLeak(t, r, harness.SecretsOf(gh, s.Secrets()...)...)
		})
	}
}

// TestTokenExchangeRetriesExhausted checks a server that stays down fails after the budget,
// says so, and writes nothing.
func TestTokenExchangeRetriesExhausted(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	s := newServer(t, config(gh))
	s.Faults.Queue(fault.Status503, fault.Status503, fault.Status503)
	r := harness.Exec(t, harness.Step{Inputs: inputs(s.URL, "retry-max-attempts", "3"), IDToken: gh.Env()})
	harness.RequireExit(t, r, 1)
	want := "OAuth 2.0 token exchange (RFC 8693): gave up after 3 attempt(s) (retry-max-attempts): HTTP 503"
	if errs := harness.ErrorLines(r); len(errs) != 1 || !strings.Contains(errs[0], want) {
		t.Errorf("annotations %q, want one containing %q", errs, want)
	}
	if s.Requests() != 3 {
		t.Errorf("the server saw %d requests, want 3", s.Requests())
	}
	harness.NothingWritten(t, r)
	harness.NoLeak(t, r, harness.SecretsOf(gh)...)
}

// TestTokenExchangeBadInputMakesNoRequest checks every token-exchange-* input is validated
// before the ID token is requested.
func TestTokenExchangeBadInputMakesNoRequest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   []string
		want string
	}{
		{"missing URL", []string{"token-exchange-url", ""}, "input token-exchange-url: is required when provider includes token-exchange"},
		{"http off loopback", []string{"token-exchange-url", "http://sts.example.com/token"}, "input token-exchange-url: must use https://"},
		{"not a URL", []string{"token-exchange-url", "sts.example.com/token"}, "input token-exchange-url: must be an absolute https:// URL"},
		{"credentials in the URL", []string{"token-exchange-url", "https://client:secret@sts.example.com/token"}, "input token-exchange-url: must not carry credentials in the URL"},
		{"env name", []string{"token-exchange-env-name", "MY-TOKEN"}, `input token-exchange-env-name: must be a valid environment variable name (letters, digits and _, not starting with a digit), got "MY-TOKEN"`},
		{"env name starting with a digit", []string{"token-exchange-env-name", "1TOKEN"}, "input token-exchange-env-name: must be a valid environment variable name"},
		{"resource not a URI", []string{"token-exchange-resource", "api"}, "input token-exchange-resource: must be an absolute URI"},
		{"requested token type not a URI", []string{"token-exchange-requested-token-type", "access_token"}, "input token-exchange-requested-token-type: must be a token type URI"},
		{"two audiences on two lines", []string{"token-exchange-audience", "a\nb"}, "input token-exchange-audience: must be a single line"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gh := harness.NewGitHub(t)
			s := newServer(t, config(gh))
			in := inputs(s.URL, tc.in...)
			r := harness.Exec(t, harness.Step{Inputs: in, IDToken: gh.Env()})
			harness.RequireInputRefused(t, r, tc.want, gh.Requests, s.Requests)
		})
	}
}

// TestTokenExchangePostBlanksEnv runs main then post: the post step blanks the variable
// under its chosen name.
func TestTokenExchangePostBlanksEnv(t *testing.T) {
	t.Parallel()
	gh := harness.NewGitHub(t)
	s := newServer(t, config(gh))
	ws := harness.NewWorkspace(t)
	in := inputs(s.URL, "token-exchange-env-name", "EXAMPLE_TOKEN")
	main := harness.Exec(t, harness.Step{Inputs: in, IDToken: gh.Env(), Workspace: ws})
	harness.RequireExit(t, main, 0)
	if err := ws.NewStep(); err != nil {
		t.Fatal(err)
	}
	post := harness.Exec(t, harness.Step{Inputs: in, Post: true, State: main.State, Workspace: ws})
	harness.RequireExit(t, post, 0)
	harness.MustEqual(t, "post GITHUB_ENV", post.Env, map[string]string{"EXAMPLE_TOKEN": ""})
	if s.Requests() != 1 {
		t.Errorf("the post step called the server")
	}
	harness.NoLeak(t, post, harness.SecretsOf(gh, s.Secrets()...)...)
}
