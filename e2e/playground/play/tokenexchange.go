package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/rfc8693fake"
)

// tokenExchangePart starts the token-exchange world, an RFC 8693 authorization server
// trusting the repository's branches and issuing tokens for one API, and that API: a resource
// server that answers 200 only to a bearer the authorization server issued. The step asks for
// a token for the API; the consumer calls it with the token from the exported variable, as
// curl -H "Authorization: Bearer $OIDC_ACCESS_TOKEN" would.
func tokenExchangePart(l *lab) (*part, error) {
	as, err := rfc8693fake.NewWorld(l.gh, l.ca)
	if err != nil {
		return nil, err
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		for _, i := range as.Issued() {
			if ok && bearer != "" && bearer == i.AccessToken {
				fmt.Fprintf(w, `{"message":"hello, %s"}`, fakegithub.DefaultRepo)
				return
			}
		}
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	}))
	p := worldPart(as)
	p.inputs["token-exchange-audience"] = rfc8693fake.APIAudience
	p.consume = func(r *harness.Run) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, api.URL+"/v1/hello", nil)
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "Bearer "+r.Env["OIDC_ACCESS_TOKEN"])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
		if res.StatusCode != http.StatusOK {
			return "", fmt.Errorf("the API answered %s: %s", res.Status, body)
		}
		return fmt.Sprintf("$ curl -H \"Authorization: Bearer $OIDC_ACCESS_TOKEN\" %s/v1/hello   (in process)\n%s\n%s",
			api.URL, res.Status, body), nil
	}
	p.stop = func() {
		api.Close()
		as.Close()
	}
	return p, nil
}
