package stsfake

import (
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The AWS account of the e2e worlds, as AWS's guide for GitHub sets it up: an IAM OIDC
// provider for GitHub's issuer with the client ID sts.amazonaws.com, and a role whose trust
// policy admits every branch of the fake's repository.
const (
	Account = "123456789012"
	RoleARN = "arn:aws:iam::" + Account + ":role/deploy"
	// Audience is the IAM OIDC provider's client ID, the aws provider's default audience.
	Audience = "sts.amazonaws.com"
	Region   = "eu-west-1"
	// AssumedRoleARN is the session a login with the action's default session name gets, from
	// this emulator and from moto alike.
	AssumedRoleARN = "arn:aws:sts::" + Account + ":assumed-role/deploy/GitHubActions"
)

// World is the STS emulator of the e2e worlds, trusting gh's tokens for RoleARN.
type World struct {
	*Server
}

// NewWorld starts the world. STS speaks plain http on loopback, which aws-sts-endpoint allows,
// so ca is not used.
func NewWorld(gh *fakegithub.Server, _ *testca.CA) (*World, error) {
	s := New(fakegithub.Issuer, gh.JWKSURL(), Audience)
	s.AddRole(Role{ARN: RoleARN, Audience: Audience, Subject: fakegithub.AnyBranch})
	return &World{Server: s}, nil
}

// Inputs are the with: block of a login to RoleARN at this emulator.
func (w *World) Inputs() map[string]string { return Inputs(w.URL) }

// Inputs are the with: block of a login to RoleARN at the STS at endpoint: this emulator, or
// moto, the real third-party STS, which takes any role without checking its trust.
func Inputs(endpoint string) map[string]string {
	return map[string]string{"provider": "aws", "aws-role-arn": RoleARN, "aws-region": Region, "aws-sts-endpoint": endpoint}
}

// Env is empty: the step needs nothing more to reach plain http.
func (w *World) Env() map[string]string { return nil }

// Exports are the variables the login of Inputs hands later steps.
func (w *World) Exports() []string {
	return []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
}

// Calls is what the login of Inputs asks STS: AssumeRoleWithWebIdentity, once.
func (w *World) Calls() int { return 1 }

// RequestCount is every request STS got, faults included.
func (w *World) RequestCount() int { return w.Requests() }

// Unexpected is empty: the emulator answers every request as STS would, with STS's errors.
func (w *World) Unexpected() []string { return nil }

// HostileModes are the switches that make STS malicious.
func (w *World) HostileModes() []*hostile.Mode { return []*hostile.Mode{&w.Hostile} }
