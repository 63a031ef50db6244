package credprocess

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var args = []string{"--role-arn=arn:aws:iam::123456789012:role/deploy", "--region=eu-west-1", "--retry-max-attempts=1", "--timeout-seconds=5", "--duration=900"}

func run(t *testing.T, env map[string]string, args []string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	h := &Helper{Stdout: &o, Stderr: &e, Getenv: func(k string) string { return env[k] }}
	code = h.Main(context.Background(), args)
	return o.String(), e.String(), code
}

func oneFailure(t *testing.T, what, stdout, stderr string, code int, want string) {
	t.Helper()
	if code != ExitFailure || stdout != "" {
		t.Errorf("%s: exit %d, stdout %q; want 1 and nothing", what, code, stdout)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "oidc-login credential-process: ") || !strings.Contains(stderr, want) {
		t.Errorf("%s: stderr %q, want one line with %q", what, stderr, want)
	}
}

// TestBadArguments: a broken profile line is named, nothing is asked of the network.
func TestBadArguments(t *testing.T) {
	t.Parallel()
	o, e, code := run(t, nil, []string{"--role-arn=nope"})
	oneFailure(t, "bad role", o, e, code, "aws-role-arn")
	o, e, code = run(t, nil, args)
	oneFailure(t, "no request token", o, e, code, "id-token: write")
}

// TestServerTextIsRedactedAndFlattened: a token service whose refusal quotes the request token
// over several lines, with a legacy ##[ command and an escape sequence, gets neither the token,
// the line breaks, the command nor the control character onto stderr.
func TestServerTextIsRedactedAndFlattened(t *testing.T) {
	t.Parallel()
	const reqToken = "ghrt_0123456789abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"message": "bad token ` + reqToken + `\n::set-output name=x::y\r\nend ##[set-output name=legacy;]z \u001b[31m"}`))
	}))
	defer srv.Close()
	o, e, code := run(t, map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": srv.URL + "/token?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": reqToken}, args)
	leaked := strings.Contains(e, reqToken)
	// A failure message shows stderr, but never the token in it.
	e = strings.ReplaceAll(e, reqToken, "<the request token>")
	// The runner acts on "##[name ...]" anywhere in a line it reads, stderr included: it is
	// written ##%5B, as the main step writes it.
	oneFailure(t, "refusal", o, e, code, "bad token *** ::set-output name=x::y end ##%5Bset-output name=legacy;]z [31m")
	if strings.Contains(e, "##[") {
		t.Errorf("stderr holds a legacy workflow command: %q", e)
	}
	if leaked {
		t.Errorf("stderr holds the request token: %q", e)
	}
}

// panickingTransport panics with a message quoting the request token it was sent.
type panickingTransport struct{}

func (panickingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	panic("transport broke on " + r.Header.Get("Authorization"))
}

// TestPanicIsOneRedactedLine: a panic under the helper gives the SDK the one inert, redacted
// line any failure gives, with exit status 1, and not Go's panic text with its stack.
func TestPanicIsOneRedactedLine(t *testing.T) {
	t.Parallel()
	const reqToken = "ghrt_0123456789abcdef"
	env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.invalid/token?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": reqToken}
	var o, e bytes.Buffer
	h := &Helper{Stdout: &o, Stderr: &e, Getenv: func(k string) string { return env[k] }, HTTP: &http.Client{Transport: panickingTransport{}}}
	code := h.Main(context.Background(), args)
	stderr := e.String()
	leaked := strings.Contains(stderr, reqToken)
	stderr = strings.ReplaceAll(stderr, reqToken, "<the request token>")
	if want := "oidc-login credential-process: internal error (please report it): transport broke on Bearer ***\n"; code != ExitFailure || o.Len() != 0 || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, nothing and %q", code, o.String(), stderr, want)
	}
	if leaked {
		t.Errorf("stderr holds the request token: %q", stderr)
	}
}
