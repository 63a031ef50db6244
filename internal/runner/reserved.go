package runner

import (
	"fmt"
	"strings"
)

// Reservation is a family of environment variable names that something in a later step acts
// on: its shell, the dynamic loader, an interpreter, proxy and TLS settings, git, or the
// runner and the actions toolkit. A name the action exports from data it did not choose (a
// Vault key, a `| NAME`, token-exchange-env-name) must not be one of them: whoever wrote that
// data would choose what a later step runs, loads or trusts, in a job that can mint ID tokens.
type Reservation struct {
	// Pattern is a name (PATH), a prefix (LD_*) or a suffix (*_PROXY), upper-case.
	Pattern string
	// Reader says what acts on such a variable, for the error and the docs.
	Reader string
	// Source is where that is documented.
	Source string
}

// Where each reservation is documented (docs/security.md's table links the same pages).
const (
	bashStartup   = "https://www.gnu.org/software/bash/manual/html_node/Bash-Startup-Files.html"
	bashVariables = "https://www.gnu.org/software/bash/manual/html_node/Bash-Variables.html"
	bourneVars    = "https://www.gnu.org/software/bash/manual/html_node/Bourne-Shell-Variables.html"
	posixShell    = "https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_05_03"
	bashPosix     = "https://www.gnu.org/software/bash/manual/html_node/Bash-POSIX-Mode.html"
	zshFiles      = "https://zsh.sourceforge.io/Doc/Release/Files.html"
	ldSo          = "https://man7.org/linux/man-pages/man8/ld.so.8.html"
	dyld          = "https://developer.apple.com/library/archive/documentation/System/Conceptual/ManPages_iPhoneOS/man1/dyld.1.html"
	unsecvars     = "https://sourceware.org/git/?p=glibc.git;a=blob;f=sysdeps/generic/unsecvars.h"
	nodeEnv       = "https://nodejs.org/api/cli.html#environment-variables"
	pythonEnv     = "https://docs.python.org/3/using/cmdline.html#environment-variables"
	perlEnv       = "https://perldoc.perl.org/perlrun#ENVIRONMENT"
	rubyEnv       = "https://github.com/ruby/ruby/blob/master/man/ruby.1"
	hotspotArgs   = "https://github.com/openjdk/jdk/blob/master/src/hotspot/share/runtime/arguments.cpp"
	javaLauncher  = "https://docs.oracle.com/en/java/javase/21/docs/specs/man/java.html"
	goEnv         = "https://pkg.go.dev/cmd/go#hdr-Environment_variables"
	npmEnv        = "https://docs.npmjs.com/cli/v11/using-npm/config#environment-variables"
	curlEnv       = "https://curl.se/docs/manpage.html#ENVIRONMENT"
	goProxy       = "https://pkg.go.dev/net/http#ProxyFromEnvironment"
	opensslEnv    = "https://docs.openssl.org/master/man7/openssl-env/"
	requestsCA    = "https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification"
	gitEnv        = "https://git-scm.com/docs/git#_environment_variables"
	gitConfig     = "https://git-scm.com/docs/git-config#FILES"
	gitCreds      = "https://git-scm.com/docs/gitcredentials#_requesting_credentials"
	gitVar        = "https://git-scm.com/docs/git-var"
	githubVars    = "https://docs.github.com/en/actions/reference/variables-reference#default-environment-variables"
	runnerScript  = "https://github.com/actions/runner/blob/258d6c857db3519913f7deb6004b60172f8043ae/src/Runner.Worker/Handlers/ScriptHandler.cs"
	toolkitCore   = "https://github.com/actions/toolkit/blob/main/packages/core/src/core.ts"
	goLookPath    = "https://pkg.go.dev/os/exec#LookPath"
	nodeComspec   = "https://nodejs.org/api/child_process.html#default-windows-shell"
	psModulePath  = "https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_psmodulepath"
	goUserDirs    = "https://pkg.go.dev/os#UserConfigDir"
	getTempPath   = "https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-gettemppathw"
)

// reserved is the list, grouped by who acts on the names. A name is compared upper-cased:
// Windows' environment ignores case, and so does the runner's there
// (VarUtil.EnvironmentVariableKeyComparer), and curl reads http_proxy only in lower case.
var reserved = []Reservation{
	// Shells: every run: step starts one.
	{"PATH", "every shell and exec look programs up in it", bourneVars},
	{"HOME", "shells, git, ssh and most tools read their configuration from it (~/.gitconfig can run programs)", gitConfig},
	{"ENV", "sh and bash in POSIX mode source the file it names", bashStartup},
	{"BASH_*", "bash: BASH_ENV names a file that every non-interactive bash, so every run: step, expands and runs first", bashStartup},
	{"BASHOPTS", "bash turns on the options it lists when it starts", bashVariables},
	{"SHELLOPTS", "bash turns on the options it lists (xtrace, ...) when it starts", bashVariables},
	{"PS4", "bash expands it, command substitution included, before each command it traces", bashVariables},
	{"CDPATH", "the shell's cd looks folders up through it", bourneVars},
	{"GLOBIGNORE", "bash leaves the files it matches out of every pathname expansion", bashVariables},
	{"IFS", "the shell splits words at its characters, and may take it from the environment", posixShell},
	{"POSIXLY_CORRECT", "bash starts in POSIX mode, and GNU tools change how they behave", bashPosix},
	{"ZDOTDIR", "every zsh reads its .zshenv from there", zshFiles},
	// The dynamic loader and the C library.
	{"LD_*", "the dynamic loader: LD_PRELOAD and LD_LIBRARY_PATH load libraries into every program", ldSo},
	{"DYLD_*", "macOS's dynamic loader: DYLD_INSERT_LIBRARIES loads libraries into every program", dyld},
	{"GCONV_PATH", "glibc loads character-set converters from it", unsecvars},
	{"GETCONF_DIR", "glibc's getconf runs programs from it", unsecvars},
	{"GLIBC_TUNABLES", "glibc's tunables, which set-user-ID programs do not trust", unsecvars},
	{"HOSTALIASES", "glibc's resolver reads host aliases from the file it names", unsecvars},
	{"LOCALDOMAIN", "glibc's resolver searches its domains", unsecvars},
	{"LOCPATH", "glibc loads locales from it", unsecvars},
	{"MALLOC_*", "glibc's allocator (MALLOC_TRACE writes to the file it names)", unsecvars},
	{"NIS_PATH", "glibc's NIS+ lookups", unsecvars},
	{"NLSPATH", "glibc loads message catalogs from it", unsecvars},
	{"RESOLV_HOST_CONF", "glibc's resolver reads its configuration from the file it names", unsecvars},
	{"RES_OPTIONS", "glibc's resolver options", unsecvars},
	{"TMPDIR", "programs create their temporary files there (glibc does not trust it in set-user-ID programs)", unsecvars},
	{"TZDIR", "glibc reads time zone files from it", unsecvars},
	// Interpreters and toolchains that take code or options from the environment.
	{"NODE_OPTIONS", "node adds its options (--require, --import) to every run; the runner itself refuses it in GITHUB_ENV", nodeEnv},
	{"NODE_PATH", "node loads modules from it", nodeEnv},
	{"NODE_EXTRA_CA_CERTS", "node trusts the certificates it names", nodeEnv},
	{"NODE_TLS_REJECT_UNAUTHORIZED", "node skips TLS verification when it is 0", nodeEnv},
	{"NODE_USE_ENV_PROXY", "node sends its requests through the *_PROXY settings", nodeEnv},
	{"NODE_USE_SYSTEM_CA", "node's trusted certificates", nodeEnv},
	{"NODE_REPL_EXTERNAL_MODULE", "node loads the module it names instead of its REPL", nodeEnv},
	{"NODE_PRESERVE_SYMLINKS", "how node resolves the modules it loads", nodeEnv},
	{"NODE_ICU_DATA", "node loads ICU data from it", nodeEnv},
	{"NODE_COMPILE_CACHE", "node loads compiled code from that folder", nodeEnv},
	{"NODE_REDIRECT_WARNINGS", "node writes its warnings to the file it names", nodeEnv},
	{"NODE_V8_COVERAGE", "node writes coverage files to that folder", nodeEnv},
	{"PYTHON*", "python (PYTHONPATH, PYTHONHOME, PYTHONSTARTUP, PYTHONWARNINGS, ...)", pythonEnv},
	{"PERL5*", "perl (PERL5OPT adds options such as -M, PERL5LIB adds module folders)", perlEnv},
	{"PERLLIB", "perl loads modules from it", perlEnv},
	{"PERLIO", "perl's I/O layers", perlEnv},
	{"RUBYOPT", "ruby adds its options (-r loads a file) to every run", rubyEnv},
	{"RUBYLIB", "ruby loads libraries from it", rubyEnv},
	{"RUBYLIB_PREFIX", "ruby rewrites its library paths with it", rubyEnv},
	{"RUBYPATH", "ruby -S looks scripts up in it", rubyEnv},
	{"RUBYSHELL", "the shell ruby starts commands with", rubyEnv},
	{"JAVA_TOOL_OPTIONS", "every JVM adds its options (-javaagent, -XX:OnOutOfMemoryError)", hotspotArgs},
	{"_JAVA_OPTIONS", "the HotSpot JVM adds its options", hotspotArgs},
	{"JDK_JAVA_OPTIONS", "the java launcher adds its options", javaLauncher},
	{"CLASSPATH", "the java launcher loads classes from it", javaLauncher},
	{"GOFLAGS", "the go command adds its flags (-toolexec runs a program) to every build", goEnv},
	{"NPM_CONFIG_*", "npm takes every setting from it, node-options and script-shell included", npmEnv},
	// Proxies and TLS: where a later step's requests go, and whom it trusts.
	{"*_PROXY", "curl, wget, Go, Python and node send requests through the proxy it names (http_proxy, HTTPS_PROXY, ALL_PROXY, NO_PROXY, in any case)", curlEnv},
	{"SSL_CERT_*", "OpenSSL and Go trust the certificates SSL_CERT_FILE and SSL_CERT_DIR name", opensslEnv},
	{"OPENSSL_*", "OpenSSL loads the configuration, providers and engines it names", opensslEnv},
	{"SSLKEYLOGFILE", "curl, and other TLS clients, write every session's keys to the file it names", curlEnv},
	{"CURL_CA_BUNDLE", "curl trusts the certificates it names", curlEnv},
	{"CURL_HOME", "curl reads its .curlrc, which may set any option, from there", curlEnv},
	{"REQUESTS_CA_BUNDLE", "Python's requests trusts the certificates it names", requestsCA},
	// git.
	{"GIT_*", "git (GIT_SSH_COMMAND and GIT_ASKPASS run programs, GIT_CONFIG_* sets any configuration)", gitEnv},
	{"XDG_CONFIG_HOME", "git reads its configuration, which can run programs, from there", gitConfig},
	{"SSH_ASKPASS", "git and ssh run the program it names to ask for credentials", gitCreds},
	{"EDITOR", "git and other tools run the program it names", gitVar},
	{"VISUAL", "git and other tools run the program it names", gitVar},
	{"PAGER", "git and other tools run the program it names", gitVar},
	// The runner and the actions toolkit.
	{"GITHUB_*", "the runner and every action (GITHUB_ENV, GITHUB_OUTPUT, GITHUB_TOKEN, GITHUB_API_URL, ...); GitHub says they cannot be overwritten", githubVars},
	{"RUNNER_*", "the runner and every action (RUNNER_TEMP, RUNNER_TOOL_CACHE, ...); GitHub says they cannot be overwritten", githubVars},
	{"ACTIONS_*", "the runner and the actions toolkit (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, ACTIONS_RUNTIME_TOKEN, ACTIONS_CACHE_URL, ...)", runnerScript},
	{"INPUT_*", "an action reads its inputs from them (@actions/core getInput), so one its step does not set would come from here", toolkitCore},
	{"STATE_*", "an action's post step reads its saved state from them (@actions/core getState)", toolkitCore},
	// Windows.
	{"PATHEXT", "Windows shells and Go's exec.LookPath run files with the extensions it lists", goLookPath},
	{"COMSPEC", "node (shell: true) and Python (shell=True) start the command interpreter it names on Windows", nodeComspec},
	{"PSMODULEPATH", "PowerShell loads modules from it on demand", psModulePath},
	{"USERPROFILE", "Windows' home folder: tools read their configuration from it", goUserDirs},
	{"APPDATA", "Windows tools read their configuration from it", goUserDirs},
	{"LOCALAPPDATA", "Windows tools read their configuration and caches from it", goUserDirs},
	{"TEMP", "Windows programs create their temporary files there", getTempPath},
	{"TMP", "Windows programs create their temporary files there", getTempPath},
}

// Reservations lists every reserved pattern, in the order the docs show them.
func Reservations() []Reservation { return append([]Reservation(nil), reserved...) }

// ReservedBy returns the reservation that name falls under, if any. Case is ignored.
func ReservedBy(name string) (Reservation, bool) {
	up := strings.ToUpper(name)
	for _, r := range reserved {
		switch p := r.Pattern; {
		case strings.HasSuffix(p, "*"):
			if strings.HasPrefix(up, strings.TrimSuffix(p, "*")) {
				return r, true
			}
		case strings.HasPrefix(p, "*"):
			if strings.HasSuffix(up, strings.TrimPrefix(p, "*")) {
				return r, true
			}
		case up == p:
			return r, true
		}
	}
	return Reservation{}, false
}

// CheckChosenName is the one rule for a variable name the action exports from data it did not
// choose (a Vault key, a `| NAME`, token-exchange-env-name): a valid name that nothing in a
// later step acts on. The error names the variable and what acts on it; the caller adds which
// input or key gave the name and how to give another.
func CheckChosenName(name string) error {
	if !IsEnvName(name) {
		return fmt.Errorf("%q is not a valid environment variable name", name)
	}
	if r, ok := ReservedBy(name); ok {
		if r.Pattern == name {
			return fmt.Errorf("%s is reserved (%s)", name, r.Reader)
		}
		return fmt.Errorf("%s is reserved (%s: %s)", name, r.Pattern, r.Reader)
	}
	return nil
}
