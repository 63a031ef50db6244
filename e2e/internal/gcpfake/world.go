package gcpfake

import (
	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/hostile"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
)

// The Google Cloud project of the e2e worlds, as Google's guide for GitHub sets it up: a
// workload identity pool with a provider for GitHub's issuer whose condition admits the fake's
// repository, and a service account that repository's principal set may impersonate.
const (
	ProjectNumber = "123456789012"
	Project       = "octo-project"
	Pool          = "projects/" + ProjectNumber + "/locations/global/workloadIdentityPools/github-pool"
	// WorkloadIdentityProvider is the input gcp-workload-identity-provider.
	WorkloadIdentityProvider = Pool + "/providers/github-provider"
	// Member is the principal set of the fake's repository.
	Member              = "principalSet://iam.googleapis.com/" + Pool + "/attribute.repository/" + fakegithub.DefaultRepo
	ServiceAccountEmail = "deploy@" + Project + ".iam.gserviceaccount.com"
	// OtherServiceAccountEmail exists, but the repository may not impersonate it: STS grants
	// the exchange and IAM Credentials refuses.
	OtherServiceAccountEmail = "admin@" + Project + ".iam.gserviceaccount.com"
	// Scope is the scope a later step's Google library asks for.
	Scope = "https://www.googleapis.com/auth/cloud-platform"
)

// World is the STS and IAM Credentials emulator of the e2e worlds, trusting gh's tokens.
type World struct {
	*Server
	ca *testca.CA
}

// NewWorld starts the world over TLS with certificates from ca.
func NewWorld(gh *fakegithub.Server, ca *testca.CA) (*World, error) {
	s, err := New(ca)
	if err != nil {
		return nil, err
	}
	s.AddProvider(Provider{Name: WorkloadIdentityProvider, Issuer: fakegithub.Issuer, JWKSURL: gh.JWKSURL(), Condition: map[string]string{"repository": fakegithub.DefaultRepo}})
	s.AddServiceAccount(ServiceAccount{Email: ServiceAccountEmail, Members: []string{Member}})
	s.AddServiceAccount(ServiceAccount{Email: OtherServiceAccountEmail})
	return &World{Server: s, ca: ca}, nil
}

// Inputs are the with: block of a login by direct federation, the fewest calls Google allows;
// with gcp-service-account: ServiceAccountEmail it impersonates the service account.
func (w *World) Inputs() map[string]string {
	return map[string]string{
		"provider":                       "gcp",
		"gcp-workload-identity-provider": WorkloadIdentityProvider,
		"gcp-sts-endpoint":               w.STSURL,
		"gcp-iam-credentials-endpoint":   w.IAMURL,
	}
}

// ServiceAccountInputs are Inputs impersonating ServiceAccountEmail.
func (w *World) ServiceAccountInputs() map[string]string {
	in := w.Inputs()
	in["gcp-service-account"] = ServiceAccountEmail
	return in
}

// Env makes the step trust the emulator's certificates.
func (w *World) Env() map[string]string { return map[string]string{"SSL_CERT_FILE": w.ca.File} }

// Exports are the variables the login of Inputs hands later steps.
func (w *World) Exports() []string { return []string{"GOOGLE_APPLICATION_CREDENTIALS"} }

// Calls is what the login of Inputs asks Google: one STS token exchange.
func (w *World) Calls() int { return 1 }

// RequestCount is every request either endpoint got, faults included.
func (w *World) RequestCount() int { return w.STSFaults.Requests() + w.IAMFaults.Requests() }

// HostileModes are the switches that make both endpoints malicious.
func (w *World) HostileModes() []*hostile.Mode { return []*hostile.Mode{&w.Hostile} }
