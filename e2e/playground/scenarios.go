package main

import (
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/moto"
)

// scenarios are the providers the playground can run.
var scenarios = map[string]scenario{
	"aws": awsScenario,
}

// awsScenario logs into moto_server, the real third-party STS, and runs the real AWS CLI.
func awsScenario(gh *fakegithub.Server) (*setup, error) {
	m, err := moto.Start()
	if err != nil {
		return nil, err
	}
	return &setup{
		inputs: map[string]string{
			"provider":         "aws",
			"aws-role-arn":     "arn:aws:iam::123456789012:role/deploy",
			"aws-region":       "eu-west-1",
			"aws-sts-endpoint": m.URL,
			"show-claims":      "true",
		},
		consume: func(exported map[string]string) (string, error) {
			return command(exported, []string{"AWS_ENDPOINT_URL_STS=" + m.URL}, "aws", "sts", "get-caller-identity")
		},
		stop: m.Close,
	}, nil
}
