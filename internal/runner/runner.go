// Package runner is the action's side of the GitHub runner: workflow commands on stdout
// (masks, errors, groups), the file commands (GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE,
// GITHUB_STEP_SUMMARY), and the home mount where files for later steps go. Only package login
// talks to it, so the all-or-nothing rule lives in one place.
package runner

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/oidc-login/oidc-login/internal/lazyre"
	"github.com/sethvargo/go-githubactions"
)

// Delimiter is the fixed heredoc delimiter go-githubactions v1.4.0 writes file commands with.
// A value holding a line equal to it would end the value early and inject what follows.
const Delimiter = "_GitHubActionsFileCommandDelimeter_"

// File-command variables.
const (
	EnvFile     = "GITHUB_ENV"
	OutputFile  = "GITHUB_OUTPUT"
	StateFile   = "GITHUB_STATE"
	SummaryFile = "GITHUB_STEP_SUMMARY"
)

// Var is one name=value for a file command.
type Var struct {
	Name, Value string
}

// Runner prints workflow commands and writes file commands. It is safe for concurrent use:
// providers finish in any order and mask their secrets as they do.
type Runner struct {
	mu     sync.Mutex
	out    io.Writer
	getenv func(string) string
	gha    *githubactions.Action
	masked map[string]bool
	// secrets are every value masked so far, redacted from anything we print as text.
	secrets []string
}

// New returns a Runner printing to out and reading the runner's variables through getenv.
func New(out io.Writer, getenv func(string) string) *Runner {
	return &Runner{
		out:    out,
		getenv: getenv,
		gha:    githubactions.New(githubactions.WithWriter(out), githubactions.WithGetenv(getenv)),
		masked: map[string]bool{},
	}
}

// Getenv reads a runner variable.
func (r *Runner) Getenv(k string) string { return r.getenv(k) }

// Mask registers secret with the runner, one ::add-mask:: per line, because a mask matches
// within one line only. Lines end where the runner ends them (\n, \r\n and a bare \r), so
// each part of a secret holding a bare \r is masked, and redacted, on its own: the runner would
// show each part as a line of its own. go-githubactions escapes the \r inside the mask command
// itself (%0D), so the command line never ends early. Call it before anything could print the
// value.
func (r *Runner) Mask(secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, line := range splitLines(secret) {
		line = strings.TrimSpace(line)
		if line == "" || r.masked[line] {
			continue
		}
		r.masked[line] = true
		r.secrets = append(r.secrets, line)
		r.gha.AddMask(line)
	}
}

// Redact replaces every masked value in s with ***: what the runner would show, applied
// before we print, so no secret leaves the process even in text the runner never sees
// (the job summary, a panic message).
func (r *Runner) Redact(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, sec := range r.secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// Infof prints one plain log line (redacted). The arguments may hold server text: the whole
// line is printed through InertLine, so it stays one line and is never a workflow command.
func (r *Runner) Infof(format string, args ...any) {
	msg := InertLine(r.Redact(fmt.Sprintf(format, args...)))
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintln(r.out, msg)
}

// Errorf prints an ::error:: annotation (redacted). The message may hold server text; it is
// the data of one command line, which go-githubactions v1.4.0 escapes (%, \r and \n as %25,
// %0D, %0A; command.go escapeData), so it cannot end the line, and the runner, having parsed
// the line as ::error::, runs nothing else in it. The title is always ours.
func (r *Runner) Errorf(title, format string, args ...any) {
	msg := r.Redact(fmt.Sprintf(format, args...))
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.gha
	if title != "" {
		a = a.WithFieldsMap(map[string]string{"title": title})
	}
	a.Errorf("%s", msg)
}

// Warningf prints a ::warning:: annotation (redacted), escaped as Errorf's.
func (r *Runner) Warningf(format string, args ...any) {
	msg := r.Redact(fmt.Sprintf(format, args...))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gha.Warningf("%s", msg)
}

// Noticef prints a ::notice:: annotation (redacted).
func (r *Runner) Noticef(format string, args ...any) {
	msg := r.Redact(fmt.Sprintf(format, args...))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gha.Noticef("%s", msg)
}

// Group prints body inside a collapsed ::group:: (redacted). The body may hold server text
// (policies, claims, descriptions): each of its lines is printed through InertLines. The title
// is escaped by go-githubactions like an annotation's message.
func (r *Runner) Group(title, body string) {
	lines := InertLines(strings.TrimRight(r.Redact(body), "\r\n"))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gha.Group(title)
	fmt.Fprint(r.out, strings.Join(lines, "\n")+"\n")
	r.gha.EndGroup()
}

var (
	envNameRE    = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)
	outputNameRE = lazyre.New(`^[A-Za-z_][A-Za-z0-9_-]*$`)
)

// IsEnvName reports whether name is a valid environment variable name: letters, digits and _,
// not starting with a digit.
func IsEnvName(name string) bool { return envNameRE().MatchString(name) }

// CheckEnv refuses a variable that cannot be written safely as GITHUB_ENV.
func CheckEnv(v Var) error {
	if !IsEnvName(v.Name) {
		return fmt.Errorf("%q is not a valid environment variable name", v.Name)
	}
	return checkValue(v)
}

// controlChar finds a C0 control character other than tab, CR and LF.
func controlChar(s string) (rune, bool) {
	for _, c := range s {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' {
			return c, true
		}
	}
	return 0, false
}

// CheckOutput refuses an output (or state) that cannot be written safely.
func CheckOutput(v Var) error {
	if !outputNameRE().MatchString(v.Name) {
		return fmt.Errorf("%q is not a valid output name", v.Name)
	}
	return checkValue(v)
}

// checkValue refuses what no file command may carry: a line equal to the delimiter, and a NUL
// or another C0 control character but tab, CR and LF. A NUL ends the value in a process's
// environment (and on Windows, whose environment block is NUL-separated, what follows would
// read as another variable); an output reaches one as soon as a step sets env: from it. The
// error names the variable and the code point, never the value.
func checkValue(v Var) error {
	if c, ok := controlChar(v.Value); ok {
		return fmt.Errorf("the value for %s holds the control character U+%04X; an exported value must hold no NUL (it ends the value in a process's environment, and on Windows what follows would read as another variable) and no other control character but tab, CR and LF; refusing to write it", v.Name, c)
	}
	if HasDelimiterLine(v.Value) {
		return fmt.Errorf("the value for %s contains a line equal to the file-command delimiter %s, which would inject variables; refusing to write it", v.Name, Delimiter)
	}
	return nil
}

// HasDelimiterLine reports whether a line of s (ended by \n or \r\n, as the runner's file
// command reader ends them) equals Delimiter: such a value cannot be written as a file command.
// A provider checks its values with it to fail with a better name for the value than Check's.
func HasDelimiterLine(s string) bool {
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if line == Delimiter {
			return true
		}
	}
	return false
}

// Writes is everything one step hands to later steps, written together or not at all.
type Writes struct {
	Env, Outputs, State []Var
	Summary             string
}

// Check validates every name and value, and that the runner gave us somewhere to put them,
// before anything is written.
func (r *Runner) Check(w Writes) error {
	for _, v := range w.Env {
		if err := CheckEnv(v); err != nil {
			return err
		}
	}
	for _, v := range append(append([]Var{}, w.Outputs...), w.State...) {
		if err := CheckOutput(v); err != nil {
			return err
		}
	}
	if len(w.Env) > 0 && r.getenv(EnvFile) == "" {
		return fmt.Errorf("%s is not set, so credentials cannot be exported; run this as a GitHub Actions step, or set export-env: false", EnvFile)
	}
	if len(w.Outputs) > 0 && r.getenv(OutputFile) == "" {
		return fmt.Errorf("%s is not set, so outputs cannot be written; run this as a GitHub Actions step", OutputFile)
	}
	return nil
}

// Commit writes w. It checks everything first so that a bad value writes nothing; state and
// the summary are skipped when the runner gave no file for them (a local run). Each file gets
// one append of everything it takes, in the bytes go-githubactions v1.4.0 writes one command
// at a time: one open and one write per file instead of one per variable (a GCP login with
// a service account sets 14 variables and outputs), and no half-written file if the disk
// fills between two of them.
func (r *Runner) Commit(w Writes) error {
	if err := r.Check(w); err != nil {
		return err
	}
	files := []struct {
		name string
		text strings.Builder
	}{{name: EnvFile}, {name: OutputFile}, {name: StateFile}, {name: SummaryFile}}
	for _, v := range w.Env {
		fileCommand(&files[0].text, v)
	}
	for _, v := range w.Outputs {
		fileCommand(&files[1].text, v)
	}
	if r.getenv(StateFile) != "" {
		for _, v := range w.State {
			fileCommand(&files[2].text, v)
		}
	}
	if w.Summary != "" && r.getenv(SummaryFile) != "" {
		files[3].text.WriteString(w.Summary + githubactions.EOF)
	}
	for i := range files {
		if files[i].text.Len() == 0 {
			continue
		}
		if err := appendTo(r.getenv(files[i].name), files[i].text.String()); err != nil {
			return fmt.Errorf("writing the runner's file commands failed: unable to write command to the environment file: %v", err)
		}
	}
	return nil
}

// fileCommand adds v as a multi-line file command: name<<delimiter, the value, the
// delimiter, each ended by the OS's line end (Check has refused a value holding the
// delimiter).
func fileCommand(b *strings.Builder, v Var) {
	b.WriteString(v.Name + "<<" + Delimiter + githubactions.EOF + v.Value + githubactions.EOF + Delimiter + githubactions.EOF)
}

// appendTo appends text to the file at path in one write, creating it as the runner would.
func appendTo(path, text string) (err error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	_, err = f.WriteString(text)
	return err
}

// CanWrite reports whether the file command's file exists for writing (used by the post
// step, which must not panic when a variable is missing).
func CanWrite(getenv func(string) string, name string) bool {
	p := getenv(name)
	if p == "" {
		return false
	}
	_, err := os.Stat(p)
	return err == nil || os.IsNotExist(err)
}
