// Package lab is the playground's local lab for nektos/act (`go run ./e2e/playground serve
// <providers>`): the fake GitHub ID-token service and the named providers' e2e worlds on
// loopback, started as every e2e suite starts them (e2e/internal/worlds), and what a user needs
// to run a workflow against them under act: the login step, the act command and the notes that
// make it work. It runs until stopped, then removes every file it made. e2e/act runs the act
// command it prints against the workflow of docs/act.md.
package lab

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/oidc-login/oidc-login/e2e/internal/fakegithub"
	"github.com/oidc-login/oidc-login/e2e/internal/harness"
	"github.com/oidc-login/oidc-login/e2e/internal/testca"
	"github.com/oidc-login/oidc-login/e2e/internal/worlds"
	"github.com/oidc-login/oidc-login/internal/provider"
	"github.com/oidc-login/oidc-login/internal/provider/registry"
)

const (
	// CAFile is the name of the lab's CA certificate in the folder act runs in.
	CAFile = "oidc-login-lab-ca.pem"
	// Workflow is the workflow file the act command runs, relative to that folder.
	Workflow = ".github/workflows/oidc-login-lab.yml"
	// DefaultImage is the job image act's own first-run question offers as its default
	// ("Medium"), for ubuntu-latest: cmd/root.go of nektos/act,
	// https://github.com/nektos/act/blob/bd86152165b976e89c24093ceb039d732b5ed95f/cmd/root.go
	DefaultImage = "catthehacker/ubuntu:act-latest"
	// Ready is the line the lab prints once it serves, after everything else.
	Ready = "The lab is running. Leave it running while act runs; Ctrl-C stops it and deletes the files it made."
	// Remote is how a workflow outside this repository uses the action.
	Remote = "oidc-login/oidc-login@v1"
)

// spec is the registry's entry for the provider named name. Its Act says how the provider logs
// in under act, whose action container shares no folder for files with later steps: the lab's
// step adds the inputs that make a login hand over variables and outputs only, and the lab
// refuses a provider whose login is a file (e2e/act TestActRefusesFilesForLaterSteps shows
// each failing there).
func spec(name string) provider.Spec {
	s, _ := registry.All.Lookup(name)
	return s
}

// Providers are the providers the lab serves: every one with an e2e world, but those whose
// login is a file.
func Providers() []string {
	var out []string
	for _, n := range worlds.Names() {
		if spec(n).Act.LoginFile == "" {
			out = append(out, n)
		}
	}
	return out
}

// Refused lists the providers the lab refuses, each with the variable of the file its login
// would hand on.
func Refused() map[string]string {
	out := map[string]string{}
	for _, n := range worlds.Names() {
		if file := spec(n).Act.LoginFile; file != "" {
			out[n] = file
		}
	}
	return out
}

// Options are what `serve` was asked for.
type Options struct {
	// Providers are served in this order.
	Providers []string
	// Dir is the folder act runs in (absolute): the CA file goes there.
	Dir string
	// Image is the job image for ubuntu-latest.
	Image string
}

// Usage is the command line of serve.
func Usage() string {
	return "go run ./e2e/playground serve [-dir <folder act runs in>] [-image <job image>] <" + strings.Join(Providers(), "|") + ">..."
}

// Parse reads serve's arguments: flags, then one or more providers (separated by spaces or
// commas, as the provider input is).
func Parse(args []string) (Options, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("dir", ".", "the folder you run act in (the repository with the workflow); the lab's CA file goes there")
	image := fs.String("image", DefaultImage, "the job image act runs ubuntu-latest jobs in")
	if err := fs.Parse(args); err != nil {
		return Options{}, fmt.Errorf("%w\nusage: %s", err, Usage())
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return Options{}, err
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return Options{}, fmt.Errorf("-dir %s: not a folder; name the repository you run act in", *dir)
	}
	o := Options{Dir: abs, Image: *image}
	for _, a := range fs.Args() {
		for _, name := range strings.FieldsFunc(a, func(r rune) bool { return r == ',' || r == ' ' }) {
			if strings.HasPrefix(name, "-") {
				return Options{}, fmt.Errorf("%s: flags go before the providers\nusage: %s", name, Usage())
			}
			if file := spec(name).Act.LoginFile; file != "" {
				return Options{}, fmt.Errorf("%s cannot log in under act: its login hands later steps a file (%s), and act shares no folder with a container action's later steps; "+
					"run %s on GitHub, or try it with the playground (go run ./e2e/playground %s). The lab serves %s", name, file, name, name, strings.Join(Providers(), ", "))
			}
			if !slices.Contains(worlds.Names(), name) {
				return Options{}, fmt.Errorf("no provider %q: the lab serves %s", name, strings.Join(Providers(), ", "))
			}
			if !slices.Contains(o.Providers, name) {
				o.Providers = append(o.Providers, name)
			}
		}
	}
	if len(o.Providers) == 0 {
		return Options{}, fmt.Errorf("name the providers to serve\nusage: %s", Usage())
	}
	return o, nil
}

// Lab is the running services.
type Lab struct {
	opts Options
	gh   *fakegithub.Server
	// tmp holds the CA's own files; caFile is its copy in Dir ("" when no world needs it).
	tmp    string
	ca     *testca.CA
	caFile string
	worlds []worlds.World
}

// Start starts the fake GitHub and the worlds of o.Providers.
func Start(o Options) (l *Lab, err error) {
	tmp, err := os.MkdirTemp("", "oidc-login-lab-")
	if err != nil {
		return nil, err
	}
	l = &Lab{opts: o, tmp: tmp, gh: fakegithub.New()}
	defer func() {
		if err != nil {
			l.Close()
			l = nil
		}
	}()
	if l.ca, err = testca.New(tmp); err != nil {
		return l, err
	}
	for _, name := range o.Providers {
		w, err := worlds.New(name, l.gh, l.ca)
		if err != nil {
			return l, err
		}
		l.worlds = append(l.worlds, w)
	}
	if len(l.tlsProviders()) > 0 {
		l.caFile = filepath.Join(o.Dir, CAFile)
		// A certificate is public; the job's containers read it as whichever user they run.
		if err := os.WriteFile(l.caFile, l.ca.PEM, 0o644); err != nil {
			l.caFile = ""
			return l, fmt.Errorf("writing the lab's CA where act runs: %w", err)
		}
	}
	return l, nil
}

// World returns the world of provider name, or nil.
func (l *Lab) World(name string) worlds.World {
	for _, w := range l.worlds {
		if w.Inputs()["provider"] == name {
			return w
		}
	}
	return nil
}

// Close stops the services and deletes the lab's files, the CA file in Dir included.
func (l *Lab) Close() error {
	for _, w := range l.worlds {
		w.Close()
	}
	l.gh.Close()
	var errs []error
	if l.caFile != "" {
		if err := os.Remove(l.caFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	errs = append(errs, os.RemoveAll(l.tmp))
	return errors.Join(errs...)
}

// CAPath is the CA file in Dir, or "" when no served emulator needs it.
func (l *Lab) CAPath() string { return l.caFile }

// workspaceCA is how a step names the CA file: see the note in Write.
const workspaceCA = "${{ github.workspace }}/" + CAFile

// Step is the login step, indented as an item of a job's steps: (six spaces).
func (l *Lab) Step() string {
	var b strings.Builder
	b.WriteString("      - name: login\n        id: login\n        uses: " + l.uses() + "\n")
	env := map[string]string{}
	for _, w := range l.worlds {
		for k, v := range w.Env() {
			if v == l.ca.File {
				v = workspaceCA
			}
			env[k] = v
		}
	}
	if len(env) > 0 {
		b.WriteString("        env:\n")
		for _, k := range slices.Sorted(maps.Keys(env)) {
			b.WriteString(entry(10, k, env[k]))
		}
	}
	b.WriteString("        with:\n")
	b.WriteString(entry(10, "provider", strings.Join(l.opts.Providers, ", ")))
	for _, w := range l.worlds {
		in := maps.Clone(w.Inputs())
		name := in["provider"]
		delete(in, "provider")
		comment := name
		if act := spec(name).Act; act.Inputs != nil {
			maps.Copy(in, act.Inputs)
			comment = spec(name).ActAdvice()
		}
		b.WriteString("          # " + comment + "\n")
		for _, k := range slices.Sorted(maps.Keys(in)) {
			b.WriteString(entry(10, k, in[k]))
		}
	}
	return b.String()
}

// uses is the action's reference: ./ in a clone of this repository, the released action
// elsewhere (act fetches it from GitHub).
func (l *Lab) uses() string {
	ours, err := os.ReadFile(filepath.Join(harness.Root(), "action.yml"))
	if err != nil {
		return Remote
	}
	theirs, err := os.ReadFile(filepath.Join(l.opts.Dir, "action.yml"))
	if err != nil || firstLine(theirs) != firstLine(ours) {
		return Remote
	}
	return "./"
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

// Command is the act command, one flag a line, ready to paste into a shell.
func (l *Lab) Command() string {
	env := l.gh.Env()
	lines := []string{
		"act push -C " + shellQuote(l.opts.Dir),
		"-W " + Workflow,
		"-P ubuntu-latest=" + shellQuote(l.opts.Image),
		"--network host",
		"--env ACTIONS_ID_TOKEN_REQUEST_URL=" + shellQuote(env["ACTIONS_ID_TOKEN_REQUEST_URL"]),
		"--env ACTIONS_ID_TOKEN_REQUEST_TOKEN=" + shellQuote(env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]),
	}
	return strings.Join(lines, " \\\n  ") + "\n"
}

// Write prints everything a user needs, ending with Ready.
func (l *Lab) Write(w io.Writer) {
	fmt.Fprintf(w, "oidc-login lab: a fake GitHub ID-token service and the emulators of %s, on 127.0.0.1, for a workflow run under nektos/act (docs/act.md).\n",
		strings.Join(l.opts.Providers, ", "))
	fmt.Fprintf(w, "Its ID tokens are GitHub's for %s on main (sub %s); each emulator trusts them as that cloud would once set up for the repository.\n",
		fakegithub.DefaultRepo, fakegithub.DefaultSubject)

	section(w, "The login step: put it in "+Workflow+", after actions/checkout")
	fmt.Fprint(w, l.Step())

	section(w, "The act command: run it in another terminal")
	fmt.Fprint(w, l.Command())

	section(w, "Notes")
	if l.caFile != "" {
		tls := l.tlsProviders()
		who := "The " + tls[0] + " emulator speaks"
		if len(tls) > 1 {
			who = "The emulators of " + strings.Join(tls, " and ") + " speak"
		}
		note(w, "The CA. "+who+" https with certificates from the lab's own CA, in "+l.caFile+
			" until the lab stops. The step trusts it through SSL_CERT_FILE, which Go reads for its trusted roots, as "+workspaceCA+
			": act runs the action in a container of its own, which sees the job's workspace (where actions/checkout copies "+l.opts.Dir+
			", at the same path) and none of this machine's other folders. act expands ${{ github.workspace }} before the step starts; "+
			"a $GITHUB_WORKSPACE in env: would stay as written, since no shell reads it.")
	} else {
		note(w, "No CA to trust: the emulators served here speak plain http on loopback, which their endpoint inputs allow.")
	}
	note(w, "shell: sh. act runs a run: step with bash unless the workflow names a shell, and minimal job images (busybox, alpine) have only sh: "+
		"give the workflow defaults: run: shell: sh, as the one in docs/act.md has.")
	note(w, "--env: act has no ID-token service of its own, so these two variables point the step at the lab's. "+
		"--network host lets the job's containers reach 127.0.0.1. The ports change each time the lab starts.")
	if l.uses() == Remote {
		note(w, "uses: "+Remote+": "+l.opts.Dir+" is not a clone of this repository, so act fetches the action from GitHub and builds its image.")
	} else {
		note(w, "uses: ./ is this clone's action: act builds its image from the Dockerfile on its first run, a few minutes.")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, Ready)
}

// tlsProviders are the providers whose emulators speak TLS with the lab's CA, which the step
// must then trust.
func (l *Lab) tlsProviders() []string {
	var out []string
	for _, w := range l.worlds {
		for _, v := range w.Env() {
			if v == l.ca.File {
				out = append(out, w.Inputs()["provider"])
				break
			}
		}
	}
	return out
}

// Summary says what the services did, for when the lab stops.
func (l *Lab) Summary() string {
	var parts []string
	for _, w := range l.worlds {
		s := fmt.Sprintf("%s %d", w.Inputs()["provider"], w.RequestCount())
		if u := w.Unexpected(); len(u) > 0 {
			s += fmt.Sprintf(" (%d the real service would not answer: %q)", len(u), u)
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("The ID-token service minted %d tokens; requests to the emulators: %s.", len(l.gh.Minted()), strings.Join(parts, ", "))
}

// Run is serve: it parses args, starts the lab, prints what to do and serves until ctx ends,
// then stops the services and deletes the lab's files.
func Run(ctx context.Context, args []string, out io.Writer) error {
	o, err := Parse(args)
	if err != nil {
		return err
	}
	l, err := Start(o)
	if err != nil {
		return err
	}
	l.Write(out)
	<-ctx.Done()
	fmt.Fprintln(out, "\nStopping the lab. "+l.Summary())
	if err := l.Close(); err != nil {
		return err
	}
	if l.caFile != "" {
		fmt.Fprintln(out, "Deleted "+l.caFile+".")
	}
	return nil
}

func section(w io.Writer, title string) { fmt.Fprintf(w, "\n── %s ──\n", title) }

// note prints text as a list item, wrapped for a terminal.
func note(w io.Writer, text string) {
	const width = 100
	// An expression stays on one line, to be copied whole.
	const nbsp = "\x00"
	expr := regexp.MustCompile(`\$\{\{[^}]*\}\}`)
	text = expr.ReplaceAllStringFunc(text, func(e string) string { return strings.ReplaceAll(e, " ", nbsp) })
	line := "-"
	for _, word := range strings.Fields(text) {
		if len(line)+1+len(word) > width && line != "-" {
			fmt.Fprintln(w, strings.ReplaceAll(line, nbsp, " "))
			line = " "
		}
		line += " " + word
	}
	fmt.Fprintln(w, strings.ReplaceAll(line, nbsp, " "))
}

// entry is one key: value line of YAML at indent, the value quoted as YAML needs.
func entry(indent int, k, v string) string {
	pad := strings.Repeat(" ", indent)
	if strings.Contains(v, "\n") {
		return pad + k + ": |\n" + pad + "  " + strings.ReplaceAll(strings.TrimRight(v, "\n"), "\n", "\n"+pad+"  ") + "\n"
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		b = []byte(fmt.Sprintf("%q", v))
	}
	return pad + k + ": " + strings.TrimRight(string(b), "\n") + "\n"
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
