package main

import (
	"fmt"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/servicefake"
)

// customPart is the custom Bearer+JSON API of docs/providers/token-exchange.md, logged into
// with that page's recipe (its origin replaced by the emulator's); the consumer then calls the
// API with the exported DEPLOY_TOKEN, which answers only a token it issued.
func customPart(l *lab) (*part, error) {
	s, err := servicefake.NewCustom(l.gh, l.ca)
	if err != nil {
		return nil, err
	}
	p := worldPart(s)
	p.consume = func(r *harness.Run) (string, error) {
		status, err := s.Use(r.Env["DEPLOY_TOKEN"])
		if err != nil {
			return "", err
		}
		if status != 200 {
			return "", fmt.Errorf("the API answered HTTP %d to DEPLOY_TOKEN", status)
		}
		return fmt.Sprintf("$ curl -H \"Authorization: Bearer $DEPLOY_TOKEN\" %s/api/v1/releases   (in process)\nHTTP %d: the API took the token it issued (the recipe's with: block, from docs/providers/token-exchange.md)", s.URL, status), nil
	}
	return p, nil
}
