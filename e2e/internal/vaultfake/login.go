package vaultfake

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/e2e/internal/fakeid"
	"github.com/oidc-login/oidc-login/e2e/internal/jwtcheck"
	"github.com/oidc-login/oidc-login/e2e/internal/leak"
)

// login is vault-plugin-auth-jwt's pathLogin for a JWKS/OIDC-discovery configured mount.
func (s *Server) login(w http.ResponseWriter, nsName, mountPath, roleName, raw string) {
	s.mu.Lock()
	n, nsOK := s.namespaces[nsName]
	var mount *authMount
	if nsOK {
		mount = n.auth[mountPath]
	}
	s.mu.Unlock()
	if mount == nil {
		writeErrors(w, http.StatusNotFound, fmt.Sprintf("no handler for route %q. route entry not found.", "auth/"+mountPath+"/login"))
		return
	}
	roleName = strings.ToLower(roleName)
	if roleName == "" {
		roleName = mount.defaultRole
	}
	if roleName == "" {
		writeErrors(w, http.StatusBadRequest, "missing role")
		return
	}
	s.mu.Lock()
	role, ok := mount.roles[roleName]
	s.mu.Unlock()
	if !ok {
		writeErrors(w, http.StatusBadRequest, fmt.Sprintf("role %q could not be found", roleName))
		return
	}
	if role.RoleType == "oidc" {
		writeErrors(w, http.StatusBadRequest, "role with oidc role_type is not allowed")
		return
	}
	if raw == "" {
		writeErrors(w, http.StatusBadRequest, "missing token")
		return
	}
	v := &jwtcheck.Verifier{Issuer: s.Issuer, JWKSURL: s.JWKSURL, Leeway: 5 * time.Second, Keys: &s.keys}
	claims, err := v.Verify(raw)
	if err != nil {
		var je *jwtcheck.Error
		errors.As(err, &je)
		msg := "error validating token: " + je.Msg
		switch je.Reason {
		case jwtcheck.Expired:
			msg = "error validating token: invalid expiration time (exp) claim: token is expired"
		case jwtcheck.NotYet:
			msg = "error validating token: invalid not before (nbf) claim: token not yet valid"
		case jwtcheck.Issuer:
			msg = "error validating token: invalid issuer (iss) claim: issuer does not match the expected issuer"
		case jwtcheck.Signature, jwtcheck.Keys:
			msg = "error validating token: failed to verify signature: no known key successfully validated the token signature"
		case jwtcheck.Malformed:
			msg = "error validating token: malformed JWT"
		}
		writeErrors(w, http.StatusBadRequest, msg)
		return
	}
	auds, _ := claims.GetAudience()
	if len(role.BoundAudiences) == 0 && len(auds) > 0 {
		writeErrors(w, http.StatusBadRequest, "audience claim found in JWT but no audiences bound to the role")
		return
	}
	if !anyIn(role.BoundAudiences, auds) {
		writeErrors(w, http.StatusBadRequest, "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience")
		return
	}
	if sub, _ := claims["sub"].(string); role.BoundSubject != "" && role.BoundSubject != sub {
		writeErrors(w, http.StatusBadRequest, "sub claim does not match bound subject")
		return
	}
	if msg := boundClaims(role, claims); msg != "" {
		writeErrors(w, http.StatusBadRequest, "error validating claims: "+msg)
		return
	}
	userRaw, ok := claims[role.UserClaim]
	if !ok {
		writeErrors(w, http.StatusBadRequest, fmt.Sprintf("claim %q not found in token", role.UserClaim))
		return
	}
	user, ok := userRaw.(string)
	if !ok {
		writeErrors(w, http.StatusBadRequest, fmt.Sprintf("claim %q could not be converted to string", role.UserClaim))
		return
	}
	now := time.Now()
	t := &Token{
		Token:       "hvs." + fakeid.String(91, alnum),
		Accessor:    fakeid.String(24, alnum),
		Namespace:   nsName,
		Mount:       mountPath,
		Role:        roleName,
		DisplayName: mountPath + "-" + user,
		Policies:    append([]string{"default"}, role.Policies...),
		Issued:      now,
		Expires:     now.Add(role.TTL),
	}
	s.mu.Lock()
	leak.Register(t.Token, t.Accessor)
	s.tokens[t.Token] = t
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"request_id": fakeid.UUID(), "lease_id": "", "renewable": false, "lease_duration": 0,
		"data": nil, "wrap_info": nil, "warnings": nil,
		"auth": map[string]any{
			"client_token":      t.Token,
			"accessor":          t.Accessor,
			"policies":          t.Policies,
			"token_policies":    t.Policies,
			"identity_policies": nil,
			"metadata":          map[string]string{"role": roleName},
			"lease_duration":    int(role.TTL / time.Second),
			"renewable":         true,
			"entity_id":         "7d2e3179-f69b-450c-7179-ac8ee8bd8ca9",
			"token_type":        "service",
			"orphan":            true,
			"mfa_requirement":   nil,
			"num_uses":          0,
		},
	})
}

// boundClaims is validateBoundClaims: every bound claim must be present and match one of its
// values (exactly, or as a glob).
func boundClaims(role Role, claims map[string]any) string {
	names := make([]string, 0, len(role.BoundClaims))
	for k := range role.BoundClaims {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		v, ok := claims[name]
		if !ok {
			return fmt.Sprintf("claim %q is missing", name)
		}
		var actual []string
		switch x := v.(type) {
		case string:
			actual = []string{x}
		case []any:
			for _, a := range x {
				if s, ok := a.(string); ok {
					actual = append(actual, s)
				}
			}
		default:
			return fmt.Sprintf("received claim is not a string or list: %v", v)
		}
		found := false
		for _, want := range role.BoundClaims[name] {
			for _, a := range actual {
				if role.BoundClaimsType == "glob" && jwtcheck.Like(want, a) || want == a {
					found = true
				}
			}
		}
		if !found {
			return fmt.Sprintf("claim %q does not match any associated bound claim values", name)
		}
	}
	return ""
}

func anyIn(bound, auds []string) bool {
	if len(bound) == 0 {
		return true
	}
	for _, b := range bound {
		for _, a := range auds {
			if a == b {
				return true
			}
		}
	}
	return false
}
