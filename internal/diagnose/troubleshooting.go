package diagnose

import (
	"fmt"
	"strings"

	"github.com/oidc-login/oidc-login/internal/lazyre"
)

// Table renders a provider's table of explained refusals, each with the Cause and a summary of
// the Fix the step prints, for the provider's documentation page.
func Table(c Catalog) string {
	var b strings.Builder
	b.WriteString("| answer | what it means and what to change | in the collapsed group |\n|---|---|---|\n")
	previous := ""
	for _, e := range c.Entries() {
		x := e.Explained()
		answer := x.Code
		if m := FirstSentence(x.Message); m != "" {
			answer += ": " + m
		}
		first := mdCode(answer)
		if e.When != "" {
			first += ", when " + e.When
		}
		fix := FixSummary(x, c.CLIs)
		if fix == previous && len(fix) > 80 {
			fix = "as above"
		} else {
			previous = fix
		}
		fmt.Fprintf(&b, "| %s | %s. | %s |\n", first, mdText(x.Cause), fix)
	}
	return b.String()
}

// FixSummary says in a line what the collapsed group of e suggests: the claims when it is a
// trust refusal, then the Fix's headings, commands of the tools clis (their shape: options
// with short values) and warnings, in order.
func FixSummary(e *Error, clis []string) string {
	var items []string
	add := func(s string) {
		for _, have := range items {
			if have == s {
				return
			}
		}
		items = append(items, s)
	}
	if e.Trust {
		add("*the token's claims*")
	}
	lines := strings.Split(e.Fix, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		t := strings.TrimSpace(line)
		switch {
		case isCommand(t, clis):
			var cmd string
			cmd, i = commandAt(lines, i)
			add(mdCode(commandShape(cmd)))
		case strings.HasPrefix(t, "Never "):
			warning, _, _ := strings.Cut(t, ": ")
			add(mdText(warning))
		case line == t && strings.HasSuffix(t, ":") && !strings.HasPrefix(t, `"`):
			// A heading; its parenthesis and further sentences are for the step's output.
			h := strings.TrimSuffix(t, ":")
			h, _, _ = strings.Cut(h, " (")
			h, _, _ = strings.Cut(h, ". ")
			add(mdText(h))
		case labelRE().MatchString(t):
			add(mdText(labelRE().FindStringSubmatch(t)[1]))
		}
	}
	if len(items) == 0 {
		return "–"
	}
	return strings.Join(items, "; ")
}

// commandAt is the command that starts on lines[i], which runs on while a quote is open or
// a line ends with a backslash, up to a blank line, and the index of its last line.
func commandAt(lines []string, i int) (string, int) {
	cmd := strings.TrimSpace(lines[i])
	for {
		_, complete := ShellWords(cmd)
		if complete && !strings.HasSuffix(cmd, `\`) || i+1 >= len(lines) || lines[i+1] == "" {
			return cmd, i
		}
		i++
		cmd += "\n" + lines[i]
	}
}

// FixCommands lists the commands of the tools clis a Fix suggests, each with its
// continuation lines.
func FixCommands(fix string, clis []string) []string {
	var cmds []string
	lines := strings.Split(fix, "\n")
	for i := 0; i < len(lines); i++ {
		if isCommand(strings.TrimSpace(lines[i]), clis) {
			var cmd string
			cmd, i = commandAt(lines, i)
			cmds = append(cmds, cmd)
		}
	}
	return cmds
}

// labelRE is a "Label: value" line such as Alibaba's "RequestId: …".
var labelRE = lazyre.New(`^([A-Z][A-Za-z' ]*): \S+$`)

// isCommand reports whether line runs one of the tools clis.
func isCommand(line string, clis []string) bool {
	for _, c := range clis {
		if strings.HasPrefix(line, c+" ") {
			return true
		}
	}
	return false
}

// commandShape is a command with long values elided: the documentation shows which command and
// which settings, the step shows the values for this very token.
func commandShape(cmd string) string {
	words, _ := ShellWords(cmd)
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if j := placeholderEnd(words, i); j >= 0 {
			out = append(out, shortValue(strings.Join(words[i:j+1], " ")))
			i = j
			continue
		}
		switch {
		case strings.HasPrefix(w, "<") || strings.HasPrefix(w, ">") || w == "|" || strings.HasPrefix(w, "2>"):
			// Redirections and pipes: the rest is plumbing.
			return strings.Join(out, " ")
		case strings.HasPrefix(w, "-") && len(w) > 1:
			if name, value, ok := strings.Cut(w, "="); ok {
				out = append(out, name+"="+shortValue(value))
			} else if i+1 < len(words) && !strings.HasPrefix(words[i+1], "-") && (placeholderEnd(words, i+1) >= 0 || !strings.HasPrefix(words[i+1], "<")) {
				out = append(out, w)
				if j := placeholderEnd(words, i+1); j >= 0 {
					out = append(out, shortValue(strings.Join(words[i+1:j+1], " ")))
					i = j
				} else {
					out = append(out, shortValue(words[i+1]))
					i++
				}
			} else {
				out = append(out, w)
			}
		case i > 0 && strings.Contains(w, "="):
			// vault's key=value settings after the path.
			name, value, _ := strings.Cut(w, "=")
			out = append(out, name+"="+shortValue(value))
		default:
			out = append(out, displayWord(w))
		}
	}
	return strings.Join(out, " ")
}

// placeholderEnd is the index of the word that closes a <placeholder> starting at words[i]
// (placeholders may have spaces), or -1 when words[i] does not start one.
func placeholderEnd(words []string, i int) int {
	if !strings.HasPrefix(words[i], "<") || strings.HasPrefix(words[i], "<<") || strings.HasPrefix(words[i], "</") {
		return -1
	}
	for j := i; j < len(words); j++ {
		if strings.HasSuffix(words[j], ">") {
			return j
		}
	}
	return -1
}

// shortValue keeps a value that says something in itself (jwt, sub, global, 43200) and elides
// the rest.
func shortValue(v string) string {
	if v == "" || len(v) > 16 || strings.ContainsAny(v, " \n{}'\"") {
		return "…"
	}
	return displayWord(v)
}

// displayWord quotes a word again for the shell when it needs it.
func displayWord(w string) string {
	if w != "" && !strings.ContainsFunc(w, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@=,+()<>*", r))
	}) {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// ShellWords splits s into words the way a POSIX shell does for single quotes, double quotes,
// backslashes and line continuations. ok is false when a quote is left open, s ends in an
// escape, or a $ or ` outside single quotes would make the shell expand something, which a
// suggested command never means. Tests use it to check every suggested command is well quoted.
func ShellWords(s string) (words []string, ok bool) {
	var w strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			flush()
		case c == '\\':
			if i+1 >= len(s) {
				return words, false
			}
			i++
			if s[i] != '\n' { // backslash-newline continues the line
				w.WriteByte(s[i])
				inWord = true
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return words, false
			}
			w.WriteString(s[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '"':
			inWord = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
					i++
					if s[i] == '\n' {
						continue
					}
				} else if s[i] == '$' || s[i] == '`' {
					return words, false
				}
				w.WriteByte(s[i])
			}
			if i >= len(s) {
				return words, false
			}
		case c == '$' || c == '`':
			return words, false
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return words, true
}

// mdCode is s as a Markdown code span inside a table cell.
func mdCode(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

// mdText escapes prose for a table cell, leaving its `code spans` as they are.
func mdText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 {
		// An unpaired backtick: treat it all as prose.
		parts = []string{strings.ReplaceAll(s, "`", "\\`")}
	}
	prose := strings.NewReplacer(`\`, `\\`, "|", `\|`, "*", `\*`, "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`)
	for i := range parts {
		if i%2 == 0 {
			parts[i] = prose.Replace(parts[i])
		} else {
			parts[i] = strings.ReplaceAll(parts[i], "|", `\|`)
		}
	}
	return strings.Join(parts, "`")
}
