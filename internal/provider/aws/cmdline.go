package aws

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/oidc-login/oidc-login/internal/config"
	"github.com/oidc-login/oidc-login/internal/lazyre"
)

// CommandLine is the credential_process value: the helper and its arguments, written for the
// SDKs of the system the later steps run on, which is this one (the native action runs there;
// the Docker action and its later steps run on Linux).
func CommandLine(helper string, args []string) (string, error) {
	return commandLine(runtime.GOOS, helper, args)
}

func commandLine(goos, helper string, args []string) (string, error) {
	if goos == "windows" {
		return windowsCommandLine(helper, args)
	}
	return posixCommandLine(helper, args)
}

// shellSafe are the characters both consumers' splitters take literally outside quotes.
var shellSafe = lazyre.New(`^[A-Za-z0-9_@%+=:,./-]+$`)

// posixCommandLine quotes each word for the two ways it is split on Linux and macOS. botocore
// splits it with shlex.split and runs it without a shell (credentials.py ProcessProvider,
// compat.py compat_shell_split, boto/botocore@0e6e240); aws-sdk-go-v2 runs it with `sh -c`
// (credentials/processcreds provider.go, v1.21.1), as do the other SDKs there. POSIX single
// quotes mean the same to shlex and sh. aws-sdk-go-v2 also strips one pair of quotes around
// the whole value (config/internal/ini legacyStrconv), which is why the last argument is
// always bare.
func posixCommandLine(helper string, args []string) (string, error) {
	words := append([]string{helper, HelperCommand}, args...)
	for i, w := range words {
		if unsafeArg().MatchString(w) {
			return "", fmt.Errorf("aws-refresh: %s cannot go into credential_process: it contains spaces or control characters", config.Quote(w))
		}
		if !shellSafe().MatchString(w) {
			words[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
	}
	if last := words[len(words)-1]; strings.HasSuffix(last, "'") {
		return "", fmt.Errorf("aws-refresh: internal error: the command line must end with a bare word, not %s", last)
	}
	return strings.Join(words, " "), nil
}

// On Windows the two consumers agree on no quoting at all:
//   - botocore splits the line with _windows_shell_split (compat.py, boto/botocore@0e6e240):
//     space and tab separate words, double quotes group them, backslashes are literal unless
//     they lead up to a double quote; single quotes are plain characters.
//   - aws-sdk-go-v2 runs exec.Command("cmd.exe", "/C", line) (credentials/processcreds
//     provider.go DefaultNewCommandBuilder.NewCommand, credentials v1.20.15 and v1.21.1). Go
//     writes that argument for CreateProcess with syscall.EscapeArg: wrapped in double quotes
//     (it holds spaces), each " inside written \". cmd.exe then strips the first and the last
//     quote of what follows /C (`cmd /?`, "If /C or /K is specified…", rule 2), reads \" as a
//     backslash and a quote, expands %NAME%, and acts on & | < > ^ ( ) (and ! with delayed
//     expansion) outside quotes; the program it starts splits its own command line as
//     botocore does.
//
// So a double quote can never reach the program intact through both, and a word holding one
// of cmd.exe's characters cannot be protected: such words are refused, and every other word is
// written bare, which both read back as it is.
var (
	// windowsArgBad is what cmd.exe or either splitter would not pass through as written.
	windowsArgBad = lazyre.New(`[\s\x00-\x1f\x7f"%^&|<>()!]`)
	// windowsPathOK is what a helper path may hold: beyond cmd.exe's syntax characters, the
	// program name is also cut at , ; = by cmd.exe, so only these are taken.
	windowsPathOK = lazyre.New(`^[\p{L}\p{N}\\:._~-]+$`)
)

// windowsArgProblem says why w cannot be an argument in a Windows credential_process, or "".
func windowsArgProblem(w string) string {
	if c := windowsArgBad().FindString(w); c != "" {
		return fmt.Sprintf("it holds %q, which cmd.exe interprets (aws-sdk-go-v2 runs credential_process with cmd.exe /C on Windows) or botocore splits at, and no quoting protects it in both", c)
	}
	return ""
}

// windowsCommandLine writes the helper and its arguments bare, after refusing every word the
// two Windows consumers would not both read back unchanged.
func windowsCommandLine(helper string, args []string) (string, error) {
	if !windowsPathOK().MatchString(helper) {
		return "", fmt.Errorf("aws-refresh: the helper's path %s holds a character cmd.exe could read as syntax or a separator (aws-sdk-go-v2 runs credential_process with cmd.exe /C on Windows), and no quoting works both there and in botocore; run the action from a folder whose path has only letters, digits and \\ : . _ - ~", config.Quote(helper))
	}
	for _, w := range args {
		if why := windowsArgProblem(w); why != "" {
			return "", fmt.Errorf("aws-refresh: %s cannot go into credential_process: %s", config.Quote(w), why)
		}
	}
	return strings.Join(append([]string{helper, HelperCommand}, args...), " "), nil
}
