package azurefake

import (
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The Entra ID tenant of the e2e worlds, as Microsoft's guide for GitHub sets it up: an app
// whose federated identity credential admits the fake's main branch for the public cloud's
// audience, and a subscription it holds a role on.
const (
	TenantID     = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
	TenantDomain = "octo.onmicrosoft.com"
	ClientID     = "5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5"
	// Audience is the credential's audience, the azure provider's default.
	Audience         = "api://AzureADTokenExchange"
	SubscriptionID   = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
	SubscriptionName = "octo-prod"
	// ARMScope is the scope a later step's client asks for to manage resources.
	ARMScope = "https://management.azure.com/.default"
)

// World is the Entra ID emulator of the e2e worlds, trusting gh's tokens.
type World struct {
	*Server
	ca *testca.CA
}

// NewWorld starts the world over TLS with a certificate from ca.
func NewWorld(gh *fakegithub.Server, ca *testca.CA) (*World, error) {
	s, err := New(ca, map[string]string{fakegithub.Issuer: gh.JWKSURL()})
	if err != nil {
		return nil, err
	}
	s.AddTenant(TenantID, TenantDomain)
	s.AddApp(TenantID, ClientID, Credential{Name: "main", Issuer: fakegithub.Issuer, Subject: fakegithub.DefaultSubject, Audiences: []string{Audience}})
	s.AddSubscription(Subscription{ID: SubscriptionID, TenantID: TenantID, DisplayName: SubscriptionName, Principals: []string{ClientID}})
	return &World{Server: s, ca: ca}, nil
}

// Inputs are the with: block of a login as ClientID in TenantID.
func (w *World) Inputs() map[string]string {
	return map[string]string{"provider": "azure", "azure-client-id": ClientID, "azure-tenant-id": TenantID, "azure-authority-host": w.URL}
}

// Env makes the step trust the emulator's certificate.
func (w *World) Env() map[string]string { return map[string]string{"SSL_CERT_FILE": w.ca.File} }

// Exports are variables the login of Inputs hands later steps.
func (w *World) Exports() []string {
	return []string{"AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID", "ARM_USE_OIDC"}
}

// Calls is what the login of Inputs asks Entra ID: one token request.
func (w *World) Calls() int { return 1 }

// RequestCount is every request the emulator got, faults included.
func (w *World) RequestCount() int { return w.Requests() }

// HostileModes are the switches that make Entra ID malicious.
func (w *World) HostileModes() []*hostile.Mode { return []*hostile.Mode{&w.Hostile} }
