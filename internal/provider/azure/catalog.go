package azure

import (
	"strconv"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// refusals are the refusals this provider explains, for its page's troubleshooting table and
// the tests (diagnose.Catalog).
var refusals = diagnose.Catalog{
	Title:     "Microsoft Entra ID",
	CLIs:      []string{"az"},
	Fallbacks: []string{"Entra ID refused the client-credentials grant"},
	Entries:   catalog,
}

// The sample targets, named like the quick start of the provider's page.
const (
	sampleAudience      = "api://AzureADTokenExchange"
	sampleUSGovAudience = "api://AzureADTokenExchangeUSGov"
)

var (
	sampleTarget = trustTarget{
		ClientID: "11111111-2222-3333-4444-555555555555", TenantID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		Cloud: "AzureCloud", AuthorityHost: "https://login.microsoftonline.com", Audience: sampleAudience,
		Graph: "https://graph.microsoft.com",
	}
	sampleGovTarget = trustTarget{
		ClientID: sampleTarget.ClientID, TenantID: sampleTarget.TenantID,
		Cloud: "AzureUSGovernment", AuthorityHost: "https://login.microsoftonline.us", Audience: sampleAudience,
		CloudAudience: sampleUSGovAudience, Graph: "https://graph.microsoft.us",
	}
)

func catalog() []diagnose.Entry {
	row := func(code int, sample, when string, t trustTarget, claims idtoken.Claims) diagnose.Entry {
		return diagnose.Entry{Code: "AADSTS" + strconv.Itoa(code), Sample: sample, When: when, Claims: claims,
			Explain: func(m string, c idtoken.Claims) *diagnose.Error { return explain(code, m, t, c) }}
	}
	c := diagnose.SampleClaims(sampleAudience)
	const caseNote = " Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
	return []diagnose.Entry{
		row(AADSTSNoMatchingRecord, "No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: 'repo:octo-org/octo-repo:ref:refs/heads/main'. Assertion Audience: 'api://AzureADTokenExchange'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
			"it persists through the step's retries", sampleTarget, c),
		row(AADSTSIssuerMismatch, "No matching federated identity record found for presented assertion issuer 'https://token.actions.githubusercontent.com'."+caseNote, "", sampleTarget, c),
		row(AADSTSIssuerMismatch, "No matching federated identity record found for presented assertion issuer 'https://token.actions.githubusercontent.com/octo-enterprise'."+caseNote,
			"the token comes from an enterprise issuer or GitHub Enterprise Server", sampleTarget, diagnose.SampleClaims(sampleAudience, "iss", diagnose.SampleEnterprise)),
		row(AADSTSAudienceMismatch, "No matching federated identity record found for presented assertion audience 'https://github.com/octo-org'."+caseNote,
			"the `audience` input is set", sampleTarget, diagnose.SampleClaims(diagnose.SampleGitHubOwner)),
		row(AADSTSAudienceMismatch, "No matching federated identity record found for presented assertion audience 'api://AzureADTokenExchange'."+caseNote,
			"`azure-cloud: AzureUSGovernment` (or China), with a credential made for the portal's api://AzureADTokenExchangeUSGov", sampleGovTarget, diagnose.SampleClaims(sampleAudience)),
		row(AADSTSSubjectMismatch, "No matching federated identity record found for presented assertion subject 'repo:octo-org/octo-repo:ref:refs/heads/main'."+caseNote, "", sampleTarget, c),
		row(AADSTSSubjectMismatch, "No matching federated identity record found for presented assertion subject 'repo:octo-org@65432/octo-repo@123456:ref:refs/heads/main'."+caseNote,
			"the repository's `sub` uses the immutable-id form", sampleTarget, diagnose.SampleClaims(sampleAudience, "sub", diagnose.SampleImmutable)),
		row(AADSTSAppNotFound, "Application with identifier '11111111-2222-3333-4444-555555555555' was not found in the directory 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", "", sampleTarget, c),
		row(AADSTSTenantNotFound, "Tenant 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", "", sampleTarget, c),
		row(AADSTSAssertionTimeRange, "Client assertion is not within its valid time range. Current time: 2023-11-14T22:25:00.0000000Z, assertion valid from 2023-11-14T22:13:20.0000000Z, expiry time of assertion 2023-11-14T22:18:20.0000000Z.", "", sampleTarget, c),
		row(AADSTSMalformedJWT, "JWT token is invalid or malformed.", "", sampleTarget, c),
		row(AADSTSSignatureInvalid, "Assertion failed signature validation. [Reason - The key was not found.]", "", sampleTarget, c),
	}
}
