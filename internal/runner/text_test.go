package runner

import (
	"bytes"
	"strings"
	"testing"
)

// hostile is what a malicious server puts in every field it controls (issue 13).
const hostile = "name\n::set-output name=x::y\n::save-state name=files::../../.bashrc\n::warning::forged" +
	"\r::add-mask::x\r\n  ::error::indented\n\u00a0\u3000::notice::wide\nsee ##[set-output name=legacy;]z ## [x]"

// command is one line the runner runs as a workflow command, read from stdout as the runner
// reads it (a model of actions/runner 258d6c8, ActionCommand.cs TryParseV2 and TryParse, and
// ActionCommandManager.cs's stop-commands handling).
type command struct {
	name, line string
}

// registered are the command names the runner knows (ActionCommandManager.cs and the issue
// command extensions), compared case-insensitively.
var registered = map[string]bool{
	"set-env": true, "set-output": true, "save-state": true, "add-mask": true, "add-path": true,
	"add-matcher": true, "remove-matcher": true, "debug": true, "echo": true, "warning": true,
	"error": true, "notice": true, "group": true, "endgroup": true, "stop-commands": true,
	"internal-set-repo-path": true,
}

// dotnetSpace is .NET's Char.IsWhiteSpace, which TrimStart uses: the Unicode separators plus
// \t-\r, U+0085 and U+00A0.
func dotnetSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// runnerCommands returns every command the runner would run in out: lines end at \n, \r\n
// and a bare \r; outside a stop-commands block a line is a command when, after TrimStart, it
// starts with "::name" (name registered, a second "::" after it), or else when it holds
// "##[name" and a "]" after it, anywhere.
func runnerCommands(out string) []command {
	var cmds []command
	stop := ""
	for _, line := range strings.Split(strings.ReplaceAll(strings.ReplaceAll(out, "\r\n", "\n"), "\r", "\n"), "\n") {
		name, ok := parseCommand(line, stop)
		if !ok {
			continue
		}
		if stop != "" {
			// While stopped, only the token (registered for the time being) resumes.
			if strings.EqualFold(name, stop) {
				stop = ""
				cmds = append(cmds, command{name: "(resume)", line: line})
			}
			continue
		}
		if strings.EqualFold(name, "stop-commands") {
			_, data, _ := strings.Cut(strings.TrimLeftFunc(line, dotnetSpace)[2:], "::")
			stop = data
		}
		cmds = append(cmds, command{name: strings.ToLower(name), line: line})
	}
	return cmds
}

func parseCommand(line string, extra ...string) (string, bool) {
	known := func(name string) bool {
		for _, e := range extra {
			if e != "" && strings.EqualFold(e, name) {
				return true
			}
		}
		return registered[strings.ToLower(name)]
	}
	if t := strings.TrimLeftFunc(line, dotnetSpace); strings.HasPrefix(t, "::") {
		if info, _, ok := strings.Cut(t[2:], "::"); ok {
			name, _, _ := strings.Cut(info, " ")
			if known(name) {
				return name, true
			}
		}
	}
	if _, after, ok := strings.Cut(line, "##["); ok {
		if info, _, ok := strings.Cut(after, "]"); ok {
			name, _, _ := strings.Cut(info, " ")
			if known(name) {
				return name, true
			}
		}
	}
	return "", false
}

// The model finds what the payload would inject, so the tests below can trust it.
func TestRunnerModelSeesInjection(t *testing.T) {
	t.Parallel()
	got := runnerCommands("ok " + hostile + "\n")
	var names []string
	for _, c := range got {
		names = append(names, c.name)
	}
	want := "set-output save-state warning add-mask error notice set-output"
	if strings.Join(names, " ") != want {
		t.Errorf("raw payload runs %q, want %q", strings.Join(names, " "), want)
	}
	if n := len(runnerCommands("::stop-commands::tok\n::set-output name=a::b\n::tok::\n::debug::x\n")); n != 3 {
		t.Errorf("stop-commands block: %d commands, want 3 (stop, resume, debug)", n)
	}
}

func TestInertLine(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"plain text: a::b":            "plain text: a::b",
		"a\nb\r\nc\rd":                `a\nb\r\nc\rd`,
		"::set-output name=x::y":      "%3A:set-output name=x::y",
		" \t\u3000::warning::x":       " \t\u3000%3A:warning::x",
		"x ##[set-output name=a;]b":   "x ##%5Bset-output name=a;]b",
		"role\n::save-state name=f::": `role\n::save-state name=f::`,
	}
	for in, want := range cases {
		if got := InertLine(in); got != want {
			t.Errorf("InertLine(%q) = %q, want %q", in, got, want)
		}
	}
	if got := strings.Join(InertLines("a\n::x::y\rb\r\n ##[debug]z"), "|"); got != "a|%3A:x::y|b| ##%5Bdebug]z" {
		t.Errorf("InertLines = %q", got)
	}
}

// printAll calls every printing method with s where server text can go, and returns how many
// commands our own code meant to write.
func printAll(r *Runner, s string) (ours []string) {
	r.Infof("vault: policies %s", s)
	r.Group("How to fix it (vault)", "policies:\n"+s+"\n")
	r.Errorf("oidc-login: vault failed", "vault: %s", s)
	r.Warningf("post: %s", s)
	return []string{"group", "endgroup", "error", "warning"}
}

// Every printing method, fed the payload, writes exactly the commands our code meant.
func TestPrintingIsInert(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r := New(&out, env(nil))
	ours := printAll(r, hostile)
	checkOnlyOurs(t, out.String(), ours)
	// The text is still there to read.
	if !strings.Contains(out.String(), `name\n::set-output name=x::y\n`) {
		t.Errorf("the Infof line does not show the escaped text:\n%s", out.String())
	}
}

func checkOnlyOurs(t *testing.T, out string, ours []string) {
	t.Helper()
	cmds := runnerCommands(out)
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	if strings.Join(names, " ") != strings.Join(ours, " ") {
		t.Fatalf("the runner would run %q, want only our own %q; output:\n%q", names, ours, out)
	}
}

// Issue 13 item 9: a secret holding a bare \r is masked and redacted part by part, because
// the runner shows each part as a line of its own; and the mask command itself stays one line.
func TestMaskBareCR(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r := New(&out, env(nil))
	r.Mask("first-part-123\rsecond-part-456\r\nthird-part-789\n")
	want := "::add-mask::first-part-123\n::add-mask::second-part-456\n::add-mask::third-part-789\n"
	if out.String() != want {
		t.Errorf("masks = %q, want %q", out.String(), want)
	}
	for _, part := range []string{"first-part-123", "second-part-456", "third-part-789"} {
		if got := r.Redact("x " + part + " y"); got != "x *** y" {
			t.Errorf("Redact(%q) = %q, want the part redacted", part, got)
		}
	}
	// Printed through any method, no part appears.
	out.Reset()
	printAll(r, "a first-part-123\rsecond-part-456 b")
	if s := out.String(); strings.Contains(s, "-part-") {
		t.Errorf("a part of the secret was printed:\n%q", strings.ReplaceAll(s, "-part-", "-…-"))
	}
}

// FuzzPrinter: whatever text a server sends, printing it through any method of Runner makes
// the runner run only the commands our own code wrote (no line starts with "::", or holds
// "##[cmd]", unless we wrote it), and masking it masks each part on a command of its own.
func FuzzPrinter(f *testing.F) {
	f.Add(hostile)
	f.Add("::set-output name=x::y")
	f.Add("\r::save-state name=files::x")
	f.Add(" \u2003::warning::x")
	f.Add("a ##[add-mask]b")
	f.Add("::stop-commands::t\n::set-output name=a::b\n::t::")
	f.Add("%0A::set-output name=x::y")
	f.Fuzz(func(t *testing.T, s string) {
		var out bytes.Buffer
		r := New(&out, env(nil))
		ours := printAll(r, s)
		checkOnlyOurs(t, out.String(), ours)

		out.Reset()
		r = New(&out, env(nil))
		r.Mask(s)
		masks := 0
		for _, part := range splitLines(s) {
			if strings.TrimSpace(part) != "" {
				masks++
			}
		}
		for _, line := range splitLines(out.String()) {
			if line == "" {
				continue
			}
			if name, ok := parseCommand(line); !ok || name != "add-mask" {
				t.Fatalf("masking %q printed the line %q, which is not a mask command", s, line)
			}
			masks--
		}
		if masks < 0 {
			t.Fatalf("masking %q wrote more mask commands than it has parts:\n%q", s, out.String())
		}
	})
}
