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
	res, err := http.Get(v.JWKSURL)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var set struct {
		Keys []struct {
			Kid, Kty, N, E string
		} `json:"keys"`
	}
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		return nil, err
	}
	for _, k := range set.Keys {
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
