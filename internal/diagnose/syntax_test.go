package diagnose

import (
	"encoding/json"
	"errors"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// nastyClaims carry the characters a branch or environment name may hold and a shell or CEL
// could trip on: the suggested commands must quote them.
var nastyClaims = map[string]idtoken.Claims{
	"branch with quotes and dollars": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub":        "repo:octo-org/octo-repo:ref:refs/heads/it's-$HOME-`id`-\"q\"",
		"repository": "octo-org/octo-repo", "ref": "refs/heads/it's-$HOME-`id`-\"q\"", "event_name": "push",
	},
	"environment with spaces": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub":        "repo:octo-org/octo-repo:environment:prod 'eu' $X",
		"repository": "octo-org/octo-repo", "environment": "prod 'eu' $X", "ref": "refs/heads/main",
	},
}

// TestFixesParse runs every catalog entry against every shape of token and parses what the
// collapsed group suggests: each command's shell quoting (and the JSON, CEL and bound_claims
// inside its arguments), each JSON policy or credential, each CEL condition; and checks that
// what parses admits this very token, with no wildcard across repositories.
func TestFixesParse(t *testing.T) {
	t.Parallel()
	sets := maps.Clone(claimSets)
	maps.Copy(sets, nastyClaims)
	for _, e := range Catalog {
		for name, c := range sets {
			c := maps.Clone(c)
			for _, k := range []string{"iat", "exp", "nbf"} {
				c[k] = e.Claims[k]
			}
			x := e.Explain(e.Sample, c)
			where := e.Provider + " " + e.Code + " (" + name + ")"
			for _, cmd := range FixCommands(x.Fix) {
				checkCommand(t, where, cmd, c)
			}
			checkJSONBlocks(t, where, x.Fix, c)
			for _, line := range strings.Split(x.Fix, "\n") {
				if cond, ok := strings.CutPrefix(line, "  assertion."); ok {
					checkCEL(t, where, "assertion."+cond, c)
				}
			}
		}
	}
}

func checkCommand(t *testing.T, where, cmd string, c idtoken.Claims) {
	t.Helper()
	words, ok := ShellWords(cmd)
	if !ok {
		t.Errorf("%s: a quote is left open, or the shell would expand something, in:\n%s", where, cmd)
		return
	}
	for i, w := range words {
		prev := ""
		if i > 0 {
			prev = words[i-1]
		}
		switch {
		case prev == "--parameters":
			var f AzureFederatedCredential
			dec := json.NewDecoder(strings.NewReader(w))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&f); err != nil {
				t.Errorf("%s: --parameters is not a federated credential: %v\n%s", where, err, w)
			} else if f.Subject != c.Subject() || f.Issuer != c.Issuer() {
				t.Errorf("%s: the credential %+v does not admit sub %q from %s", where, f, c.Subject(), c.Issuer())
			}
		case prev == "--subject" && w != c.Subject():
			t.Errorf("%s: --subject %q, the token's is %q", where, w, c.Subject())
		case strings.HasPrefix(w, "bound_claims="):
			var m map[string]string
			if err := json.Unmarshal([]byte(strings.TrimPrefix(w, "bound_claims=")), &m); err != nil || len(m) != 1 {
				t.Errorf("%s: %s is not a one-claim JSON object: %v", where, w, err)
			}
			if sub, ok := m["sub"]; ok && sub != c.Subject() && !wildcardOf(sub, c.Subject()) {
				t.Errorf("%s: bound_claims sub %q does not admit %q", where, sub, c.Subject())
			}
		case strings.HasPrefix(w, "bound_subject=") && w != "bound_subject=" && w != "bound_subject="+c.Subject():
			t.Errorf("%s: %s, the token's sub is %q", where, w, c.Subject())
		case strings.HasPrefix(w, "--attribute-condition="):
			cond := strings.TrimPrefix(w, "--attribute-condition=")
			if cond != GCPCondition(c, false) {
				t.Errorf("%s: the shell passes %q, not the condition %q", where, cond, GCPCondition(c, false))
			}
			checkCEL(t, where, cond, c)
		}
	}
}

// wildcardOf says whether pattern is the narrowest wildcard SubjectFor suggests for sub.
func wildcardOf(pattern, sub string) bool {
	w := SubjectFor(sub).Wildcard
	return w != "" && pattern == w && !strings.HasPrefix(w, "repo:*") && strings.HasPrefix(w, "repo:"+Repository(sub)+":")
}

var azureMatchesRE = regexp.MustCompile(`^claims\['sub'\] matches '([^'\\]*)'$`)

// checkJSONBlocks parses every JSON document that starts at the beginning of a line of fix (the
// AWS and Alibaba trust policies, Azure's fic.json) and checks its subject conditions.
func checkJSONBlocks(t *testing.T, where, fix string, c idtoken.Claims) {
	t.Helper()
	lines := strings.Split(fix, "\n")
	for i, l := range lines {
		if l != "{" {
			continue
		}
		var doc any
		if err := json.NewDecoder(strings.NewReader(strings.Join(lines[i:], "\n"))).Decode(&doc); err != nil {
			t.Errorf("%s: JSON at line %d does not parse: %v\n%s", where, i+1, err, fix)
			continue
		}
		walkJSON(doc, "", func(key, value string) {
			switch {
			case strings.HasSuffix(key, ":sub"):
				if value != c.Subject() && !wildcardOf(value, c.Subject()) {
					t.Errorf("%s: condition %s=%q does not admit sub %q", where, key, value, c.Subject())
				}
			case key == "value":
				m := azureMatchesRE.FindStringSubmatch(value)
				if m == nil || !wildcardOf(m[1], c.Subject()) {
					t.Errorf("%s: claimsMatchingExpression %q is not the narrowest wildcard for %q", where, value, c.Subject())
				}
			}
		})
	}
}

func walkJSON(v any, key string, visit func(key, value string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			walkJSON(x, k, visit)
		}
	case []any:
		for _, x := range v {
			walkJSON(x, key, visit)
		}
	case string:
		visit(key, v)
	}
}

// celTerm is one comparison of an attribute condition.
type celTerm struct{ field, op, value string }

// parseCEL parses the subset of CEL the suggestions use: terms joined by &&, each
// assertion.<claim> == '<string>' or assertion.<claim>.startsWith('<string>').
func parseCEL(s string) ([]celTerm, error) {
	var terms []celTerm
	rest := s
	for {
		r, ok := strings.CutPrefix(rest, "assertion.")
		if !ok {
			return nil, errors.New("a term does not start with assertion.: " + rest)
		}
		i := strings.IndexFunc(r, func(c rune) bool { return !(c >= 'a' && c <= 'z' || c == '_' || c >= '0' && c <= '9') })
		if i <= 0 {
			return nil, errors.New("no claim name after assertion.")
		}
		term := celTerm{field: r[:i]}
		r = r[i:]
		var err error
		switch {
		case strings.HasPrefix(r, " == "):
			term.op = "=="
			term.value, r, err = celString(r[len(" == "):])
		case strings.HasPrefix(r, ".startsWith("):
			term.op = "startsWith"
			term.value, r, err = celString(r[len(".startsWith("):])
			if err == nil {
				if r, ok = strings.CutPrefix(r, ")"); !ok {
					err = errors.New("startsWith( is not closed")
				}
			}
		default:
			err = errors.New("expected == or .startsWith( after assertion." + term.field)
		}
		if err != nil {
			return nil, err
		}
		terms = append(terms, term)
		if r == "" {
			return terms, nil
		}
		if rest, ok = strings.CutPrefix(r, " && "); !ok {
			return nil, errors.New("expected && between terms, found: " + r)
		}
	}
}

// celString reads a single-quoted CEL string literal with \\ and \' escapes.
func celString(s string) (value, rest string, err error) {
	if !strings.HasPrefix(s, "'") {
		return "", "", errors.New("expected a string literal: " + s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) || !strings.ContainsRune(`\'"`, rune(s[i+1])) {
				return "", "", errors.New("unknown escape in " + s)
			}
			i++
			b.WriteByte(s[i])
		case '\'':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", errors.New("unterminated string literal: " + s)
}

// checkCEL parses cond and checks it is true for the token's claims and names the repository
// (or, for a customised subject, the subject).
func checkCEL(t *testing.T, where, cond string, c idtoken.Claims) {
	t.Helper()
	terms, err := parseCEL(cond)
	if err != nil {
		t.Errorf("%s: condition %q: %v", where, cond, err)
		return
	}
	pinned := false
	for _, term := range terms {
		got := c.String(term.field)
		switch term.op {
		case "==":
			if got != term.value {
				t.Errorf("%s: %q rejects the token: its %s is %q", where, cond, term.field, got)
			}
			pinned = pinned || term.field == "repository" || term.field == "sub"
		case "startsWith":
			if term.field != "sub" || !strings.HasPrefix(got, term.value) || !strings.HasPrefix(term.value, "repo:"+Repository(got)+":") {
				t.Errorf("%s: %q is not a prefix of the token's sub within its repository", where, cond)
			}
			pinned = true
		}
	}
	if !pinned {
		t.Errorf("%s: condition %q does not pin the repository", where, cond)
	}
}

func TestParseCEL(t *testing.T) {
	t.Parallel()
	good := map[string][]celTerm{
		`assertion.repository == 'o/r' && assertion.ref == 'refs/tags/it\'s'`: {{"repository", "==", "o/r"}, {"ref", "==", "refs/tags/it's"}},
		`assertion.sub.startsWith('repo:o/r:ref:refs/heads/')`:                {{"sub", "startsWith", "repo:o/r:ref:refs/heads/"}},
	}
	for in, want := range good {
		got, err := parseCEL(in)
		if err != nil || len(got) != len(want) {
			t.Errorf("parseCEL(%q) = %v, %v", in, got, err)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("parseCEL(%q)[%d] = %v, want %v", in, i, got[i], want[i])
			}
		}
	}
	for _, bad := range []string{
		`assertion.ref == 'it's'`, `assertion.ref == 'open`, `assertion.repository == 'o/r' &&`,
		`assertion.ref = 'x'`, `google.subject == 'x'`, `assertion.sub.startsWith('x'`,
	} {
		if _, err := parseCEL(bad); err == nil {
			t.Errorf("parseCEL(%q) accepted it", bad)
		}
	}
}

func TestShellWords(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		`vault write auth/jwt/role/r bound_claims='{"sub":"a"}'`: {"vault", "write", "auth/jwt/role/r", `bound_claims={"sub":"a"}`},
		`a 'it'\''s' "x \$y \"q\" \\"`:                           {"a", "it's", `x $y "q" \`},
		"gcloud x \\\n  --p=1":                                   {"gcloud", "x", "--p=1"},
		`a "b c"d e`:                                             {"a", "b cd", "e"},
	}
	for in, want := range cases {
		got, ok := ShellWords(in)
		if !ok || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("ShellWords(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, open := range []string{`a 'b`, `a "b`, `a \`, `--Fingerprints <SHA-1 of the issuer's certificate>`, `a "$HOME"`, "a `id`", `a $X`} {
		if _, ok := ShellWords(open); ok {
			t.Errorf("ShellWords(%q) did not notice the open quote or the expansion", open)
		}
	}
}
