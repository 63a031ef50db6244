package aws

import (
	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// refusals are the refusals this provider explains, for its page's troubleshooting table and
// the tests (diagnose.Catalog).
var refusals = diagnose.Catalog{
	Title:   "AWS STS",
	CLIs:    []string{"aws"},
	Entries: catalog,
}

// The sample targets, named like the quick start of the provider's page.
const (
	sampleAccount  = "123456789012"
	sampleRole     = "arn:aws:iam::123456789012:role/deploy"
	sampleAudience = "sts.amazonaws.com"
	sampleChained  = "arn:aws:iam::210987654321:role/prod-deploy"
)

func catalog() []diagnose.Entry {
	row := func(code, sample, when string, claims idtoken.Claims) diagnose.Entry {
		return diagnose.Entry{Code: code, Sample: sample, When: when, Claims: claims,
			Explain: func(m string, c idtoken.Claims) *diagnose.Error {
				return explainAssume(code, m, "aws", sampleAccount, sampleRole, idtoken.AudienceChoice{}, c)
			}}
	}
	// hop is the AssumeRole of the first aws-role-chain line, from deploy into another account.
	hop := func(code, sample string) diagnose.Entry {
		return diagnose.Entry{Code: code, Sample: sample, When: "an `aws-role-chain` hop (sts:AssumeRole)",
			Explain: func(m string, _ idtoken.Claims) *diagnose.Error {
				return explainChain(code, m, chainHop{Line: 1, RoleARN: sampleChained, PrevRoleARN: sampleRole, Partition: "aws"})
			}}
	}
	c := diagnose.SampleClaims(sampleAudience)
	return []diagnose.Entry{
		row("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "", c),
		row("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "the repository's `sub` uses the immutable-id form",
			diagnose.SampleClaims(sampleAudience, "sub", diagnose.SampleImmutable)),
		row("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "the token comes from an enterprise issuer or GitHub Enterprise Server",
			diagnose.SampleClaims(sampleAudience, "iss", diagnose.SampleEnterprise)),
		row("IDPRejectedClaim", "The identity provider (IdP) reported that authentication failed. This might be because the claim is invalid.", "", c),
		row("InvalidIdentityToken", "Incorrect token audience", "the `audience` input is set", diagnose.SampleClaims(diagnose.SampleGitHubOwner)),
		{Code: "InvalidIdentityToken", Sample: "Incorrect token audience", When: "a China region, with a provider created for sts.amazonaws.com.cn",
			Claims: c, Explain: func(m string, c idtoken.Claims) *diagnose.Error {
				return explainAssume("InvalidIdentityToken", m, "aws-cn", sampleAccount, "arn:aws-cn:iam::"+sampleAccount+":role/deploy", idtoken.AudienceChoice{}, c)
			}},
		row("InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com", "", c),
		row("InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.", "", c),
		row("ExpiredTokenException", "Token expired: current date/time 1700000400 must be before the expiration date/time 1700000300", "", c),
		row("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", "", c),
		row("ValidationError", "1 validation error detected: Value 'deploy run' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", "", c),
		row("PackedPolicyTooLarge", "Packed policy consumes 112% of allotted space, please use smaller policy.", "", c),
		row("RegionDisabledException", "STS is not activated in this region for account:123456789012. Your account administrator can activate STS in this region using the IAM Console.", "", c),
		row("InvalidClientTokenId", "The security token included in the request is invalid.", "", c),
		hop("AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions is not authorized to perform: sts:AssumeRole on resource: "+sampleChained),
		hop("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."),
		hop("ValidationError", "1 validation error detected: Value 'deploy run' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
		hop("RegionDisabledException", "STS is not activated in this region for account:210987654321. Your account administrator can activate STS in this region using the IAM Console."),
		hop("InvalidClientTokenId", "The security token included in the request is invalid."),
		hop("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."),
	}
}
