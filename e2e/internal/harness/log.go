package harness

import (
	"sort"
	"strings"

	"github.com/oidc-login/oidc-login/e2e/internal/leak"
)

// Masks returns every value the run masked.
func (r *Run) Masks() []string {
	var out []string
	for _, line := range strings.Split(r.Stdout, "\n") {
		if v, ok := strings.CutPrefix(line, maskPrefix); ok && v != "" {
			out = append(out, unescape(v))
		}
	}
	// Longest first, so a value that contains another is replaced whole.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// Redact replaces every masked value in s with ***, as the runner does in its log (the
// playground shows a later step's text through it: a value the step did not mask stays).
func (r *Run) Redact(s string) string {
	for _, m := range r.Masks() {
		s = strings.ReplaceAll(s, m, "***")
	}
	return s
}

// Log renders stdout the way the runner shows it: mask commands hidden, masked values
// replaced, groups and annotations shown as their text.
func (r *Run) Log() string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(r.Stdout, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, maskPrefix):
			continue
		case strings.HasPrefix(line, "::group::"):
			line = "▼ " + strings.TrimPrefix(line, "::group::")
		case line == "::endgroup::":
			continue
		case strings.HasPrefix(line, "::error"):
			if _, msg, ok := strings.Cut(line[2:], "::"); ok {
				line = "Error: " + unescape(msg)
			}
		case strings.HasPrefix(line, "::warning"):
			if _, msg, ok := strings.Cut(line[2:], "::"); ok {
				line = "Warning: " + unescape(msg)
			}
		}
		b.WriteString(r.Redact(line) + "\n")
	}
	// And every secret an emulator issued, masked or not: Log is what failure messages quote,
	// and a leak the scan reports must not be printed again in clear. (A step that works
	// prints no registered secret outside its mask lines, so this changes nothing else.)
	return leak.Redact(b.String())
}
