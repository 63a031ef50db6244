package main

// scenario is what `go run ./e2e/playground <name>` plays: one step logging into the
// providers of its parts (several parts make a multi-provider step), then each part's consumer.
type scenario struct {
	about string
	parts []starter
	// inputs add to the parts' inputs (show-claims, …).
	inputs map[string]string
}

// scenarios are the ones the playground can run.
var scenarios = map[string]*scenario{
	"aws": {
		about:  "moto_server (the real third-party STS); the AWS CLI runs sts get-caller-identity",
		parts:  []starter{awsPart},
		inputs: map[string]string{"show-claims": "true"},
	},
	"gcp": {
		about: "Google STS + IAM Credentials emulator; Google's Go library reads the credentials file and gets a token",
		parts: []starter{gcpPart},
	},
	"azure": {
		about: "Entra ID emulator; azidentity's WorkloadIdentityCredential gets a token with the exported AZURE_* values",
		parts: []starter{azurePart},
	},
	"vault": {
		about: "Vault emulator with a KV v2 secret; HashiCorp's Go client reads it with VAULT_ADDR/VAULT_TOKEN",
		parts: []starter{vaultPart},
	},
	"alibaba": {
		about: "Alibaba Cloud STS emulator; shows what a tool would read (no Alibaba client runs)",
		parts: []starter{alibabaPart},
	},
	"token-exchange": {
		about: "RFC 8693 server; an API that accepts only the issued token answers 200",
		parts: []starter{tokenExchangePart},
	},
	"custom": {
		about: "a custom Bearer+JSON API, logged into with the docs' recipe; the API answers only the token it issued",
		parts: []starter{customPart},
	},
	"github": {
		about:  "the ID token itself in a file; its signature is verified with the issuer's JWKS",
		parts:  []starter{githubPart},
		inputs: map[string]string{"show-claims": "true"},
	},
	"all": {
		about: "provider: aws, gcp, azure, vault in one step, then every consumer",
		parts: []starter{awsPart, gcpPart, azurePart, vaultPart},
	},
}
