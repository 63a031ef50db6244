package alibabafake

import (
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The Alibaba Cloud account of the e2e worlds, as Alibaba's guide for GitHub sets it up: a RAM
// OIDC provider for GitHub's issuer with the client ID sts.aliyuncs.com, and a role whose
// trust policy admits every branch of the fake's repository.
const (
	Account         = "1234567890123456"
	RoleARN         = "acs:ram::" + Account + ":role/deploy"
	OIDCProviderARN = "acs:ram::" + Account + ":oidc-provider/github"
	// Audience is the OIDC provider's client ID, the alibaba provider's default audience.
	Audience = "sts.aliyuncs.com"
	// AssumedRoleARN is the session a login with the action's default session name gets.
	AssumedRoleARN = RoleARN + "/github-action-session"
	Region         = "cn-hangzhou"
)

// World is the Alibaba Cloud STS emulator of the e2e worlds, trusting gh's tokens for RoleARN.
type World struct {
	*Server
}

// NewWorld starts the world. STS speaks plain http on loopback, which alibaba-sts-endpoint
// allows, so ca is not used.
func NewWorld(gh *fakegithub.Server, _ *testca.CA) (*World, error) {
	s := New()
	s.AddProvider(OIDCProvider{ARN: OIDCProviderARN, Issuer: fakegithub.Issuer, ClientIDs: []string{Audience}, JWKSURL: gh.JWKSURL()})
	s.AddRole(Role{ARN: RoleARN, Provider: OIDCProviderARN, Audience: Audience, Subject: fakegithub.AnyBranch})
	return &World{Server: s}, nil
}

// Inputs are the with: block of a login to RoleARN.
func (w *World) Inputs() map[string]string {
	return map[string]string{"provider": "alibaba", "alibaba-role-arn": RoleARN, "alibaba-oidc-provider-arn": OIDCProviderARN, "alibaba-sts-endpoint": w.URL}
}

// Env is empty: the step needs nothing more to reach plain http.
func (w *World) Env() map[string]string { return nil }

// Exports are the variables the login of Inputs hands later steps.
func (w *World) Exports() []string {
	return []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"}
}

// Calls is what the login of Inputs asks STS: AssumeRoleWithOIDC, once.
func (w *World) Calls() int { return 1 }

// RequestCount is every request STS got, faults included.
func (w *World) RequestCount() int { return w.Requests() }

// HostileModes are the switches that make STS malicious.
func (w *World) HostileModes() []*hostile.Mode { return []*hostile.Mode{&w.Hostile} }
