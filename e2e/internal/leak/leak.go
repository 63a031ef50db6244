// Package leak is the process-wide list of every secret the emulators issued or were given.
// The harness scans everything each run of the binary printed against it, so no e2e test can
// forget a leak check: a secret from any emulator outside an ::add-mask:: line fails the run.
package leak

import (
	"sort"
	"strings"
	"sync"
)

// MinLen is the shortest value registered: shorter ones (a digit, a region) would match
// innocent text, and no credential is that short.
const MinLen = 8

var (
	mu      sync.Mutex
	secrets = map[string]bool{}
)

// delimiter is the runner's file-command delimiter: a test stores it inside a secret to prove
// the injection is refused, and the refusal must be allowed to name it.
const delimiter = "_GitHubActionsFileCommandDelimeter_"

// Register records secrets an emulator issued or holds, line by line as masks apply: lines end
// at \n and at a bare \r too, where the runner ends a log line.
func Register(values ...string) {
	mu.Lock()
	defer mu.Unlock()
	for _, v := range values {
		for _, line := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' }) {
			line = strings.TrimSpace(line)
			// PEM armour lines (-----BEGIN CERTIFICATE-----) are in every such value and in
			// the help text about them; the lines between are the secret.
			armour := strings.HasPrefix(line, "-----") && strings.HasSuffix(line, "-----")
			if len(line) >= MinLen && line != delimiter && !armour {
				secrets[line] = true
			}
		}
	}
}

// All returns every registered secret.
func All() []string {
	mu.Lock()
	defer mu.Unlock()
	out := make([]string, 0, len(secrets))
	for v := range secrets {
		out = append(out, v)
	}
	return out
}

// Redact replaces every registered secret in s with ***, the longest first so a secret that
// contains another is replaced whole: for text a test prints when it fails (a log, an env
// file), so a leak the scan reports is not shown again in clear.
func Redact(s string) string {
	secrets := All()
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "***")
	}
	return s
}
