#!/usr/bin/env bash
# The native action's launcher on Linux and macOS (action.yml runs it with bash): find the
# oidc-login binary for this runner's OS and architecture, verify it, and run it.
#
#   released ref (native/VERSION and native/SHA256SUMS committed by release.yml): the binary
#     that runs is this job's own copy, $RUNNER_TEMP/oidc-login-native/<sha256>/oidc-login. The
#     first step of a job makes it: from RUNNER_TOOL_CACHE/oidc-login/<version>/<arch>/ when the
#     file there matches, else from the release (bounded attempts, time and size), which is then
#     kept in the tool cache for later jobs. The copy itself is what is hashed against the
#     committed SHA-256 before it gets its name, so nothing else can run. A mismatch fails the
#     step and the file is deleted.
#   unreleased ref (a branch, @main, a local ./native): built from the action's own source with
#     the runner's Go, when there is one; otherwise the step fails naming the ref to use.
#
# Trust: the tool cache is only a source of bytes; whoever can write it (on a self-hosted
# runner every earlier job, or other runners sharing the folder) can make a step download
# again, never run something else. Later steps of the job run its copy without hashing it
# again: the runner empties RUNNER_TEMP at the start and the end of every job (all but what a
# still-running process keeps it from deleting: actions/runner 258d6c8,
# src/Runner.Worker/TempDirectoryManager.cs), and what can write there meanwhile is the job's
# own steps, which the runner already gives the ID-token request token
# (src/Runner.Worker/Handlers/ScriptHandler.cs 314-319), or a process running as the
# runner's user, which can change the runner itself.
#
# Where the release is: OIDC_LOGIN_NATIVE_DOWNLOAD_URL, when set, names a mirror holding
# <version>/<asset>. Otherwise it is <server>/<repository>/releases/download/<version>/<asset>
# for the server and repository the action was used from (native/action.yml passes
# github.server_url and github.action_repository; a copy used as `uses: ./native` has no
# repository and takes oidc-login/oidc-login's assets), and on a server other than github.com
# (GitHub Enterprise Server) github.com is tried next. Plain http only on loopback (tests).
# Whatever the source, the committed sums are checked all the same.
set -euo pipefail

# fail prints one ::error:: line and stops. Its text may hold what the workflow typed (the
# stage input): % and line breaks are escaped as the runner unescapes command data
# (actions/runner 258d6c8, src/Runner.Common/ActionCommand.cs _escapeDataMappings), so no
# line of it can start a workflow command of its own.
fail() {
	local msg="$*"
	msg=${msg//%/%25}
	msg=${msg//$'\r'/%0D}
	msg=${msg//$'\n'/%0A}
	echo "::error title=oidc-login native::$msg"
	exit 1
}

here="${OIDC_LOGIN_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"

case "${OIDC_LOGIN_RUNNER_OS:-${RUNNER_OS:-}}" in
Linux) goos=linux ;;
macOS) goos=darwin ;;
*) fail "runner.os '${OIDC_LOGIN_RUNNER_OS:-${RUNNER_OS:-}}' is not Linux or macOS; this launcher is the bash one" ;;
esac
case "${OIDC_LOGIN_RUNNER_ARCH:-${RUNNER_ARCH:-}}" in
X64) goarch=amd64 arch=x64 ;;
ARM64) goarch=arm64 arch=arm64 ;;
*) fail "runner.arch '${OIDC_LOGIN_RUNNER_ARCH:-${RUNNER_ARCH:-}}' has no oidc-login binary: X64 and ARM64 do" ;;
esac

case "${INPUT_STAGE:-main}" in
main) args=() ;;
post) args=(post) ;;
*) fail "stage: '${INPUT_STAGE}' is not allowed: use main (the default) or post" ;;
esac

# Where the action came from, as native/action.yml passes it: the runner clears
# github.action_repository and github.action_ref for a composite's own run: step (actions/runner
# 258d6c8, src/Runner.Worker/ActionRunner.cs 143-154), but evaluates that step's env: with the
# composite's github context (src/Runner.Worker/Handlers/CompositeActionHandler.cs 154-161,
# 287-294). Both are empty for a local `uses: ./native`.
repo="${OIDC_LOGIN_ACTION_REPOSITORY:-}"
if [ -n "$repo" ]; then
	[[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || fail "github.action_repository '$repo' is not <owner>/<name>"
	uses="$repo/native@${OIDC_LOGIN_ACTION_REF:-}"
else
	uses="this copy of the native action (uses: ./native)"
fi

released=""
if [ -f "$here/VERSION" ] || [ -f "$here/SHA256SUMS" ]; then
	if ! { [ -f "$here/VERSION" ] && [ -f "$here/SHA256SUMS" ]; }; then
		fail "native/ holds one of VERSION and SHA256SUMS but not the other; this checkout is damaged"
	fi
	# Both files are read with builtins: every $(tr …), $(awk …) or $(cat …) is a fork and an
	# exec, about 1.3 ms each, as much as the binary's own start. Either may have CRLF line
	# ends (a copy checked out with core.autocrlf=true).
	version=""
	IFS= read -r -d '' version <"$here/VERSION" || true # the whole file
	version="${version//[[:space:]]/}"
	[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "native/VERSION holds '$version', not vX.Y.Z"
	asset="oidc-login_${goos}_${goarch}"
	# Every line naming the asset (sha256sum's text or binary mode, "*name"); more than one
	# leaves a value that is not one sum, which is refused.
	want=""
	while read -r sum name _ || [ -n "${sum:-}" ]; do
		name="${name%$'\r'}"
		if [ "${name:-}" = "$asset" ] || [ "${name:-}" = "*$asset" ]; then
			want="${want:+$want }$sum"
		fi
		sum=""
	done <"$here/SHA256SUMS"
	# One sum of 64 hex digits (a glob, not =~: bash compiles {64} into a large expression).
	if [ ${#want} -ne 64 ] || [[ "$want" == *[!0123456789abcdef]* ]]; then
		fail "native/SHA256SUMS has no SHA-256 for $asset"
	fi

	copy_dir="${RUNNER_TEMP:?RUNNER_TEMP is not set}/oidc-login-native/$want"
	bin="$copy_dir/oidc-login"
	released=1
fi

# A later step of the job finds the copy its first step made, verified, and runs it. It is
# done before the rest of this file, which makes that copy, is even read: bash reads a script
# as it runs it.
if [ -n "$released" ] && [ -f "$bin" ]; then
	# ${args[@]+…}: bash 3.2 (macOS's /bin/bash) calls an empty array unbound under set -u.
	exec "$bin" ${args[@]+"${args[@]}"}
fi

# warn prints one ::warning:: line, escaped as fail's; the step goes on.
warn() {
	local msg="$*"
	msg=${msg//%/%25}
	msg=${msg//$'\r'/%0D}
	msg=${msg//$'\n'/%0A}
	echo "::warning title=oidc-login native::$msg"
}

# sha256 FILE prints the file's SHA-256 in lower-case hex; it fails when the file cannot be
# read. openssl first: it uses the CPU's SHA instructions, about twice as fast here as
# coreutils' sha256sum on the 8.5 MiB binary (9.5 against 19.5 ms); macOS has no sha256sum, and
# its shasum is a Perl script.
sha256() {
	local tool out
	for tool in "openssl dgst -sha256 -r" "sha256sum" "shasum -a 256"; do
		command -v "${tool%% *}" >/dev/null 2>&1 || continue
		out="$($tool "$1" 2>/dev/null)" || continue
		out="${out%% *}"
		if [ ${#out} -eq 64 ] && [[ "$out" != *[!0123456789abcdef]* ]]; then
			echo "$out"
			return 0
		fi
	done
	return 1
}

# copy_new FROM TO copies FROM to the new file TO, making TO's folder. On Linux that is one
# process, install -D (GNU's and busybox's; mode 0755), where mkdir -p then cp are two, about
# 1 ms each; macOS's install has no -D, and a Linux without install still gets its copy.
copy_new() {
	if [ "$goos" = linux ] && install -D "$1" "$2" 2>/dev/null; then
		return 0
	fi
	mkdir -p "${2%/*}" && cp "$1" "$2" 2>/dev/null
}

# valid_base URL: the URL is https, or plain http on loopback (the tests' local release).
valid_base() {
	[[ "$1" =~ ^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%/+-]*)?$ ]] ||
		[[ "$1" =~ ^http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]+)?(/[A-Za-z0-9._~%/+-]*)?$ ]]
}

# Limits of a download; a release asset is about 9 MB. curl retries what may pass (a refused
# connection, a timeout, HTTP 408, 429 and 5xx) after 1 and 2 s, not a 404.
download_retries=2
connect_timeout=10
max_time=120
max_bytes=104857600

# download TO: fetches the asset into the file TO from each source in turn, until one gives
# the bytes native/SHA256SUMS names; a file that does not match is deleted and never run. When
# none does, the step fails, saying what each source gave.
download() {
	local to="$1" base url proto got tried=""
	for base in "${sources[@]}"; do
		url="$base/$version/$asset"
		proto='=https'
		[[ "$url" == http://* ]] && proto='=http'
		if ! curl --fail --silent --show-error --location --proto "$proto" --proto-redir "$proto" \
			--retry "$download_retries" --retry-connrefused --connect-timeout "$connect_timeout" \
			--max-time "$max_time" --max-filesize "$max_bytes" --output "$to" "$url"; then
			tried="${tried:+$tried; }$url could not be downloaded (curl's message above)"
			continue
		fi
		got="$(sha256 "$to")" || got="unreadable"
		if [ "$got" = "$want" ]; then
			echo "oidc-login native: downloaded and verified $asset $version ($want) from $url"
			return 0
		fi
		: >"$to"
		tried="${tried:+$tried; }$url gave a file with SHA-256 $got, but native/SHA256SUMS says $want: refused, not run (deleted)"
	done
	rm -f "$to"
	if [ -n "${OIDC_LOGIN_NATIVE_DOWNLOAD_URL:-}" ]; then
		fail "no verified $asset $version could be fetched: $tried"
	fi
	fail "no verified $asset $version could be fetched: $tried. A runner that cannot reach these can take the assets from a mirror: set OIDC_LOGIN_NATIVE_DOWNLOAD_URL to a URL holding $version/$asset"
}

# cache_keep FILE: keeps the verified FILE in the tool cache for later jobs. A new file is
# renamed over the old one, never written in place: macOS caches a signed binary's signature
# per file and kills a program whose file changed under it (Apple, "Updating Mac Software",
# https://developer.apple.com/documentation/security/updating_mac_software). Never fatal: an
# unwritable cache only costs later jobs a download.
cache_keep() {
	local dir="${cached%/*}" tmp=""
	if mkdir -p "$dir" 2>/dev/null && tmp="$(mktemp "$dir/.download-XXXXXX" 2>/dev/null)" &&
		cp "$1" "$tmp" 2>/dev/null && chmod 0755 "$tmp" 2>/dev/null && mv -f "$tmp" "$cached" 2>/dev/null; then
		return 0
	fi
	[ -z "$tmp" ] || rm -f "$tmp"
	warn "could not keep $asset in the tool cache ($dir); later jobs on this runner will download it again"
}

if [ -n "$released" ]; then
	# This job's first step: make the job's copy, hash it, and only then give it its name.
	cache_root="${RUNNER_TOOL_CACHE:-$RUNNER_TEMP/oidc-login-tools}"
	cached="$cache_root/oidc-login/${version#v}/$arch/oidc-login"
	if [ -n "${OIDC_LOGIN_NATIVE_DOWNLOAD_URL:-}" ]; then
		sources=("${OIDC_LOGIN_NATIVE_DOWNLOAD_URL%/}")
		valid_base "${sources[0]}" || fail "OIDC_LOGIN_NATIVE_DOWNLOAD_URL must be an https:// URL (plain http only on 127.0.0.1, localhost or [::1]) without query, credentials or spaces"
	else
		server="${OIDC_LOGIN_SERVER_URL:-https://github.com}"
		server="${server%/}"
		sources=("$server/${repo:-oidc-login/oidc-login}/releases/download")
		valid_base "${sources[0]}" || fail "github.server_url '$server' is not an https:// URL"
		[ "$server" = "https://github.com" ] || sources+=("https://github.com/${repo:-oidc-login/oidc-login}/releases/download")
	fi
	# Not mktemp: the folder is this job's own.
	tmp="$copy_dir/.copy-$$-$RANDOM"
	trap 'rm -f "$tmp"' EXIT
	verified=""
	if [ -f "$cached" ] && copy_new "$cached" "$tmp"; then
		got="$(sha256 "$tmp")" || got="unreadable"
		if [ "$got" = "$want" ]; then
			verified=1
		else
			warn "the cached $cached has SHA-256 $got, but native/SHA256SUMS says $want: not running it, downloading $asset again"
		fi
	fi
	if [ -z "$verified" ]; then
		mkdir -p "$copy_dir"
		download "$tmp"
		chmod 0755 "$tmp"
		cache_keep "$tmp"
	fi
	[ -x "$tmp" ] || chmod 0755 "$tmp"
	mv -f "$tmp" "$bin"
	trap - EXIT
else
	# No release pinned in native/: this is a branch, @main or a local checkout.
	if ! command -v go >/dev/null 2>&1; then
		fail "$uses is not a release, so there is no verified binary to fetch, and there is no go on PATH to build one from its source: use a release tag (uses: ${repo:-oidc-login/oidc-login}/native@v1), or set up Go first (actions/setup-go)"
	fi
	out="${RUNNER_TEMP:?RUNNER_TEMP is not set}/oidc-login-build"
	mkdir -p "$out"
	bin="$out/oidc-login"
	(cd "$here/.." && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w -buildid=' -o "$bin" .) ||
		fail "building oidc-login from the action's source ($here/..) with $(go version) failed"
fi

# ${args[@]+…}: bash 3.2 (macOS's /bin/bash) calls an empty array unbound under set -u.
exec "$bin" ${args[@]+"${args[@]}"}
