# The native action's launcher on Windows (action.yml runs it with Windows PowerShell 5.1,
# which every Windows machine has; pwsh and bash may be missing on a self-hosted runner). It
# does what run.sh does on Linux and macOS: find the oidc-login binary for this runner's
# architecture in RUNNER_TOOL_CACHE, else download it (bounded attempts and time), check its
# SHA-256 against native/SHA256SUMS BEFORE it runs (a mismatch fails the step and deletes the
# file), cache it, and run it; on an unreleased ref build it with the runner's Go, if any.
#
# Test hook only: OIDC_LOGIN_NATIVE_TEST_RELEASE_URL replaces the release download URL; it
# must be plain http on loopback, and the committed sums are checked all the same.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Fail prints one ::error:: line and stops; % and line breaks are escaped as in run.sh, so
# what the workflow typed (the stage input) cannot start a workflow command of its own.
function Fail([string]$msg) {
	$msg = $msg.Replace('%', '%25').Replace("`r", '%0D').Replace("`n", '%0A')
	Write-Output "::error title=oidc-login native::$msg"
	exit 1
}

$here = $env:OIDC_LOGIN_ACTION_PATH
if (-not $here) { $here = $PSScriptRoot }
$os = $env:OIDC_LOGIN_RUNNER_OS
if (-not $os) { $os = $env:RUNNER_OS }
if ($os -ne 'Windows') { Fail "runner.os '$os' is not Windows; this launcher is the PowerShell one" }
$runnerArch = $env:OIDC_LOGIN_RUNNER_ARCH
if (-not $runnerArch) { $runnerArch = $env:RUNNER_ARCH }
switch ($runnerArch) {
	'X64' { $goarch = 'amd64'; $arch = 'x64' }
	'ARM64' { $goarch = 'arm64'; $arch = 'arm64' }
	default { Fail "runner.arch '$runnerArch' has no oidc-login binary: X64 and ARM64 do" }
}
$stage = $env:INPUT_STAGE
if (-not $stage) { $stage = 'main' }
switch ($stage) {
	'main' { $binArgs = @() }
	'post' { $binArgs = @('post') }
	default { Fail "stage: '$stage' is not allowed: use main (the default) or post" }
}

# Attempts and time limits of the download; a release asset is about 8 MB.
$downloadAttempts = 3
$timeoutSeconds = 120

$versionFile = Join-Path $here 'VERSION'
$sumsFile = Join-Path $here 'SHA256SUMS'
if ((Test-Path -LiteralPath $versionFile) -or (Test-Path -LiteralPath $sumsFile)) {
	if (-not ((Test-Path -LiteralPath $versionFile) -and (Test-Path -LiteralPath $sumsFile))) {
		Fail 'native/ holds one of VERSION and SHA256SUMS but not the other; this checkout is damaged'
	}
	$version = (Get-Content -LiteralPath $versionFile -Raw).Trim()
	if ($version -notmatch '^v[0-9]+\.[0-9]+\.[0-9]+$') { Fail "native/VERSION holds '$version', not vX.Y.Z" }
	$asset = "oidc-login_windows_$goarch.exe"
	$want = $null
	foreach ($line in Get-Content -LiteralPath $sumsFile) {
		$f = $line -split '\s+'
		if ($f.Count -ge 2 -and ($f[1] -eq $asset -or $f[1] -eq "*$asset")) { $want = $f[0].ToLowerInvariant() }
	}
	if ($want -notmatch '^[0-9a-f]{64}$') { Fail "native/SHA256SUMS has no SHA-256 for $asset" }

	$cacheRoot = $env:RUNNER_TOOL_CACHE
	if (-not $cacheRoot) { $cacheRoot = Join-Path $env:RUNNER_TEMP 'oidc-login-tools' }
	$cache = Join-Path (Join-Path (Join-Path $cacheRoot 'oidc-login') $version.Substring(1)) $arch
	$bin = Join-Path $cache 'oidc-login.exe'
	# A cache hit is trusted when the marker written after the download's check names the
	# committed sum and the file still has its size then (hashing 8 MB each step is slow; only
	# the runner's user can write the tool cache). Otherwise it is checked in full.
	$marker = Join-Path $cache 'oidc-login.verified'
	if (Test-Path -LiteralPath $bin -PathType Leaf) {
		$size = (Get-Item -LiteralPath $bin).Length
		$seen = $null
		if (Test-Path -LiteralPath $marker -PathType Leaf) { $seen = (Get-Content -LiteralPath $marker -Raw).Trim() }
		if ($seen -ne "$want $size") {
			if ((Get-FileHash -LiteralPath $bin -Algorithm SHA256).Hash.ToLowerInvariant() -eq $want) {
				Set-Content -LiteralPath $marker -Value "$want $size" -Encoding ascii
			} else {
				Write-Output "::warning title=oidc-login native::the cached $bin does not match the committed SHA-256; deleted it and downloading again"
				Remove-Item -LiteralPath $bin -Force
				Remove-Item -LiteralPath $marker -Force -ErrorAction SilentlyContinue
			}
		}
	}
	if (-not (Test-Path -LiteralPath $bin -PathType Leaf)) {
		$repo = $env:GITHUB_ACTION_REPOSITORY
		if (-not $repo) { $repo = 'oidc-login/oidc-login' }
		$base = "https://github.com/$repo/releases/download/$version"
		$hook = $env:OIDC_LOGIN_NATIVE_TEST_RELEASE_URL
		if ($hook) {
			if ($hook -notmatch '^http://(127\.0\.0\.1|localhost|\[::1\]):[0-9]+(/.*)?$') {
				Fail 'OIDC_LOGIN_NATIVE_TEST_RELEASE_URL (a test hook) must be http://127.0.0.1:<port>/…, http://localhost:<port>/… or http://[::1]:<port>/…'
			}
			$base = $hook.TrimEnd('/')
		} else {
			# Windows PowerShell 5.1 may default to TLS 1.0; GitHub needs 1.2 or later.
			[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
		}
		New-Item -ItemType Directory -Force -Path $cache | Out-Null
		$tmp = Join-Path $cache (".download-" + [Guid]::NewGuid().ToString('N'))
		$ok = $false
		for ($i = 1; $i -le $downloadAttempts; $i++) {
			try {
				Invoke-WebRequest -UseBasicParsing -Uri "$base/$asset" -OutFile $tmp -TimeoutSec $timeoutSeconds -MaximumRedirection 5
				$ok = $true
				break
			} catch {
				Write-Output "oidc-login native: download attempt $i of $downloadAttempts failed: $($_.Exception.Message)"
				if ($i -lt $downloadAttempts) { Start-Sleep -Seconds $i }
			}
		}
		if (-not $ok) {
			Remove-Item -LiteralPath $tmp -Force -ErrorAction SilentlyContinue
			Fail "downloading $asset of $version failed $downloadAttempts times"
		}
		$got = (Get-FileHash -LiteralPath $tmp -Algorithm SHA256).Hash.ToLowerInvariant()
		if ($got -ne $want) {
			Remove-Item -LiteralPath $tmp -Force
			Fail "the downloaded $asset has SHA-256 $got, but native/SHA256SUMS says ${want}: refusing to run it (deleted)"
		}
		Move-Item -LiteralPath $tmp -Destination $bin -Force
		Set-Content -LiteralPath $marker -Value "$want $((Get-Item -LiteralPath $bin).Length)" -Encoding ascii
		Write-Output "oidc-login native: downloaded and verified $asset $version ($want)"
	}
} else {
	# No release pinned in native/: this is a branch, @main or a local checkout.
	if (-not (Get-Command go -ErrorAction SilentlyContinue)) {
		$ref = $env:GITHUB_ACTION_REF
		if (-not $ref) { $ref = 'a local checkout' }
		Fail "this ref ($ref) of oidc-login/native is not a release, so there is no verified binary to fetch, and there is no go on PATH to build one from its source: use a release tag (uses: oidc-login/oidc-login/native@v1), or set up Go first (actions/setup-go)"
	}
	$out = Join-Path $env:RUNNER_TEMP 'oidc-login-build'
	New-Item -ItemType Directory -Force -Path $out | Out-Null
	$bin = Join-Path $out 'oidc-login.exe'
	$env:CGO_ENABLED = '0'
	Push-Location (Join-Path $here '..')
	try {
		& go build -trimpath '-ldflags=-s -w -buildid=' -o $bin .
		$built = $LASTEXITCODE
	} finally {
		Pop-Location
	}
	if ($built -ne 0) { Fail "building oidc-login from the action's source ($here\..) failed" }
}

& $bin @binArgs
exit $LASTEXITCODE
