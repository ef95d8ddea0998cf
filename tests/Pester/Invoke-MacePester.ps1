#Requires -Version 7.0
<#
.SYNOPSIS
    Runs the Pester suite against the built module with the pinned Pester from .tools/nuget (./build.sh deps puts it there).
.DESCRIPTION
    One entry point for build.sh test, build.ps1 -Task Test and a developer: it imports the pinned Pester (not whatever
    Pester the machine has), runs tests/Pester (or -Path), and writes "passed failed skipped" to -ResultFile. A file
    that does not parse or a failing BeforeAll counts as a failure, never as nothing run. Exit code 0 only when all pass.
.EXAMPLE
    ./.tools/pwsh/pwsh -NoProfile -File tests/Pester/Invoke-MacePester.ps1 -Path tests/Pester/MaceTools.Tests.ps1
#>
[CmdletBinding()]
param(
    [string[]] $Path = @($PSScriptRoot),
    [string] $ResultFile,
    [string[]] $FullName,
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Verbosity = 'Normal'
)
$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$pester = Get-ChildItem -Path (Join-Path $repo '.tools/nuget/pester/*/tools/Pester.psd1') -ErrorAction SilentlyContinue |
    Sort-Object { [version] $_.Directory.Parent.Name } | Select-Object -Last 1
if (-not $pester) { throw "Pester is not in $repo/.tools/nuget: run ./build.sh deps" }
Get-Module Pester | Remove-Module -Force
Import-Module $pester.FullName -Force

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = $Verbosity
if ($FullName) { $config.Filter.FullName = $FullName }
$result = Invoke-Pester -Configuration $config
# The XML is written after the run, apart from the counts: Pester's NUnit writer throws on a control character (a
# nested pwsh's colour codes in a failure message), and that must not turn a counted run into no count at all.
try { $result | Export-NUnitReport -Path (Join-Path $repo 'out/test-results/pester.xml') }
catch { Write-Warning "out/test-results/pester.xml not written: $($_.Exception.Message)" }

# A failed container (a file that does not parse) or block (BeforeAll) is a failure even when its tests did not run.
$failed = $result.FailedCount + $result.FailedContainersCount + $result.FailedBlocksCount
$skipped = $result.SkippedCount + $result.NotRunCount
Write-Host "Pester: $($result.PassedCount) passed, $failed failed, $skipped skipped"
if ($ResultFile) { Set-Content -LiteralPath $ResultFile -Value "$($result.PassedCount) $failed $skipped" }
exit ([int]($failed -gt 0 -or $result.PassedCount -eq 0))
