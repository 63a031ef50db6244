package fakegithub

import (
	"fmt"
	"net/http"
	"testing"
)

// RequireKeysKept presents two of the issuer's tokens for audience to an emulator that
// trusts it (send returns an error unless the token was accepted), and fails t unless the
// JWKS was fetched once for both: the emulator keeps the issuer's keys, as its service does.
func (s *Server) RequireKeysKept(t testing.TB, audience string, send func(token string) error) {
	t.Helper()
	before := s.KeyFetches()
	for i := range 2 {
		if err := send(s.Sign(s.Claims(audience))); err != nil {
			t.Fatalf("token %d: %v", i+1, err)
		}
	}
	if n := s.KeyFetches() - before; n != 1 {
		t.Errorf("two tokens fetched the issuer's JWKS %d times, want once", n)
	}
}

// Accepted is the error of an answer that is not 200 OK, for RequireKeysKept's send; it
// closes the body.
func Accepted(res *http.Response, err error) error {
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", res.StatusCode)
	}
	return nil
}
