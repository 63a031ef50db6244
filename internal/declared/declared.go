// Package declared refuses a with: key the action does not declare. In the Docker action the
// runner hands the binary every key of the step's with: as INPUT_<NAME> (the name upper-cased,
// spaces as underscores: AddInputsToEnvironment in Handlers/Handler.cs at actions/runner
// 258d6c8), declared or not, and about an undeclared one it only warns "Unexpected input(s)"
// (ActionRunner.cs) before running the step without it: a misspelled
// aws-role-session-name would log in under the default session name. The binary can tell a
// typo from an input, because the inputs action.yml declares are compiled in
// (declared_gen.go, generated from action.yml, never typed by hand), together with the names
// the official login actions give theirs, so a migrating workflow is told what ours is called.
package declared

//go:generate go run ./gen -root ../..

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/oidc-login/oidc-login/internal/config"
)

// OfficialInput is an input of an official login action, as its migration guide maps it.
type OfficialInput struct {
	// Name is the official action's spelling.
	Name string
	// Action is the official action (owner/name).
	Action string
	// Guide is the migration guide's file in docs/migrate.
	Guide string
	// Ours is what to write here instead, as the guide gives it ("aws-role-arn",
	// "retry-max-attempts: 1"); "" when the guide says it is not supported or not needed.
	Ours string
	// Note is the guide's note on it.
	Note string
}

// GuideURL is where the migration guides are published.
const GuideURL = "https://github.com/oidc-login/oidc-login/blob/main/docs/migrate/"

// InputsURL is where the README lists the common inputs and links each provider's page.
const InputsURL = "https://github.com/oidc-login/oidc-login#common-inputs"

// envName is the variable the runner hands an input in.
func envName(input string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(input, " ", "_"))
}

// Check refuses every INPUT_* variable of environ that no input of action.yml (or of
// native/action.yml, whose inputs the caller refuses with their own reason) accounts for: one
// input error each, in name order. prefixes are the input prefixes of the providers the step
// selects ("aws-"): an official name that two actions use is answered for the selected one.
func Check(environ []string, prefixes []string) error {
	known := map[string]bool{}
	for _, n := range append(slices.Clone(Inputs), NativeOnly...) {
		known[envName(n)] = true
	}
	var names []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "INPUT_") && !known[k] {
			names = append(names, strings.ToLower(strings.TrimPrefix(k, "INPUT_")))
		}
	}
	slices.Sort(names)
	var errs []error
	for _, n := range slices.Compact(names) {
		errs = append(errs, explain(n, prefixes))
	}
	return errors.Join(errs...)
}

// explain says what an undeclared name is: an official action's input and ours for it, or a
// typo of one of ours.
func explain(name string, prefixes []string) error {
	var theirs []OfficialInput
	for _, o := range Official {
		if strings.EqualFold(normal(o.Name), normal(name)) {
			theirs = append(theirs, o)
		}
	}
	if len(theirs) > 0 {
		mine := slices.DeleteFunc(slices.Clone(theirs), func(o OfficialInput) bool {
			return !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(o.Ours, p) })
		})
		if len(mine) > 0 {
			theirs = mine
		}
		parts := make([]string, len(theirs))
		for i, o := range theirs {
			here := "here it is " + o.Ours
			if o.Ours == "" {
				here = "it has no counterpart here"
			}
			parts[i] = fmt.Sprintf("%s; %s (%s); migration guide: %s%s#inputs", o.Action, here, o.Note, GuideURL, o.Guide)
		}
		return config.Errorf(theirs[0].Name, "is not an input of this action but of %s", strings.Join(parts, "; and of "))
	}
	if s := Closest(name, prefixes); s != "" {
		return config.Errorf(name, "is not an input of this action, so it would be ignored; did you mean %s?", s)
	}
	return config.Errorf(name, "is not an input of this action, so it would be ignored; its inputs are listed at %s", InputsURL)
}

// normal spells a name the way the comparisons read it: lower case, "_" and " " as "-".
func normal(s string) string {
	return strings.NewReplacer("_", "-", " ", "-").Replace(strings.ToLower(s))
}

// Closest is the declared input a misspelled name most likely meant: one of the selected
// providers' inputs that is the name with its prefix added, or else the input at the smallest
// edit distance (counting a swap of two neighbours as one edit), if it is small for the
// input's length; "" when none is.
func Closest(name string, prefixes []string) string {
	n := normal(name)
	for _, p := range prefixes {
		if slices.Contains(Inputs, p+n) {
			return p + n
		}
	}
	best, bestD := "", 0
	for _, in := range Inputs {
		d := distance(n, in)
		if d <= max(1, min(3, len(in)/4)) && (best == "" || d < bestD) {
			best, bestD = in, d
		}
	}
	return best
}

// distance is the optimal string alignment distance between a and b: insertions, deletions,
// substitutions and swaps of adjacent characters, each one edit.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
