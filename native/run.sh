#!/usr/bin/env bash
# The native action's launcher on Linux and macOS (action.yml runs it with bash): find the
# oidc-login binary for this runner's OS and architecture, verify it, and run it.
#
#   released ref (native/VERSION and native/SHA256SUMS committed by release.yml):
#     RUNNER_TOOL_CACHE/oidc-login/<version>/<arch>/ holds it, checked against the committed
#     SHA-256 on every run; else it is downloaded from the release (bounded attempts and
#     time), checked BEFORE it is made executable, and moved into the cache. A mismatch fails
#     the step and the file is deleted: nothing unverified ever runs.
#   unreleased ref (a branch, @main, a local ./native): built from the action's own source with
#     the runner's Go, when there is one; otherwise the step fails naming the ref to use.
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

# valid_base URL: the URL is https, or plain http on loopback (the tests' local release).
valid_base() {
	[[ "$1" =~ ^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%/+-]*)?$ ]] ||
		[[ "$1" =~ ^http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]+)?(/[A-Za-z0-9._~%/+-]*)?$ ]]
}

# sha256 FILE prints the file's SHA-256 in hex (sha256sum on Linux, shasum on macOS).
sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
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

if [ -f "$here/VERSION" ] || [ -f "$here/SHA256SUMS" ]; then
	if ! { [ -f "$here/VERSION" ] && [ -f "$here/SHA256SUMS" ]; }; then
		fail "native/ holds one of VERSION and SHA256SUMS but not the other; this checkout is damaged"
	fi
	# The cache-hit path reads files with builtins only: every $(tr …), $(awk …) or $(cat …)
	# is a fork and an exec, about 1.3 ms each, as much as the binary's own start.
	version=""
	IFS= read -r -d '' version <"$here/VERSION" || true # the whole file
	version="${version//[[:space:]]/}"
	[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "native/VERSION holds '$version', not vX.Y.Z"
	asset="oidc-login_${goos}_${goarch}"
	# Every line naming the asset (sha256sum's text or binary mode, "*name"); more than one
	# leaves a value that is not one sum, which is refused.
	want=""
	while read -r sum name _ || [ -n "${sum:-}" ]; do
		name="${name%$'\r'}" # a CRLF file (a copy checked out with core.autocrlf=true)
		if [ "${name:-}" = "$asset" ] || [ "${name:-}" = "*$asset" ]; then
			want="${want:+$want }$sum"
		fi
		sum=""
	done <"$here/SHA256SUMS"
	[[ "$want" =~ ^[0-9a-f]{64}$ ]] || fail "native/SHA256SUMS has no SHA-256 for $asset"

	cache_root="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:?RUNNER_TEMP is not set}/oidc-login-tools}"
	cache="$cache_root/oidc-login/${version#v}/$arch"
	bin="$cache/oidc-login"
	# A cache hit is trusted when the marker written after the download's check names the
	# committed sum and the file still has the size it had then: hashing 8 MB on every step
	# would cost about 50 ms, ten times the binary's own run. Only the runner's user can write
	# the tool cache, and that user can already change the runner itself.
	marker="$cache/oidc-login.verified"
	if [ -f "$bin" ]; then
		# The size is the one fork left (bash has no builtin for it); wc reads it from the
		# file's metadata. Given the path rather than "<file", bash execs wc in the
		# substitution's own fork instead of forking again.
		size="$(wc -c "$bin")"
		size="${size#"${size%%[![:space:]]*}"}" # GNU prints "N path", BSD "  N path"
		size="${size%%[[:space:]]*}"
		seen=""
		{ IFS= read -r -d '' seen <"$marker"; } 2>/dev/null || true # the whole marker, if any
		if [ "${seen%$'\n'}" != "$want $size" ]; then
			# A damaged cache, or one from before the marker: checked in full, replaced on a mismatch.
			if [ "$(sha256 "$bin")" = "$want" ]; then
				echo "$want $size" >"$marker"
			else
				echo "::warning title=oidc-login native::the cached $bin does not match the committed SHA-256; deleted it and downloading again"
				rm -f "$bin" "$marker"
			fi
		fi
	fi
	if [ ! -f "$bin" ]; then
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
		mkdir -p "$cache"
		tmp="$(mktemp "$cache/.download-XXXXXX")"
		trap 'rm -f "$tmp"' EXIT
		download "$tmp"
		chmod 0755 "$tmp"
		mv -f "$tmp" "$bin"
		trap - EXIT
		size="$(wc -c <"$bin")"
		echo "$want ${size//[[:space:]]/}" >"$marker"
	fi
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
