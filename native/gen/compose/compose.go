// Package compose turns the root (Docker) action.yml into the native composite action.yml:
// the same inputs and outputs, every input handed to the binary as INPUT_<NAME> (composite run
// steps get no INPUT_* variables of their own), every output mapped back from the step that
// ran, and one launcher step per shell: bash on Linux and macOS, Windows PowerShell on Windows.
package compose

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Extra is an input only the native action has.
type Extra struct {
	Name, Description, Default string
}

// Extras are the native-only inputs, after the root action's own.
var Extras = []Extra{
	{Name: "stage", Default: "main", Description: "native: main logs in; post, in a later `if: always()` step, does what the Docker action's post step does (revokes the Vault token, removes the AWS profile and the files, blanks the variables)."},
}

// Step ids of the two launchers; outputs are read from whichever ran.
const (
	UnixStep    = "unix"
	WindowsStep = "windows"
)

// Header starts the generated file.
const Header = "# Generated from ../action.yml by native/gen: do not edit, run `go generate ./native/...`.\n" +
	"# The native action: the same binary as the Docker action, run on the runner itself\n" +
	"# (Linux, macOS, Windows; x64 and arm64). See docs/native.md.\n"

// EnvName is the variable the runner would give a Docker action for input: INPUT_ and the
// name upper-cased, hyphens kept.
func EnvName(input string) string { return "INPUT_" + strings.ToUpper(input) }

// Native returns the native action.yml for the root action.yml src.
func Native(src []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a mapping")
	}
	root := doc.Content[0]
	get := func(m *yaml.Node, key string) *yaml.Node {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i+1]
			}
		}
		return nil
	}
	inputs, outputs := get(root, "inputs"), get(root, "outputs")
	if inputs == nil || outputs == nil || inputs.Kind != yaml.MappingNode || outputs.Kind != yaml.MappingNode {
		return nil, errors.New("no inputs or outputs mapping")
	}

	out := mapping()
	for _, key := range []string{"name", "description", "author"} {
		v := get(root, key)
		if v == nil {
			return nil, fmt.Errorf("no %s", key)
		}
		val := v.Value
		if key == "name" {
			val += " (native)"
		}
		add(out, key, str(val))
	}
	if b := get(root, "branding"); b != nil {
		add(out, "branding", plain(b))
	}

	ins := mapping()
	var names []string
	for i := 0; i+1 < len(inputs.Content); i += 2 {
		name := inputs.Content[i].Value
		names = append(names, name)
		add(ins, name, plain(inputs.Content[i+1]))
	}
	for _, e := range Extras {
		if get(inputs, e.Name) != nil {
			return nil, fmt.Errorf("the native-only input %s is declared by action.yml too", e.Name)
		}
		names = append(names, e.Name)
		m := mapping()
		add(m, "description", str(e.Description))
		add(m, "required", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "false"})
		add(m, "default", str(e.Default))
		add(ins, e.Name, m)
	}
	add(out, "inputs", ins)

	outs := mapping()
	for i := 0; i+1 < len(outputs.Content); i += 2 {
		name := outputs.Content[i].Value
		desc := get(outputs.Content[i+1], "description")
		if desc == nil {
			return nil, fmt.Errorf("output %s has no description", name)
		}
		m := mapping()
		add(m, "description", str(desc.Value))
		add(m, "value", str(fmt.Sprintf("${{ steps.%s.outputs.%s || steps.%s.outputs.%s }}", UnixStep, name, WindowsStep, name)))
		add(outs, name, m)
	}
	add(out, "outputs", outs)

	env := func() *yaml.Node {
		e := mapping()
		for _, n := range names {
			add(e, EnvName(n), str("${{ inputs."+n+" }}"))
		}
		// The launchers' own variables: where the action's files are, the machine it runs on
		// as the runner names them, and where the action came from. The runner clears
		// github.action_repository and github.action_ref for the run: step itself, so its
		// GITHUB_ACTION_REPOSITORY is empty, but it evaluates this env: mapping with the
		// composite's github context first (actions/runner 258d6c8,
		// src/Runner.Worker/ActionRunner.cs 143-154,
		// src/Runner.Worker/Handlers/CompositeActionHandler.cs 154-161 and 287-294).
		add(e, "OIDC_LOGIN_ACTION_PATH", str("${{ github.action_path }}"))
		add(e, "OIDC_LOGIN_RUNNER_OS", str("${{ runner.os }}"))
		add(e, "OIDC_LOGIN_RUNNER_ARCH", str("${{ runner.arch }}"))
		add(e, "OIDC_LOGIN_ACTION_REPOSITORY", str("${{ github.action_repository }}"))
		add(e, "OIDC_LOGIN_ACTION_REF", str("${{ github.action_ref }}"))
		add(e, "OIDC_LOGIN_SERVER_URL", str("${{ github.server_url }}"))
		return e
	}
	unix := mapping()
	add(unix, "id", str(UnixStep))
	add(unix, "if", str("runner.os != 'Windows'"))
	add(unix, "shell", str("bash"))
	add(unix, "env", env())
	// Sourced, not started: the step's own bash runs the launcher, which ends in exec of the
	// binary, so a step costs one bash start instead of two (about 2 ms each here).
	add(unix, "run", str(`. "$OIDC_LOGIN_ACTION_PATH/run.sh"`))
	win := mapping()
	add(win, "id", str(WindowsStep))
	add(win, "if", str("runner.os == 'Windows'"))
	// Windows PowerShell 5.1 is on every Windows machine; pwsh is not (self-hosted runners).
	add(win, "shell", str("powershell"))
	add(win, "env", env())
	add(win, "run", str(`& (Join-Path $env:OIDC_LOGIN_ACTION_PATH 'run.ps1'); exit $LASTEXITCODE`))
	runs := mapping()
	add(runs, "using", str("composite"))
	add(runs, "steps", &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{unix, win}})
	add(out, "runs", runs)

	var b bytes.Buffer
	b.WriteString(Header)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// str is a string scalar, always single-quoted as the root action.yml writes its values, so
// no value can be read back as a number, a boolean or YAML syntax.
func str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.SingleQuotedStyle}
}

// plain copies a node without its comments or source styles, so the output is uniform.
func plain(n *yaml.Node) *yaml.Node {
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		return str(n.Value)
	}
	for i, k := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			c.Content = append(c.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.Value})
			continue
		}
		c.Content = append(c.Content, plain(k))
	}
	return c
}
