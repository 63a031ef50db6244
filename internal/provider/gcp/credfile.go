package gcp

import (
	"encoding/json"
)

// credentialsFile is the external_account credentials file Google's client libraries and
// gcloud read (GOOGLE_APPLICATION_CREDENTIALS). Field order follows gcloud's own output.
type credentialsFile struct {
	Type                           string           `json:"type"`
	Audience                       string           `json:"audience"`
	SubjectTokenType               string           `json:"subject_token_type"`
	TokenURL                       string           `json:"token_url"`
	ServiceAccountImpersonationURL string           `json:"service_account_impersonation_url,omitempty"`
	CredentialSource               credentialSource `json:"credential_source"`
	UniverseDomain                 string           `json:"universe_domain,omitempty"`
}

type credentialSource struct {
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Format  sourceFormat      `json:"format"`
}

type sourceFormat struct {
	Type                  string `json:"type"`
	SubjectTokenFieldName string `json:"subject_token_field_name"`
}

// CredentialsFile renders the file. The subject token is not in it: libraries fetch a fresh
// one from the runner's token URL (tokenURL, which carries the audience) with the request
// token as a bearer, so the file keeps working for as long as the job runs, long after the
// 5-minute ID token of this step has expired. The request token makes the file a secret.
func (c Config) CredentialsFile(tokenURL, requestToken string) []byte {
	f := credentialsFile{
		Type:             "external_account",
		Audience:         c.Audience(),
		SubjectTokenType: tokenTypeJWT,
		TokenURL:         c.TokenURL(),
		CredentialSource: credentialSource{
			URL:     tokenURL,
			Headers: map[string]string{"Authorization": "Bearer " + requestToken},
			Format:  sourceFormat{Type: "json", SubjectTokenFieldName: "value"},
		},
	}
	if c.ServiceAccount != "" && len(c.Delegates) == 0 {
		f.ServiceAccountImpersonationURL = c.IAMURL(iamGenerateAccess)
	}
	if c.Universe != DefaultUniverse {
		f.UniverseDomain = c.Universe
	}
	b, _ := json.MarshalIndent(f, "", "  ")
	if len(c.Delegates) > 0 {
		// The chain goes in an impersonated_service_account file around the federated one.
		b, _ = json.MarshalIndent(impersonatedFile{
			Type:                           typeImpersonate,
			ServiceAccountImpersonationURL: c.IAMURL(iamGenerateAccess),
			Delegates:                      c.delegateNames(),
			SourceCredentials:              b,
		}, "", "  ")
	}
	return append(b, '\n')
}
