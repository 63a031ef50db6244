package idtoken

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the payload of an ID token. None of them is secret (the signature is what makes
// the token a credential), so they may be printed, exported and put in error messages.
type Claims map[string]any

// Decode reads a token's claims without verifying it: the runner is the party we trust for
// the token, and the cloud verifies it; we only read it to explain and to report.
func Decode(raw string) (Claims, error) {
	mc := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(raw, mc); err != nil {
		// jwt's error may quote the token's segments; keep only its kind.
		return nil, fmt.Errorf("the ID token is not a readable JWT")
	}
	return Claims(mc), nil
}

// String returns a string claim, or "".
func (c Claims) String(name string) string {
	s, _ := c[name].(string)
	return s
}

// Issuer is `iss`.
func (c Claims) Issuer() string { return c.String("iss") }

// Subject is `sub`.
func (c Claims) Subject() string { return c.String("sub") }

// Audience is `aud`, which may be one string or a list.
func (c Claims) Audience() []string {
	switch v := c["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, a := range v {
			if s, ok := a.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// AudienceString is `aud` for messages.
func (c Claims) AudienceString() string { return strings.Join(c.Audience(), ", ") }

// Time returns a NumericDate claim (exp, iat, nbf).
func (c Claims) Time(name string) time.Time {
	switch v := c[name].(type) {
	case float64:
		return time.Unix(int64(v), 0).UTC()
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Time{}
}

// IssuerHost is the issuer without its scheme, the prefix AWS uses for condition keys
// (token.actions.githubusercontent.com:sub) and GitHub Enterprise keeps its path in.
func (c Claims) IssuerHost() string {
	iss := c.Issuer()
	if u, err := url.Parse(iss); err == nil && u.Host != "" {
		return u.Host + strings.TrimRight(u.Path, "/")
	}
	return iss
}

// JSON is the claims as one JSON object (the `claims` output).
func (c Claims) JSON() string {
	b, err := json.Marshal(map[string]any(c))
	if err != nil {
		return "{}"
	}
	return string(b)
}

// Names returns the claim names sorted, with the trust-relevant ones first.
func (c Claims) Names() []string {
	rank := map[string]int{}
	for i, n := range TrustClaims {
		rank[n] = i + 1
	}
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		ri, rj := rank[names[i]], rank[names[j]]
		if ri != rj {
			if ri == 0 {
				return false
			}
			if rj == 0 {
				return true
			}
			return ri < rj
		}
		return names[i] < names[j]
	})
	return names
}

// TrustClaims are the claims trust policies are written against; they are printed on any
// trust failure.
var TrustClaims = []string{"iss", "aud", "sub", "repository", "ref", "environment", "job_workflow_ref", "repository_owner_id"}

// Display renders one claim's value for a table.
func (c Claims) Display(name string) string {
	switch v := c[name].(type) {
	case string:
		return v
	case float64:
		if name == "exp" || name == "iat" || name == "nbf" {
			return fmt.Sprintf("%d (%s)", int64(v), c.Time(name).Format(time.RFC3339))
		}
		return fmt.Sprintf("%v", v)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// Table renders the named claims (all of them when names is nil) as aligned lines.
func (c Claims) Table(names []string) string {
	if names == nil {
		names = c.Names()
	}
	w := 0
	for _, n := range names {
		w = max(w, len(n))
	}
	var b strings.Builder
	for _, n := range names {
		if _, ok := c[n]; !ok {
			continue
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", w, n, c.Display(n))
	}
	return b.String()
}
