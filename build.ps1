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
    [string] $Configuration = 'Release'
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
        $pwshArgs = if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
        Invoke-Native $exe @($pwshArgs + @('-NoProfile', '-NonInteractive', '-File', 'tools/Package/Publish-MaceModule.ps1', '-ModulePath', (Join-Path $PSScriptRoot 'out/MaceTools'), '-OutDir', (Join-Path $PSScriptRoot 'out')))
    } finally {
        $env:XDG_DATA_HOME, $env:LOCALAPPDATA = $saved
        Remove-Item $scratch -Recurse -Force -ErrorAction SilentlyContinue
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' {
        Invoke-Build
        Invoke-Native dotnet @('test', 'tests/MaceTools.Tests', '-c', $Configuration, '--no-build', '-nologo')
        $pwsh = (Get-Process -Id $PID).Path
        Invoke-Native $pwsh @('-NoProfile', '-NonInteractive', '-Command', "Invoke-Pester -Path '$PSScriptRoot/tests/Pester' -CI")
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
