package gcp

import (
	"encoding/json"
	"strings"

	"github.com/oidc-login/oidc-login/internal/config"
)

// Delegation chains (gcp-delegates): generateAccessToken and generateIdToken take `delegates`,
// the service accounts between the caller and the target, each holding
// roles/iam.serviceAccountTokenCreator on the next. Google's API names them by resource name.
const (
	delegatesInput  = "gcp-delegates"
	delegatePrefix  = "projects/-/serviceAccounts/"
	typeImpersonate = "impersonated_service_account"
)

// parseDelegates reads gcp-delegates: service account emails (or their resource names,
// projects/-/serviceAccounts/<email>), comma- or newline-separated, in chain order from the
// federated identity towards gcp-service-account.
func parseDelegates(in config.Inputs, target string) ([]string, error) {
	items := config.Lines(in.Input(delegatesInput))
	if len(items) == 0 {
		return nil, nil
	}
	if target == "" {
		return nil, config.Errorf(delegatesInput, "needs gcp-service-account: a delegation chain leads to the service account it impersonates, and direct federation has none")
	}
	var out []string
	seen := map[string]bool{}
	for _, it := range items {
		email := strings.TrimPrefix(it, delegatePrefix)
		if !isEmail(email) {
			return nil, config.Errorf(delegatesInput, "each item must be a service account email such as relay@my-project.iam.gserviceaccount.com (or projects/-/serviceAccounts/<email>), got %s", config.Quote(it))
		}
		if email == target {
			return nil, config.Errorf(delegatesInput, "lists %s, which is gcp-service-account itself; the chain holds only the accounts in between", email)
		}
		if seen[email] {
			return nil, config.Errorf(delegatesInput, "lists %s twice", email)
		}
		seen[email] = true
		out = append(out, email)
	}
	return out, nil
}

// delegateNames are the delegates as the API takes them.
func (c Config) delegateNames() []string {
	var out []string
	for _, d := range c.Delegates {
		out = append(out, delegatePrefix+d)
	}
	return out
}

// impersonatedFile is Google's impersonated_service_account credentials file, the only
// format whose readers pass a delegation chain: golang.org/x/oauth2/google (v0.37.0,
// google/google.go, the impersonatedServiceAccount case) hands its delegates to the
// impersonation call, while an external_account file's service_account_impersonation_url
// is called without any. Its source_credentials is the external_account file without an
// impersonation URL, whose federated token then calls generateAccessToken with the chain.
type impersonatedFile struct {
	Type                           string          `json:"type"`
	ServiceAccountImpersonationURL string          `json:"service_account_impersonation_url"`
	Delegates                      []string        `json:"delegates"`
	SourceCredentials              json.RawMessage `json:"source_credentials"`
}
