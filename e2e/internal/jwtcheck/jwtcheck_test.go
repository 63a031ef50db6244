package jwtcheck

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// issuer serves a JWKS with one RSA key at a time and counts the fetches.
type issuer struct {
	t       *testing.T
	srv     *httptest.Server
	fetches atomic.Int32
	mu      sync.Mutex
	key     *rsa.PrivateKey
	kid     string
	header  http.Header
}

func newIssuer(t *testing.T, header http.Header) *issuer {
	i := &issuer{t: t, header: header}
	i.rotate("k1")
	i.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		i.fetches.Add(1)
		i.mu.Lock()
		defer i.mu.Unlock()
		for k, v := range i.header {
			w.Header()[k] = v
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": i.kid,
			"n": base64.RawURLEncoding.EncodeToString(i.key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(i.key.E)).Bytes()),
		}}})
	}))
	t.Cleanup(i.srv.Close)
	return i
}

// rotate replaces the signing key, as an issuer rotating its keys does.
func (i *issuer) rotate(kid string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		i.t.Fatal(err)
	}
	i.mu.Lock()
	i.key, i.kid = key, kid
	i.mu.Unlock()
}

func (i *issuer) token() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": "https://issuer.example", "aud": "sts.amazonaws.com",
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix(),
	})
	t.Header["kid"] = i.kid
	s, err := t.SignedString(i.key)
	if err != nil {
		i.t.Fatal(err)
	}
	return s
}

// verify checks n fresh tokens with a verifier per token, as the emulators make one per
// request, and returns how many times the JWKS was fetched.
func (i *issuer) verify(t *testing.T, keys *KeyCache, n int) int32 {
	t.Helper()
	before := i.fetches.Load()
	for range n {
		v := &Verifier{Issuer: "https://issuer.example", JWKSURL: i.srv.URL, Audiences: []string{"sts.amazonaws.com"}, Keys: keys}
		if _, err := v.Verify(i.token()); err != nil {
			t.Fatalf("a valid token was refused: %v", err)
		}
	}
	return i.fetches.Load() - before
}

func TestKeyCacheKeepsKeysUntilRotation(t *testing.T) {
	i := newIssuer(t, nil)
	var keys KeyCache
	if n := i.verify(t, &keys, 3); n != 1 {
		t.Errorf("three tokens fetched the JWKS %d times, want once", n)
	}
	// A token signed with a new key names a key id the cache does not hold: fetched again.
	i.rotate("k2")
	if n := i.verify(t, &keys, 2); n != 1 {
		t.Errorf("after a rotation, two tokens fetched the JWKS %d times, want once", n)
	}
}

func TestKeyCacheHonoursNoCache(t *testing.T) {
	for _, h := range []http.Header{
		{"Cache-Control": {"no-cache"}},
		{"Cache-Control": {"public, max-age=0"}},
		{"Cache-Control": {"no-store"}},
		{"Pragma": {"no-cache"}},
	} {
		i := newIssuer(t, h)
		var keys KeyCache
		if n := i.verify(t, &keys, 3); n != 3 {
			t.Errorf("%v: three tokens fetched the JWKS %d times, want every time", h, n)
		}
	}
}

func TestKeyCacheMaxAge(t *testing.T) {
	i := newIssuer(t, http.Header{"Cache-Control": {"public, max-age=3600"}})
	var keys KeyCache
	if n := i.verify(t, &keys, 3); n != 1 {
		t.Errorf("three tokens within max-age fetched the JWKS %d times, want once", n)
	}
	keys.mu.Lock()
	set := keys.sets[i.srv.URL]
	set.expires = time.Now().Add(-time.Second)
	keys.sets[i.srv.URL] = set
	keys.mu.Unlock()
	if n := i.verify(t, &keys, 1); n != 1 {
		t.Errorf("a token after max-age fetched the JWKS %d times, want once", n)
	}
}

func TestWithoutKeyCacheEveryTokenFetches(t *testing.T) {
	i := newIssuer(t, nil)
	if n := i.verify(t, nil, 3); n != 3 {
		t.Errorf("three tokens fetched the JWKS %d times, want 3", n)
	}
}

func TestKeyCacheRefusesUnknownKey(t *testing.T) {
	i := newIssuer(t, nil)
	var keys KeyCache
	i.verify(t, &keys, 1)
	other := newIssuer(t, nil) // same kid, another key: the signature does not verify
	v := &Verifier{Issuer: "https://issuer.example", JWKSURL: i.srv.URL, Audiences: []string{"sts.amazonaws.com"}, Keys: &keys}
	_, err := v.Verify(other.token())
	if e, ok := err.(*Error); !ok || e.Reason != Signature {
		t.Fatalf("a token signed by another key: %v, want a signature refusal", err)
	}
}
