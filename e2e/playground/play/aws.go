package main

import (
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
	"github.com/oidc-login/oidc-login/e2e/internal/stsfake"
)

// awsPart logs into moto_server, the real third-party STS, with the aws world's inputs, and
// runs the real AWS CLI. moto does not check the token's trust (e2e/aws does that against
// stsfake); it does issue real looking credentials that the CLI then uses.
func awsPart(*lab) (*part, error) {
	m, err := moto.Start()
	if err != nil {
		return nil, err
	}
	return &part{
		inputs: stsfake.Inputs(m.URL),
		consume: func(r *harness.Run) (string, error) {
			return command(r.Env, []string{"AWS_ENDPOINT_URL_STS=" + m.URL}, "aws", "sts", "get-caller-identity")
		},
		stop: m.Close,
	}, nil
}
