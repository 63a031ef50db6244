package azure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/lazyre"
)

// tokenCall names the Entra ID token request in messages.
const tokenCall = "Microsoft Entra ID token request"

// trustTarget is what a login asked Entra ID for, to explain a refusal in its terms.
type trustTarget struct {
	ClientID, TenantID string
	// Cloud is the azure-cloud name (AzureCloud, AzureUSGovernment, AzureChinaCloud).
	Cloud         string
	AuthorityHost string
	// Audience is the default ID-token audience (api://AzureADTokenExchange in every cloud).
	Audience string
	// CloudAudience is the audience Microsoft's portal proposes for credentials in this
	// cloud (…USGov, …China in the sovereign clouds).
	CloudAudience string
	// Graph is the cloud's Microsoft Graph host (https://graph.microsoft.com).
	Graph string
	// AudienceFrom is which input chose the token's audience.
	AudienceFrom idtoken.AudienceChoice
}

// The AADSTS codes of workload identity federation that Azure explains.
const (
	AADSTSNoMatchingRecord   = 70021
	AADSTSIssuerMismatch     = 700211
	AADSTSAudienceMismatch   = 700212
	AADSTSSubjectMismatch    = 700213
	AADSTSAppNotFound        = 700016
	AADSTSTenantNotFound     = 90002
	AADSTSAssertionTimeRange = 700024
	AADSTSMalformedJWT       = 50027
	AADSTSSignatureInvalid   = 50013
)

// explain explains an Entra ID refusal of the client-credentials grant whose client_assertion
// was the GitHub ID token with these claims. code is the AADSTS number, message the
// service's description without its trace lines.
func explain(code int, message string, t trustTarget, claims idtoken.Claims) *diagnose.Error {
	e := &diagnose.Error{Call: tokenCall, Code: fmt.Sprintf("AADSTS%d", code), Message: message, Claims: claims}
	iss, sub, aud := claims.Issuer(), claims.Subject(), claims.AudienceString()
	app := fmt.Sprintf("application %s in tenant %s", t.ClientID, t.TenantID)
	exact := "Entra ID compares issuer, subject and audience exactly and case-sensitively: a * in a subject is a literal character, not a wildcard"
	switch code {
	case AADSTSNoMatchingRecord:
		e.Trust = true
		e.Cause = fmt.Sprintf("No federated identity credential of %s has issuer %s, subject %s and audience %s all equal to the token's. %s. A credential created in the last minute or so may not have propagated yet; re-run the job if you just added it", app, iss, sub, aud, exact)
	case AADSTSIssuerMismatch:
		e.Trust = true
		e.Cause = fmt.Sprintf("No federated identity credential of %s has the issuer %s. The credential's issuer must be exactly the token's iss (no trailing slash)", app, iss)
		if claims.IssuerHost() != "token.actions.githubusercontent.com" {
			e.Cause += "; this token comes from GitHub Enterprise Server or an enterprise-specific issuer, not https://token.actions.githubusercontent.com"
		}
	case AADSTSAudienceMismatch:
		e.Trust = true
		e.Cause = fmt.Sprintf("The federated identity credentials of %s with issuer %s do not list the token's audience %s", app, iss, aud)
		if a := (diagnose.Audience{Default: t.Audience, Asked: aud, From: t.AudienceFrom}); a.FromInput() {
			e.Cause += fmt.Sprintf(", %s. %s in %s; or add a credential with audience %s", a.Chose(), a.Remove(), t.Cloud, aud)
			e.Fix = a.RemoveFix() + "Or add a credential with that audience:\n\n" + trustFix(t, claims)
			return e
		}
		if t.CloudAudience != "" && t.CloudAudience != aud {
			e.Cause += fmt.Sprintf(". In %s this action sends %s, as Azure/login does, but Microsoft's portal proposes %s for credentials in this cloud: if yours lists that, set `audience: %s`, or add a credential with audience %s", t.Cloud, aud, t.CloudAudience, t.CloudAudience, aud)
		}
	case AADSTSSubjectMismatch:
		e.Trust = true
		e.Cause = fmt.Sprintf("No federated identity credential of %s with issuer %s and audience %s has the subject %s. %s. Add a credential with exactly this subject (below); a job with `environment:` presents the environment subject, not the branch one", app, iss, aud, sub, exact)
		if strings.HasPrefix(sub, "repo:") && strings.Contains(diagnose.Repository(sub), "@") {
			e.Cause += "; this repository's sub uses the immutable-id form (repo:owner@id/repo@id:…), which a credential written with plain names does not match"
		}
	case AADSTSAppNotFound:
		e.Trust = true
		e.Cause = fmt.Sprintf("Tenant %s has no application with the client id %s. Set azure-client-id to the Application (client) ID of the app registration, or the Client ID of the user-assigned managed identity (not an object or principal id), and azure-tenant-id to the tenant it lives in", t.TenantID, t.ClientID)
	case AADSTSTenantNotFound:
		e.Trust = true
		e.Cause = fmt.Sprintf("Entra ID at %s knows no tenant %s. Check azure-tenant-id, and azure-cloud (now %s): a US Government tenant exists only at login.microsoftonline.us and a China tenant only at login.chinacloudapi.cn", t.AuthorityHost, t.TenantID, t.Cloud)
	case AADSTSAssertionTimeRange:
		e.Trust = true
		e.Cause = fmt.Sprintf("Entra ID saw the ID token outside its validity (issued %s, expires %s; GitHub's tokens live about 5 minutes). A slow step or a wrong clock on the runner is the usual cause: re-run the job", claimTime(claims, "iat"), claimTime(claims, "exp"))
	case AADSTSMalformedJWT:
		e.Trust = true
		e.Cause = "Entra ID could not read the client assertion as a JWT. The runner's ID token is always one, so a proxy that rewrites requests, or a token endpoint that is not Entra ID (check azure-authority-host), is the likely cause"
	case AADSTSSignatureInvalid:
		e.Trust = true
		e.Cause = fmt.Sprintf("Entra ID could not verify the token's signature with the keys it fetched for the issuer %s (from %s/.well-known/openid-configuration). With GitHub Enterprise Server that address must be reachable from the internet; otherwise check that the credential's issuer is exactly the token's iss", iss, strings.TrimRight(iss, "/"))
	default:
		e.Cause = "Entra ID refused the client-credentials grant; its message above says why"
		return e
	}
	e.Fix = trustFix(t, claims)
	return e
}

func claimTime(c idtoken.Claims, name string) string {
	if t := c.Time(name); !t.IsZero() {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return "(unknown)"
}

// federatedCredential is the body of `az ad app federated-credential create
// --parameters`, fields in the order Microsoft documents them.
type federatedCredential struct {
	Name        string   `json:"name"`
	Issuer      string   `json:"issuer"`
	Subject     string   `json:"subject"`
	Audiences   []string `json:"audiences"`
	Description string   `json:"description"`
}

// flexibleCredential is a flexible federated identity credential (Graph beta): it
// matches claims with an expression instead of an exact subject.
type flexibleCredential struct {
	Name                     string     `json:"name"`
	Issuer                   string     `json:"issuer"`
	Audiences                []string   `json:"audiences"`
	ClaimsMatchingExpression expression `json:"claimsMatchingExpression"`
	Description              string     `json:"description"`
}

type expression struct {
	Value           string `json:"value"`
	LanguageVersion int    `json:"languageVersion"`
}

// credentialFor is the federated identity credential that admits exactly a token with
// these claims.
func credentialFor(claims idtoken.Claims) federatedCredential {
	sub := claims.Subject()
	return federatedCredential{
		Name:        credentialName(sub),
		Issuer:      claims.Issuer(),
		Subject:     sub,
		Audiences:   claims.Audience(),
		Description: "GitHub Actions OIDC: " + sub,
	}
}

var nameJunkRE = lazyre.New(`[^A-Za-z0-9_-]+`)

// credentialName derives a credential name Entra accepts (3 to 120 letters, digits, - and _,
// starting with a letter or digit) from a subject: octo-repo-branch-main.
func credentialName(sub string) string {
	name := sub
	if repo := diagnose.Repository(sub); repo != "" {
		short := repo[strings.LastIndex(repo, "/")+1:]
		if i := strings.Index(short, "@"); i > 0 {
			short = short[:i]
		}
		ctx := strings.TrimPrefix(sub, "repo:"+repo+":")
		switch {
		case strings.HasPrefix(ctx, "ref:refs/heads/"):
			ctx = "branch-" + strings.TrimPrefix(ctx, "ref:refs/heads/")
		case strings.HasPrefix(ctx, "ref:refs/tags/"):
			ctx = "tag-" + strings.TrimPrefix(ctx, "ref:refs/tags/")
		case ctx == "pull_request":
			ctx = "pull-request"
		}
		name = short + "-" + ctx
	}
	name = strings.ReplaceAll(name, "*", "any")
	name = strings.Trim(nameJunkRE().ReplaceAllString(name, "-"), "-_")
	if len(name) > 120 {
		name = strings.TrimRight(name[:120], "-_")
	}
	if len(name) < 3 {
		name = "github-actions"
	}
	return name
}

func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	return strings.TrimRight(b.String(), "\n")
}

// shellQuote single-quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// trustFix is the federated identity credential that admits this token, as the az commands
// that create it on an app registration or a user-assigned managed identity, and, where a
// wildcard would help, the flexible credential that admits the token's siblings.
func trustFix(t trustTarget, claims idtoken.Claims) string {
	fic := credentialFor(claims)
	var b strings.Builder
	fmt.Fprintf(&b, "Federated identity credential that admits exactly this token (Entra ID matches issuer, subject and audience exactly; there are no wildcards in subject):\n\n")
	fmt.Fprintf(&b, "az ad app federated-credential create --id %s --parameters %s\n", t.ClientID, shellQuote(compactJSON(fic)))
	fmt.Fprintf(&b, "\nFor a user-assigned managed identity instead:\n\n")
	fmt.Fprintf(&b, "az identity federated-credential create --identity-name <identity-name> --resource-group <resource-group> \\\n  --name %s --issuer %s --subject %s --audiences %s\n",
		fic.Name, shellQuote(fic.Issuer), shellQuote(fic.Subject), shellQuote(strings.Join(fic.Audiences, " ")))
	sub := diagnose.SubjectFor(claims.Subject())
	if sub.Wildcard != "" {
		flex := flexibleCredential{
			Name:      credentialName(sub.Wildcard),
			Issuer:    fic.Issuer,
			Audiences: fic.Audiences,
			ClaimsMatchingExpression: expression{
				Value:           "claims['sub'] matches '" + sub.Wildcard + "'",
				LanguageVersion: 1,
			},
			Description: "GitHub Actions OIDC: " + sub.Kind,
		}
		graph := t.Graph
		if graph == "" {
			graph = "https://graph.microsoft.com"
		}
		fmt.Fprintf(&b, "\nTo admit %s with one credential, an app registration can use a flexible federated identity credential (preview), which matches claimsMatchingExpression instead of subject. Save this as fic.json:\n\n%s\n\n", sub.Kind, compactJSON(flex))
		fmt.Fprintf(&b, "az rest --method post --url \"%s/beta/applications(appId='%s')/federatedIdentityCredentials\" --body @fic.json\n", graph, t.ClientID)
		b.WriteString("\n" + diagnose.NeverTrust + "\n")
	}
	return b.String()
}
