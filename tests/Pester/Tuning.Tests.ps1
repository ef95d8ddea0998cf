#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Optimize-MaceProgram stopped the ways a user stops it: [powershell]::Stop() (what Ctrl+C does to a pipeline) and a
    real SIGINT to a pwsh's whole process group (what a terminal's Ctrl+C does). The launches run in a worker process,
    so neither kills pwsh; the keys tuned so far land in <name>.partial with a sidecar saying complete: false.
    Real pocl (device 0), the example model; each run is stopped after its first results, so it stays short.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Config = Join-Path $Repo 'examples/paddleocr/mace.yml'

    function New-TestDirectory {
        $dir = Join-Path ([System.IO.Path]::GetTempPath()) ('macetools-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 10))
        New-Item -ItemType Directory -Path $dir | Out-Null
        $dir
    }

    # What a stopped run must leave: only the partial file and its sidecar, complete: false, holding at least the
    # keys emitted (a key finished as the stop came may be in the file without having reached the output).
    function Assert-PartialRun([string] $Dir, [string[]] $EmittedFileKeys) {
        $files = @(Get-ChildItem -LiteralPath $Dir -Force -Recurse -File | Where-Object Name -NotIn 'run.ps1', 'keys.log', 'out.log', 'err.log')
        $partial = @($files | Where-Object Name -Like '*_tuned_opencl_parameter.*.bin.partial')
        $partial.Count | Should -Be 1
        ($files.Name | Sort-Object) | Should -Be (@($partial[0].Name, ($partial[0].Name + '.macetools.json')) | Sort-Object)
        @($files | Where-Object Name -Like '*.tmp').Count | Should -Be 0
        $sidecar = Get-Content -Raw -LiteralPath ($partial[0].FullName + '.macetools.json') | ConvertFrom-Json
        $sidecar.complete | Should -BeFalse
        $stored = @(Get-MaceTuningParameter -LiteralPath $partial[0].FullName | Where-Object { -not $_.IsQueueWindow })
        $stored.Count | Should -Be $sidecar.kernels.Count
        $stored.Count | Should -BeLessThan 118 # stopped early: not the whole model
        foreach ($k in $EmittedFileKeys) { $stored.Key | Should -Contain $k }
        ($stored.Count - $EmittedFileKeys.Count) | Should -BeIn 0, 1
        $partial[0]
    }
}

AfterAll {
    Exit-MaceTestModule
}

Describe 'Optimize-MaceProgram stopped mid-run (real OpenCL: pocl)' {
    It '[powershell]::Stop() keeps the runspace usable and writes the partial file' {
        $dir = New-TestDirectory
        $rs = [runspacefactory]::CreateRunspace()
        $rs.Open()
        try {
            $ps = [powershell]::Create()
            $ps.Runspace = $rs
            $null = $ps.AddScript("Import-Module '$Manifest'; Optimize-MaceProgram -Config '$Config' -Device 0 -Destination '$dir'")
            $in = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $async = $ps.BeginInvoke($in, $out)
            $deadline = [DateTime]::UtcNow.AddMinutes(3)
            while ($out.Count -lt 2 -and -not $async.IsCompleted -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $out.Count | Should -BeGreaterOrEqual 2
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            Write-Host "Stop() returned after $($watch.ElapsedMilliseconds) ms, $($out.Count) results emitted"
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $ps.Dispose()

            $file = Assert-PartialRun $dir @($out | ForEach-Object FileKey)

            # the same runspace goes on working, with the module and OpenCL in it
            $next = [powershell]::Create()
            $next.Runspace = $rs
            $got = $next.AddScript("(Get-MaceProgram -LiteralPath '$($file.FullName)').Generation; @(Get-MaceDevice)[0].Name").Invoke()
            $next.HadErrors | Should -BeFalse
            $got[0].ToString() | Should -Be 'T2'
            $got[1] | Should -Not -BeNullOrEmpty
            $next.Dispose()
        }
        finally {
            $rs.Dispose()
            Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    It 'a real SIGINT to the whole process group of a pwsh running it does not abort pwsh and leaves the partial file' -Skip:(-not $IsLinux) {
        $dir = New-TestDirectory
        try {
            $log = Join-Path $dir 'keys.log'
            $script = Join-Path $dir 'run.ps1'
            Set-Content -LiteralPath $script -Value @"
Import-Module '$Manifest'
Optimize-MaceProgram -Config '$Config' -Device 0 -Destination '$dir' | ForEach-Object { Add-Content -LiteralPath '$log' -Value `$_.FileKey }
"@
            $pwsh = Join-Path $Repo '.tools/pwsh/pwsh'
            # setsid: the child pwsh leads a process group of its own, as a terminal's foreground job does
            $p = Start-Process -FilePath setsid -ArgumentList $pwsh, '-NoProfile', '-NonInteractive', '-File', $script -PassThru `
                -RedirectStandardOutput (Join-Path $dir 'out.log') -RedirectStandardError (Join-Path $dir 'err.log')
            $deadline = [DateTime]::UtcNow.AddMinutes(3)
            while (-not (Test-Path -LiteralPath $log) -and -not $p.HasExited -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $p.HasExited | Should -BeFalse
            $pgrp = (Get-Content -Raw "/proc/$($p.Id)/stat").Split(')')[1].Trim().Split(' ')[2]
            $pgrp | Should -Be "$($p.Id)"
            & kill -INT -- "-$pgrp"
            $p.WaitForExit(60000) | Should -BeTrue
            Write-Host "pwsh exit code after SIGINT: $($p.ExitCode)"
            $p.ExitCode | Should -Not -BeIn 134, 139 # pocl's abort / a segfault
            # pwsh stopped the run, not a worker killed by the signal (that would be a WorkerFailed error naming it)
            (Get-Content -Raw (Join-Path $dir 'err.log')) | Should -Not -Match 'Assertion|Aborted|core dumped|tuning worker stopped'
            Start-Sleep -Milliseconds 200 # the last line of a result emitted as the signal came
            Assert-PartialRun $dir @(Get-Content -LiteralPath $log) | Out-Null
        }
        finally {
            Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}
