# The native action's launcher on Windows (action.yml runs it with Windows PowerShell 5.1,
# which every Windows machine has; pwsh and bash may be missing on a self-hosted runner). It
# does what run.sh does on Linux and macOS, which says why each rule is what it is:
#
#   released ref (native/VERSION and native/SHA256SUMS committed by release.yml): the binary
#     that runs is this job's own copy, RUNNER_TEMP\oidc-login-native\<sha256>\oidc-login.exe.
#     The job's first step makes it, from RUNNER_TOOL_CACHE\oidc-login\<version>\<arch>\ when
#     the file there matches, else from the release (bounded attempts, time and size), which is
#     then kept in the tool cache; the bytes written to the copy are hashed as they are
#     written (Copy-Hashed) and checked against the committed SHA-256 before the copy gets its
#     name. Later steps of the job run that copy. A mismatch is never run.
#   unreleased ref: built from the action's source with the runner's Go, if any.
#
# Where the release is: OIDC_LOGIN_NATIVE_DOWNLOAD_URL (a mirror holding <version>/<asset>),
# else <server>/<repository>/releases/download for the server and repository native/action.yml
# passes, then github.com on another server. Plain http only on loopback (tests).
#
# What is particular to Windows:
#   - This file is pure ASCII (.ci/lint checks it): Windows PowerShell 5.1 reads a script
#     without a byte order mark in the system's ANSI code page.
#   - Downloads: with a proxy variable set (https_proxy, http_proxy or all_proxy, as the
#     self-hosted runner docs configure a proxy), curl.exe (in System32 since Windows 10 1803
#     and Server 2019) does them with run.sh's flags and honours no_proxy as on Linux; without
#     one, .NET does them through the system's proxy settings, as Invoke-WebRequest would, but
#     bounded in time and size while reading the body too (5.1's -TimeoutSec is not). With a
#     proxy variable and no curl.exe, .NET uses the variable itself.
#   - An exe that is running cannot be deleted or overwritten, but it can be renamed: a file
#     is replaced by renaming the old one aside first, and a failure there never fails the step.
#   - Native programs (curl, go, the binary) run under $ErrorActionPreference 'Continue': under
#     'Stop', which the runner sets too, Windows PowerShell 5.1 may turn their stderr into a
#     terminating error.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Fail prints one ::error:: line and stops; % and line breaks are escaped as in run.sh, so
# what the workflow typed (the stage input) cannot start a workflow command of its own.
function Format-CommandData([string]$msg) {
	return $msg.Replace('%', '%25').Replace("`r", '%0D').Replace("`n", '%0A')
}
function Fail([string]$msg) {
	Write-Host "::error title=oidc-login native::$(Format-CommandData $msg)"
	exit 1
}
# Warn prints one ::warning:: line, escaped as Fail's; the step goes on.
function Warn([string]$msg) {
	Write-Host "::warning title=oidc-login native::$(Format-CommandData $msg)"
}

$here = $env:OIDC_LOGIN_ACTION_PATH
if (-not $here) { $here = $PSScriptRoot }
$os = $env:OIDC_LOGIN_RUNNER_OS
if (-not $os) { $os = $env:RUNNER_OS }
if ($os -ne 'Windows') { Fail "runner.os '$os' is not Windows; this launcher is the PowerShell one" }
$runnerArch = $env:OIDC_LOGIN_RUNNER_ARCH
if (-not $runnerArch) { $runnerArch = $env:RUNNER_ARCH }
switch -CaseSensitive ($runnerArch) {
	'X64' { $goarch = 'amd64'; $arch = 'x64' }
	'ARM64' { $goarch = 'arm64'; $arch = 'arm64' }
	default { Fail "runner.arch '$runnerArch' has no oidc-login binary: X64 and ARM64 do" }
}
$stage = $env:INPUT_STAGE
if (-not $stage) { $stage = 'main' }
switch -CaseSensitive ($stage) {
	'main' { $binArgs = @() }
	'post' { $binArgs = @('post') }
	default { Fail "stage: '$stage' is not allowed: use main (the default) or post" }
}

# Where the action came from, as native/action.yml passes it (run.sh says why it must).
$repo = $env:OIDC_LOGIN_ACTION_REPOSITORY
if ($repo) {
	if ($repo -cnotmatch '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$') { Fail "github.action_repository '$repo' is not <owner>/<name>" }
	$uses = "$repo/native@$($env:OIDC_LOGIN_ACTION_REF)"
	$releases = $repo
} else {
	$uses = 'this copy of the native action (uses: ./native)'
	$releases = 'oidc-login/oidc-login'
}

# Limits of a download, as in run.sh: a refused connection, a timeout, HTTP 408, 429 and 5xx
# are tried again after 1 and 2 s, a 404 is not.
$downloadRetries = 2
$connectTimeout = 10
$maxTime = 120
$maxBytes = 104857600
$curl = Join-Path ([Environment]::SystemDirectory) 'curl.exe'
if (-not (Test-Path -LiteralPath $curl -PathType Leaf)) { $curl = $null }

# Get-Sha256 is the file's SHA-256 in lower-case hex, or 'unreadable'.
function Get-Sha256([string]$path) {
	try {
		return (Get-FileHash -LiteralPath $path -Algorithm SHA256).Hash.ToLowerInvariant()
	} catch {
		return 'unreadable'
	}
}

# Copy-Hashed copies the file from to the new file to in one read: each block read goes to the
# copy and into the SHA-256, so the hash is of exactly the bytes the copy holds, and the cached
# file is read once, where Copy-Item then Get-FileHash read it twice. It returns the hash in
# lower-case hex, or 'unreadable (why)'.
function Copy-Hashed([string]$from, [string]$to) {
	$in = $null
	$out = $null
	$sha = $null
	try {
		$in = New-Object IO.FileStream($from, [IO.FileMode]::Open, [IO.FileAccess]::Read, [IO.FileShare]::Read, 4096)
		$out = New-Object IO.FileStream($to, [IO.FileMode]::CreateNew, [IO.FileAccess]::Write, [IO.FileShare]::None, 4096)
		$sha = [Security.Cryptography.SHA256]::Create()
		$buffer = New-Object byte[] 1048576
		while (($n = $in.Read($buffer, 0, $buffer.Length)) -gt 0) {
			$out.Write($buffer, 0, $n)
			[void]$sha.TransformBlock($buffer, 0, $n, $null, 0)
		}
		[void]$sha.TransformFinalBlock($buffer, 0, 0)
		# Closed before the hash counts: a write that fails to reach the file fails here.
		$out.Close()
		$out = $null
		return ([BitConverter]::ToString($sha.Hash) -replace '-', '').ToLowerInvariant()
	} catch {
		return "unreadable ($($_.Exception.Message))"
	} finally {
		if ($out) { $out.Close() }
		if ($in) { $in.Close() }
		if ($sha) { $sha.Dispose() }
	}
}

# Test-Base: the URL is https, or plain http on loopback (the tests' local release).
function Test-Base([string]$url) {
	if ($url -cmatch '^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%/+-]*)?$') { return $true }
	return ($url -cmatch '^http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]+)?(/[A-Za-z0-9._~%/+-]*)?$')
}

# Get-ProxyVariable is the proxy curl would take for a URL of this scheme.
function Get-ProxyVariable([string]$scheme) {
	$proxy = $env:http_proxy
	if ($scheme -eq 'https') { $proxy = $env:https_proxy }
	if (-not $proxy) { $proxy = $env:all_proxy }
	return $proxy
}

# Test-NoProxy: no_proxy names the host, as curl reads it (a comma-separated list of names
# that match the name and its subdomains, a leading dot or *. allowed, a port ignored, or *).
function Test-NoProxy([string]$hostName) {
	if (-not $env:no_proxy) { return $false }
	$name = $hostName.ToLowerInvariant().Trim('[', ']')
	foreach ($entry in ($env:no_proxy -split ',')) {
		$e = $entry.Trim().ToLowerInvariant()
		if ($e -eq '*') { return $true }
		$parts = @($e -split ':')
		if ($parts.Count -eq 2) { $e = $parts[0] }
		$e = $e.Trim('[', ']').TrimStart('*').TrimStart('.')
		if (-not $e) { continue }
		if ($name -eq $e -or $name.EndsWith('.' + $e)) { return $true }
	}
	return $false
}

# New-Proxy is the proxy .NET takes to reach target, from a proxy variable's value: none when
# no_proxy names the host.
function New-Proxy([Uri]$target, [string]$proxy) {
	if (Test-NoProxy $target.Host) { return $null }
	if ($proxy -notmatch '^[A-Za-z][A-Za-z0-9+.-]*://') { $proxy = "http://$proxy" }
	$uri = New-Object Uri($proxy)
	$web = New-Object Net.WebProxy(($uri.Scheme + '://' + $uri.Authority))
	if ($uri.UserInfo) {
		$parts = @($uri.UserInfo -split ':', 2)
		$password = ''
		if ($parts.Count -eq 2) { $password = [Uri]::UnescapeDataString($parts[1]) }
		$web.Credentials = New-Object Net.NetworkCredential(([Uri]::UnescapeDataString($parts[0])), $password)
	}
	return $web
}

# Invoke-Curl downloads url into the file to with run.sh's flags; it says whether it could.
function Invoke-Curl([string]$url, [string]$to, [string]$scheme) {
	$curlArgs = @('--fail', '--silent', '--show-error', '--location', '--proto', "=$scheme", '--proto-redir', "=$scheme",
		'--retry', "$downloadRetries", '--retry-connrefused', '--connect-timeout', "$connectTimeout",
		'--max-time', "$maxTime", '--max-filesize', "$maxBytes", '--output', $to, $url)
	$ErrorActionPreference = 'Continue'
	$said = & $curl @curlArgs 2>&1
	$code = $LASTEXITCODE
	$ErrorActionPreference = 'Stop'
	foreach ($line in $said) { Write-Host "oidc-login native: curl: $line" }
	return ($code -eq 0)
}

# Invoke-DotNetOnce makes one attempt with .NET: 'ok', 'retry' (what may pass) or 'final'.
function Invoke-DotNetOnce([string]$url, [string]$to, [string]$scheme, [string]$proxy) {
	$response = $null
	$body = $null
	$file = $null
	try {
		if ($scheme -eq 'https') {
			# Windows PowerShell 5.1 may default to TLS 1.0; GitHub needs 1.2 or later.
			[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
		}
		$request = [Net.WebRequest]::Create($url)
		$request.Timeout = $maxTime * 1000
		$request.ReadWriteTimeout = $maxTime * 1000
		$request.AllowAutoRedirect = $true
		$request.MaximumAutomaticRedirections = 5
		$request.UserAgent = 'oidc-login-native'
		if ($proxy) { $request.Proxy = New-Proxy $request.RequestUri $proxy }
		$deadline = [DateTime]::UtcNow.AddSeconds($maxTime)
		$response = $request.GetResponse()
		if ($response.ResponseUri.Scheme -ne $scheme) {
			Write-Host "oidc-login native: ${url}: redirected to $($response.ResponseUri.Scheme), refused"
			return 'final'
		}
		if ($response.ContentLength -gt $maxBytes) {
			Write-Host "oidc-login native: ${url}: $($response.ContentLength) bytes, more than $maxBytes"
			return 'final'
		}
		$body = $response.GetResponseStream()
		$file = [IO.File]::Create($to)
		$buffer = New-Object byte[] 65536
		$total = 0
		while ($true) {
			$n = $body.Read($buffer, 0, $buffer.Length)
			if ($n -le 0) { break }
			$total += $n
			if ($total -gt $maxBytes) {
				Write-Host "oidc-login native: ${url}: more than $maxBytes bytes"
				return 'final'
			}
			if ([DateTime]::UtcNow -gt $deadline) {
				Write-Host "oidc-login native: ${url}: not done after $maxTime s"
				return 'retry'
			}
			$file.Write($buffer, 0, $n)
		}
		return 'ok'
	} catch {
		# .NET's exception may come wrapped in PowerShell's: find the WebException inside.
		$e = $_.Exception
		while ($e -and -not ($e -is [Net.WebException])) { $e = $e.InnerException }
		if (-not $e) {
			Write-Host "oidc-login native: ${url}: $($_.Exception.Message)"
			return 'retry'
		}
		Write-Host "oidc-login native: ${url}: $($e.Message)"
		if ($e.Status -eq [Net.WebExceptionStatus]::ProtocolError -and $e.Response) {
			$status = [int]$e.Response.StatusCode
			if ($status -eq 408 -or $status -eq 429 -or $status -ge 500) { return 'retry' }
			return 'final'
		}
		return 'retry'
	} finally {
		if ($file) { $file.Close() }
		if ($body) { $body.Close() }
		if ($response) { $response.Close() }
	}
}

# Invoke-Download downloads url into the file to; it says whether it could.
function Invoke-Download([string]$url, [string]$to) {
	$scheme = ([Uri]$url).Scheme
	$proxy = Get-ProxyVariable $scheme
	if ($proxy -and $curl) { return (Invoke-Curl $url $to $scheme) }
	for ($attempt = 1; $attempt -le $downloadRetries + 1; $attempt++) {
		$result = Invoke-DotNetOnce $url $to $scheme $proxy
		if ($result -eq 'ok') { return $true }
		if ($result -eq 'final') { return $false }
		if ($attempt -le $downloadRetries) { Start-Sleep -Seconds $attempt }
	}
	return $false
}

# Get-Release fetches the asset into the file to from each source in turn, until one gives
# the bytes native/SHA256SUMS names; a file that does not match is deleted and never run. When
# none does, the step fails, saying what each source gave.
function Get-Release([string]$to) {
	$tried = @()
	foreach ($base in $sources) {
		$url = "$base/$version/$asset"
		Remove-Item -LiteralPath $to -Force -ErrorAction SilentlyContinue
		if (-not (Invoke-Download $url $to)) {
			$tried += "$url could not be downloaded (the lines above say why)"
			continue
		}
		$got = Get-Sha256 $to
		if ($got -ceq $want) {
			Write-Host "oidc-login native: downloaded and verified $asset $version ($want) from $url"
			return
		}
		$tried += "$url gave a file with SHA-256 $got, but native/SHA256SUMS says ${want}: refused, not run (deleted)"
	}
	Remove-Item -LiteralPath $to -Force -ErrorAction SilentlyContinue
	$all = $tried -join '; '
	if ($env:OIDC_LOGIN_NATIVE_DOWNLOAD_URL) { Fail "no verified $asset $version could be fetched: $all" }
	Fail "no verified $asset $version could be fetched: $all. A runner that cannot reach these can take the assets from a mirror: set OIDC_LOGIN_NATIVE_DOWNLOAD_URL to a URL holding $version/$asset"
}

# Install-File puts the file from in the place of the file to, and says whether it could. The
# old file is renamed aside first, and deleted unless something still runs it.
function Install-File([string]$from, [string]$to) {
	try {
		if (Test-Path -LiteralPath $to) {
			$aside = $to + '.old-' + [Guid]::NewGuid().ToString('N')
			[IO.File]::Move($to, $aside)
			Remove-Item -LiteralPath $aside -Force -ErrorAction SilentlyContinue
		}
		[IO.File]::Move($from, $to)
		return $true
	} catch {
		return $false
	}
}

# Save-InCache keeps the verified file in the tool cache for later jobs: a new file, renamed
# into place. Never fatal: a tool cache that cannot be written only costs later jobs a download.
function Save-InCache([string]$from) {
	$dir = Split-Path -Parent $cached
	$tmp = Join-Path $dir ('.download-' + [Guid]::NewGuid().ToString('N') + '.exe')
	try {
		New-Item -ItemType Directory -Force -Path $dir | Out-Null
		# What an earlier replacement had to leave behind while something still ran it.
		Get-ChildItem -LiteralPath $dir -Filter 'oidc-login.exe.old-*' -ErrorAction SilentlyContinue |
			Remove-Item -Force -ErrorAction SilentlyContinue
		Copy-Item -LiteralPath $from -Destination $tmp -Force
		if (-not (Install-File $tmp $cached)) { throw "$cached is in use and could not be renamed" }
	} catch {
		Remove-Item -LiteralPath $tmp -Force -ErrorAction SilentlyContinue
		Warn "could not keep $asset in the tool cache ($dir): $($_.Exception.Message); later jobs on this runner will download it again"
	}
}

$versionFile = Join-Path $here 'VERSION'
$sumsFile = Join-Path $here 'SHA256SUMS'
$hasVersion = Test-Path -LiteralPath $versionFile -PathType Leaf
$hasSums = Test-Path -LiteralPath $sumsFile -PathType Leaf
if ($hasVersion -or $hasSums) {
	if (-not ($hasVersion -and $hasSums)) {
		Fail 'native/ holds one of VERSION and SHA256SUMS but not the other; this checkout is damaged'
	}
	# [IO.File] reads an empty file as '' (Get-Content -Raw gives $null, whose .Trim() throws),
	# and either file may have CRLF line ends.
	$version = ([IO.File]::ReadAllText($versionFile)).Trim()
	if ($version -cnotmatch '^v[0-9]+\.[0-9]+\.[0-9]+$') { Fail "native/VERSION holds '$version', not vX.Y.Z" }
	$asset = "oidc-login_windows_$goarch.exe"
	# Every line naming the asset (text or binary mode, "*name"); more than one is refused.
	$found = @()
	foreach ($line in [IO.File]::ReadAllLines($sumsFile)) {
		$f = @($line.Trim() -split '\s+')
		if ($f.Count -ge 2 -and ($f[1] -ceq $asset -or $f[1] -ceq "*$asset")) { $found += $f[0] }
	}
	$want = ''
	if ($found.Count -eq 1) { $want = $found[0] }
	if ($want -cnotmatch '^[0-9a-f]{64}$') { Fail "native/SHA256SUMS has no SHA-256 for $asset" }

	if (-not $env:RUNNER_TEMP) { Fail 'RUNNER_TEMP is not set' }
	$copyDir = Join-Path (Join-Path $env:RUNNER_TEMP 'oidc-login-native') $want
	$bin = Join-Path $copyDir 'oidc-login.exe'
	if (-not (Test-Path -LiteralPath $bin -PathType Leaf)) {
		# This job's first step: make the job's copy, hash it, and only then give it its name.
		$cacheRoot = $env:RUNNER_TOOL_CACHE
		if (-not $cacheRoot) { $cacheRoot = Join-Path $env:RUNNER_TEMP 'oidc-login-tools' }
		$cached = Join-Path (Join-Path (Join-Path (Join-Path $cacheRoot 'oidc-login') $version.Substring(1)) $arch) 'oidc-login.exe'
		if ($env:OIDC_LOGIN_NATIVE_DOWNLOAD_URL) {
			$sources = @($env:OIDC_LOGIN_NATIVE_DOWNLOAD_URL.TrimEnd('/'))
			if (-not (Test-Base $sources[0])) {
				Fail 'OIDC_LOGIN_NATIVE_DOWNLOAD_URL must be an https:// URL (plain http only on 127.0.0.1, localhost or [::1]) without query, credentials or spaces'
			}
		} else {
			$server = $env:OIDC_LOGIN_SERVER_URL
			if (-not $server) { $server = 'https://github.com' }
			$server = $server.TrimEnd('/')
			$sources = @("$server/$releases/releases/download")
			if (-not (Test-Base $sources[0])) { Fail "github.server_url '$server' is not an https:// URL" }
			if ($server -cne 'https://github.com') { $sources += "https://github.com/$releases/releases/download" }
		}
		New-Item -ItemType Directory -Force -Path $copyDir | Out-Null
		# Named .exe: PowerShell runs a file by its extension.
		$tmp = Join-Path $copyDir ('.copy-' + [Guid]::NewGuid().ToString('N') + '.exe')
		$verified = $false
		if (Test-Path -LiteralPath $cached -PathType Leaf) {
			$got = Copy-Hashed $cached $tmp
			if ($got -ceq $want) {
				$verified = $true
			} else {
				Warn "the cached $cached has SHA-256 $got, but native/SHA256SUMS says ${want}: not running it, downloading $asset again"
			}
		}
		if (-not $verified) {
			Get-Release $tmp
			Save-InCache $tmp
		}
		# Should the name be taken after all (a copy this job made meanwhile), the verified file
		# runs under its own.
		if (-not (Install-File $tmp $bin)) { $bin = $tmp }
	}
} else {
	# No release pinned in native/: this is a branch, @main or a local checkout.
	if (-not (Get-Command go -ErrorAction SilentlyContinue)) {
		Fail "$uses is not a release, so there is no verified binary to fetch, and there is no go on PATH to build one from its source: use a release tag (uses: $releases/native@v1), or set up Go first (actions/setup-go)"
	}
	if (-not $env:RUNNER_TEMP) { Fail 'RUNNER_TEMP is not set' }
	# A folder of its own per step: an exe that a later step's aws-refresh helper still runs
	# could not be overwritten.
	$out = Join-Path (Join-Path $env:RUNNER_TEMP 'oidc-login-build') ([Guid]::NewGuid().ToString('N'))
	New-Item -ItemType Directory -Force -Path $out | Out-Null
	$bin = Join-Path $out 'oidc-login.exe'
	$env:CGO_ENABLED = '0'
	Push-Location (Join-Path $here '..')
	$ErrorActionPreference = 'Continue'
	$said = & go build -trimpath '-ldflags=-s -w -buildid=' -o $bin . 2>&1
	$built = $LASTEXITCODE
	$ErrorActionPreference = 'Stop'
	Pop-Location
	foreach ($line in $said) { Write-Host "$line" }
	if ($built -ne 0) { Fail "building oidc-login from the action's source ($here\..) failed" }
}

$ErrorActionPreference = 'Continue'
& $bin @binArgs
exit $LASTEXITCODE
