package gcp

import (
	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// refusals are the refusals this provider explains, for its page's troubleshooting table and
// the tests (diagnose.Catalog).
var refusals = diagnose.Catalog{
	Title:   "Google Cloud STS and IAM Credentials",
	CLIs:    []string{"gcloud"},
	Entries: catalog,
}

// The sample targets, named like the quick start of the provider's page.
const (
	sampleAudience   = "https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github"
	sampleLongBranch = "refs/heads/renovate/update-dependency-github.com-aws-aws-sdk-go-v2-service-sts-to-v1.33.19-and-friends-for-the-weekly-batch"
)

var (
	sampleTarget = trustTarget{
		Provider:      "projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github",
		ProjectNumber: "123456789012", Pool: "github-pool", ProviderID: "github",
		ServiceAccount: "deploy@octo-project.iam.gserviceaccount.com", Project: "octo-project",
	}
)

func catalog() []diagnose.Entry {
	sts := func(code, sample, when string, claims idtoken.Claims) diagnose.Entry {
		return diagnose.Entry{Code: code, Sample: sample, When: when, Claims: claims,
			Explain: func(m string, c idtoken.Claims) *diagnose.Error { return explainSTS(code, m, sampleTarget, c) }}
	}
	iam := func(status string, http int, sample string) diagnose.Entry {
		return diagnose.Entry{Code: status, Sample: sample, Claims: diagnose.SampleClaims(sampleAudience),
			Explain: func(m string, c idtoken.Claims) *diagnose.Error {
				return explainIAM("generateAccessToken", http, status, m, sampleTarget, c)
			}}
	}
	c := diagnose.SampleClaims(sampleAudience)
	long := diagnose.SampleClaims(sampleAudience, "ref", sampleLongBranch, "sub", "repo:octo-org/octo-repo:ref:"+sampleLongBranch)
	return []diagnose.Entry{
		sts("invalid_target", `The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.`, "", c),
		sts("invalid_grant", "The audience in ID Token [https://github.com/octo-org] does not match the expected audience.", "the `audience` input is set", diagnose.SampleClaims(diagnose.SampleGitHubOwner)),
		sts("invalid_grant", "The audience in ID Token ["+sampleAudience+"] does not match the expected audience.", "the provider's allowed audiences leave out the default", c),
		sts("invalid_grant", "The issuer in ID Token https://token.actions.githubusercontent.com/octo-enterprise does not match the expected ones.", "the token comes from an enterprise issuer",
			diagnose.SampleClaims(sampleAudience, "iss", diagnose.SampleEnterprise)),
		sts("invalid_grant", "The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.", "a branch name makes `sub` longer than 127 bytes", long),
		sts("invalid_grant", "The given credential is rejected by the attribute condition.", "", c),
		sts("invalid_grant", "The ID Token has expired.", "", c),
		sts("invalid_grant", "Invalid ID Token signature.", "", c),
		sts("invalid_request", `Invalid value for "subject_token_type".`, "", c),
		iam("PERMISSION_DENIED", 403, "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."),
		iam("NOT_FOUND", 404, "Requested entity was not found."),
		iam("UNAUTHENTICATED", 401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."),
		iam("INVALID_ARGUMENT", 400, "The lifetime of the token must be less than or equal to 3600s."),
		iam("FAILED_PRECONDITION", 400, "Precondition check failed."),
		{Code: "PERMISSION_DENIED", Sample: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
			When: "`gcp-delegates` is set", Claims: diagnose.SampleClaims(sampleAudience),
			Explain: func(m string, c idtoken.Claims) *diagnose.Error {
				t := sampleTarget
				t.Delegates = []string{"relay@octo-project.iam.gserviceaccount.com"}
				return explainIAM("generateAccessToken", 403, "PERMISSION_DENIED", m, t, c)
			}},
	}
}
