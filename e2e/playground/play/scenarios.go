package main

import (
	"fmt"
	"strings"

	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
	"github.com/oidc-login/oidc-login/internal/provider/alibaba"
	"github.com/oidc-login/oidc-login/internal/provider/aws"
	"github.com/oidc-login/oidc-login/internal/provider/azure"
	"github.com/oidc-login/oidc-login/internal/provider/gcp"
	"github.com/oidc-login/oidc-login/internal/provider/github"
	"github.com/oidc-login/oidc-login/internal/provider/tokenexchange"
	"github.com/oidc-login/oidc-login/internal/provider/vault"
)

// scenario is what `go run ./e2e/playground <name>` plays: one step logging into the
// providers of its parts (several parts make a multi-provider step), then each part's consumer.
type scenario struct {
	about string
	parts []starter
	// inputs add to the parts' inputs (show-claims, …).
	inputs map[string]string
}

// providers are each provider's scenario, by the provider's name: its part (in the provider's
// file here) starts its e2e world and brings a real consumer of what it exports.
var providers = map[string]*scenario{
	aws.Name: {
		about:  "moto_server (the real third-party STS); the AWS CLI runs sts get-caller-identity",
		parts:  []starter{awsPart},
		inputs: map[string]string{"show-claims": "true"},
	},
	gcp.Name: {
		about: "Google STS + IAM Credentials emulator; Google's Go library reads the credentials file and gets a token",
		parts: []starter{gcpPart},
	},
	azure.Name: {
		about: "Entra ID emulator; azidentity's WorkloadIdentityCredential gets a token with the exported AZURE_* values",
		parts: []starter{azurePart},
	},
	vault.Name: {
		about: "Vault emulator with a KV v2 secret; HashiCorp's Go client reads it with VAULT_ADDR/VAULT_TOKEN",
		parts: []starter{vaultPart},
	},
	alibaba.Name: {
		about: "Alibaba Cloud STS emulator; shows what a tool would read (no Alibaba client runs)",
		parts: []starter{alibabaPart},
	},
	tokenexchange.Name: {
		about: "RFC 8693 server; an API that accepts only the issued token answers 200",
		parts: []starter{tokenExchangePart},
	},
	github.Name: {
		about:  "the ID token itself in a file; its signature is verified with the issuer's JWKS",
		parts:  []starter{githubPart},
		inputs: map[string]string{"show-claims": "true"},
	},
}

// all is the scenario that logs into several providers in one step.
const all = "all"

// scenarios are the ones the playground can run: those below, which are not one provider's,
// and one per provider of the registry (init): its own from providers or, for a provider
// without one, its world with no client (worldOnly).
var scenarios = map[string]*scenario{
	"custom": {
		about: "a custom Bearer+JSON API, logged into with the docs' recipe; the API answers only the token it issued",
		parts: []starter{customPart},
	},
	all: {
		about: "provider: " + strings.Join(allProviders, ", ") + " in one step, then every consumer",
		parts: func() (parts []starter) {
			for _, name := range allProviders {
				parts = append(parts, providers[name].parts...)
			}
			return parts
		}(),
	},
}

func init() {
	for _, name := range worlds.Names() {
		if sc, ok := providers[name]; ok {
			scenarios[name] = sc
		} else {
			scenarios[name] = &scenario{about: "its e2e world; shows what a later step would read (no client runs)", parts: []starter{worldOnly(name)}}
		}
	}
}

// worldOnly is the part of a provider the playground has no client for: its e2e world, and a
// consumer that checks the step exported what the world's login promises and shows it, as
// alibaba's does.
func worldOnly(name string) starter {
	return func(l *lab) (*part, error) {
		w, err := worlds.New(name, l.gh, l.ca)
		if err != nil {
			return nil, err
		}
		p := worldPart(w)
		p.consume = func(r *harness.Run) (string, error) {
			var b strings.Builder
			fmt.Fprintf(&b, "No client of %s runs here (the playground has none for it).\nA later step would read:\n", name)
			for _, k := range w.Exports() {
				if r.Env[k] == "" {
					return "", fmt.Errorf("%s was not exported", k)
				}
				fmt.Fprintf(&b, "  %s=%s\n", k, r.Redact(r.Env[k]))
			}
			return b.String(), nil
		}
		return p, nil
	}
}

// allProviders are the providers of all.
var allProviders = []string{aws.Name, gcp.Name, azure.Name, vault.Name}
