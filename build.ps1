#Requires -Version 5.1
<#
.SYNOPSIS
    MaceTools build for PowerShell users: the same tasks as build.sh, plus the Pester tests.
.EXAMPLE
    ./build.ps1            # Release build: out/MaceTools (module), out/cli (command line), out/MaceTools.<version>.nupkg
    ./build.ps1 -Task Test # xunit tests, then Pester in a child pwsh so the module dll is not locked
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Manifest', 'Markdown')]
    [string] $Task = 'Build',
    [string] $Configuration = 'Release',
    # Test only: skip the build, run a subset (a dotnet test --filter, Pester files); the closing line counts both.
    [switch] $NoBuild,
    [string] $XunitFilter,
    [string[]] $PesterPath = @('tests/Pester')
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Native([string] $File, [string[]] $Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-BuildTool([string[]] $Arguments) {
    $tool = Join-Path $PSScriptRoot "tools/MaceTools.Build/bin/$Configuration/net10.0/MaceTools.Build.dll"
    Invoke-Native dotnet (@($tool) + $Arguments + @('--repo', $PSScriptRoot))
}

function Invoke-Build {
    Invoke-Native dotnet @('build', 'MaceTools.sln', '-c', $Configuration, '-nologo', '-v:q')
    Invoke-BuildTool @('layout', '--configuration', $Configuration)
    Invoke-Native dotnet @('publish', 'src/MaceTools.Cli', '-c', $Configuration, '-o', 'out/cli', '-nologo', '-v:q', '--no-build')
    Invoke-Native dotnet @('publish', 'tests/MaceTools.TestHosts', '-c', $Configuration, '-o', 'out/testhosts', '-nologo', '-v:q', '--no-build')
    # `macetools bench` and `fuzz` load MaceTools.Bench.dll from beside the CLI; the module's worker copy goes without it.
    Copy-Item "bench/MaceTools.Bench/bin/$Configuration/net10.0/MaceTools.Bench.dll" out/cli/
    # out/MaceTools.<version>.nupkg (Install-PSResource's package), in a child pwsh with a scratch data folder so the
    # throw-away repository registration never touches the user's own list.
    Remove-Item out/MaceTools.*.nupkg -ErrorAction SilentlyContinue
    if (-not (Get-Module -ListAvailable Microsoft.PowerShell.PSResourceGet)) { Write-Warning 'no PSResourceGet (pwsh 7.4+ ships it): out/MaceTools.*.nupkg not written'; return }
    $scratch = Join-Path ([System.IO.Path]::GetTempPath()) ('macetools-data-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $scratch | Out-Null   # must exist, or PSResourceGet's list lands in the working directory
    $saved = $env:XDG_DATA_HOME, $env:LOCALAPPDATA
    try {
        $env:XDG_DATA_HOME = $env:LOCALAPPDATA = $scratch
        # pwsh installed as a .NET tool runs as `dotnet pwsh.dll`.
        $exe = (Get-Process -Id $PID).Path
        $pwshArgs = @(if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        Invoke-Native $exe @($pwshArgs + @('-NoProfile', '-NonInteractive', '-File', 'tools/Package/Publish-MaceModule.ps1', '-ModulePath', (Join-Path $PSScriptRoot 'out/MaceTools'), '-OutDir', (Join-Path $PSScriptRoot 'out')))
    } finally {
        $env:XDG_DATA_HOME, $env:LOCALAPPDATA = $saved
        Remove-Item $scratch -Recurse -Force -ErrorAction SilentlyContinue
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' {
        if (-not $NoBuild) { Invoke-Build }
        $results = Join-Path $PSScriptRoot 'out/test-results'
        New-Item -ItemType Directory -Force -Path $results | Out-Null
        $filter = if ($XunitFilter) { @('--filter', $XunitFilter) } else { @() }
        & dotnet @(@('test', 'tests/MaceTools.Tests', '-c', $Configuration, '--no-build', '-nologo', '--logger', 'trx;LogFileName=xunit-ps.trx', '--results-directory', $results) + $filter) | Out-Host
        $counters = ([xml](Get-Content -Raw (Join-Path $results 'xunit-ps.trx'))).TestRun.ResultSummary.Counters
        # Pester in a child pwsh (the module dll stays unlocked here), through the one runner build.sh uses too.
        $exe = (Get-Process -Id $PID).Path
        $pwshArgs = @(if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $counts = Join-Path $results 'pester-ps.counts'
        & $exe @($pwshArgs + @('-NoProfile', '-NonInteractive', '-File', 'tests/Pester/Invoke-MacePester.ps1', '-ResultFile', $counts, '-Path') + $PesterPath) | Out-Host
        $pp, $pf, $ps = if (Test-Path $counts) { (Get-Content $counts) -split ' ' | ForEach-Object { [int] $_ } } else { 0, 1, 0 }
        $passed = [int] $counters.passed + $pp
        $failed = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted + $pf
        $skipped = [int] $counters.total - [int] $counters.executed + $ps
        Write-Output "$passed passed, $failed failed, $skipped skipped"
        if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
    }
    'Demo' {
        Invoke-Build
        Import-Module (Join-Path $PSScriptRoot 'out/MaceTools/MaceTools.psd1') -Force
        Get-MaceProgram (Join-Path $PSScriptRoot 'examples/mace-files/*.bin') | Format-Table
        Get-MaceProgram (Join-Path $PSScriptRoot 'examples/mace-files/*.bin') | Test-MaceProgram -MaceVersion v1.1.1-0-g8c75d39 | Format-Table
    }
    'Manifest' { Invoke-Native dotnet @('build', 'MaceTools.sln', '-c', $Configuration, '-v:q'); Invoke-BuildTool @('manifest') }
    'Markdown' { Invoke-Native dotnet @('build', 'MaceTools.sln', '-c', $Configuration, '-v:q'); Invoke-BuildTool @('markdown') }
}
