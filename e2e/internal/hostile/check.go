package hostile

import (
	"strings"
	"testing"
	"unicode"
)

// Command is one line of stdout the runner runs as a workflow command.
type Command struct {
	Name, Line string
}

// registered are the command names the runner knows (actions/runner 258d6c8,
// src/Runner.Worker/ActionCommandManager.cs and its issue-command extensions); the runner
// compares them ignoring case.
var registered = map[string]bool{
	"set-env": true, "set-output": true, "save-state": true, "add-mask": true, "add-path": true,
	"add-matcher": true, "remove-matcher": true, "debug": true, "echo": true, "warning": true,
	"error": true, "notice": true, "group": true, "endgroup": true, "stop-commands": true,
	"internal-set-repo-path": true,
}

// Commands reads stdout as the runner does (actions/runner 258d6c8: ReadLine ends a line at
// \n, \r\n or a bare \r; src/Runner.Common/ActionCommand.cs TryParseV2 takes a line that,
// after TrimStart, starts with "::name ...::", and TryParse, tried next, takes "##[name ...]"
// anywhere in it; ActionCommandManager.cs runs nothing but the stop token between
// ::stop-commands::<token> and ::<token>::) and returns every command it would run.
func Commands(stdout string) []Command {
	var out []Command
	stop := ""
	for _, line := range strings.Split(strings.ReplaceAll(strings.ReplaceAll(stdout, "\r\n", "\n"), "\r", "\n"), "\n") {
		name, data, ok := parse(line, stop)
		if !ok {
			continue
		}
		if stop != "" {
			if strings.EqualFold(name, stop) {
				stop = ""
				out = append(out, Command{Name: name, Line: line})
			}
			continue
		}
		if strings.EqualFold(name, "stop-commands") {
			stop = data
		}
		out = append(out, Command{Name: strings.ToLower(name), Line: line})
	}
	return out
}

func parse(line, token string) (name, data string, ok bool) {
	known := func(n string) bool {
		return registered[strings.ToLower(n)] || token != "" && strings.EqualFold(n, token)
	}
	// .NET's TrimStart trims Char.IsWhiteSpace, the same set as unicode.IsSpace.
	if t := strings.TrimLeftFunc(line, unicode.IsSpace); strings.HasPrefix(t, "::") {
		if info, data, found := strings.Cut(t[2:], "::"); found {
			n, _, _ := strings.Cut(info, " ")
			if known(n) {
				return n, data, true
			}
		}
	}
	if _, after, found := strings.Cut(line, "##["); found {
		if info, data, found := strings.Cut(after, "]"); found {
			n, _, _ := strings.Cut(info, " ")
			if known(n) {
				return n, data, true
			}
		}
	}
	return "", "", false
}

// ours are the commands the action itself writes; an annotation is ours unless its text is a
// forged one's (it starts with Marker).
var ours = map[string]bool{"add-mask": true, "error": true, "warning": true, "notice": true, "group": true, "endgroup": true}

// NoCommands fails the test when stdout makes the runner run any command the action did not
// write: a forged one, or any set-output, save-state, set-env, add-path, debug or echo.
func NoCommands(t testing.TB, stdout string) {
	t.Helper()
	for _, c := range Commands(stdout) {
		_, data, _ := parse(c.Line, "")
		if !ours[c.Name] || strings.HasPrefix(data, Marker) {
			t.Errorf("the runner would run the forged command %q", c.Line)
		}
	}
}

// Inert returns the Markdown text of summary outside code: fenced code blocks and code spans
// removed (CommonMark: a fence closes at a line of at least as many backticks and nothing
// else; a code span at the next run of exactly as many backticks).
func Inert(summary string) string {
	var b strings.Builder
	fence := ""
	for _, line := range strings.Split(strings.ReplaceAll(strings.ReplaceAll(summary, "\r\n", "\n"), "\r", "\n"), "\n") {
		t := strings.TrimLeft(line, " ")
		indent := len(line) - len(t)
		run := len(t) - len(strings.TrimLeft(t, "`"))
		switch {
		case fence != "":
			if indent <= 3 && run >= len(fence) && strings.TrimSpace(t[run:]) == "" {
				fence = ""
			}
		case indent <= 3 && run >= 3 && !strings.Contains(t[run:], "`"):
			fence = t[:run]
		default:
			b.WriteString(stripSpans(line) + "\n")
		}
	}
	return b.String()
}

func stripSpans(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		if line[i] != '`' {
			b.WriteByte(line[i])
			i++
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		// Find the closing run of exactly n backticks.
		end := -1
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(line) && line[j+m] == '`' {
				m++
			}
			if m == n {
				end = j + m
				break
			}
			j += m
		}
		if end < 0 {
			b.WriteString(line[i : i+n])
			i += n
			continue
		}
		i = end
	}
	return b.String()
}

// SummaryInert fails the test when the job summary shows any of Payload outside code, where
// its links, images and HTML would render.
func SummaryInert(t testing.TB, summary string) {
	t.Helper()
	if live := Inert(summary); strings.Contains(live, Marker) || strings.Contains(live, Evil) {
		t.Errorf("the job summary renders server text as Markdown/HTML:\n%s", summary)
	}
}
