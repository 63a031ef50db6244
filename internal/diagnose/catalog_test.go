package diagnose

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const readmePath = "../../README.md"

// TestREADMETroubleshootingInSync keeps README.md's generated block what the code prints.
func TestREADMETroubleshootingInSync(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReplaceTroubleshooting(string(readme), Troubleshooting())
	if err != nil {
		t.Fatal(err)
	}
	if want == string(readme) {
		return
	}
	got, exp := strings.Split(string(readme), "\n"), strings.Split(want, "\n")
	for i := range min(len(got), len(exp)) {
		if got[i] != exp[i] {
			t.Fatalf("README.md's troubleshooting block differs from what the code explains (first at line %d):\n  README: %.200s\n  code:   %.200s\nRun `go generate ./internal/diagnose` (or `go run ./internal/diagnose/cmd/troubleshooting`) and commit README.md.", i+1, got[i], exp[i])
		}
	}
	t.Fatalf("README.md's troubleshooting block differs in length from what the code explains: run `go generate ./internal/diagnose` and commit README.md")
}

func TestReplaceTroubleshooting(t *testing.T) {
	t.Parallel()
	got, err := ReplaceTroubleshooting("a\n"+TroubleshootingBegin+"\nold\n"+TroubleshootingEnd+"\nb\n", "new\n")
	if err != nil || got != "a\n"+TroubleshootingBegin+"\nnew\n"+TroubleshootingEnd+"\nb\n" {
		t.Errorf("ReplaceTroubleshooting = %q, %v", got, err)
	}
	for _, readme := range []string{"no markers", TroubleshootingEnd + TroubleshootingBegin} {
		if _, err := ReplaceTroubleshooting(readme, "x"); err == nil {
			t.Errorf("no error for %q", readme)
		}
	}
}

// actionInputs reads the input names from action.yml.
func actionInputs(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	in := false
	re := regexp.MustCompile(`^  ([a-z0-9-]+):\s*$`)
	for s := bufio.NewScanner(f); s.Scan(); {
		line := s.Text()
		switch {
		case line == "inputs:":
			in = true
		case line != "" && !strings.HasPrefix(line, " "):
			in = false
		case in && re.MatchString(line):
			names = append(names, re.FindStringSubmatch(line)[1])
		}
	}
	if len(names) < 20 {
		t.Fatalf("read only %d inputs from action.yml", len(names))
	}
	return names
}

var actionableRE = regexp.MustCompile(`(?i)\b(check|set|add|create|grant|re-run|lower|raise|use|map|bind|change|enable|activate|shorten|configure|write|drop|clear|choose|pass|give|must)\b`)

// TestCatalogEntriesAreActionable: every entry is explained with a Cause that says what to
// change, naming an input of the action, a configuration the Fix spells out, or re-running.
func TestCatalogEntriesAreActionable(t *testing.T) {
	t.Parallel()
	inputs := actionInputs(t)
	seen := map[string]int{}
	known := map[string]bool{}
	for _, p := range Providers {
		known[p.Name] = true
	}
	for _, e := range Catalog {
		name := e.Provider + " " + e.Code + " " + strconv.Quote(firstSentence(e.Sample))
		if !known[e.Provider] {
			t.Errorf("%s: provider not in Providers", name)
		}
		seen[e.Provider]++
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
		for _, p := range commandPrefixes {
			names = names || strings.Contains(x.Cause, "("+p)
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
	for _, p := range Providers {
		if seen[p.Name] == 0 {
			t.Errorf("no catalog entry for %s", p.Name)
		}
	}
}

// causeFiles maps each diagnose file to the provider whose catalog entries must produce every
// Cause it can write.
var causeFiles = map[string]string{
	"aws.go": "aws", "gcp.go": "gcp", "azure.go": "azure", "vault.go": "vault",
	"alibaba.go": "alibaba", "tokenexchange.go": "token-exchange",
}

// uncatalogued are fallbacks for answers the code does not recognise: no code to show, and
// the service's own message is all the explanation there is.
var uncatalogued = []string{
	"Entra ID refused the client-credentials grant",
	"Vault refused the login on",
	"Vault refused to read",
}

// TestCatalogCoversEveryCause reads every assignment to a Cause in the diagnose files (the
// arms of their switches, and the hints appended to them) and checks that some catalog
// entry of that provider produces it: a new case without a README row fails here.
func TestCatalogCoversEveryCause(t *testing.T) {
	t.Parallel()
	causes := map[string][]string{}
	for _, e := range Catalog {
		causes[e.Provider] = append(causes[e.Provider], e.Explained().Cause)
	}
	fset := token.NewFileSet()
	total := 0
	for file, provider := range causeFiles {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, site := range causeSites(f) {
			total++
			pos := fset.Position(site.Pos())
			re, literal := causePattern(site.rhs)
			if len(literal) < 12 {
				t.Errorf("%s: a Cause with too little fixed text to recognise (%q)", pos, literal)
				continue
			}
			covered := false
			for _, c := range causes[provider] {
				covered = covered || re.MatchString(c)
			}
			if !covered && !exempt(literal) {
				t.Errorf("%s: no %s catalog entry explains with %q: add one to catalog.go and run go generate ./internal/diagnose", pos, provider, literal)
			}
		}
	}
	if total < 60 {
		t.Errorf("found only %d Cause assignments: is causeSites still reading the switches?", total)
	}
}

func exempt(literal string) bool {
	for _, u := range uncatalogued {
		if strings.HasPrefix(literal, u) {
			return true
		}
	}
	return false
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
