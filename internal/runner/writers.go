package runner

import (
	"fmt"
	"strings"
)

// Export is what one provider of a step hands to later steps.
type Export struct {
	Provider     string
	Env, Outputs []Var
	// Rename says how the workflow gives one of its names another (provider.Spec.Rename).
	Rename string
}

// CheckOneWriter refuses a variable or an output that two providers of one step would both
// write. The runner keeps the later line of GITHUB_ENV (or GITHUB_OUTPUT), so one provider's
// value would silently replace the other's while the log credits the first. Names are compared
// ignoring case: the runner's environment ignores it on Windows
// (VarUtil.EnvironmentVariableKeyComparer, actions/runner 258d6c8), and step outputs are read
// through expressions, which ignore it everywhere.
func CheckOneWriter(exports []Export) error {
	for _, kind := range []struct {
		what string
		vars func(Export) []Var
	}{
		{"variable", func(e Export) []Var { return e.Env }},
		{"output", func(e Export) []Var { return e.Outputs }},
	} {
		by := map[string]Export{}
		for _, e := range exports {
			for _, v := range kind.vars(e) {
				key := strings.ToUpper(v.Name)
				switch first, seen := by[key]; {
				case !seen:
					by[key] = e
				case first.Provider != e.Provider:
					var how []string
					for _, r := range []string{first.Rename, e.Rename} {
						if r != "" {
							how = append(how, r)
						}
					}
					rename := ""
					if len(how) > 0 {
						rename = " (" + strings.Join(how, "; ") + ")"
					}
					return fmt.Errorf("%s and %s both export the %s %s, and only one value can reach later steps; give one of them another name%s, or log in to them in separate steps", first.Provider, e.Provider, kind.what, v.Name, rename)
				}
			}
		}
	}
	return nil
}
