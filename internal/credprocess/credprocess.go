// Package credprocess is the binary's credential_process mode (aws-refresh): an AWS SDK or
// the CLI runs it, in whatever later step of the job needs credentials, and reads its stdout.
// It asks the runner for a fresh ID token with the calling step's request token, repeats the
// login step's AssumeRoleWithWebIdentity, and prints the answer in the credential_process
// format. Two requests per refresh; nothing but that JSON on stdout; on failure one line on
// stderr (which the SDKs show their user) and exit status 1.
package credprocess

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/internal/httpcall"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/aws"
	"github.com/oidc-login/oidc-login/internal/retry"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// Exit statuses.
const (
	ExitOK      = 0
	ExitFailure = 1
)

// Command is the argument that selects this mode (main.go).
const Command = aws.HelperCommand

// Output is the credential_process answer: Version 1 is the only version any SDK accepts
// (botocore credentials.py ProcessProvider; aws-sdk-go-v2 credentials/processcreds).
type Output struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string `json:",omitempty"`
}

// Helper is the mode with its world passed in, so tests run it in-process too.
type Helper struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// HTTP is the client for both calls (httpcall.NewClient() when nil).
	HTTP *http.Client
}

// Main runs one refresh with args (those after Command) and returns the exit status.
func (h *Helper) Main(ctx context.Context, args []string) (code int) {
	// The request token is known before anything can fail; the ID token joins it once issued.
	secrets := []string{h.Getenv(idtoken.EnvRequestToken)}
	defer func() {
		if p := recover(); p != nil {
			// The SDK would put Go's panic text, stack and all, into its error; a panic value
			// may quote anything, so it gets the same redacted line as any failure.
			h.fail(redact(fmt.Sprint("internal error (please report it): ", p), secrets))
			code = ExitFailure
		}
	}()
	out, err := h.run(ctx, args, &secrets)
	if err != nil {
		h.fail(redact(err.Error(), secrets))
		return ExitFailure
	}
	b, err := json.Marshal(out)
	if err != nil {
		h.fail("encoding the answer: " + err.Error())
		return ExitFailure
	}
	if _, err := h.Stdout.Write(append(b, '\n')); err != nil {
		return ExitFailure
	}
	return ExitOK
}

func (h *Helper) run(ctx context.Context, args []string, secrets *[]string) (*Output, error) {
	hc, err := aws.ParseHelperArgs(args, h.Getenv)
	if err != nil {
		return nil, err
	}
	client := h.HTTP
	if client == nil {
		client = httpcall.NewClient()
	}
	policy := retry.ForStep(hc.MaxAttempts, hc.Timeout)
	src, err := idtoken.FromEnv(h.Getenv, client, policy)
	if err != nil {
		if err == idtoken.ErrNoPermission {
			// In a step of another job, or a job without the permission, the profile cannot work.
			return nil, fmt.Errorf("the AWS profile renews its credentials with a fresh GitHub ID token, and this step cannot request one (the profile works in the steps of the job that wrote it, and the job needs id-token: write): %w", err)
		}
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, hc.Timeout)
	defer cancel()
	tok, err := src.Fetch(ctx, hc.Audience, func(raw string) { *secrets = append(*secrets, raw) })
	if err != nil {
		return nil, err
	}
	env := provider.Env{HTTP: client, Retry: policy, Getenv: h.Getenv, Now: time.Now}
	c, err := aws.Assume(ctx, hc, tok, env)
	if err != nil {
		return nil, err
	}
	out := &Output{Version: 1, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	if !c.Expiration.IsZero() {
		out.Expiration = c.Expiration.Format(time.RFC3339)
	}
	return out, nil
}

// redact removes what this process holds that must never be shown (the request token and the
// ID token); no error we build quotes them, but server text is untrusted.
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// fail prints the one line stderr gets. The AWS CLI and the SDKs pass the helper's stderr on
// to the step's log (aws-sdk-go-v2 connects it to its own), where the runner reads it as it
// reads stdout, so it goes through the main step's inert printer: one line, no "::" command
// at its start, no "##[" anywhere in it.
func (h *Helper) fail(msg string) {
	fmt.Fprintln(h.Stderr, runner.InertLine("oidc-login "+Command+": "+oneLine(msg)))
}

// oneLine keeps the message on one line: botocore and the SDKs put stderr into their own
// error, and a server's line breaks or control characters have no business there.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
