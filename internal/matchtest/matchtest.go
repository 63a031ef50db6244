// Package matchtest is for the tests that hold a hand-written input check to the regular
// expression it stands for (the providers' match.go): the strings both are tried on.
package matchtest

import (
	"math/rand/v2"
	"strings"
)

// noise are characters that matter to the providers' expressions, or that none matches:
// separators, both cases, digits, every character \s matches, quotes, a non-ASCII letter, NUL
// and a byte that is not UTF-8.
const noise = "@./:-_+=,AZaz09 \t\n\f\r\v\"'é\x00\xff"

// Variants are the examples, and strings made from them by random edits with the characters
// of alphabet and noise, plus random strings of those. The same arguments give the same
// strings.
func Variants(examples []string, alphabet string) []string {
	r := rand.New(rand.NewPCG(1, 2))
	chars := []rune(alphabet + noise)
	pick := func() string { return string(chars[r.IntN(len(chars))]) }
	out := append([]string{""}, examples...)
	for _, e := range examples {
		for range 3000 {
			s := e
			for range 1 + r.IntN(3) {
				i := r.IntN(len(s) + 1)
				switch r.IntN(4) {
				case 0: // insert
					s = s[:i] + pick() + s[i:]
				case 1: // delete
					if i < len(s) {
						s = s[:i] + s[i+1:]
					}
				case 2: // replace
					if i < len(s) {
						s = s[:i] + pick() + s[i+1:]
					}
				case 3: // repeat a part, to cross the length bounds
					j := r.IntN(len(s) + 1)
					if j < i {
						i, j = j, i
					}
					s = s[:j] + s[i:j] + s[j:]
				}
			}
			out = append(out, s)
		}
	}
	for range 5000 {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteString(pick())
		}
		out = append(out, b.String())
	}
	return out
}
