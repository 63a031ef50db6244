package idtoken

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oidc-login/oidc-login/internal/retry"
)

func token(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFromEnvExplainsMissingPermission(t *testing.T) {
	t.Parallel()
	_, err := FromEnv(func(string) string { return "" }, http.DefaultClient, retry.New(1))
	if !errors.Is(err, ErrNoPermission) || !strings.Contains(err.Error(), "permissions: id-token: write") || !strings.Contains(err.Error(), "forks") {
		t.Errorf("err = %v", err)
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	s := &Source{RequestURL: "https://run.example/token?api-version=2.0"}
	if got := s.URL("api://AzureADTokenExchange"); got != "https://run.example/token?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange" {
		t.Errorf("URL = %s", got)
	}
	if got := s.URL(""); got != s.RequestURL {
		t.Errorf("URL without audience = %s", got)
	}
}

// TestFetch checks the request's shape, the Pending retry and that the token is handed to
// onToken (to be masked) before anything else.
func TestFetch(t *testing.T) {
	t.Parallel()
	raw := token(t, jwt.MapClaims{"iss": "https://token.actions.githubusercontent.com", "sub": "repo:o/r:ref:refs/heads/main", "aud": "sts.amazonaws.com", "exp": 2000000000})
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"Can't issue ID_TOKEN for job in 'Pending' state"}`))
			return
		}
		if r.Header.Get("Authorization") != "Bearer rt" || r.URL.Query().Get("audience") != "sts.amazonaws.com" || r.URL.Query().Get("api-version") != "2.0" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"value": raw})
	}))
	defer srv.Close()
	s := &Source{RequestURL: srv.URL + "/t?api-version=2.0", RequestToken: "rt", Client: srv.Client(), Retry: retry.New(3)}
	var seen string
	tok, err := s.Fetch(context.Background(), "sts.amazonaws.com", func(r string) { seen = r })
	if err != nil {
		t.Fatal(err)
	}
	if seen != raw || tok.Raw != raw || calls.Load() != 2 {
		t.Errorf("token not handed over first, or %d calls", calls.Load())
	}
	c := tok.Claims
	if c.Issuer() != "https://token.actions.githubusercontent.com" || c.IssuerHost() != "token.actions.githubusercontent.com" ||
		c.Subject() != "repo:o/r:ref:refs/heads/main" || c.AudienceString() != "sts.amazonaws.com" || c.Time("exp").Unix() != 2000000000 {
		t.Errorf("claims = %v", c)
	}
}

func TestFetchRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		body   string
		ct     string
		want   string
		calls  int32
	}{
		{401, `{"message":"Bad credentials"}`, "application/json", "HTTP 401: Bad credentials", 1},
		{503, `busy`, "text/plain", "gave up after 2 attempt(s)", 2},
		{200, `{"count":0}`, "application/json", `no token in "value"`, 1},
		{200, `<html>`, "text/html", "expected a JSON answer", 1},
		{200, `{"value": "not-a-jwt"}`, "application/json", "not a readable JWT", 1},
	}
	for _, tc := range cases {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.Header().Set("Content-Type", tc.ct)
			w.WriteHeader(tc.status)
			w.Write([]byte(tc.body))
		}))
		s := &Source{RequestURL: srv.URL + "/t?api-version=2.0", RequestToken: "rt", Client: srv.Client(), Retry: retry.New(2)}
		_, err := s.Fetch(context.Background(), "", nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || calls.Load() != tc.calls {
			t.Errorf("HTTP %d %s: err = %v after %d calls, want %q after %d", tc.status, tc.body, err, calls.Load(), tc.want, tc.calls)
		}
		srv.Close()
	}
}

func TestClaimsTable(t *testing.T) {
	t.Parallel()
	c := Claims{"sub": "s", "iss": "i", "aud": []any{"a", "b"}, "zz": true}
	got := c.Table(nil)
	want := "  iss  i\n  aud  [\"a\",\"b\"]\n  sub  s\n  zz   true\n"
	if got != want {
		t.Errorf("Table =\n%s\nwant\n%s", got, want)
	}
	if c.AudienceString() != "a, b" {
		t.Errorf("aud = %s", c.AudienceString())
	}
}
