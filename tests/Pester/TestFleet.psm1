<#
    The ssh test fleet for Pester: real sshd hosts in network namespaces, started by out/testhosts/MaceTools.TestHosts.dll
    (tests/MaceTools.TestHosts over tests/MaceTools.Tests/Remote/SshFleet.cs, the one implementation).
        $fleet = Start-MaceTestFleet -Hosts pi, good1
        Get-MaceDevice -Inventory $fleet.DevicesYml -Target pi
        Stop-MaceTestFleet $fleet
    Needs root, sshd, ssh and ip (./build.sh deps installs them) and a built out/testhosts (./build.sh).
#>
$Repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$Tool = Join-Path $Repo 'out/testhosts/MaceTools.TestHosts.dll'

function Start-MaceTestFleet {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string[]] $Hosts,
        [int] $TimeoutSeconds = 60
    )
    if (-not (Test-Path -LiteralPath $Tool)) { throw "$Tool is missing: run ./build.sh first" }
    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @($Tool, 'fleet', '--hosts', ($Hosts -join ','))) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($psi)
    # stderr is read in the background so a chatty tool never blocks on a full pipe; it explains a failed start.
    $stderr = $process.StandardError.ReadToEndAsync()
    $line = $process.StandardOutput.ReadLineAsync()
    if (-not $line.Wait([timespan]::FromSeconds($TimeoutSeconds)) -or -not $line.Result) {
        # No line: either it is still starting (timed out) or its stdout closed as it exits (give it a moment to finish).
        $exited = $line.IsCompleted -and $process.WaitForExit(5000)
        if (-not $exited) { $process.Kill($true) }
        $process.WaitForExit(5000) | Out-Null
        $why = if ($exited) { "exited with $($process.ExitCode)" } else { "gave no description within $TimeoutSeconds s" }
        throw "the test fleet ($($Hosts -join ', ')) $why`: $($stderr.Result)"
    }
    $info = $line.Result | ConvertFrom-Json
    [pscustomobject]@{
        PSTypeName = 'MaceTools.TestFleet'
        Dir        = $info.dir
        DevicesYml = $info.devicesYml
        ClientKey  = $info.clientKey
        KnownHosts = $info.knownHosts
        Hosts      = @($info.hosts)
        Process    = $process
    }
}

function Stop-MaceTestFleet {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipeline)] [AllowNull()] $Fleet,
        [int] $TimeoutSeconds = 20
    )
    process {
        if (-not $Fleet -or -not $Fleet.Process) { return }
        $p = $Fleet.Process
        # Closing its stdin is the tool's signal to take the hosts down (sshd, namespaces, its folder).
        try { $p.StandardInput.Close() } catch [System.ObjectDisposedException] { }
        if (-not $p.WaitForExit($TimeoutSeconds * 1000)) {
            $p.Kill($true)
            $p.WaitForExit(5000) | Out-Null
            Write-Warning "the test fleet in $($Fleet.Dir) did not stop within $TimeoutSeconds s and was killed (a later fleet removes its leftovers)"
        }
        $p.Dispose()
    }
}

Export-ModuleMember -Function Start-MaceTestFleet, Stop-MaceTestFleet
