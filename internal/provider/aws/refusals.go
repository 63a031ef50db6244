package aws

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/retry"
)

// assumeCall names the STS call in messages.
const assumeCall = "AWS STS AssumeRoleWithWebIdentity"

// trustStatement is one statement of an IAM role trust policy, fields in the order AWS's console
// shows them.
type trustStatement struct {
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal"`
	Action    string                       `json:"Action"`
	Condition map[string]map[string]string `json:"Condition"`
}

type trustDocument struct {
	Version   string           `json:"Version"`
	Statement []trustStatement `json:"Statement"`
}

// trustPolicy is the role trust policy that admits a token with these claims: the
// condition keys are <issuer host>:aud and <issuer host>:sub.
func trustPolicy(partition, account string, claims idtoken.Claims, wildcard bool) string {
	host := claims.IssuerHost()
	aud := claims.AudienceString()
	sub := diagnose.SubjectFor(claims.Subject())
	cond := map[string]map[string]string{"StringEquals": {host + ":aud": aud}}
	if wildcard && sub.Wildcard != "" {
		cond["StringLike"] = map[string]string{host + ":sub": sub.Wildcard}
	} else {
		cond["StringEquals"][host+":sub"] = sub.Exact
	}
	p := trustDocument{Version: "2012-10-17", Statement: []trustStatement{{
		Effect:    "Allow",
		Principal: map[string]string{"Federated": fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", partition, account, host)},
		Action:    "sts:AssumeRoleWithWebIdentity",
		Condition: cond,
	}}}
	b, _ := json.MarshalIndent(p, "", "  ")
	return string(b)
}

// explainAssume explains an STS refusal of AssumeRoleWithWebIdentity for the role roleARN.
func explainAssume(code, message, partition, account, roleARN string, from idtoken.AudienceChoice, claims idtoken.Claims) *diagnose.Error {
	e := &diagnose.Error{Call: assumeCall, Code: code, Message: message, Claims: claims}
	host := claims.IssuerHost()
	aud := claims.AudienceString()
	providerARN := fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", partition, account, host)
	lower := strings.ToLower(message)
	switch {
	case code == "AccessDenied" || code == "IDPRejectedClaim":
		e.Trust = true
		e.Cause = fmt.Sprintf("The trust policy of %s does not admit this token: its conditions on %s:sub and %s:aud must match the token's sub and aud, and its Principal must be the OIDC provider %s", roleARN, host, host, providerARN)
		if code == "AccessDenied" {
			// STS answers a role that does not exist exactly as one whose trust policy refuses,
			// so a misspelled role name must not send the user to edit a policy.
			e.Cause = fmt.Sprintf("The trust policy of %s does not admit this token, or no such role in account %s: STS gives the same answer for both (aws iam get-role --role-name %s tells them apart). The policy's conditions on %s:sub and %s:aud must match the token's sub and aud, and its Principal must be the OIDC provider %s",
				roleARN, account, roleName(roleARN), host, host, providerARN)
		}
		if strings.Contains(claims.Subject(), "@") && strings.HasPrefix(claims.Subject(), "repo:") {
			e.Cause += ". This repository's sub uses the immutable-id form (repo:owner@id/repo@id:…); a condition written with plain names does not match it"
		}
		if host != "token.actions.githubusercontent.com" {
			e.Cause += fmt.Sprintf(". The token was issued by %s (GitHub Enterprise Server or an enterprise issuer), so the role must trust that issuer's OIDC provider", claims.Issuer())
		}
		e.Fix = trustFix(partition, account, roleARN, claims)
		if code == "AccessDenied" {
			e.Fix = fmt.Sprintf("Check that the role exists:\naws iam get-role --role-name %s --query Role.Arn\n\n%s", roleName(roleARN), e.Fix)
		}
	case code == "InvalidIdentityToken" && strings.Contains(lower, "audience"):
		e.Trust = true
		add := fmt.Sprintf("aws iam add-client-id-to-open-id-connect-provider \\\n  --open-id-connect-provider-arn %s \\\n  --client-id %s\n", providerARN, aud)
		if a := (diagnose.Audience{Default: DefaultAudience, Asked: aud, From: from}); a.FromInput() {
			e.Cause = fmt.Sprintf("The IAM OIDC provider %s does not list the token's audience %q, %s, as a client ID. %s, which an OIDC provider for GitHub Actions lists; or add %q to the provider's client IDs", providerARN, aud, a.Chose(), a.Remove(), aud)
			e.Fix = a.RemoveFix() + "Or add it to the OIDC provider's client IDs:\n" + add
			break
		}
		e.Cause = fmt.Sprintf("The IAM OIDC provider %s does not list the token's audience %q as a client ID. Add it to the provider, or set %s to a client ID the provider lists", providerARN, aud, audienceInput)
		if partition == "aws-cn" {
			// configure-aws-credentials sends sts.amazonaws.com in China too, and so do we.
			e.Cause += ". In China regions this action sends sts.amazonaws.com, as aws-actions/configure-aws-credentials does; a provider created with the client ID sts.amazonaws.com.cn needs `" + audienceInput + ": sts.amazonaws.com.cn`"
		}
		e.Fix = add
	case code == "InvalidIdentityToken" && strings.Contains(lower, "no openidconnect provider"):
		e.Trust = true
		e.Cause = fmt.Sprintf("Account %s has no IAM OIDC provider for %s. Create it once per account, with the audience as its client ID", account, claims.Issuer())
		e.Fix = fmt.Sprintf("aws iam create-open-id-connect-provider \\\n  --url %s \\\n  --client-id-list %s\n\n%s", claims.Issuer(), aud, trustFix(partition, account, roleARN, claims))
	case code == "InvalidIdentityToken":
		e.Trust = true
		e.Cause = "STS could not validate the token against the account's OIDC provider; check that the provider's URL is exactly the token's issuer"
		e.Fix = fmt.Sprintf("Show the provider's Url and ClientIDList:\naws iam get-open-id-connect-provider \\\n  --open-id-connect-provider-arn %s\n\nIts Url must be %s (without https://) and its ClientIDList must hold %s.\n", providerARN, host, aud)
	case code == "ExpiredTokenException":
		e.Cause = "The ID token expired before STS saw it (GitHub's tokens live about 5 minutes); a slow step or a wrong clock on the runner is the usual cause: re-run the job"
	case code == "ValidationError" && strings.Contains(lower, "durationseconds"):
		e.Cause = "aws-role-duration-seconds is longer than the role's maximum session duration: lower it, or raise the role's MaxSessionDuration (aws iam update-role --max-session-duration)"
	case code == "ValidationError":
		e.Cause = "STS rejected a parameter: check aws-role-arn, aws-role-session-name and the session policies"
	case code == "PackedPolicyTooLarge":
		e.Cause = "The session policies are too large: shorten aws-inline-session-policy or pass fewer aws-managed-session-policies"
	case code == "RegionDisabledException":
		e.Cause = "STS is not activated in this region for the account: activate it in IAM account settings, or choose another aws-region"
	case code == "AccessDeniedException" || strings.HasPrefix(code, "InvalidClientTokenId"):
		e.Cause = "STS refused the call; check that aws-sts-endpoint points at STS for the role's partition"
	}
	return e
}

func trustFix(partition, account, roleARN string, claims idtoken.Claims) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Trust policy for %s that admits exactly this token:\n%s\n", roleARN, trustPolicy(partition, account, claims, false))
	if sub := diagnose.SubjectFor(claims.Subject()); sub.Wildcard != "" {
		fmt.Fprintf(&b, "\nOr, to admit %s (StringLike):\n%s\n", sub.Kind, trustPolicy(partition, account, claims, true))
	}
	b.WriteString("\n" + diagnose.NeverTrust + "\n")
	return b.String()
}

// chainCall names the role-chaining call in messages.
const chainCall = "AWS STS AssumeRole"

// chainHop is one hop of aws-role-chain: the role it assumes, and the role whose session calls
// AssumeRole (the web-identity role for the first line).
type chainHop struct {
	// Line is the hop's line in aws-role-chain, counted from 1.
	Line int
	// RoleARN is the role this hop assumes; PrevRoleARN the role it is assumed from.
	RoleARN, PrevRoleARN string
	// Partition is the roles' partition (aws, aws-cn, …).
	Partition string
}

// roleStatement is a statement with an AWS principal and no condition.
type roleStatement struct {
	Effect    string            `json:"Effect"`
	Principal map[string]string `json:"Principal,omitempty"`
	Action    []string          `json:"Action"`
	Resource  string            `json:"Resource,omitempty"`
}

type roleDocument struct {
	Version   string          `json:"Version"`
	Statement []roleStatement `json:"Statement"`
}

// chainTrustPolicy is the trust policy a chained role needs: it trusts the role before it
// (its sessions call AssumeRole), not the OIDC provider, which only the first role trusts.
// sts:TagSession is included because a session's transitive tags travel along a chain, and
// AssumeRole with tags is refused without it.
func chainTrustPolicy(prevRoleARN string) string {
	b, _ := json.MarshalIndent(roleDocument{Version: "2012-10-17", Statement: []roleStatement{{
		Effect: "Allow", Principal: map[string]string{"AWS": prevRoleARN}, Action: []string{"sts:AssumeRole", "sts:TagSession"},
	}}}, "", "  ")
	return string(b)
}

// chainPermissionPolicy is the identity policy the previous role needs to call AssumeRole
// on the next one (needed across accounts; within one account the trust policy suffices).
func chainPermissionPolicy(roleARN string) string {
	b, _ := json.MarshalIndent(roleDocument{Version: "2012-10-17", Statement: []roleStatement{{
		Effect: "Allow", Action: []string{"sts:AssumeRole", "sts:TagSession"}, Resource: roleARN,
	}}}, "", "  ")
	return string(b)
}

// roleName is the name of a role ARN (arn:aws:iam::<account>:role/<path/><name>).
func roleName(roleARN string) string {
	return roleARN[strings.LastIndex(roleARN, "/")+1:]
}

// explainChain explains a refusal of the AssumeRole call of one aws-role-chain hop.
func explainChain(code, message string, hop chainHop) *diagnose.Error {
	e := &diagnose.Error{Call: fmt.Sprintf("%s into %s (aws-role-chain line %d)", chainCall, hop.RoleARN, hop.Line), Code: code, Message: message}
	lower := strings.ToLower(message)
	switch {
	case code == "AccessDenied":
		e.Cause = fmt.Sprintf("The session of %s may not assume %s. A chained role trusts the role before it, not the OIDC provider: add the statement below to the trust policy of %s, and, when the roles are in different accounts, allow sts:AssumeRole on it in a permissions policy of %s (or fix line %d of aws-role-chain)",
			hop.PrevRoleARN, hop.RoleARN, hop.RoleARN, hop.PrevRoleARN, hop.Line)
		var b strings.Builder
		fmt.Fprintf(&b, "Trust policy for %s (it trusts the previous role %s):\n%s\n", hop.RoleARN, hop.PrevRoleARN, chainTrustPolicy(hop.PrevRoleARN))
		fmt.Fprintf(&b, "\naws iam update-assume-role-policy --role-name %s --policy-document file://trust.json\n", roleName(hop.RoleARN))
		fmt.Fprintf(&b, "\nPermissions policy for %s (needed when %s is in another account):\n%s\n", hop.PrevRoleARN, hop.RoleARN, chainPermissionPolicy(hop.RoleARN))
		fmt.Fprintf(&b, "\naws iam put-role-policy --role-name %s --policy-name assume-%s --policy-document file://permissions.json\n", roleName(hop.PrevRoleARN), roleName(hop.RoleARN))
		e.Fix = b.String()
	case code == "ValidationError" && strings.Contains(lower, "durationseconds"):
		e.Cause = fmt.Sprintf("The duration on line %d of aws-role-chain is longer than %s allows: a chained session lasts at most 3600 seconds, and no longer than the role's MaxSessionDuration; lower duration= on that line, or raise the role's maximum (aws iam update-role --max-session-duration)", hop.Line, hop.RoleARN)
	case code == "ValidationError":
		e.Cause = fmt.Sprintf("STS rejected a parameter of line %d of aws-role-chain: check its role ARN and session-name", hop.Line)
	case code == "RegionDisabledException":
		e.Cause = fmt.Sprintf("STS is not activated in this region for the account of %s: activate it in IAM account settings, or choose another aws-region", hop.RoleARN)
	case code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch" || code == "ExpiredToken":
		e.Cause = fmt.Sprintf("STS did not accept the credentials of the previous hop (%s); check that aws-sts-endpoint points at STS for the role's partition, and re-run the job", hop.PrevRoleARN)
	}
	return e
}

// retryBudget adds, to an STS failure that used up retry-max-attempts, how our budget
// differs from configure-aws-credentials': it retries every error 12 times, we retry only
// failures that can clear (throttling, 5xx, network) and 5 times by default, within
// timeout-seconds. A workflow moving over from an STS that throttles hard hits this first.
func retryBudget(err error) error {
	var ex *retry.ExhaustedError
	if !errors.As(err, &ex) || ex.Deadline {
		return err
	}
	return fmt.Errorf("%w (aws-actions/configure-aws-credentials makes 12 attempts by default, this step made %d: raise retry-max-attempts, and timeout-seconds if needed, for an STS that throttles this hard)", err, ex.Attempts)
}
