package vault

import (
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/runner"
)

// FuzzParseSecrets: any vault-secrets text either fails as an input error naming
// vault-secrets, or yields items whose names are valid, distinct env vars and whose paths
// and keys are non-empty and single-line, with names no later step acts on (runner.CheckChosenName); `*` items have no name and appear once per path, and
// the optional marker never stays on a key.
func FuzzParseSecrets(f *testing.F) {
	for _, s := range []string{
		"secret/data/ci api-key | API_KEY",
		"secret/data/ci a; secret/data/ci b | B\nkv/app token",
		"secret/data/ci api-key |",
		"  ;; \n",
		"secret/data/ci a | 1BAD",
		"secret/data/ci a | X\nsecret/data/ci b | x",
		"../../sys/raw key",
		"secret/data/ci data.nested.key | NESTED",
		"secret/data/ci *; kv/app *?",
		"secret/data/ci * | X",
		"secret/data/ci key?\nsecret/data/ci ?",
		"secret/data/ci a??",
		"secret/data/ci *\nsecret/data/ci *?",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		items, err := ParseSecrets(v)
		if err != nil {
			if !config.IsInputError(err) || !strings.HasPrefix(err.Error(), "input vault-secrets: ") {
				t.Fatalf("not an input error about vault-secrets: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, s := range items {
			if s.Path == "" || s.Key == "" || strings.ContainsAny(s.Path+s.Key, "\r\n") {
				t.Fatalf("accepted an empty or multi-line path or key: %+v", s)
			}
			// The ? marker is taken off the key; a key is never only the marker.
			if strings.HasSuffix(s.Key, "?") {
				t.Fatalf("kept a ? on the key: %+v", s)
			}
			if s.All != (s.Key == "*") {
				t.Fatalf("* and All disagree: %+v", s)
			}
			if s.All {
				// Every key exported under its own name: no | NAME, and one * per path.
				if s.Name != "" || seen["*"+s.Path] {
					t.Fatalf("accepted a named or repeated * item: %+v", s)
				}
				seen["*"+s.Path] = true
				continue
			}
			if runner.CheckChosenName(s.Name) != nil || runner.CheckOutput(runner.Var{Name: s.Output()}) != nil {
				t.Fatalf("accepted an unwritable name %q", s.Name)
			}
			if seen[strings.ToLower(s.Name)] {
				t.Fatalf("accepted %q twice", s.Name)
			}
			seen[strings.ToLower(s.Name)] = true
		}
	})
}
