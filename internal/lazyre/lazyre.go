// Package lazyre compiles a regular expression on its first use rather than at program start.
//
// Every input of every provider is checked by a regular expression, but one step uses one or
// two providers. Compiled as package variables they cost about a quarter of the binary's CPU
// time on a GitHub-only login (1.5 ms of 6: measured with perf, regexp.MustCompile under
// runtime.doInit1), spent before main starts, for patterns most runs never match.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr the first time it is called and returns the same
// *regexp.Regexp every time. Like regexp.MustCompile it panics on a bad expression; the
// expressions are constants, and each package's tests call every one of them.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
