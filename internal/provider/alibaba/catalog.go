package alibaba

import (
	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// refusals are the refusals this provider explains, for its page's troubleshooting table and
// the tests (diagnose.Catalog).
var refusals = diagnose.Catalog{
	Title:   "Alibaba Cloud STS",
	CLIs:    []string{"aliyun", "openssl"},
	Entries: catalog,
}

// The sample targets, named like the quick start of the provider's page.
const (
	sampleRole         = "acs:ram::1234567890123456:role/deploy"
	sampleOIDCProvider = "acs:ram::1234567890123456:oidc-provider/github"
	sampleAudience     = "sts.aliyuncs.com"
	sampleRequestID    = "6A4F5F8E-2B1C-5D6E-9F0A-1B2C3D4E5F60"
	sampleRecommendURL = "https://api.aliyun.com/troubleshoot?q="
)

func catalog() []diagnose.Entry {
	row := func(code, sample, when string, claims idtoken.Claims) diagnose.Entry {
		return diagnose.Entry{Code: code, Sample: sample, When: when, Claims: claims,
			Explain: func(m string, c idtoken.Claims) *diagnose.Error {
				return explain(failure{Code: code, Message: m, RequestID: sampleRequestID,
					Recommend: sampleRecommendURL + code + "&product=Sts", RoleARN: sampleRole, ProviderARN: sampleOIDCProvider}, c)
			}}
	}
	c := diagnose.SampleClaims(sampleAudience)
	return []diagnose.Entry{
		row("AuthenticationFail.NoPermission", "There is no permission.", "", c),
		row("AuthenticationFail.NoPermission", "There is no permission.", "the repository's `sub` uses the immutable-id form", diagnose.SampleClaims(sampleAudience, "sub", diagnose.SampleImmutable)),
		row("AuthenticationFail.NoPermission", "No such OIDC Provider registered.", "", c),
		row("AuthenticationFail.OIDCToken.AudienceNotMatch", "Invalid audience.", "the `audience` input is set", diagnose.SampleClaims(diagnose.SampleGitHubOwner)),
		row("AuthenticationFail.OIDCToken.AudienceNotMatch", "Invalid audience.", "the OIDC provider lacks the default client id", c),
		row("AuthenticationFail.OIDCToken.Expired", "This JsonWebToken is expired.", "", c),
		row("AuthenticationFail.OIDCToken.InvalidSignature", "OIDC token validate failed: invalid signature.", "", c),
		row("AuthenticationFail.OIDCToken.Invalid", "The issuer of the OIDC token does not match the IssuerUrl of the OIDC Provider.", "the token comes from an enterprise issuer", diagnose.SampleClaims(sampleAudience, "iss", diagnose.SampleEnterprise)),
		row("InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.", "", c),
		row("InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/1hr.", "", c),
		row("InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.", "", c),
		row("EntityNotExist.Role", "The role not exists: acs:ram::1234567890123456:role/deploy.", "", c),
	}
}
