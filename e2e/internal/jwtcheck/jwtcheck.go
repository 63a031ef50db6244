// Package jwtcheck verifies a GitHub ID token the way a cloud does before it trusts one:
// signature against the issuer's JWKS, issuer, audience, expiry. Every emulator uses it, so
// a token the action mangles is refused here as it would be by the real service.
package jwtcheck

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Reason is why a token was refused; emulators map it to their service's error.
type Reason string

// Reasons a token is refused.
const (
	Malformed Reason = "malformed"
	Signature Reason = "signature"
	Issuer    Reason = "issuer"
	Audience  Reason = "audience"
	Expired   Reason = "expired"
	NotYet    Reason = "not-yet-valid"
	Keys      Reason = "keys"
)

// Error is a refusal.
type Error struct {
	Reason Reason
	Msg    string
}

func (e *Error) Error() string { return string(e.Reason) + ": " + e.Msg }

// Verifier checks tokens of one issuer.
type Verifier struct {
	Issuer  string
	JWKSURL string
	// Audiences are the accepted aud values (any one must be in the token's aud).
	Audiences []string
	// Leeway is the allowed clock skew.
	Leeway time.Duration
	// Now is the verifier's clock (time.Now when nil).
	Now func() time.Time
	// Keys, when set, keeps the issuer's keys between tokens, as the real services do (see
	// KeyCache); nil fetches JWKSURL for every token.
	Keys *KeyCache
}

// Verify returns the token's claims, or an *Error.
func (v *Verifier) Verify(raw string) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithLeeway(v.Leeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	}
	if v.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(v.Now))
	}
	_, err := jwt.ParseWithClaims(raw, claims, v.key, opts...)
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenMalformed):
		return nil, &Error{Malformed, "the token is not a well-formed JWT"}
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return nil, &Error{Signature, "the token's signature does not verify against the issuer's keys"}
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, &Error{Expired, "the token has expired"}
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return nil, &Error{NotYet, "the token is not valid yet"}
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return nil, &Error{Keys, "the issuer's signing key could not be found"}
	default:
		return nil, &Error{Malformed, err.Error()}
	}
	if iss, _ := claims["iss"].(string); iss != v.Issuer {
		return nil, &Error{Issuer, fmt.Sprintf("issuer %q is not the trusted issuer %q", iss, v.Issuer)}
	}
	if len(v.Audiences) > 0 {
		auds, _ := claims.GetAudience()
		ok := false
		for _, a := range auds {
			ok = ok || slices.Contains(v.Audiences, a)
		}
		if !ok {
			return nil, &Error{Audience, fmt.Sprintf("audience %v is not one of %v", []string(auds), v.Audiences)}
		}
	}
	return claims, nil
}

func (v *Verifier) key(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	if v.Keys != nil {
		return v.Keys.key(v.JWKSURL, kid)
	}
	keys, _, err := fetch(v.JWKSURL)
	if err != nil {
		return nil, err
	}
	return pick(keys, kid)
}

// KeyCache keeps each issuer's signing keys, by JWKS URL, from one token to the next, the way
// the clouds do. AWS STS caches an OIDC provider's JWKS unless the response forbids it with
// Pragma: no-cache, Cache-Control: no-cache or max-age=0 (AWS's answer quoted in
// https://gitlab.com/gitlab-org/gitlab/-/merge_requests/138405; AWS's knowledge-center article
// https://repost.aws/knowledge-center/iam-sts-invalididentitytoken lists "too many requests to
// the jwks_uri" among the failures). Google documents no JWKS caching for workload identity
// federation; this follows go-oidc's RemoteKeySet (coreos/go-oidc 2936eb3, oidc/jwks.go,
// https://github.com/coreos/go-oidc/blob/2936eb343ba21eb2fe96884984f0e9b6018c71fe/oidc/jwks.go),
// the verifier of Kubernetes' OIDC authenticator: keep the keys, and fetch them again when a
// token names a key id that is not among them (the issuer rotated its keys). A max-age in the
// response bounds how long the keys are kept. Entra ID and Vault keep an issuer's keys too
// (azurefake and vaultfake cite where). The zero value is ready to use.
type KeyCache struct {
	mu   sync.Mutex
	sets map[string]cachedSet
}

type cachedSet struct {
	keys    []jwk
	expires time.Time // zero: until a token names an unknown key
}

func (c *KeyCache) key(url, kid string) (any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	set, ok := c.sets[url]
	if ok && (set.expires.IsZero() || time.Now().Before(set.expires)) {
		if k, err := pick(set.keys, kid); err == nil {
			return k, nil
		}
	}
	keys, maxAge, err := fetch(url)
	if err != nil {
		return nil, err
	}
	if c.sets == nil {
		c.sets = map[string]cachedSet{}
	}
	switch {
	case maxAge < 0:
		delete(c.sets, url)
	case maxAge > 0:
		c.sets[url] = cachedSet{keys: keys, expires: time.Now().Add(maxAge)}
	default:
		c.sets[url] = cachedSet{keys: keys}
	}
	return pick(keys, kid)
}

type jwk struct {
	Kid, Kty, N, E string
}

// fetch reads the JWKS at url, and how long its response may be kept: negative when it may
// not be kept, 0 when it says nothing.
func fetch(url string) (keys []jwk, maxAge time.Duration, err error) {
	res, err := http.Get(url)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("JWKS: HTTP %d", res.StatusCode)
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		return nil, 0, err
	}
	return set.Keys, cacheFor(res.Header), nil
}

// cacheFor reads Pragma and Cache-Control (RFC 9111 sections 5.2.2 and 5.4).
func cacheFor(h http.Header) time.Duration {
	if strings.EqualFold(strings.TrimSpace(h.Get("Pragma")), "no-cache") {
		return -1
	}
	for _, d := range strings.Split(strings.Join(h.Values("Cache-Control"), ","), ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-cache", "no-store":
			return -1
		case "max-age":
			n, err := strconv.Atoi(strings.Trim(value, `"`))
			if err != nil || n <= 0 {
				return -1
			}
			return time.Duration(n) * time.Second
		}
	}
	return 0
}

// pick is the RSA key with id kid.
func pick(keys []jwk, kid string) (any, error) {
	for _, k := range keys {
		if k.Kid != kid || k.Kty != "RSA" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil {
			return nil, errors.New("bad key encoding")
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
	}
	return nil, fmt.Errorf("no key %q", kid)
}

// Like matches value against a pattern where * is any run of characters and ? one character,
// as IAM's StringLike, Azure's and Vault's glob conditions do.
// (path.Match would not do: it stops * at slashes, and subjects are full of them.)
func Like(pattern, value string) bool { return like(pattern, value) }

func like(p, v string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for i := len(v); i >= 0; i-- {
				if like(p[1:], v[i:]) {
					return true
				}
			}
			return false
		case '?':
			if len(v) == 0 {
				return false
			}
			p, v = p[1:], v[1:]
		default:
			if len(v) == 0 || p[0] != v[0] {
				return false
			}
			p, v = p[1:], v[1:]
		}
	}
	return len(v) == 0
}
