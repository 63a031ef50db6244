package runner

import (
	"strings"
	"unicode"
)

// The runner reads our stdout line by line with .NET ReadLine, so a line ends at \n, \r\n or
// a bare \r, and it then runs two kinds of line as workflow commands
// (actions/runner 258d6c8, src/Runner.Common/ActionCommand.cs and
// src/Runner.Worker/ActionCommandManager.cs TryProcessCommand):
//   - TryParseV2: the line, after TrimStart (Unicode white space), starts with "::";
//   - TryParse, the legacy form tried when that fails: "##[" ANYWHERE in the line, followed by a
//     registered command name and "]" (e.g. "text ##[set-output name=x;]y").
//
// Text that did not come from our own code (server answers, error messages quoting them, ID
// token claims, what a user typed) therefore reaches stdout only through the functions below,
// which leave no such line: line breaks are shown as the escapes \r and \n, a leading "::" has
// its first colon written %3A, and every "##[" is written ##%5B (the runner's own escape
// notation, so the text stays readable). Unicode line separators (U+2028, U+0085, …) do not end
// a ReadLine line and are left alone.

// InertLine makes s safe as one log line, or part of one: whatever s holds, printing it
// prints exactly one line that the runner shows as text and never runs as a command.
func InertLine(s string) string {
	s = strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
	return inert(s)
}

// InertLines splits s where the runner would (\r\n, \n, bare \r) and makes each line inert,
// for multi-line text shown as it is (a table of claims, a suggested policy).
func InertLines(s string) []string {
	lines := splitLines(s)
	for i, l := range lines {
		lines[i] = inert(l)
	}
	return lines
}

// splitLines splits s at \r\n, \n and bare \r, as ReadLine does.
func splitLines(s string) []string {
	return strings.Split(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"), "\n")
}

// inert neutralises one line that holds no line break.
func inert(line string) string {
	line = strings.ReplaceAll(line, "##[", "##%5B")
	rest := strings.TrimLeftFunc(line, unicode.IsSpace)
	if strings.HasPrefix(rest, "::") {
		line = line[:len(line)-len(rest)] + "%3A" + rest[1:]
	}
	return line
}
