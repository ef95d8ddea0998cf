#Requires -Version 5.1
<#
.SYNOPSIS
    MaceTools build for PowerShell users: the same tasks as build.sh, plus the Pester tests.
.EXAMPLE
    ./build.ps1            # Release build: out/MaceTools (module) and out/cli (command line)
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
