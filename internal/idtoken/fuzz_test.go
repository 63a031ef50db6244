package idtoken

import (
	"strings"
	"testing"
)

// FuzzDecode: any string the runner might answer decodes to claims or to an error that does
// not quote the token, and every accessor copes with any claim types.
func FuzzDecode(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWY6cmVmcy9oZWFkcy9tYWluIiwiYXVkIjpbImEiLDFdLCJleHAiOiJ4In0.c2ln")
	f.Add("a.b.c")
	f.Add("")
	f.Add("eyJhbGciOiJub25lIn0.eyJhdWQiOnsieCI6MX0sImlzcyI6NX0.")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := Decode(raw)
		if err != nil {
			if len(raw) > 8 && strings.Contains(err.Error(), raw) {
				t.Fatalf("the error quotes the token")
			}
			return
		}
		_ = c.Issuer() + c.Subject() + c.AudienceString() + c.IssuerHost() + c.JSON() + c.Table(nil)
		_ = c.Time("exp")
	})
}
