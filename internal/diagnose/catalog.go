package diagnose

import (
	"strconv"
	"strings"

	"github.com/oidc-login/oidc-login/internal/idtoken"
)

//go:generate go run ./cmd/troubleshooting -readme ../../README.md

// Entry is one refusal the code explains: the service's own code and a real message (from
// spec/wire.md or the e2e emulators), and how the provider's diagnose function is called with
// them. README.md's troubleshooting tables are rendered from what Explain returns, so the
// README says exactly what a failing step prints.
type Entry struct {
	// Provider is the provider's name, as in the provider input.
	Provider string
	// Code is the service's code as the error shows it (AccessDenied, invalid_target,
	// AADSTS700213, HTTP 403…).
	Code string
	// Sample is the service's message, verbatim.
	Sample string
	// When names the circumstance the row is about when the same answer is explained
	// differently for different tokens or targets ("" for the usual case).
	When string
	// Claims are the claims of the refused token.
	Claims idtoken.Claims
	// Explain calls the provider's diagnose function with a message and the token's claims;
	// tests call it with other claim sets too.
	Explain func(message string, claims idtoken.Claims) *Error
}

// Explained is the explanation a step prints for this entry's sample.
func (e Entry) Explained() *Error { return e.Explain(e.Sample, e.Claims) }

// The sample token: a push to main of octo-org/octo-repo on GitHub.com. Times are fixed so the
// README renders the same every time.
const (
	sampleIssuer     = "https://token.actions.githubusercontent.com"
	sampleEnterprise = "https://token.actions.githubusercontent.com/octo-enterprise"
	sampleSubject    = "repo:octo-org/octo-repo:ref:refs/heads/main"
	sampleImmutable  = "repo:octo-org@65432/octo-repo@123456:ref:refs/heads/main"
)

// sampleClaims is the sample token with audience aud, changed by the name/value pairs in set.
func sampleClaims(aud string, set ...string) idtoken.Claims {
	c := idtoken.Claims{
		"iss": sampleIssuer, "aud": aud, "sub": sampleSubject,
		"repository": "octo-org/octo-repo", "repository_owner": "octo-org", "repository_owner_id": "65432",
		"ref": "refs/heads/main", "event_name": "push",
		"job_workflow_ref": "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main",
		"iat":              float64(1700000000), "nbf": float64(1700000000), "exp": float64(1700000300),
	}
	for i := 0; i+1 < len(set); i += 2 {
		c[set[i]] = set[i+1]
	}
	return c
}

// The sample targets, named like the README's quick starts.
const (
	sampleAWSAccount   = "123456789012"
	sampleAWSRole      = "arn:aws:iam::123456789012:role/deploy"
	sampleAlibabaRole  = "acs:ram::1234567890123456:role/deploy"
	sampleAlibabaOIDC  = "acs:ram::1234567890123456:oidc-provider/github"
	sampleExchangeURL  = "https://sts.example.com/token"
	sampleGitHubOwner  = "https://github.com/octo-org"
	sampleGCPAudience  = "https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github"
	sampleAzureAud     = "api://AzureADTokenExchange"
	sampleAzureUSGov   = "api://AzureADTokenExchangeUSGov"
	sampleAlibabaAud   = "sts.aliyuncs.com"
	sampleAWSAudience  = "sts.amazonaws.com"
	sampleLongBranch   = "refs/heads/renovate/update-dependency-github.com-aws-aws-sdk-go-v2-service-sts-to-v1.33.19-and-friends-for-the-weekly-batch"
	sampleRequestID    = "6A4F5F8E-2B1C-5D6E-9F0A-1B2C3D4E5F60"
	sampleRecommendURL = "https://api.aliyun.com/troubleshoot?q="
)

var (
	sampleGCP = GCPTarget{
		Provider:      "projects/123456789012/locations/global/workloadIdentityPools/github-pool/providers/github",
		ProjectNumber: "123456789012", Pool: "github-pool", ProviderID: "github",
		ServiceAccount: "deploy@octo-project.iam.gserviceaccount.com", Project: "octo-project",
	}
	sampleAzure = AzureTarget{
		ClientID: "11111111-2222-3333-4444-555555555555", TenantID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
		Cloud: "AzureCloud", AuthorityHost: "https://login.microsoftonline.com", Audience: sampleAzureAud,
		Graph: "https://graph.microsoft.com",
	}
	sampleAzureGov = AzureTarget{
		ClientID: sampleAzure.ClientID, TenantID: sampleAzure.TenantID,
		Cloud: "AzureUSGovernment", AuthorityHost: "https://login.microsoftonline.us", Audience: sampleAzureAud,
		CloudAudience: sampleAzureUSGov, Graph: "https://graph.microsoft.us",
	}
	sampleVault = VaultTarget{Mount: "jwt", Role: "deploy"}
)

// Providers lists the providers with explained refusals, in the README's order, with the
// title of their table.
var Providers = []struct{ Name, Title string }{
	{"aws", "AWS STS (`aws`)"},
	{"gcp", "Google Cloud STS and IAM Credentials (`gcp`)"},
	{"azure", "Microsoft Entra ID (`azure`)"},
	{"vault", "Vault and OpenBao (`vault`)"},
	{"alibaba", "Alibaba Cloud STS (`alibaba`)"},
	{"token-exchange", "RFC 8693 token exchange (`token-exchange`)"},
}

// Catalog lists every refusal the code explains.
var Catalog = concat(awsCatalog(), gcpCatalog(), azureCatalog(), vaultCatalog(), alibabaCatalog(), tokenExchangeCatalog())

func concat(lists ...[]Entry) []Entry {
	var all []Entry
	for _, l := range lists {
		all = append(all, l...)
	}
	return all
}

func awsCatalog() []Entry {
	row := func(code, sample, when string, claims idtoken.Claims) Entry {
		return Entry{Provider: "aws", Code: code, Sample: sample, When: when, Claims: claims,
			Explain: func(m string, c idtoken.Claims) *Error {
				return AWS(code, m, "aws", sampleAWSAccount, sampleAWSRole, c)
			}}
	}
	// hop is the AssumeRole of the first aws-role-chain line, from deploy into another account.
	hop := func(code, sample string) Entry {
		return Entry{Provider: "aws", Code: code, Sample: sample, When: "an `aws-role-chain` hop (sts:AssumeRole)",
			Explain: func(m string, _ idtoken.Claims) *Error {
				return AWSChain(code, m, AWSHop{Line: 1, RoleARN: sampleAWSChained, PrevRoleARN: sampleAWSRole, Partition: "aws"})
			}}
	}
	c := sampleClaims(sampleAWSAudience)
	return []Entry{
		row("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "", c),
		row("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "the repository's `sub` uses the immutable-id form",
			sampleClaims(sampleAWSAudience, "sub", sampleImmutable)),
		row("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "the token comes from an enterprise issuer or GitHub Enterprise Server",
			sampleClaims(sampleAWSAudience, "iss", sampleEnterprise)),
		row("IDPRejectedClaim", "The identity provider (IdP) reported that authentication failed. This might be because the claim is invalid.", "", c),
		row("InvalidIdentityToken", "Incorrect token audience", "the `audience` input is set", sampleClaims(sampleGitHubOwner)),
		{Provider: "aws", Code: "InvalidIdentityToken", Sample: "Incorrect token audience", When: "a China region, with a provider created for sts.amazonaws.com.cn",
			Claims: c, Explain: func(m string, c idtoken.Claims) *Error {
				return AWS("InvalidIdentityToken", m, "aws-cn", sampleAWSAccount, "arn:aws-cn:iam::"+sampleAWSAccount+":role/deploy", c)
			}},
		row("InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com", "", c),
		row("InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.", "", c),
		row("ExpiredTokenException", "Token expired: current date/time 1700000400 must be before the expiration date/time 1700000300", "", c),
		row("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", "", c),
		row("ValidationError", "1 validation error detected: Value 'deploy run' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", "", c),
		row("PackedPolicyTooLarge", "Packed policy consumes 112% of allotted space, please use smaller policy.", "", c),
		row("RegionDisabledException", "STS is not activated in this region for account:123456789012. Your account administrator can activate STS in this region using the IAM Console.", "", c),
		row("InvalidClientTokenId", "The security token included in the request is invalid.", "", c),
		hop("AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions is not authorized to perform: sts:AssumeRole on resource: "+sampleAWSChained),
		hop("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."),
		hop("ValidationError", "1 validation error detected: Value 'deploy run' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
		hop("RegionDisabledException", "STS is not activated in this region for account:210987654321. Your account administrator can activate STS in this region using the IAM Console."),
		hop("InvalidClientTokenId", "The security token included in the request is invalid."),
		hop("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."),
	}
}

// sampleAWSChained is the role the README's role-chaining example assumes after deploy.
const sampleAWSChained = "arn:aws:iam::210987654321:role/prod-deploy"

func gcpCatalog() []Entry {
	sts := func(code, sample, when string, claims idtoken.Claims) Entry {
		return Entry{Provider: "gcp", Code: code, Sample: sample, When: when, Claims: claims,
			Explain: func(m string, c idtoken.Claims) *Error { return GCPSTS(code, m, sampleGCP, c) }}
	}
	iam := func(status string, http int, sample string) Entry {
		return Entry{Provider: "gcp", Code: status, Sample: sample, Claims: sampleClaims(sampleGCPAudience),
			Explain: func(m string, c idtoken.Claims) *Error {
				return GCPIAM("generateAccessToken", http, status, m, sampleGCP, c)
			}}
	}
	c := sampleClaims(sampleGCPAudience)
	long := sampleClaims(sampleGCPAudience, "ref", sampleLongBranch, "sub", "repo:octo-org/octo-repo:ref:"+sampleLongBranch)
	return []Entry{
		sts("invalid_target", `The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.`, "", c),
		sts("invalid_grant", "The audience in ID Token [https://github.com/octo-org] does not match the expected audience.", "the `audience` input is set", sampleClaims(sampleGitHubOwner)),
		sts("invalid_grant", "The issuer in ID Token https://token.actions.githubusercontent.com/octo-enterprise does not match the expected ones.", "the token comes from an enterprise issuer",
			sampleClaims(sampleGCPAudience, "iss", sampleEnterprise)),
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
		{Provider: "gcp", Code: "PERMISSION_DENIED", Sample: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
			When: "`gcp-delegates` is set", Claims: sampleClaims(sampleGCPAudience),
			Explain: func(m string, c idtoken.Claims) *Error {
				t := sampleGCP
				t.Delegates = []string{"relay@octo-project.iam.gserviceaccount.com"}
				return GCPIAM("generateAccessToken", 403, "PERMISSION_DENIED", m, t, c)
			}},
	}
}

func azureCatalog() []Entry {
	row := func(code int, sample, when string, t AzureTarget, claims idtoken.Claims) Entry {
		return Entry{Provider: "azure", Code: "AADSTS" + strconv.Itoa(code), Sample: sample, When: when, Claims: claims,
			Explain: func(m string, c idtoken.Claims) *Error { return Azure(code, m, t, c) }}
	}
	c := sampleClaims(sampleAzureAud)
	const caseNote = " Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
	return []Entry{
		row(AADSTSNoMatchingRecord, "No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: 'repo:octo-org/octo-repo:ref:refs/heads/main'. Assertion Audience: 'api://AzureADTokenExchange'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
			"it persists through the step's retries", sampleAzure, c),
		row(AADSTSIssuerMismatch, "No matching federated identity record found for presented assertion issuer 'https://token.actions.githubusercontent.com'."+caseNote, "", sampleAzure, c),
		row(AADSTSIssuerMismatch, "No matching federated identity record found for presented assertion issuer 'https://token.actions.githubusercontent.com/octo-enterprise'."+caseNote,
			"the token comes from an enterprise issuer or GitHub Enterprise Server", sampleAzure, sampleClaims(sampleAzureAud, "iss", sampleEnterprise)),
		row(AADSTSAudienceMismatch, "No matching federated identity record found for presented assertion audience 'https://github.com/octo-org'."+caseNote,
			"the `audience` input is set", sampleAzure, sampleClaims(sampleGitHubOwner)),
		row(AADSTSAudienceMismatch, "No matching federated identity record found for presented assertion audience 'api://AzureADTokenExchange'."+caseNote,
			"`azure-cloud: AzureUSGovernment` (or China), with a credential made for the portal's api://AzureADTokenExchangeUSGov", sampleAzureGov, sampleClaims(sampleAzureAud)),
		row(AADSTSSubjectMismatch, "No matching federated identity record found for presented assertion subject 'repo:octo-org/octo-repo:ref:refs/heads/main'."+caseNote, "", sampleAzure, c),
		row(AADSTSSubjectMismatch, "No matching federated identity record found for presented assertion subject 'repo:octo-org@65432/octo-repo@123456:ref:refs/heads/main'."+caseNote,
			"the repository's `sub` uses the immutable-id form", sampleAzure, sampleClaims(sampleAzureAud, "sub", sampleImmutable)),
		row(AADSTSAppNotFound, "Application with identifier '11111111-2222-3333-4444-555555555555' was not found in the directory 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", "", sampleAzure, c),
		row(AADSTSTenantNotFound, "Tenant 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", "", sampleAzure, c),
		row(AADSTSAssertionTimeRange, "Client assertion is not within its valid time range. Current time: 2023-11-14T22:25:00.0000000Z, assertion valid from 2023-11-14T22:13:20.0000000Z, expiry time of assertion 2023-11-14T22:18:20.0000000Z.", "", sampleAzure, c),
		row(AADSTSMalformedJWT, "JWT token is invalid or malformed.", "", sampleAzure, c),
		row(AADSTSSignatureInvalid, "Assertion failed signature validation. [Reason - The key was not found.]", "", sampleAzure, c),
	}
}

func vaultCatalog() []Entry {
	loginStatus := func(status int, sample string, claims idtoken.Claims) Entry {
		return Entry{Provider: "vault", Code: "HTTP " + strconv.Itoa(status), Sample: sample, Claims: claims,
			Explain: func(m string, c idtoken.Claims) *Error { return VaultLogin(status, []string{m}, sampleVault, c) }}
	}
	login := func(sample string, claims idtoken.Claims) Entry { return loginStatus(400, sample, claims) }
	read := func(status int, path, sample string, warnings ...string) Entry {
		return Entry{Provider: "vault", Code: "HTTP " + strconv.Itoa(status), Sample: sample, When: "reading `" + path + "`",
			Explain: func(m string, _ idtoken.Claims) *Error {
				var errs []string
				if m != "" {
					errs = []string{m}
				}
				return VaultRead(status, errs, warnings, path, "", sampleVault, []string{"default", "ci"})
			}}
	}
	c := sampleClaims(sampleGitHubOwner)
	return []Entry{
		login(`role "deploy" could not be found`, c),
		login("missing role", c),
		login("audience claim found in JWT but no audiences bound to the role", c),
		login("error validating token: invalid audience (aud) claim: audience claim does not match any expected audience", c),
		login("sub claim does not match bound subject", c),
		login(`error validating claims: claim "sub" does not match any associated bound claim values`, c),
		login(`error validating claims: claim "environment" is missing`, c),
		login(`claim "email" not found in token`, c),
		login("error validating token: invalid issuer (iss) claim: issuer does not match the expected issuer", sampleClaims(sampleGitHubOwner, "iss", sampleEnterprise)),
		login("error validating token: invalid expiration time (exp) claim: token is expired", c),
		login("error validating token: invalid not before (nbf) claim: token not yet valid", c),
		login("error validating token: failed to verify signature: no known key successfully validated the token signature", c),
		loginStatus(404, `no handler for route "auth/jwt/login". route entry not found.`, c),
		login("role with oidc role_type is not allowed", c),
		loginStatus(403, "1 error occurred:\n\t* permission denied\n\n", c),
		read(403, "secret/data/ci", "1 error occurred:\n\t* permission denied\n\n"),
		read(404, "secret/ci", "", "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation."),
		read(404, "kv/ci", ""),
	}
}

func alibabaCatalog() []Entry {
	row := func(code, sample, when string, claims idtoken.Claims) Entry {
		return Entry{Provider: "alibaba", Code: code, Sample: sample, When: when, Claims: claims,
			Explain: func(m string, c idtoken.Claims) *Error {
				return Alibaba(AlibabaFailure{Code: code, Message: m, RequestID: sampleRequestID,
					Recommend: sampleRecommendURL + code + "&product=Sts", RoleARN: sampleAlibabaRole, ProviderARN: sampleAlibabaOIDC}, c)
			}}
	}
	c := sampleClaims(sampleAlibabaAud)
	return []Entry{
		row("AuthenticationFail.NoPermission", "There is no permission.", "", c),
		row("AuthenticationFail.NoPermission", "There is no permission.", "the repository's `sub` uses the immutable-id form", sampleClaims(sampleAlibabaAud, "sub", sampleImmutable)),
		row("AuthenticationFail.NoPermission", "No such OIDC Provider registered.", "", c),
		row("AuthenticationFail.OIDCToken.AudienceNotMatch", "Invalid audience.", "the `audience` input is set", sampleClaims(sampleGitHubOwner)),
		row("AuthenticationFail.OIDCToken.Expired", "This JsonWebToken is expired.", "", c),
		row("AuthenticationFail.OIDCToken.InvalidSignature", "OIDC token validate failed: invalid signature.", "", c),
		row("AuthenticationFail.OIDCToken.Invalid", "The issuer of the OIDC token does not match the IssuerUrl of the OIDC Provider.", "the token comes from an enterprise issuer", sampleClaims(sampleAlibabaAud, "iss", sampleEnterprise)),
		row("InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.", "", c),
		row("InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/1hr.", "", c),
		row("InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.", "", c),
		row("EntityNotExist.Role", "The role not exists: acs:ram::1234567890123456:role/deploy.", "", c),
	}
}

func tokenExchangeCatalog() []Entry {
	row := func(f TokenExchangeFailure, when string) Entry {
		f.URL = sampleExchangeURL
		code := f.Code
		if code == "" {
			code = "HTTP " + strconv.Itoa(f.Status)
		}
		return Entry{Provider: "token-exchange", Code: code, Sample: f.Description, When: when, Claims: sampleClaims(sampleGitHubOwner),
			Explain: func(m string, c idtoken.Claims) *Error { g := f; g.Description = m; return TokenExchange(g, c) }}
	}
	return []Entry{
		row(TokenExchangeFailure{Status: 400, Code: "invalid_grant", Description: "subject_token rejected: subject repo:octo-org/octo-repo:ref:refs/heads/main is not allowed to exchange tokens"}, ""),
		row(TokenExchangeFailure{Status: 400, Code: "invalid_target", Description: "the requested target https://api.example.com is not allowed", Resource: "https://api.example.com"}, ""),
		row(TokenExchangeFailure{Status: 401, Code: "invalid_client", Description: "client authentication failed: client_id is required"}, "`token-exchange-client-id` is empty"),
		row(TokenExchangeFailure{Status: 401, Code: "invalid_client", Description: "client authentication failed: unknown client", ClientID: "ci"}, "`token-exchange-client-id` is set"),
		row(TokenExchangeFailure{Status: 400, Code: "unauthorized_client", Description: "the client is not authorized to use this grant type", ClientID: "ci"}, ""),
		row(TokenExchangeFailure{Status: 400, Code: "invalid_scope", Description: "the requested scope is invalid, unknown, or malformed", Scope: "admin"}, ""),
		row(TokenExchangeFailure{Status: 400, Code: "unsupported_grant_type", Description: `grant_type "urn:ietf:params:oauth:grant-type:token-exchange" is not supported`}, ""),
		row(TokenExchangeFailure{Status: 400, Code: "invalid_request", Description: `unsupported subject_token_type "urn:ietf:params:oauth:token-type:id_token"`}, ""),
		row(TokenExchangeFailure{Status: 403}, "the server answers without an RFC 6749 error body"),
	}
}

// firstSentence is a message up to its first full stop, for the table.
func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i]
	}
	return strings.TrimSuffix(s, ".")
}
