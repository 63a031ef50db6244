package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sdkconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/oidc-login/oidc-login/internal/config"
)

// windowsHelpers are helper paths as the native action finds them on Windows runners (the
// tool cache, a build under RUNNER_TEMP, an 8.3 short name, a UNC share, a non-ASCII folder).
var windowsHelpers = []string{
	`C:\hostedtoolcache\windows\oidc-login\1.2.3\x64\oidc-login.exe`,
	`D:\a\_temp\oidc-login-build\oidc-login.exe`,
	`C:\Users\RUNNER~1\AppData\Local\Temp\oidc-login.exe`,
	`\\runner-share\tools\oidc-login.exe`,
	`C:\actions-runner\_work\_tool\Zürich\oidc-login.exe`,
}

// windowsArgs are arguments a step's inputs can give on Windows, hostile where the rules let
// them be: quotes of the other kind, comment characters, a trailing backslash, = and , .
func windowsArgs(t *testing.T) []string {
	t.Helper()
	in := refreshInputs(
		"aws-role-session-name", "deploy@main=x,y.z",
		"aws-inline-session-policy", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/it's #1; \"q\" %PATH% & | < > ^ ( ) !"}]}`,
		"aws-managed-session-policies", "arn:aws:iam::aws:policy/ReadOnlyAccess\narn:aws:iam::123456789012:policy/x",
		"aws-sts-endpoint", "https://sts.example.com:8443/a@b;c,d=e~",
	)
	p, err := New(in, config.Common{Audience: `it's#1;x'y\`, RetryMaxAttempts: 3, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	args := p.(*Provider).HelperArgs()
	// The duration stays last (see posixCommandLine); two words with backslashes go before it.
	return append(args[:len(args)-1:len(args)-1], `--x=C:\dir\`, `--y=a\\b`, args[len(args)-1])
}

// windowsRefused are words no Windows credential_process can carry, with what the error says.
var windowsRefused = []struct{ helper, arg, want string }{
	{`C:\Program Files\oidc-login\oidc-login.exe`, "", "the helper's path"},
	{`C:\Program Files (x86)\x.exe`, "", "the helper's path"},
	{`C:\a&b\x.exe`, "", "the helper's path"},
	{`C:\a,b\x.exe`, "", "the helper's path"},
	{`C:\a;b\x.exe`, "", "the helper's path"},
	{`C:\a=b\x.exe`, "", "the helper's path"},
	{`C:\%USERPROFILE%\x.exe`, "", "the helper's path"},
	{`C:\a"b\x.exe`, "", "the helper's path"},
	{windowsHelpers[0], `--audience=a"b`, `holds "\""`},
	{windowsHelpers[0], "--audience=%PATH%", `holds "%"`},
	{windowsHelpers[0], "--audience=a^b", `holds "^"`},
	{windowsHelpers[0], "--audience=a&b", `holds "&"`},
	{windowsHelpers[0], "--audience=a|b", `holds "|"`},
	{windowsHelpers[0], "--audience=a<b", `holds "<"`},
	{windowsHelpers[0], "--audience=a>b", `holds ">"`},
	{windowsHelpers[0], "--audience=(a)", `holds "("`},
	{windowsHelpers[0], "--audience=a!b", `holds "!"`},
	{windowsHelpers[0], "--audience=a b", `holds " "`},
	{windowsHelpers[0], "--audience=a\tb", `holds "\t"`},
	{windowsHelpers[0], "--audience=a\x00b", `holds "\x00"`},
}

// TestWindowsCommandLineRefuses: a helper path or argument either consumer would change is
// refused, naming the word and why.
func TestWindowsCommandLineRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range windowsRefused {
		args := []string{"--duration=900"}
		if tc.arg != "" {
			args = append([]string{tc.arg}, args...)
		}
		if line, err := commandLine("windows", tc.helper, args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %q: %q, %v; want an error with %q", tc.helper, tc.arg, line, err, tc.want)
		}
	}
}

// python3Botocore returns python3, or skips (fails with CI=true) when it or botocore is missing.
func python3Botocore(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "from botocore.compat import _windows_shell_split").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with botocore is needed to run botocore's Windows splitter (CI=true, so this is a failure, not a skip): %v", err)
		}
		t.Skipf("python3 with botocore is missing: %v", err)
	}
	return py
}

// botocoreWindowsSplit runs the installed botocore's _windows_shell_split (compat.py, the
// splitter compat_shell_split uses on win32) on each line, in one python3 process; a line it
// refuses (an unclosed quote) gives nil.
func botocoreWindowsSplit(t *testing.T, lines []string) [][]string {
	t.Helper()
	in, err := json.Marshal(lines)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python3Botocore(t), "-c", "import json, sys\nfrom botocore.compat import _windows_shell_split\ndef split(l):\n    try:\n        return _windows_shell_split(l)\n    except ValueError:\n        return None\nprint(json.dumps([split(l) for l in json.load(sys.stdin)]))")
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore's _windows_shell_split: %v", err)
	}
	var got [][]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestWindowsCommandLineUnderBotocore: botocore on Windows (the AWS CLI, boto3) splits each
// line the native action writes back into exactly the helper and its arguments. The POSIX
// line the action wrote on every system before (single quotes around a path with \) gives it
// a program name with the quotes in it: the login succeeded and every later AWS call failed.
func TestWindowsCommandLineUnderBotocore(t *testing.T) {
	t.Parallel()
	args := windowsArgs(t)
	var lines []string
	var want [][]string
	for _, h := range windowsHelpers {
		line, err := commandLine("windows", h, args)
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		lines = append(lines, line)
		want = append(want, append([]string{h, HelperCommand}, args...))
	}
	posix, err := posixCommandLine(windowsHelpers[0], args)
	if err != nil {
		t.Fatal(err)
	}
	got := botocoreWindowsSplit(t, append(lines, posix))
	for i := range lines {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("_windows_shell_split(%q) = %q, want %q", lines[i], got[i], want[i])
		}
	}
	if old := got[len(lines)]; len(old) == 0 || old[0] == windowsHelpers[0] {
		t.Errorf("the POSIX line %q read back as %q: the test no longer shows why Windows needs its own", posix, old)
	}
}

// TestWindowsCommandLineUnderGoSDK: aws-sdk-go-v2 on Windows reads the profile with its own
// ini parser (run here: config.LoadSharedConfigProfile) and runs the value as cmd.exe /C
// (modelled by sdkWindowsArgv, below); the helper gets back exactly its arguments.
func TestWindowsCommandLineUnderGoSDK(t *testing.T) {
	t.Parallel()
	args := windowsArgs(t)
	for _, h := range windowsHelpers {
		line, err := commandLine("windows", h, args)
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		value := sdkCredentialProcess(t, line)
		argv, err := sdkWindowsArgv(value)
		if err != nil {
			t.Errorf("%s: %v", line, err)
			continue
		}
		if want := append([]string{h, HelperCommand}, args...); !slices.Equal(argv, want) {
			t.Errorf("cmd.exe /C %s runs %q, want %q", line, argv, want)
		}
	}
	// Each refused argument is one the model shows would not arrive as written.
	for _, tc := range windowsRefused {
		if tc.arg == "" || strings.ContainsAny(tc.arg, " \t\x00") {
			continue
		}
		argv, err := sdkWindowsArgv(windowsHelpers[0] + " " + HelperCommand + " " + tc.arg + " --duration=900")
		if err == nil && len(argv) == 4 && argv[2] == tc.arg {
			t.Errorf("%q would arrive intact, yet it is refused", tc.arg)
		}
	}
}

// sdkCredentialProcess writes line as the step writes the profile and reads it back with
// aws-sdk-go-v2's own shared-config loader, as the SDK does on any system.
func sdkCredentialProcess(t *testing.T, line string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(f, []byte("[profile oidc-login]\nregion = eu-west-1\ncredential_process = "+line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := sdkconfig.LoadSharedConfigProfile(context.Background(), "oidc-login", func(o *sdkconfig.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{f}, []string{}
	})
	if err != nil {
		t.Fatal(err)
	}
	return c.CredentialProcess
}

// sdkWindowsArgv is what the program started for credential_process value v gets as its
// arguments on Windows, step by step as aws-sdk-go-v2 and the system treat it:
//  1. credentials/processcreds provider.go (v1.20.15 and v1.21.1, the same file):
//     DefaultNewCommandBuilder.NewCommand runs exec.CommandContext(ctx, "cmd.exe", "/C", v).
//  2. Go's syscall (exec_windows.go makeCmdLine) joins the arguments for CreateProcess, each
//     written by EscapeArg: createProcessArg below.
//  3. cmd.exe takes what follows /C and handles its quotes as `cmd /?` describes: rule 1 keeps
//     them only when the quoted text is the name of an executable file, which a command line
//     with arguments is not, so rule 2 applies: the first character, if a quote, and the last
//     quote are removed. cmdSlashC below.
//  4. cmd.exe then reads that command: it expands %NAME%, and outside quotes acts on
//     & | < > ^ ( ) (and ! with delayed expansion); the model refuses any of them, or a quote,
//     rather than guess. Otherwise it starts the first word as the program with the command as
//     its command line.
//  5. The program, a Go binary, splits its command line into os.Args as the Microsoft C
//     runtime documents (os/exec_windows.go commandLineToArgv): windowsSplit below.
func sdkWindowsArgv(v string) ([]string, error) {
	cmdline := strings.Join([]string{createProcessArg("cmd.exe"), createProcessArg("/C"), createProcessArg(v)}, " ")
	command, err := cmdSlashC(cmdline)
	if err != nil {
		return nil, err
	}
	if i := strings.IndexAny(command, `"%^&|<>()!`); i >= 0 {
		return nil, fmt.Errorf("cmd.exe would interpret %q in %q", command[i], command)
	}
	return windowsSplit(command), nil
}

// createProcessArg writes one argument the way Go's syscall.EscapeArg documents it: as it is
// unless it holds a space, a tab, a quote or a backslash; otherwise each quote is preceded by
// a backslash, the backslashes just before a quote are doubled, and, when it holds a space or
// tab, the whole is wrapped in quotes, doubling the backslashes at its end.
func createProcessArg(s string) string {
	if s == "" {
		return `""`
	}
	if !strings.ContainsAny(s, "\" \t\\") {
		return s
	}
	wrap := strings.ContainsAny(s, " \t")
	var b strings.Builder
	if wrap {
		b.WriteByte('"')
	}
	slashes := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(s[i])
	}
	if wrap {
		b.WriteString(strings.Repeat(`\`, slashes))
		b.WriteByte('"')
	}
	return b.String()
}

// cmdSlashC is the command cmd.exe runs for its command line: what follows the /C switch,
// leading white space dropped, with `cmd /?`'s rule 2 applied (see sdkWindowsArgv).
func cmdSlashC(cmdline string) (string, error) {
	_, rest, ok := strings.Cut(cmdline, " /C ")
	if !ok {
		return "", errors.New("no /C switch")
	}
	rest = strings.TrimLeft(rest, " \t")
	if strings.HasPrefix(rest, `"`) {
		last := strings.LastIndex(rest, `"`)
		rest = rest[1:last] + rest[last+1:]
	}
	return rest, nil
}

// windowsSplit splits a command line as the Microsoft C runtime documents it
// (https://learn.microsoft.com/cpp/c-language/parsing-c-command-line-arguments): arguments are
// separated by spaces and tabs outside quotes; a quote starts or ends a quoted part; 2n
// backslashes before a quote give n backslashes and the quote acts, 2n+1 give n and a literal
// quote; other backslashes are literal. (Go's os.Args also reads "" inside a quoted part as one
// literal quote; no line here holds a quote at all.)
func windowsSplit(s string) []string {
	var args []string
	var cur strings.Builder
	inArg, quoted, slashes := false, false, 0
	flush := func() {
		cur.WriteString(strings.Repeat(`\`, slashes))
		slashes = 0
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			slashes++
			inArg = true
		case c == '"':
			cur.WriteString(strings.Repeat(`\`, slashes/2))
			if slashes%2 == 1 {
				cur.WriteByte('"')
			} else {
				quoted = !quoted
			}
			slashes = 0
			inArg = true
		case (c == ' ' || c == '\t') && !quoted:
			flush()
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			flush()
			cur.WriteByte(c)
			inArg = true
		}
	}
	flush()
	if inArg {
		args = append(args, cur.String())
	}
	return args
}

// TestWindowsModel checks the model's own parts: windowsSplit agrees with botocore's
// _windows_shell_split (both follow the C runtime's documented rules) on Microsoft's examples
// and on random text, and splitting what createProcessArg wrote gives back the argument.
func TestWindowsModel(t *testing.T) {
	t.Parallel()
	lines := []string{`"a b c" d e`, `"ab\"c" "\\" d`, `a\\\b d"e f"g h`, `a\\\"b c d`, `a\\\\"b c" d e`, `C:\x\y.exe  --a=b\  c`}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ab \t\\\"'%^&"
	for range 200 {
		b := make([]byte, 1+r.IntN(16))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		// "" inside a quoted part is where the two readings part (see windowsSplit).
		if s := string(b); !strings.Contains(s, `""`) {
			lines = append(lines, s)
		}
	}
	got := botocoreWindowsSplit(t, lines)
	compared := 0
	for i, l := range lines {
		mine := windowsSplit(l)
		if got[i] == nil {
			continue // botocore refuses an unclosed quote, which the C runtime closes at the end
		}
		compared++
		if !slices.Equal(mine, got[i]) && (len(mine) != 0 || len(got[i]) != 0) {
			t.Errorf("windowsSplit(%q) = %q, botocore %q", l, mine, got[i])
		}
	}
	if compared < 100 {
		t.Errorf("only %d lines compared: the check proves little", compared)
	}
	for _, s := range []string{`a`, `a b`, `a"b`, `a\"b c`, `C:\dir\`, `C:\dir with space\`, `\\server\"x\" y\\`, "\t"} {
		if w := windowsSplit(createProcessArg(s)); len(w) != 1 || w[0] != s {
			t.Errorf("createProcessArg(%q) = %q splits into %q", s, createProcessArg(s), w)
		}
	}
}

// TestRefreshInputsOnWindows: on Windows an audience or STS endpoint that cmd.exe would read
// is an input error before any request; elsewhere the POSIX line quotes it.
func TestRefreshInputsOnWindows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ input, value, want string }{
		{"audience", "https://github.com/octo%2Dorg", `input audience: cannot go into the profile's credential_process with aws-refresh on Windows: it holds "%"`},
		{"aws-sts-endpoint", "https://sts.example.com/a&b", `input aws-sts-endpoint: cannot go into the profile's credential_process with aws-refresh on Windows: it holds "&"`},
	} {
		in, common := refreshInputs(), config.Common{}
		if tc.input == "audience" {
			common.Audience = tc.value
		} else {
			in[tc.input] = tc.value
		}
		p, err := New(in, common)
		if err != nil {
			t.Fatalf("%s on Linux: %v", tc.value, err)
		}
		if err := p.(*Provider).checkRefreshFor("windows", in); err == nil || !strings.HasPrefix(err.Error(), tc.want) || !config.IsInputError(err) {
			t.Errorf("%s on Windows: %v, want %q…", tc.value, err, tc.want)
		}
	}
}
