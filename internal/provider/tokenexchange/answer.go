package tokenexchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/oidc-login/oidc-login/internal/httpcall"
)

// answer is what a successful exchange hands over: the token at token-exchange-token-field,
// and what RFC 8693 §2.2.1 (or the service's own shape) says about it.
type answer struct {
	Token string
	// Secrets are the token and every other value of the answer that may be a credential.
	Secrets         []string
	IssuedTokenType string
	// ExpiresIn is RFC 8693's expires_in; Expires is an absolute expiry some services send
	// instead (expires, expires_at): RFC 3339 or Unix seconds.
	ExpiresIn json.RawMessage
	Expires   json.RawMessage
}

// decode reads a 2xx answer: JSON, an object, with a non-empty string at the token field.
// Anything else is an error that names the path and the fields the answer has, never their
// values, and never an empty token.
func (p *Provider) decode(r *httpcall.Response) (*answer, error) {
	call := p.call()
	if err := httpcall.CheckJSON(call, r); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: the answer (HTTP %d) is not valid JSON", call, r.Status)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: the answer (HTTP %d) is a JSON %s, not an object with %s", call, r.Status, kind(v), p.cfg.TokenField)
	}
	path := strings.Split(p.cfg.TokenField, ".")
	here := obj
	for i, name := range path {
		at := strings.Join(path[:i], ".")
		val, found := here[name]
		if !found {
			return nil, fmt.Errorf("%s: the answer (HTTP %d) has no %s%s (it has %s); set token-exchange-token-field to the field that holds the token", call, r.Status, p.cfg.TokenField, where(at), fieldNames(here))
		}
		if i < len(path)-1 {
			if here, ok = val.(map[string]any); !ok {
				return nil, fmt.Errorf("%s: in the answer (HTTP %d), %s is a JSON %s, not an object holding %s", call, r.Status, strings.Join(path[:i+1], "."), kind(val), strings.Join(path[i+1:], "."))
			}
			continue
		}
		s, isString := val.(string)
		switch {
		case !isString:
			return nil, fmt.Errorf("%s: in the answer (HTTP %d), %s is a JSON %s, not a string; set token-exchange-token-field to the field that holds the token (%s has %s)", call, r.Status, p.cfg.TokenField, kind(val), objectName(at), fieldNames(here))
		case strings.TrimSpace(s) == "":
			return nil, fmt.Errorf("%s: in the answer (HTTP %d), %s is empty", call, r.Status, p.cfg.TokenField)
		}
	}
	out := &answer{Token: lookup(obj, path).(string)}
	out.Secrets = append([]string{out.Token}, secretValues(obj, "")...)
	out.IssuedTokenType, _ = obj["issued_token_type"].(string)
	out.ExpiresIn = raw(obj["expires_in"])
	for _, k := range []string{"expires", "expires_at"} {
		if _, ok := obj[k]; ok {
			out.Expires = raw(obj[k])
			break
		}
	}
	return out, nil
}

func lookup(obj map[string]any, path []string) any {
	var v any = obj
	for _, name := range path {
		v = v.(map[string]any)[name]
	}
	return v
}

func where(at string) string {
	if at == "" {
		return ""
	}
	return " (in " + at + ")"
}

func objectName(at string) string {
	if at == "" {
		return "the answer"
	}
	return at
}

// fieldNames lists an object's field names, sorted, never its values.
func fieldNames(obj map[string]any) string {
	if len(obj) == 0 {
		return "no fields"
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, strconv.Quote(clip(k)))
	}
	sort.Strings(names)
	if len(names) > 20 {
		names = append(names[:20], fmt.Sprintf("and %d more", len(names)-20))
	}
	return "the fields " + strings.Join(names, ", ")
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	default:
		return "object"
	}
}

func raw(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	return b
}

// secretWords mark the fields whose string values are credentials in the answers services
// give (refresh_token, id_token, reference_token, rubygems_api_key, password, secret): masked
// along with the token, since the step holds them too. A *_type field names a kind of token,
// not one.
var secretWords = []string{"token", "key", "secret", "password", "credential"}

// secretValues returns the string values under secret-looking field names, at any depth.
func secretValues(v any, name string) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			out = append(out, secretValues(sub, strings.ToLower(k))...)
		}
	case []any:
		for _, sub := range x {
			out = append(out, secretValues(sub, name)...)
		}
	case string:
		if x != "" && !strings.HasSuffix(name, "_type") && slices.ContainsFunc(secretWords, func(w string) bool { return strings.Contains(name, w) }) {
			out = append(out, x)
		}
	}
	return out
}

// expiration is when the token expires: now + expires_in, else the absolute expires or
// expires_at (RFC 3339 or Unix seconds); zero when the answer does not say.
func (a *answer) expiration(now time.Time) time.Time {
	if secs := expiresIn(a.ExpiresIn); secs > 0 {
		return now.Add(time.Duration(secs) * time.Second).UTC().Truncate(time.Second)
	}
	v := strings.Trim(strings.TrimSpace(string(a.Expires)), `"`)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC().Truncate(time.Second)
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		return time.Unix(n, 0).UTC()
	}
	return time.Time{}
}
