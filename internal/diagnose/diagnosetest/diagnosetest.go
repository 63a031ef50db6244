// Package diagnosetest checks a provider's catalog of explained refusals (diagnose.Catalog)
// the same way for every provider: each explanation says what to change, every cause the code
// can write has an entry, and every suggested command, policy and condition parses and admits
// the very token it was made for. The registry's tests run it over every provider; a
// provider's own tests use its claim sets and iterators for checks of its own syntax.
package diagnosetest

import (
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/oidc-login/oidc-login/internal/diagnose"
	"github.com/oidc-login/oidc-login/internal/idtoken"
)

// ClaimSets are real shapes of GitHub's tokens, one per kind of workflow run, shared by every
// cloud's diagnosis tests.
var ClaimSets = map[string]idtoken.Claims{
	"branch": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub": "repo:octo-org/octo-repo:ref:refs/heads/main", "repository": "octo-org/octo-repo",
		"ref": "refs/heads/main", "repository_owner_id": "65432",
		"job_workflow_ref": "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main",
	},
	"tag": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub": "repo:octo-org/octo-repo:ref:refs/tags/v1.2.3", "repository": "octo-org/octo-repo", "ref": "refs/tags/v1.2.3",
	},
	"environment": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub": "repo:octo-org/octo-repo:environment:production", "repository": "octo-org/octo-repo", "environment": "production",
	},
	"pull_request": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub": "repo:octo-org/octo-repo:pull_request", "repository": "octo-org/octo-repo", "ref": "refs/pull/7/merge",
	},
	"reusable workflow": {
		"iss": "https://token.actions.githubusercontent.com/octo-enterprise", "aud": "sts.amazonaws.com",
		"sub": "repo:octo-org/octo-repo:ref:refs/heads/main", "repository": "octo-org/octo-repo",
		"job_workflow_ref": "octo-org/shared/.github/workflows/deploy.yml@refs/heads/main",
	},
	"immutable id": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub": "repo:octo-org@65432/octo-repo@123456:ref:refs/heads/main", "repository": "octo-org/octo-repo",
	},
	"custom template": {
		"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
		"sub": "repository_owner_id:65432:repository_id:123456:environment:prod", "repository": "octo-org/octo-repo",
	},
}

// NastyClaims carry the characters a branch or environment name may hold and a shell or CEL
// could trip on: the suggested commands must quote them.
var NastyClaims = map[string]idtoken.Claims{
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

// Shapes is every claim set a fix is checked against: ClaimSets and NastyClaims.
func Shapes() map[string]idtoken.Claims {
	sets := maps.Clone(ClaimSets)
	maps.Copy(sets, NastyClaims)
	return sets
}

// EachFix calls check with the explanation of every entry of cat for every shape of token
// (Shapes), the entry's times kept; where names the entry and the shape for messages.
func EachFix(cat diagnose.Catalog, check func(where string, x *diagnose.Error, c idtoken.Claims)) {
	for _, e := range cat.Entries() {
		for name, c := range Shapes() {
			c := maps.Clone(c)
			for _, k := range []string{"iat", "exp", "nbf"} {
				c[k] = e.Claims[k]
			}
			check(e.Code+" ("+name+")", e.Explain(e.Sample, c), c)
		}
	}
}

// CheckFixes runs every entry of cat against every shape of token and parses what the
// collapsed group suggests: each command's shell quoting (and the JSON and bound_claims inside
// its arguments), each JSON policy or credential, each CEL condition; and checks that what
// parses admits this very token, with no wildcard across repositories.
func CheckFixes(t *testing.T, provider string, cat diagnose.Catalog) {
	t.Helper()
	EachFix(cat, func(where string, x *diagnose.Error, c idtoken.Claims) {
		where = provider + " " + where
		for _, cmd := range diagnose.FixCommands(x.Fix, cat.CLIs) {
			checkCommand(t, where, cmd, c)
		}
		checkJSONBlocks(t, where, x.Fix, c)
		for _, line := range strings.Split(x.Fix, "\n") {
			if cond, ok := strings.CutPrefix(line, "  assertion."); ok {
				CheckCEL(t, where, "assertion."+cond, c)
			}
		}
	})
}

func checkCommand(t *testing.T, where, cmd string, c idtoken.Claims) {
	t.Helper()
	words, ok := diagnose.ShellWords(cmd)
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
		case prev == "--subject" && w != c.Subject():
			t.Errorf("%s: --subject %q, the token's is %q", where, w, c.Subject())
		case strings.HasPrefix(w, "bound_claims="):
			var m map[string]string
			if err := json.Unmarshal([]byte(strings.TrimPrefix(w, "bound_claims=")), &m); err != nil || len(m) != 1 {
				t.Errorf("%s: %s is not a one-claim JSON object: %v", where, w, err)
			}
			if sub, ok := m["sub"]; ok && sub != c.Subject() && !WildcardOf(sub, c.Subject()) {
				t.Errorf("%s: bound_claims sub %q does not admit %q", where, sub, c.Subject())
			}
		case strings.HasPrefix(w, "bound_subject=") && w != "bound_subject=" && w != "bound_subject="+c.Subject():
			t.Errorf("%s: %s, the token's sub is %q", where, w, c.Subject())
		}
	}
}

// WildcardOf says whether pattern is the narrowest wildcard SubjectFor suggests for sub.
func WildcardOf(pattern, sub string) bool {
	w := diagnose.SubjectFor(sub).Wildcard
	return w != "" && pattern == w && !strings.HasPrefix(w, "repo:*") && strings.HasPrefix(w, "repo:"+diagnose.Repository(sub)+":")
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
				if value != c.Subject() && !WildcardOf(value, c.Subject()) {
					t.Errorf("%s: condition %s=%q does not admit sub %q", where, key, value, c.Subject())
				}
			case key == "value":
				m := azureMatchesRE.FindStringSubmatch(value)
				if m == nil || !WildcardOf(m[1], c.Subject()) {
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

// CELTerm is one comparison of an attribute condition.
type CELTerm struct{ Field, Op, Value string }

// ParseCEL parses the subset of CEL the suggestions use: terms joined by &&, each
// assertion.<claim> == '<string>' or assertion.<claim>.startsWith('<string>').
func ParseCEL(s string) ([]CELTerm, error) {
	var terms []CELTerm
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
		term := CELTerm{Field: r[:i]}
		r = r[i:]
		var err error
		switch {
		case strings.HasPrefix(r, " == "):
			term.Op = "=="
			term.Value, r, err = celString(r[len(" == "):])
		case strings.HasPrefix(r, ".startsWith("):
			term.Op = "startsWith"
			term.Value, r, err = celString(r[len(".startsWith("):])
			if err == nil {
				if r, ok = strings.CutPrefix(r, ")"); !ok {
					err = errors.New("startsWith( is not closed")
				}
			}
		default:
			err = errors.New("expected == or .startsWith( after assertion." + term.Field)
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

// CheckCEL parses cond and checks it is true for the token's claims and names the repository
// (or, for a customised subject, the subject).
func CheckCEL(t *testing.T, where, cond string, c idtoken.Claims) {
	t.Helper()
	terms, err := ParseCEL(cond)
	if err != nil {
		t.Errorf("%s: condition %q: %v", where, cond, err)
		return
	}
	pinned := false
	for _, term := range terms {
		got := c.String(term.Field)
		switch term.Op {
		case "==":
			if got != term.Value {
				t.Errorf("%s: %q rejects the token: its %s is %q", where, cond, term.Field, got)
			}
			pinned = pinned || term.Field == "repository" || term.Field == "sub"
		case "startsWith":
			if term.Field != "sub" || !strings.HasPrefix(got, term.Value) || !strings.HasPrefix(term.Value, "repo:"+diagnose.Repository(got)+":") {
				t.Errorf("%s: %q is not a prefix of the token's sub within its repository", where, cond)
			}
			pinned = true
		}
	}
	if !pinned {
		t.Errorf("%s: condition %q does not pin the repository", where, cond)
	}
}

var actionableRE = regexp.MustCompile(`(?i)\b(check|set|add|create|grant|re-run|lower|raise|use|map|bind|change|enable|activate|shorten|configure|write|drop|clear|choose|pass|give|must)\b`)

// CheckActionable: every entry of cat is explained with a Cause that says what to change,
// naming an input of the action (one of inputs), a configuration the Fix spells out, a
// command of the catalog's tools, or re-running. It returns how many entries cat has.
func CheckActionable(t *testing.T, provider string, cat diagnose.Catalog, inputs []string) int {
	t.Helper()
	entries := cat.Entries()
	for _, e := range entries {
		name := provider + " " + e.Code + " " + strconv.Quote(diagnose.FirstSentence(e.Sample))
		x := e.Explained()
		if x.Code != e.Code {
			t.Errorf("%s: the error's code is %q", name, x.Code)
		}
		if e.Sample != "" && x.Message == "" {
			t.Errorf("%s: the service's message was lost", name)
		}
		if x.Cause == "" || strings.HasSuffix(x.Cause, ".") || strings.Contains(x.Error(), "..") {
			t.Errorf("%s: cause %q (Error adds the final full stop)", name, x.Cause)
			continue
		}
		if !actionableRE.MatchString(x.Cause) {
			t.Errorf("%s: the cause does not say what to do: %s", name, x.Cause)
		}
		names := x.Fix != "" || strings.Contains(x.Cause, "re-run")
		for _, c := range cat.CLIs {
			names = names || strings.Contains(x.Cause, "("+c+" ")
		}
		for _, in := range inputs {
			names = names || strings.Contains(x.Cause, in)
		}
		if !names {
			t.Errorf("%s: the cause names no input, no fix follows and it does not say re-run: %s", name, x.Cause)
		}
		if x.Trust && !strings.Contains(x.Error(), "sub="+e.Claims.Subject()) {
			t.Errorf("%s: a trust refusal without the token's claims: %s", name, x.Error())
		}
	}
	return len(entries)
}

// CheckCoversEveryCause reads every assignment to a Cause in file (the arms of its switches,
// and the hints appended to them) and checks that some entry of cat produces it, or that it
// is one of cat's Fallbacks: a new case without a row of the troubleshooting table fails here. It returns how many
// assignments it found.
func CheckCoversEveryCause(t *testing.T, provider string, cat diagnose.Catalog, file string) int {
	t.Helper()
	var causes []string
	for _, e := range cat.Entries() {
		causes = append(causes, e.Explained().Cause)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	sites := causeSites(f)
	for _, site := range sites {
		pos := fset.Position(site.Pos())
		re, literal := causePattern(site.rhs)
		if len(literal) < 12 {
			t.Errorf("%s: a Cause with too little fixed text to recognise (%q)", pos, literal)
			continue
		}
		covered := false
		for _, c := range causes {
			covered = covered || re.MatchString(c)
		}
		for _, fb := range cat.Fallbacks {
			covered = covered || strings.HasPrefix(literal, fb)
		}
		if !covered {
			t.Errorf("%s: no %s catalog entry explains with %q: add one to its catalog.go and run go generate ./internal/provider/registry/docs", pos, provider, literal)
		}
	}
	return len(sites)
}

// causeSite is one `e.Cause = …`, `e.Cause += …` or `cause = …` (in helpers returning it).
type causeSite struct {
	ast.Node
	rhs ast.Expr
}

func causeSites(f *ast.File) []causeSite {
	var sites []causeSite
	ast.Inspect(f, func(n ast.Node) bool {
		a, ok := n.(*ast.AssignStmt)
		if !ok || len(a.Lhs) != len(a.Rhs) {
			// e.Cause, e.Fix = helper(…): the helper's own assignments are the sites.
			return true
		}
		for i, l := range a.Lhs {
			switch l := l.(type) {
			case *ast.SelectorExpr:
				if l.Sel.Name == "Cause" {
					sites = append(sites, causeSite{a, a.Rhs[i]})
				}
			case *ast.Ident:
				if l.Name == "cause" {
					sites = append(sites, causeSite{a, a.Rhs[i]})
				}
			}
		}
		return true
	})
	return sites
}

var verbRE = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

// causePattern turns the expression assigned to a Cause into a regular expression over the
// text it produces (format verbs and computed parts match anything), and its first literal.
func causePattern(x ast.Expr) (*regexp.Regexp, string) {
	var parts []string
	first := ""
	var walk func(ast.Expr)
	lit := func(s string) {
		if first == "" {
			first = s
		}
		pieces := verbRE.Split(strings.ReplaceAll(s, "%%", "%"), -1)
		for i, p := range pieces {
			if i > 0 {
				parts = append(parts, "(?s:.*?)")
			}
			parts = append(parts, regexp.QuoteMeta(p))
		}
	}
	walk = func(x ast.Expr) {
		switch x := x.(type) {
		case *ast.BasicLit:
			if s, err := strconv.Unquote(x.Value); err == nil {
				lit(s)
				return
			}
		case *ast.BinaryExpr:
			if x.Op == token.ADD {
				walk(x.X)
				walk(x.Y)
				return
			}
		case *ast.CallExpr:
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" && len(x.Args) > 0 {
				walk(x.Args[0])
				return
			}
		case *ast.ParenExpr:
			walk(x.X)
			return
		}
		parts = append(parts, "(?s:.*?)")
	}
	walk(x)
	return regexp.MustCompile(strings.Join(parts, "")), first
}
