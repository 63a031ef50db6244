package vault

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
	"github.com/oidc-login/oidc-login/internal/lazyre"
)

// Names of the Vault calls in messages.
const (
	loginCall  = "Vault JWT login"
	revokeCall = "Vault token revoke-self"
)

// readCall names the read of one secret path in messages.
func readCall(path string) string { return "Vault read of " + path }

// trustTarget is where a login was tried: the JWT auth mount, the role and the namespace.
type trustTarget struct {
	Mount     string
	Role      string
	Namespace string
	// Audience is the audience the step asked for: the value of the input that chose it, ""
	// when none did (GitHub's default).
	Audience string
	// AudienceFrom is which input chose Audience.
	AudienceFrom idtoken.AudienceChoice
}

// roleName is the role for commands; an empty vault-role means the mount's default_role,
// whose name we do not know.
func (t trustTarget) roleName() string {
	if t.Role == "" {
		return "<default-role>"
	}
	return t.Role
}

// where says which mount (and namespace) for sentences.
func (t trustTarget) where() string {
	s := "auth/" + t.Mount
	if t.Namespace != "" {
		s += " in namespace " + t.Namespace
	}
	return s
}

// vaultCmd starts a vault CLI command, with -namespace when there is one (flags go before
// the path).
func (t trustTarget) vaultCmd(verb string) string {
	if t.Namespace != "" {
		return "vault " + verb + " -namespace=" + shellQuote(t.Namespace) + " "
	}
	return "vault " + verb + " "
}

// serverMessage flattens Vault's error list. Vault wraps ACL refusals in go-multierror's
// "1 error occurred:\n\t* permission denied\n\n", which reads badly on one line.
func serverMessage(errs []string) string {
	var parts []string
	for _, e := range errs {
		e = strings.TrimSpace(e)
		if i := strings.Index(e, "occurred:"); i >= 0 && strings.Contains(e[:i], "error") {
			e = e[i+len("occurred:"):]
		}
		for _, p := range strings.Split(e, "\n") {
			p = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p), "* "))
			if p != "" {
				parts = append(parts, p)
			}
		}
	}
	return strings.Join(parts, "; ")
}

var (
	roleNotFoundRE = lazyre.New(`role "([^"]*)" could not be found`)
	claimRE        = lazyre.New(`claim "([^"]*)" (does not match any associated bound claim values|is missing|not found in token|could not be converted to string)`)
)

// explainLogin explains a refused JWT login. status is the HTTP status, errs Vault's
// "errors" list.
func explainLogin(status int, errs []string, t trustTarget, claims idtoken.Claims) *diagnose.Error {
	msg := serverMessage(errs)
	e := &diagnose.Error{Call: loginCall, Code: fmt.Sprintf("HTTP %d", status), Message: msg, Claims: claims}
	lower := strings.ToLower(msg)
	role := t.roleName()
	aud := claims.AudienceString()
	defaultNote := ""
	if t.Role == "" {
		defaultNote = fmt.Sprintf(" (vault-role is empty, so the mount's default_role was used: `%s` shows its name)", strings.TrimSpace(t.vaultCmd("read"))+" auth/"+t.Mount+"/config")
	}
	switch {
	case roleNotFoundRE().MatchString(msg):
		name := roleNotFoundRE().FindStringSubmatch(msg)[1]
		e.Trust = true
		e.Cause = fmt.Sprintf("%s has no role %q%s. Set vault-role to an existing role (%s), or create this one with the command below", t.where(), name, defaultNote, strings.TrimSpace(t.vaultCmd("list"))+" auth/"+t.Mount+"/role")
		e.Fix = roleFix(trustTarget{Mount: t.Mount, Role: name, Namespace: t.Namespace}, claims, true)
	case strings.Contains(lower, "missing role"):
		e.Cause = fmt.Sprintf("vault-role is empty and %s has no default_role. Set vault-role, or give the mount a default role: %sauth/%s/config default_role=<role>", t.where(), t.vaultCmd("write"), t.Mount)
	case strings.Contains(lower, "no audiences bound to the role"):
		e.Trust = true
		e.Cause = fmt.Sprintf("Role %q on %s binds no audience, but a GitHub ID token always carries one (aud %s)%s. Bind the token's audience with bound_audiences", role, t.where(), aud, defaultNote)
		e.Fix = updateFix(t, "bound_audiences="+shellQuote(aud), claims)
	case strings.Contains(lower, "invalid audience (aud) claim") || strings.Contains(lower, "aud claim does not match any bound audience"):
		e.Trust = true
		e.Cause = fmt.Sprintf("The bound_audiences of role %q on %s do not include the token's aud %s%s. Add it to the role, or set %s to a value the role binds", role, t.where(), aud, defaultNote, audienceInput)
		e.Fix = updateFix(t, "bound_audiences="+shellQuote(aud), claims)
		if a := (diagnose.Audience{Asked: t.Audience, From: t.AudienceFrom}); a.FromInput() {
			e.Cause = fmt.Sprintf("The bound_audiences of role %q on %s do not include the token's aud %s, %s%s. %s, which the quick start's role binds; or add %s to the role's bound_audiences", role, t.where(), aud, a.Chose(), defaultNote, a.Remove(), aud)
			e.Fix = a.RemoveFix() + strings.Replace(e.Fix, "Update the role", "Or update the role", 1)
		}
	case strings.Contains(lower, "sub claim does not match bound subject"):
		e.Trust = true
		e.Cause = fmt.Sprintf("The bound_subject of role %q on %s must equal the token's sub %s exactly (no wildcards)%s. Set it to that value, or clear it and bind sub with bound_claims instead", role, t.where(), claims.Subject(), defaultNote)
		e.Fix = updateFix(t, "bound_subject="+shellQuote(claims.Subject()), claims) + "\nOr, to match with a wildcard instead:\n" +
			t.vaultCmd("write") + "auth/" + t.Mount + "/role/" + role + " \\\n    bound_subject=\"\" \\\n" + boundClaims(claims, "sub", true) + "\n"
	case claimRE().MatchString(msg):
		m := claimRE().FindStringSubmatch(msg)
		claim, what := m[1], m[2]
		e.Trust = true
		switch what {
		case "does not match any associated bound claim values":
			e.Cause = fmt.Sprintf("The bound_claims of role %q on %s do not admit the token's %s %s%s. Set bound_claims to match it (bound_claims is replaced as a whole: keep any other claims you bind in the same JSON)", role, t.where(), claim, claimValue(claims, claim), defaultNote)
			e.Fix = claimFix(t, claims, claim)
		case "is missing":
			e.Cause = fmt.Sprintf("Role %q on %s binds the claim %q, which this token does not carry%s (environment, for one, is only set for jobs that name an environment). Bind claims every token of this workflow carries, such as sub or repository", role, t.where(), claim, defaultNote)
			e.Fix = claimFix(t, claims, "sub")
		default:
			e.Cause = fmt.Sprintf("The user_claim (or groups_claim) of role %q on %s is %q, which this token does not carry as a string%s. Use a claim every GitHub token carries, such as sub, repository or job_workflow_ref", role, t.where(), claim, defaultNote)
			e.Fix = updateFix(t, "user_claim=sub", claims)
		}
	case strings.Contains(lower, "invalid issuer (iss) claim") || strings.Contains(lower, "issuer"):
		e.Trust = true
		e.Cause = fmt.Sprintf("The bound_issuer (or OIDC discovery URL) of %s does not match the token's issuer %s. Configure the mount for that issuer", t.where(), claims.Issuer())
		e.Fix = configFix(t, claims.Issuer())
	case strings.Contains(lower, "not yet valid") || strings.Contains(lower, "invalid not before"):
		e.Cause = fmt.Sprintf("Vault saw the ID token before its nbf (not before) time: the Vault server's clock is behind the runner's. Check the server's clock (NTP), or give role %q on %s more leeway with not_before_leeway (seconds)", role, t.where())
		e.Fix = fmt.Sprintf("Give the role more leeway (fields not named keep their values):\n%sauth/%s/role/%s not_before_leeway=300\n", t.vaultCmd("write"), t.Mount, role)
	case strings.Contains(lower, "expired") || strings.Contains(lower, "invalid expiration"):
		e.Cause = "The ID token expired before Vault saw it (GitHub's tokens live about 5 minutes); a slow step, or a wrong clock on the runner or the Vault server, is the usual cause: re-run the job and check the clocks"
	case strings.Contains(lower, "signature") || strings.Contains(lower, "verifying token") || strings.Contains(lower, "jwks") || strings.Contains(lower, "no known key"):
		e.Trust = true
		e.Cause = fmt.Sprintf("%s could not verify the token's signature: its oidc_discovery_url (or jwks_url) must point at the token's issuer %s", t.where(), claims.Issuer())
		e.Fix = configFix(t, claims.Issuer())
	case strings.Contains(lower, "no handler for route") || strings.Contains(lower, "unsupported path") || status == 404:
		e.Cause = fmt.Sprintf("No auth method is mounted at %s: check vault-auth-path and vault-namespace, or enable the JWT auth method there", t.where())
		e.Fix = t.vaultCmd("auth enable") + "-path=" + t.Mount + " jwt\n" + configFix(t, claims.Issuer())
	case strings.Contains(lower, "oidc role_type"):
		e.Cause = fmt.Sprintf("Role %q on %s has role_type=oidc, which is for browser logins: set role_type=jwt, which a workflow needs", role, t.where())
		e.Fix = updateFix(t, "role_type=jwt", claims)
	case strings.Contains(lower, "permission denied"):
		e.Trust = true
		e.Cause = fmt.Sprintf("Vault denied the login on %s: check that the role's token_bound_cidrs admit the runner's address, and that vault-namespace is the namespace the mount lives in", t.where())
	default:
		e.Trust = true
		e.Cause = fmt.Sprintf("Vault refused the login on %s; check the role's bound_audiences, bound_claims and user_claim against the token's claims", t.where())
		e.Fix = roleFix(t, claims, false)
	}
	return e
}

// claimValue shows a claim of the token for a sentence.
func claimValue(claims idtoken.Claims, name string) string {
	v, ok := claims[name]
	if !ok {
		return "(absent)"
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// boundClaims is the bound_claims argument lines admitting this token on claim (sub gets
// the narrowest wildcard when glob is set).
func boundClaims(claims idtoken.Claims, claim string, glob bool) string {
	value := claimValue(claims, claim)
	typ := "string"
	if glob && claim == "sub" {
		if s := diagnose.SubjectFor(claims.Subject()); s.Wildcard != "" {
			value, typ = s.Wildcard, "glob"
		}
	}
	b, _ := json.Marshal(map[string]string{claim: value})
	return "    bound_claims_type=" + typ + " \\\n    bound_claims=" + shellQuote(string(b))
}

// claimFix is the role update that admits this token on claim, exactly and (for sub) with
// the narrowest wildcard.
func claimFix(t trustTarget, claims idtoken.Claims, claim string) string {
	var b strings.Builder
	head := t.vaultCmd("write") + "auth/" + t.Mount + "/role/" + t.roleName() + " \\\n"
	fmt.Fprintf(&b, "Admit exactly this token's %s:\n%s%s\n", claim, head, boundClaims(claims, claim, false))
	if claim == "sub" {
		if s := diagnose.SubjectFor(claims.Subject()); s.Wildcard != "" {
			fmt.Fprintf(&b, "\nOr, to admit %s:\n%s%s\n", s.Kind, head, boundClaims(claims, claim, true))
		}
		b.WriteString("\n" + diagnose.NeverTrust + "\n")
	}
	return b.String()
}

// updateFix is a one-setting role update (the JWT auth method keeps the fields a write
// does not name), followed by the complete role for reference.
func updateFix(t trustTarget, setting string, claims idtoken.Claims) string {
	return fmt.Sprintf("Update the role (fields not named keep their values):\n%sauth/%s/role/%s %s\n\nA complete role that admits this token:\n%s",
		t.vaultCmd("write"), t.Mount, t.roleName(), setting, roleFix(t, claims, false))
}

// roleFix is the complete role that admits this token, exactly and with the narrowest
// wildcard on sub.
func roleFix(t trustTarget, claims idtoken.Claims, create bool) string {
	var b strings.Builder
	write := func(glob bool) {
		fmt.Fprintf(&b, "%sauth/%s/role/%s \\\n    role_type=jwt \\\n    user_claim=sub \\\n    bound_audiences=%s \\\n%s",
			t.vaultCmd("write"), t.Mount, t.roleName(), shellQuote(claims.AudienceString()), boundClaims(claims, "sub", glob))
		if create {
			b.WriteString(" \\\n    token_policies=<policy> \\\n    token_ttl=15m")
		}
		b.WriteString("\n")
	}
	write(false)
	if s := diagnose.SubjectFor(claims.Subject()); s.Wildcard != "" {
		fmt.Fprintf(&b, "\nOr, to admit %s:\n", s.Kind)
		write(true)
	}
	b.WriteString("\n" + diagnose.NeverTrust + "\n")
	return b.String()
}

// configFix points the mount at the token's issuer.
func configFix(t trustTarget, issuer string) string {
	return fmt.Sprintf("%sauth/%s/config \\\n    oidc_discovery_url=%s \\\n    bound_issuer=%s\n", t.vaultCmd("write"), t.Mount, shellQuote(issuer), shellQuote(issuer))
}

// explainRead explains a refused read of one secret path. policies are the token's, for the
// message.
func explainRead(status int, errs, warnings []string, path, namespace string, t trustTarget, policies []string) *diagnose.Error {
	e := &diagnose.Error{Call: readCall(path), Code: fmt.Sprintf("HTTP %d", status), Message: serverMessage(errs)}
	where := ""
	if namespace != "" {
		where = " in namespace " + namespace
	}
	switch {
	case status == 403:
		e.Cause = fmt.Sprintf("The token's policies (%s) do not allow reading %s%s. Grant read on it in a policy attached to role %q on %s (token_policies)", strings.Join(policies, ", "), path, where, t.roleName(), t.where())
		e.Fix = policyFor(path, t, policies)
	case status == 404 && strings.Contains(strings.Join(warnings, " "), "versioned K/V"):
		e.Message = serverMessage(warnings)
		e.Cause = fmt.Sprintf("%s is on a KV version 2 mount, whose secrets are read at <mount>/data/<path>: write it as %s in vault-secrets", path, kv2Path(path))
	case status == 404:
		e.Cause = fmt.Sprintf("There is no secret at %s%s (or its latest version was deleted): check the path in vault-secrets", path, where)
		if !pathHasSegment(path, "data") {
			e.Cause += fmt.Sprintf("; on a KV version 2 mount write the path with data/, e.g. %s", kv2Path(path))
		}
	default:
		e.Cause = fmt.Sprintf("Vault refused to read %s%s", path, where)
	}
	return e
}

// policyFor is the policy that lets a token read path, and how to attach it next to the
// role's current policies (Vault adds "default" by itself).
func policyFor(path string, t trustTarget, policies []string) string {
	const name = "oidc-login-read"
	keep := []string{}
	for _, p := range policies {
		if p != "default" && p != name {
			keep = append(keep, p)
		}
	}
	keep = append(keep, name)
	return fmt.Sprintf("Policy that grants it:\npath %q {\n  capabilities = [\"read\"]\n}\n\nWrite it and add it to the role's token_policies (the list is replaced as a whole):\n%s%s - <<'EOF'\npath %q {\n  capabilities = [\"read\"]\n}\nEOF\n%sauth/%s/role/%s token_policies=%s\n",
		path, t.vaultCmd("policy write"), name, path, t.vaultCmd("write"), t.Mount, t.roleName(), shellQuote(strings.Join(keep, ",")))
}

func pathHasSegment(path, seg string) bool {
	for _, s := range strings.Split(path, "/") {
		if s == seg {
			return true
		}
	}
	return false
}

// kv2Path inserts data/ after the mount's first segment, the usual shape of a KV v2 path.
func kv2Path(path string) string {
	mount, rest, ok := strings.Cut(path, "/")
	if !ok {
		return path + "/data/<path>"
	}
	return mount + "/data/" + rest
}

// shellQuote quotes a value for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@=,+", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
