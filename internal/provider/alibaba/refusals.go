package alibaba

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// assumeCall names the STS call in messages.
const assumeCall = "Alibaba Cloud STS AssumeRoleWithOIDC"

// failure is one refusal of AssumeRoleWithOIDC, as the RPC gateway answered it, and
// what was asked for.
type failure struct {
	Code, Message, RequestID, Recommend string
	RoleARN, ProviderARN                string
	// AudienceFrom is which input chose the token's audience.
	AudienceFrom idtoken.AudienceChoice
}

// trustStatement is one statement of a RAM role's trust policy, in RAM's policy language.
type trustStatement struct {
	Action    string                       `json:"Action"`
	Effect    string                       `json:"Effect"`
	Principal map[string][]string          `json:"Principal"`
	Condition map[string]map[string]string `json:"Condition"`
}

type trustDocument struct {
	Statement []trustStatement `json:"Statement"`
	Version   string           `json:"Version"`
}

// trustPolicy is the RAM role trust policy that admits a token with these claims
// through the OIDC provider providerARN: RAM's condition keys are oidc:iss, oidc:aud and
// oidc:sub.
func trustPolicy(providerARN string, claims idtoken.Claims, wildcard bool) string {
	sub := diagnose.SubjectFor(claims.Subject())
	cond := map[string]map[string]string{"StringEquals": {
		"oidc:iss": claims.Issuer(),
		"oidc:aud": claims.AudienceString(),
	}}
	if wildcard && sub.Wildcard != "" {
		cond["StringLike"] = map[string]string{"oidc:sub": sub.Wildcard}
	} else {
		cond["StringEquals"]["oidc:sub"] = sub.Exact
	}
	p := trustDocument{Version: "1", Statement: []trustStatement{{
		Action:    "sts:AssumeRole",
		Effect:    "Allow",
		Principal: map[string][]string{"Federated": {providerARN}},
		Condition: cond,
	}}}
	b, _ := json.MarshalIndent(p, "", "  ")
	return string(b)
}

// arnName is the name at the end of an ARN (role/<name>, oidc-provider/<name>).
func arnName(arn string) string {
	return arn[strings.LastIndex(arn, "/")+1:]
}

// explain explains a refusal of AssumeRoleWithOIDC.
func explain(f failure, claims idtoken.Claims) *diagnose.Error {
	e := &diagnose.Error{Call: assumeCall, Code: f.Code, Message: diagnose.Sentence(f.Message), Claims: claims}
	role, prov := arnName(f.RoleARN), arnName(f.ProviderARN)
	aud := claims.AudienceString()
	lower := strings.ToLower(f.Message)
	switch {
	case f.Code == "AuthenticationFail.NoPermission" && strings.Contains(lower, "oidc provider"):
		e.Trust = true
		e.Cause = fmt.Sprintf("The account has no OIDC provider %s: check alibaba-oidc-provider-arn, or create the provider for the issuer %s with the audience %q as a client id", f.ProviderARN, claims.Issuer(), aud)
		e.Fix = fmt.Sprintf("aliyun ims CreateOIDCProvider \\\n  --OIDCProviderName %s \\\n  --IssuerUrl %s \\\n  --ClientIds %s \\\n  --Fingerprints <SHA-1 fingerprint of the issuer TLS certificate>\n\nthen give the role %s this trust policy:\n%s\n",
			prov, claims.Issuer(), aud, f.RoleARN, trustPolicy(f.ProviderARN, claims, false))
	case f.Code == "AuthenticationFail.NoPermission":
		e.Trust = true
		e.Cause = fmt.Sprintf("The trust policy of %s does not admit this token: its Principal must be the OIDC provider %s and its conditions on oidc:iss, oidc:aud and oidc:sub must match the token's iss, aud and sub", f.RoleARN, f.ProviderARN)
		if strings.Contains(claims.Subject(), "@") && strings.HasPrefix(claims.Subject(), "repo:") {
			e.Cause += ". This repository's sub uses the immutable-id form (repo:owner@id/repo@id:…); a condition written with plain names does not match it"
		}
		e.Fix = trustFix(f.RoleARN, role, f.ProviderARN, claims)
	case f.Code == "AuthenticationFail.OIDCToken.AudienceNotMatch":
		e.Trust = true
		e.Cause = fmt.Sprintf("The OIDC provider %s does not list the token's audience %q as a client id. Add it to the provider's client ids, or set %s to a client id the provider lists", f.ProviderARN, aud, audienceInput)
		e.Fix = fmt.Sprintf("UpdateOIDCProvider replaces the whole list: name every client id the provider should keep, separated by commas.\n\naliyun ims UpdateOIDCProvider \\\n  --OIDCProviderName %s \\\n  --ClientIds %s\n", prov, aud)
		if a := (diagnose.Audience{Default: DefaultAudience, Asked: aud, From: f.AudienceFrom}); a.FromInput() {
			e.Cause = fmt.Sprintf("The OIDC provider %s does not list the token's audience %q, %s, as a client id. %s, the client id the quick start creates the OIDC provider with; or add %q to the provider's client ids", f.ProviderARN, aud, a.Chose(), a.Remove(), aud)
			e.Fix = a.RemoveFix() + "Or add it to the provider's client ids. " + e.Fix
		}
	case f.Code == "AuthenticationFail.OIDCToken.Expired":
		e.Cause = "The ID token expired before STS saw it (GitHub's tokens live about 5 minutes); a slow step or a wrong clock on the runner is the usual cause: re-run the job"
	case f.Code == "AuthenticationFail.OIDCToken.InvalidSignature":
		e.Trust = true
		e.Cause = fmt.Sprintf("STS could not verify the token's signature with the keys it fetched for the OIDC provider %s: its IssuerUrl must be exactly the token's issuer %s (with GitHub Enterprise Server, https://<host>/_services/token), and its fingerprint must be the current SHA-1 fingerprint of that issuer's TLS certificate", f.ProviderARN, claims.Issuer())
		e.Fix = fmt.Sprintf("Read the issuer's current certificate fingerprint:\n\n  openssl s_client -connect %s:443 -servername %s </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha1\n\nthen add it to the provider (without the colons; UpdateOIDCProvider does not change fingerprints):\n\naliyun ims AddFingerprintToOIDCProvider \\\n  --OIDCProviderName %s \\\n  --Fingerprint <fingerprint>\n",
			issuerHost(claims), issuerHost(claims), prov)
	case f.Code == "AuthenticationFail.OIDCToken.Invalid" || strings.HasPrefix(f.Code, "AuthenticationFail.OIDCToken."):
		e.Trust = true
		e.Cause = fmt.Sprintf("STS could not accept the token for the OIDC provider %s; check that the provider's IssuerUrl is exactly the token's issuer %s", f.ProviderARN, claims.Issuer())
		e.Fix = fmt.Sprintf("Show the provider's IssuerUrl, ClientIds and Fingerprints:\naliyun ims GetOIDCProvider \\\n  --OIDCProviderName %s\n\nAn IssuerUrl cannot be changed: if it is not %s, create a provider for that issuer (CreateOIDCProvider) and point alibaba-oidc-provider-arn and the role's trust policy at it.\n", prov, claims.Issuer())
	case f.Code == "InvalidParameter.RoleSessionName":
		e.Cause = "alibaba-role-session-name must be 2 to 64 characters of letters, digits and ._@-"
	case f.Code == "InvalidParameter.DurationSeconds":
		e.Cause = fmt.Sprintf("alibaba-duration-seconds is longer than the maximum session duration of %s (3600 unless raised, at most 43200): lower it, or raise the role's MaxSessionDuration", f.RoleARN)
		e.Fix = fmt.Sprintf("aliyun ram UpdateRole \\\n  --RoleName %s \\\n  --NewMaxSessionDuration 43200\n", role)
	case strings.HasPrefix(f.Code, "InvalidParameter.Policy"):
		e.Cause = "alibaba-policy is not a policy STS accepts: check its grammar against RAM's policy language (Version \"1\") and its length"
	case strings.HasPrefix(f.Code, "EntityNotExist.Role"):
		e.Cause = fmt.Sprintf("The role %s does not exist: check alibaba-role-arn (account id and role name)", f.RoleARN)
	}
	if f.RequestID != "" || f.Recommend != "" {
		// Alibaba support asks for the request id; Recommend is its own diagnosis page.
		var b strings.Builder
		b.WriteString(e.Fix)
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		if f.RequestID != "" {
			fmt.Fprintf(&b, "RequestId: %s\n", f.RequestID)
		}
		if f.Recommend != "" {
			fmt.Fprintf(&b, "Alibaba Cloud's diagnosis: %s\n", f.Recommend)
		}
		e.Fix = b.String()
	}
	return e
}

// issuerHost is the issuer's host name, for openssl.
func issuerHost(claims idtoken.Claims) string {
	h := claims.IssuerHost()
	if i := strings.Index(h, "/"); i >= 0 {
		return h[:i]
	}
	return h
}

func trustFix(roleARN, role, providerARN string, claims idtoken.Claims) string {
	var b strings.Builder
	exact := trustPolicy(providerARN, claims, false)
	fmt.Fprintf(&b, "Trust policy for %s that admits exactly this token:\n%s\n", roleARN, exact)
	if sub := diagnose.SubjectFor(claims.Subject()); sub.Wildcard != "" {
		fmt.Fprintf(&b, "\nOr, to admit %s (StringLike):\n%s\n", sub.Kind, trustPolicy(providerARN, claims, true))
	}
	fmt.Fprintf(&b, "\nApply it with:\n\naliyun ram UpdateRole \\\n  --RoleName %s \\\n  --NewAssumeRolePolicyDocument '<policy JSON above>'\n", role)
	b.WriteString("\n" + diagnose.NeverTrust + "\n")
	return b.String()
}
