// Package fakeid makes the random identifiers and credentials the emulators hand out, in the
// alphabets the real services use.
package fakeid

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
)

// Alphabets of real identifiers.
const (
	Upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	Lower  = "abcdefghijklmnopqrstuvwxyz"
	Digits = "0123456789"
)

// String returns n characters drawn from alphabet.
func String(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		x, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[x.Int64()]
	}
	return string(b)
}

// Hex returns n random bytes as 2n hex digits.
func Hex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// UUID returns a random lower-case UUID (request and correlation ids).
func UUID() string {
	h := Hex(16)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
