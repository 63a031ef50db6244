package registry

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestActionYMLMatchesRegistry: action.yml's per-provider part is the registry's. The provider
// input lists the registry's names in its order; every other input either belongs to one
// provider (its InputPrefix) and sits under that provider's "# <name>" comment, the groups in
// the registry's order, with a description starting "<name>:", or is common and names no
// provider that way; every native-only input is a false-by-default input saying so; every
// output's description starts with the name of the provider that sets it, unless it is common.
func TestActionYMLMatchesRegistry(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Inputs map[string]struct {
			Description string  `yaml:"description"`
			Default     *string `yaml:"default"`
		} `yaml:"inputs"`
		Outputs map[string]struct {
			Description string `yaml:"description"`
		} `yaml:"outputs"`
	}
	if err := yaml.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	names := All.Names()
	if d := meta.Inputs["provider"].Description; !strings.Contains(d, "One or more of "+strings.Join(names, ", ")+",") {
		t.Errorf("the provider input's description %q does not list the registry's providers (%s)", d, strings.Join(names, ", "))
	}
	owner := func(name string) string {
		for _, s := range All {
			if strings.HasPrefix(name, s.InputPrefix) {
				return s.Name
			}
		}
		return ""
	}
	// The inputs in file order, each with the "# <group>" comment it sits under.
	var order, groups []string
	group := ""
	inputs, top := false, regexp.MustCompile(`^  ([a-z0-9-]+):\s*$`)
	for _, line := range strings.Split(string(raw), "\n") {
		switch {
		case line == "inputs:":
			inputs = true
		case line != "" && !strings.HasPrefix(line, " "):
			inputs = false
		case inputs && strings.HasPrefix(line, "  # "):
			group = strings.TrimPrefix(line, "  # ")
		case inputs && top.MatchString(line):
			order = append(order, top.FindStringSubmatch(line)[1])
			groups = append(groups, group)
		}
	}
	if len(order) != len(meta.Inputs) {
		t.Fatalf("read %d inputs in order, action.yml has %d", len(order), len(meta.Inputs))
	}
	var seen []string // provider groups in file order
	for i, in := range order {
		desc := meta.Inputs[in].Description
		p := owner(in)
		if p == "" {
			for _, n := range names {
				if strings.HasPrefix(desc, n+":") || strings.HasPrefix(desc, n+",") {
					t.Errorf("input %s is described as %s's, but does not start with its prefix", in, n)
				}
			}
			continue
		}
		if groups[i] != p {
			t.Errorf("input %s of %s sits under the comment %q, not %q", in, p, groups[i], p)
		}
		if len(seen) == 0 || seen[len(seen)-1] != p {
			seen = append(seen, p)
		}
		if !strings.HasPrefix(desc, p+":") && !strings.HasPrefix(desc, p+", native action only:") {
			t.Errorf("input %s: its description does not start with %q: %s", in, p+":", desc)
		}
	}
	var withInputs []string
	for _, n := range names {
		if slices.Contains(seen, n) {
			withInputs = append(withInputs, n)
		}
	}
	if !slices.Equal(seen, withInputs) {
		t.Errorf("action.yml groups the provider inputs as %v, want the registry's order %v, each group once", seen, withInputs)
	}
	for _, s := range All {
		for _, n := range s.NativeOnly {
			in, ok := meta.Inputs[n.Input]
			switch {
			case !ok:
				t.Errorf("%s: its native-only input %s is not in action.yml", s.Name, n.Input)
			case !strings.HasPrefix(n.Input, s.InputPrefix):
				t.Errorf("%s: its native-only input %s does not start with %s", s.Name, n.Input, s.InputPrefix)
			case in.Default == nil || *in.Default != "false":
				t.Errorf("%s: native-only input %s must default to false (it is a switch the Docker action refuses when on)", s.Name, n.Input)
			case !strings.HasPrefix(in.Description, s.Name+", native action only:"):
				t.Errorf("%s: native-only input %s: its description does not start with %q", s.Name, n.Input, s.Name+", native action only:")
			}
		}
		if in, ok := meta.Inputs[s.AudienceInput()]; !ok || in.Default != nil {
			t.Errorf("%s: action.yml must declare its audience input %s, without a default (the provider's own applies)", s.Name, s.AudienceInput())
		}
		for _, in := range s.EnvNamedBy {
			if _, ok := meta.Inputs[in]; !ok || !strings.HasPrefix(in, s.InputPrefix) {
				t.Errorf("%s: its Spec says input %s names variables; action.yml must declare it, with the prefix %s", s.Name, in, s.InputPrefix)
			}
		}
	}
	for name, out := range meta.Outputs {
		p, _, _ := strings.Cut(out.Description, ":")
		if _, ok := All.Lookup(p); !ok && name != "claims" && name != "expiration" {
			t.Errorf("output %s: its description does not start with the provider that sets it: %s", name, out.Description)
		}
	}
}
