package gcp

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
)

func TestDelegatesAndFile(t *testing.T) {
	t.Parallel()
	c, err := Parse(config.MapInputs{
		"gcp-workload-identity-provider": "projects/123456789012/locations/global/workloadIdentityPools/pool/providers/github",
		"gcp-service-account":            "deploy@octo-project.iam.gserviceaccount.com",
		"gcp-delegates":                  " relay@octo-project.iam.gserviceaccount.com ,\nprojects/-/serviceAccounts/hop@other-project.iam.gserviceaccount.com\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"relay@octo-project.iam.gserviceaccount.com", "hop@other-project.iam.gserviceaccount.com"}; !reflect.DeepEqual(c.Delegates, want) {
		t.Fatalf("Delegates = %v, want %v", c.Delegates, want)
	}
	var f struct {
		Type, URL         string
		Delegates         []string
		SourceCredentials map[string]any `json:"source_credentials"`
	}
	if err := json.Unmarshal(c.CredentialsFile("https://runner/token?x=1", "rt"), &f); err != nil {
		t.Fatal(err)
	}
	if f.Type != "impersonated_service_account" || f.Delegates[1] != "projects/-/serviceAccounts/hop@other-project.iam.gserviceaccount.com" ||
		f.SourceCredentials["type"] != "external_account" || f.SourceCredentials["service_account_impersonation_url"] != nil {
		t.Errorf("credentials file with delegates = %+v", f)
	}
	// Without delegates the file stays the plain external_account one.
	c.Delegates = nil
	var plain map[string]any
	_ = json.Unmarshal(c.CredentialsFile("https://runner/token?x=1", "rt"), &plain)
	if plain["type"] != "external_account" || plain["service_account_impersonation_url"] == nil {
		t.Errorf("credentials file without delegates = %v", plain)
	}
}
