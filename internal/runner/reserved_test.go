package runner

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReservedNames: the names a later step acts on are refused in any case, with the pattern
// that matched and who reads it; ordinary secret names pass.
func TestReservedNames(t *testing.T) {
	t.Parallel()
	for name, pattern := range map[string]string{
		// The names a Vault writer chose in the report this rule answers.
		"BASH_ENV": "BASH_*", "bash_env": "BASH_*", "LD_PRELOAD": "LD_*", "ld_preload": "LD_*",
		"PATH": "PATH", "path": "PATH", "Path": "PATH", "https_proxy": "*_PROXY", "HTTPS_PROXY": "*_PROXY",
		"node_options": "NODE_OPTIONS", "github_token": "GITHUB_*",
		"no_proxy": "*_PROXY", "ALL_PROXY": "*_PROXY", "DYLD_INSERT_LIBRARIES": "DYLD_*",
		"SSL_CERT_FILE": "SSL_CERT_*", "NODE_EXTRA_CA_CERTS": "NODE_EXTRA_CA_CERTS",
		"PYTHONPATH": "PYTHON*", "PERL5OPT": "PERL5*", "RUBYOPT": "RUBYOPT", "JAVA_TOOL_OPTIONS": "JAVA_TOOL_OPTIONS",
		"GIT_SSH_COMMAND": "GIT_*", "GIT_CONFIG_COUNT": "GIT_*", "RUNNER_TEMP": "RUNNER_*",
		"ACTIONS_ID_TOKEN_REQUEST_URL": "ACTIONS_*", "HOME": "HOME", "ENV": "ENV", "SHELLOPTS": "SHELLOPTS",
		"PS4": "PS4", "GCONV_PATH": "GCONV_PATH", "MALLOC_TRACE": "MALLOC_*", "TMPDIR": "TMPDIR",
		"INPUT_TOKEN": "INPUT_*", "STATE_FILES": "STATE_*", "ComSpec": "COMSPEC", "PSModulePath": "PSMODULEPATH",
		"npm_config_script_shell": "NPM_CONFIG_*", "GOFLAGS": "GOFLAGS", "OPENSSL_CONF": "OPENSSL_*",
	} {
		r, ok := ReservedBy(name)
		if !ok || r.Pattern != pattern {
			t.Errorf("ReservedBy(%q) = %q, %v; want %s", name, r.Pattern, ok, pattern)
			continue
		}
		err := CheckChosenName(name)
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), r.Reader) {
			t.Errorf("CheckChosenName(%q) = %v, want it to name the variable and what reads it", name, err)
		}
	}
	for _, name := range []string{
		"API_KEY", "DB__PASSWORD", "OIDC_ACCESS_TOKEN", "AWS_ACCESS_KEY_ID", "NODE_AUTH_TOKEN", "NODE_ENV",
		"RUBYGEMS_API_KEY", "GH_TOKEN", "NPM_TOKEN", "PROXY_URL", "PATHS", "MY_PATH", "HOMEPAGE", "ENVIRONMENT",
		"TEMPLATE", "XPATH", "SSL_KEY", "GITHUB", "PYPI_TOKEN", "_X",
	} {
		if r, ok := ReservedBy(name); ok {
			t.Errorf("ReservedBy(%q) = %s, want not reserved", name, r.Pattern)
		}
		if err := CheckChosenName(name); err != nil {
			t.Errorf("CheckChosenName(%q) = %v", name, err)
		}
	}
	for _, bad := range []string{"", "A-B", "1A", "A B", "A=B", "BASH_FUNC_x%%"} {
		if err := CheckChosenName(bad); err == nil || !strings.Contains(err.Error(), "not a valid environment variable name") {
			t.Errorf("CheckChosenName(%q) = %v", bad, err)
		}
	}
}

// TestReservationsAreWellFormed: each pattern is upper-case with at most one * at one end, none
// repeats or hides another, and each names who reads it and a page that documents it.
func TestReservationsAreWellFormed(t *testing.T) {
	t.Parallel()
	shape := regexp.MustCompile(`^(\*_?[A-Z0-9_]+|[A-Z_][A-Z0-9_]*\*?)$`)
	seen := map[string]bool{}
	for _, r := range Reservations() {
		if !shape.MatchString(r.Pattern) || seen[r.Pattern] {
			t.Errorf("pattern %q is malformed or repeated", r.Pattern)
		}
		seen[r.Pattern] = true
		if r.Reader == "" || !strings.HasPrefix(r.Source, "https://") {
			t.Errorf("%s: reader %q, source %q", r.Pattern, r.Reader, r.Source)
		}
		// An exact name must not already fall under an earlier prefix or suffix.
		if !strings.Contains(r.Pattern, "*") {
			if first, _ := ReservedBy(r.Pattern); first.Pattern != r.Pattern {
				t.Errorf("%s is already covered by %s", r.Pattern, first.Pattern)
			}
		}
	}
}

// TestDocsListReservations: docs/security.md's table of names the action does not export names
// every reservation and links every source, so the docs and the rule cannot drift apart.
func TestDocsListReservations(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	const heading = "## Names the action does not export\n"
	_, section, ok := strings.Cut(string(b), heading)
	if !ok {
		t.Fatalf("docs/security.md has no %q section", strings.TrimSpace(heading))
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, r := range Reservations() {
		if !strings.Contains(section, "`"+r.Pattern+"`") {
			t.Errorf("docs/security.md's table does not name %s", r.Pattern)
		}
		if !strings.Contains(section, "("+r.Source+")") {
			t.Errorf("docs/security.md's table does not link %s (for %s)", r.Source, r.Pattern)
		}
	}
}
