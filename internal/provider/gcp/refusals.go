package gcp

import (
	"fmt"
	"sort"
	"strings"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/lazyre"
)

// Names of Google's calls in messages.
const (
	stsCall = "Google STS token exchange"
	iamCall = "Google IAM Credentials"
)

// mappedAttributeLimit is the size Google allows a mapped attribute (google.subject and
// every attribute.*).
const mappedAttributeLimit = 127

// trustTarget is what the login was aimed at, for explanations.
type trustTarget struct {
	// Provider is projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<id>.
	Provider      string
	ProjectNumber string
	Pool          string
	ProviderID    string
	// ServiceAccount is "" for direct federation.
	ServiceAccount string
	// Project is the service account's project id when known.
	Project string
	// Delegates are the service accounts of gcp-delegates, in chain order.
	Delegates []string
	// AudienceFrom is which input chose the token's audience.
	AudienceFrom idtoken.AudienceChoice
}

func (t trustTarget) poolName() string {
	return "projects/" + t.ProjectNumber + "/locations/global/workloadIdentityPools/" + t.Pool
}

// principalSet is the IAM member for every token of a repository, through the
// attribute.repository mapping.
func principalSet(t trustTarget, repository string) string {
	return "principalSet://iam.googleapis.com/" + t.poolName() + "/attribute.repository/" + repository
}

// principal is the IAM member for one subject (google.subject, mapped from sub).
func principal(t trustTarget, subject string) string {
	return "principal://iam.googleapis.com/" + t.poolName() + "/subject/" + subject
}

// celQuote writes a CEL string literal.
func celQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// attributeCondition is the attribute_condition (CEL over assertion.*) that admits exactly the
// context of this token: its repository, and its branch or tag, environment, or event.
// broad leaves the context out and admits any workflow of the repository.
func attributeCondition(claims idtoken.Claims, broad bool) string {
	repo := claims.String("repository")
	if repo == "" {
		// Not a GitHub Actions token of the usual shape: the subject is all there is.
		return "assertion.sub == " + celQuote(claims.Subject())
	}
	parts := []string{"assertion.repository == " + celQuote(repo)}
	if broad {
		return parts[0]
	}
	switch {
	case claims.String("environment") != "":
		parts = append(parts, "assertion.environment == "+celQuote(claims.String("environment")))
	case claims.String("event_name") == "pull_request":
		parts = append(parts, "assertion.event_name == 'pull_request'")
	case claims.String("ref") != "":
		parts = append(parts, "assertion.ref == "+celQuote(claims.String("ref")))
	}
	return strings.Join(parts, " && ")
}

// wildcardCondition is the attribute_condition for the narrowest wildcard SubjectFor
// suggests (any branch, tag or environment of the repository), as a prefix of sub; "" when
// there is none. The prefix ends with the repository and a colon, so it never spans
// repositories.
func wildcardCondition(claims idtoken.Claims) string {
	w := diagnose.SubjectFor(claims.Subject()).Wildcard
	prefix, ok := strings.CutSuffix(w, "*")
	if !ok || strings.Contains(prefix, "*") {
		return ""
	}
	return "assertion.sub.startsWith(" + celQuote(prefix) + ")"
}

// shellDoubleQuote double-quotes s for a POSIX shell, escaping what a shell expands inside
// double quotes: a branch may be named feature/$HOME.
func shellDoubleQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "`", "\\`").Replace(s) + `"`
}

// gcloudProvider is the common tail of gcloud's workload-identity-pools providers commands.
func gcloudProvider(verb string, t trustTarget) string {
	return fmt.Sprintf("gcloud iam workload-identity-pools providers %s %s \\\n  --project=%s --location=global --workload-identity-pool=%s", verb, t.ProviderID, t.ProjectNumber, t.Pool)
}

var mappedAttrRE = lazyre.New(`mapped attribute (\S+) exceeds`)

// explainSTS explains a refusal by STS (an OAuth error code and description).
func explainSTS(code, description string, t trustTarget, claims idtoken.Claims) *diagnose.Error {
	e := &diagnose.Error{Call: stsCall, Code: code, Message: diagnose.Sentence(description), Claims: claims}
	lower := strings.ToLower(description)
	aud := claims.AudienceString()
	switch {
	case code == "invalid_target":
		e.Cause = fmt.Sprintf("STS found no active workload identity provider %s. Check that gcp-workload-identity-provider names the provider (…/providers/<id>), not the pool; that projects/%s is the project NUMBER (not the id) of the project that holds the pool; and that neither the pool nor the provider is disabled or deleted", t.Provider, t.ProjectNumber)
		e.Fix = fmt.Sprintf("List the providers of the pool and their state:\ngcloud iam workload-identity-pools providers list \\\n  --project=%s --location=global --workload-identity-pool=%s \\\n  --format='table(name,state,disabled)'\n\nThe project number of a project id:\ngcloud projects describe <project id> --format='value(projectNumber)'\n", t.ProjectNumber, t.Pool)
	case code == "invalid_grant" && strings.Contains(lower, "audience"):
		e.Trust = true
		allow := gcloudProvider("update-oidc", t) + fmt.Sprintf(" \\\n  --allowed-audiences=%s\n", aud)
		if a := (diagnose.Audience{Default: "https://iam.googleapis.com/" + t.Provider, Asked: aud, From: t.AudienceFrom}); a.FromInput() {
			e.Cause = fmt.Sprintf("The provider does not accept the token's audience %q, %s. %s, which a provider with no allowed audiences configured accepts; or add %q to the provider's allowed audiences", aud, a.Chose(), a.Remove(), aud)
			e.Fix = a.RemoveFix() + "Or add it to the provider's allowed audiences (list every audience it should accept):\n" + allow
			break
		}
		e.Cause = fmt.Sprintf("The provider does not accept the token's audience %q, the default this action asks for: its allowed audiences are configured and do not list it. Add it to them, or set %s to one they list", aud, audienceInput)
		e.Fix = "Add it to the provider's allowed audiences (list every audience it should accept):\n" + allow
	case code == "invalid_grant" && strings.Contains(lower, "issuer"):
		e.Trust = true
		e.Cause = fmt.Sprintf("The provider's issuer URI is not the token's issuer %s. GitHub.com issues https://token.actions.githubusercontent.com; GitHub Enterprise Server and enterprises with a custom issuer use their own", claims.Issuer())
		e.Fix = gcloudProvider("update-oidc", t) + fmt.Sprintf(" \\\n  --issuer-uri=%s\n", claims.Issuer())
	case code == "invalid_grant" && strings.Contains(lower, "127 bytes"):
		e.Trust = true
		e.Cause, e.Fix = mappedAttribute(description, t, claims)
	case code == "invalid_grant" && (strings.Contains(lower, "attribute condition") || strings.Contains(lower, "rejected by the attribute")):
		e.Trust = true
		e.Cause = fmt.Sprintf("The provider's attribute condition rejects this token. The condition is CEL over the token's claims (assertion.<claim>); it must be true for the claims below. This token is from repository %s, ref %s", orDash(claims.String("repository")), orDash(claims.String("ref")))
		e.Fix = conditionFix(t, claims)
	case code == "invalid_grant" && (strings.Contains(lower, "expired") || strings.Contains(lower, "stale")):
		e.Cause = "The ID token expired before STS saw it (GitHub's tokens live about 5 minutes); a slow step or a wrong clock on the runner is the usual cause: re-run the job"
	case code == "invalid_grant":
		e.Trust = true
		e.Cause = fmt.Sprintf("STS could not validate the token with the provider %s: check its issuer URI (%s) and that the provider can fetch the issuer's keys", t.Provider, claims.Issuer())
		e.Fix = fmt.Sprintf("Show the provider's issuer URI:\n%s \\\n  --format='value(oidc.issuerUri)'\n\nSet it to the token's issuer:\n%s \\\n  --issuer-uri=%s\n", gcloudProvider("describe", t), gcloudProvider("update-oidc", t), claims.Issuer())
	case code == "invalid_request":
		e.Cause = "STS rejected the request's shape; check gcp-workload-identity-provider and gcp-access-token-scopes, and gcp-sts-endpoint if you set it"
	}
	return e
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func conditionFix(t trustTarget, claims idtoken.Claims) string {
	var b strings.Builder
	exact := attributeCondition(claims, false)
	fmt.Fprintf(&b, "An attribute condition that admits exactly this workflow's context:\n  %s\n\n", exact)
	fmt.Fprintf(&b, "%s \\\n  --attribute-condition=%s\n", gcloudProvider("update-oidc", t), shellDoubleQuote(exact))
	if narrow := wildcardCondition(claims); narrow != "" {
		fmt.Fprintf(&b, "\nOr, to admit %s:\n  %s\n", diagnose.SubjectFor(claims.Subject()).Kind, narrow)
	}
	if broad := attributeCondition(claims, true); broad != exact {
		fmt.Fprintf(&b, "\nOr, to admit any workflow of %s:\n  %s\n", claims.String("repository"), broad)
	}
	b.WriteString("\nNever leave the condition without the repository (or repository_owner): any repository on GitHub could then federate into the pool.\n")
	return b.String()
}

// mappedAttribute explains the 127-byte limit: which claims are too long to map, and a
// mapping of google.subject that always fits.
func mappedAttribute(description string, t trustTarget, claims idtoken.Claims) (cause, fix string) {
	attr := "a mapped attribute"
	if m := mappedAttrRE().FindStringSubmatch(description); m != nil {
		attr = m[1]
	}
	var long []string
	for _, n := range claims.Names() {
		if s, ok := claims[n].(string); ok && len(s) > mappedAttributeLimit {
			long = append(long, fmt.Sprintf("%s (%d bytes)", n, len(s)))
		}
	}
	sort.Strings(long)
	cause = fmt.Sprintf("Google maps %s from the token through the provider's attribute mapping, and a mapped value may be at most %d bytes", attr, mappedAttributeLimit)
	if len(long) > 0 {
		cause += "; this token's longer claims are " + strings.Join(long, ", ")
	}
	cause += ". Map google.subject to something that always fits, and bind service accounts through attribute.repository rather than the subject"
	fix = gcloudProvider("update-oidc", t) +
		" \\\n  --attribute-mapping=\"google.subject=assertion.repository_id + ':' + assertion.run_id,attribute.repository=assertion.repository,attribute.repository_owner=assertion.repository_owner\"\n" +
		"\nBranch, environment and workflow names are chosen by whoever pushes: a mapping of assertion.sub or assertion.ref fails for long ones.\n"
	return cause, fix
}

// explainIAM explains a refusal by IAM Credentials (a google.rpc status).
func explainIAM(method string, httpStatus int, status, message string, t trustTarget, claims idtoken.Claims) *diagnose.Error {
	e := &diagnose.Error{Call: iamCall + " " + method, Code: status, Message: diagnose.Sentence(message), Claims: claims}
	if e.Code == "" {
		e.Code = fmt.Sprintf("HTTP %d", httpStatus)
	}
	switch {
	case status == "PERMISSION_DENIED" && len(t.Delegates) > 0:
		e.Trust = true
		e.Cause, e.Fix = delegationDenied(t, claims)
	case status == "PERMISSION_DENIED":
		e.Trust = true
		e.Cause, e.Fix = permissionDenied(t, claims)
	case status == "NOT_FOUND":
		e.Cause = fmt.Sprintf("The service account %s does not exist (or was deleted): check gcp-service-account", t.ServiceAccount)
	case status == "UNAUTHENTICATED":
		e.Cause = "IAM Credentials did not accept the federated token STS had just issued; check that gcp-iam-credentials-endpoint is in the same universe as gcp-sts-endpoint"
	case status == "INVALID_ARGUMENT":
		e.Cause = "IAM Credentials rejected a parameter: a gcp-access-token-lifetime above 3600s needs the organisation policy constraints/iam.allowServiceAccountCredentialLifetimeExtension to list the service account; also check gcp-access-token-scopes and gcp-id-token-audience"
	case status == "FAILED_PRECONDITION":
		e.Cause = fmt.Sprintf("The service account %s cannot mint tokens right now; it may be disabled (gcloud iam service-accounts enable %s)", t.ServiceAccount, t.ServiceAccount)
	}
	return e
}

// permissionDenied explains a missing roles/iam.workloadIdentityUser binding, naming the
// exact member that identifies this repository.
func permissionDenied(t trustTarget, claims idtoken.Claims) (cause, fix string) {
	repo := claims.String("repository")
	if repo == "" {
		repo = diagnose.Repository(claims.Subject())
	}
	member := principal(t, claims.Subject())
	if repo != "" {
		member = principalSet(t, repo)
	}
	cause = fmt.Sprintf("The federated identity may not impersonate %s: grant roles/iam.workloadIdentityUser on the service account to the member %s (this needs the attribute mapping attribute.repository=assertion.repository on the provider). If the binding is new, it can take up to 5 minutes to apply; a service account that does not exist is refused the same way", t.ServiceAccount, member)
	project := t.Project
	if project == "" {
		project = "<project id>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "gcloud iam service-accounts add-iam-policy-binding %s \\\n  --project=%s \\\n  --role=roles/iam.workloadIdentityUser \\\n  --member=%s\n", t.ServiceAccount, project, member)
	fmt.Fprintf(&b, "\nOr, to admit only this token's subject (google.subject=assertion.sub):\n  --member=%s\n", principal(t, claims.Subject()))
	fmt.Fprintf(&b, "\nThe provider must map the attribute the member names:\n%s \\\n  --attribute-mapping=\"google.subject=assertion.sub,attribute.repository=assertion.repository\"\n", gcloudProvider("update-oidc", t))
	fmt.Fprintf(&b, "\nNever grant the whole pool (principalSet://iam.googleapis.com/%s/*): unless the provider's attribute condition names the repository, any repository on GitHub could then impersonate the service account.\n", t.poolName())
	return cause, b.String()
}

// delegationDenied explains a refusal along a gcp-delegates chain. Google does not say
// which link is missing (its message is the same for each, and for an account that does not
// exist), so the fix lists every binding the chain needs: the federated identity on the first
// delegate, each delegate on the next, the last delegate on the target, each with
// roles/iam.serviceAccountTokenCreator (which holds iam.serviceAccounts.implicitDelegation).
func delegationDenied(t trustTarget, claims idtoken.Claims) (cause, fix string) {
	member := principal(t, claims.Subject())
	if repo := claims.String("repository"); repo != "" {
		member = principalSet(t, repo)
	}
	chain := append(append([]string{}, t.Delegates...), t.ServiceAccount)
	cause = fmt.Sprintf("A link of the delegation chain %s is missing: each account must hold roles/iam.serviceAccountTokenCreator on the next, starting with the federated identity %s on %s (Google does not say which link failed); check gcp-delegates and the bindings below", strings.Join(append([]string{"federated identity"}, chain...), " → "), member, chain[0])
	var b strings.Builder
	b.WriteString("Bindings the chain needs, in order:\n")
	prev := member
	for _, sa := range chain {
		fmt.Fprintf(&b, "\ngcloud iam service-accounts add-iam-policy-binding %s \\\n  --role=roles/iam.serviceAccountTokenCreator \\\n  --member=%s\n", sa, prev)
		prev = "serviceAccount:" + sa
	}
	return cause, b.String()
}
