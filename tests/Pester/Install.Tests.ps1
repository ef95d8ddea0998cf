<#
    The module installed the way admins install modules: the built .nupkg in a local PSResource repository,
    Install-PSResource into a clean data folder, and a child pwsh that sees only that copy (and $PSHOME's modules)
    compiles the example model on pocl through the installed copy's own worker and loads the result.
#>
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    $Nupkg = @(Get-ChildItem -Path (Join-Path $Repo 'out') -Filter 'MaceTools.*.nupkg')
    if ($Nupkg.Count -ne 1) { throw "expected one out/MaceTools.*.nupkg, found $($Nupkg.Count): run ./build.sh first" }
    $Version = (Import-PowerShellDataFile $Manifest).ModuleVersion
    $Scratch = Join-Path ([System.IO.Path]::GetTempPath()) ('macetools-install-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $RepoDir = Join-Path $Scratch 'repo'
    $HomeDir = Join-Path $Scratch 'home'    # HOME (and XDG_DATA_HOME) of the children: their repository list and CurrentUser modules
    $Work = Join-Path $Scratch 'work'
    # The data folder must exist: .NET gives PSResourceGet an empty LocalApplicationData otherwise, and its repository list
    # would land in the working directory.
    New-Item -ItemType Directory -Path $RepoDir, (Join-Path $HomeDir '.local/share'), $Work | Out-Null
    Copy-Item -LiteralPath $Nupkg[0].FullName -Destination $RepoDir
    Copy-Item -Path (Join-Path $Repo 'examples/paddleocr/mace.yml'), (Join-Path $Repo 'examples/paddleocr/ch_ppocr_mobile_v2.0_cls_infer.onnx') -Destination $Work

    # A child pwsh with its own environment and a hard time limit; returns its exit code and output.
    function Invoke-Child([string] $Script, [hashtable] $Environment, [int] $TimeoutSeconds) {
        # pwsh installed as a .NET tool runs as `dotnet pwsh.dll`: the child does the same.
        $exe = (Get-Process -Id $PID).Path
        $psi = [System.Diagnostics.ProcessStartInfo]::new($exe)
        if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($a in @('-NoProfile', '-NonInteractive', '-Command', $Script)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $psi.WorkingDirectory = $Scratch
        foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
        $p = [System.Diagnostics.Process]::Start($psi)
        $out = $p.StandardOutput.ReadToEndAsync()
        $err = $p.StandardError.ReadToEndAsync()
        if (-not $p.WaitForExit($TimeoutSeconds * 1000)) {
            $p.Kill($true)
            throw "child pwsh ran past $TimeoutSeconds s (a hang): $($err.Result)"
        }
        [pscustomobject]@{ ExitCode = $p.ExitCode; Out = $out.Result; Err = ($err.Result -replace '\x1b\[[0-9;]*m', '') }
    }

    $ChildEnvironment = @{
        HOME                 = $HomeDir
        XDG_DATA_HOME        = (Join-Path $HomeDir '.local/share')
        NO_COLOR             = '1'                             # plain error text (escape codes are not valid in the XML report)
        MACETOOLS_CACHE_DIR  = (Join-Path $Scratch 'cache')   # an empty build cache: every program really compiles
        MACETOOLS_WORKER     = ''                              # no override: the module finds its own worker
    }
    $UserModules = Join-Path $HomeDir '.local/share/powershell/Modules'   # Install-PSResource -Scope CurrentUser on Linux and macOS
    $Installed = Join-Path $UserModules "MaceTools/$Version"
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction SilentlyContinue
    Exit-MaceTestModule
}

Describe 'Install-PSResource from a local repository' {
    It 'installs the package with its worker and no benchmarks' {
        $r = Invoke-Child -TimeoutSeconds 120 -Environment $ChildEnvironment -Script @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Register-PSResourceRepository -Name MaceToolsLocal -Uri '$RepoDir' -Trusted
Install-PSResource -Name MaceTools -Repository MaceToolsLocal -Scope CurrentUser -TrustRepository
"@
        $r.ExitCode | Should -Be 0 -Because $r.Err
        Test-Path -LiteralPath (Join-Path $Installed 'MaceTools.psd1') | Should -BeTrue
        Test-Path -LiteralPath (Join-Path $Installed 'worker/macetools.dll') | Should -BeTrue
        @(Get-ChildItem -LiteralPath $Installed -Recurse -Filter '*Bench*') | Should -HaveCount 0
    }

    It 'compiles and loads on pocl through the installed copy''s worker, in a child that sees only that copy' {
        $modulePath = $UserModules + [System.IO.Path]::PathSeparator + (Join-Path $PSHOME 'Modules')
        $config = Join-Path $Work 'mace.yml'
        $env2 = $ChildEnvironment.Clone()
        $env2.PSModulePath = $modulePath
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-Child -TimeoutSeconds 300 -Environment $env2 -Script @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
`$env:PSModulePath = '$modulePath'
Import-Module MaceTools
`$made = @(Get-MaceDevice | New-MaceProgram -Config '$config' -Destination '$Work' -Verbose 4>&1)
`$verbose = @(`$made | Where-Object { `$_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
`$files = @(`$made | Where-Object { `$_ -isnot [System.Management.Automation.VerboseRecord] })
`$test = Test-MaceProgram `$files[0].Path -Device 0
[pscustomobject]@{
    ModuleBase = (Get-Module MaceTools).ModuleBase
    Files      = @(`$files | ForEach-Object Path)
    Programs   = `$files[0].ProgramCount
    Verbose    = `$verbose
    Loaded     = @(`$test.Loads | Where-Object Status -eq 'Loaded').Count
    Loads      = @(`$test.Loads).Count
} | ConvertTo-Json -Depth 3 -Compress | ForEach-Object { "RESULT `$_" }
"@
        $clock.Stop()
        $r.ExitCode | Should -Be 0 -Because $r.Err
        # The host writes warnings to stdout too: the result is the line marked RESULT.
        $line = @($r.Out -split "`n" | Where-Object { $_ -like 'RESULT *' })
        $line | Should -HaveCount 1 -Because $r.Out
        $result = $line[0].Substring(7) | ConvertFrom-Json
        $result.ModuleBase | Should -Be $Installed
        $result.Files | Should -HaveCount 1
        $result.Programs | Should -BeGreaterThan 0
        # The worker that compiled is the installed copy's portable macetools.dll, not the build's out/cli.
        $workerLine = @($result.Verbose | Where-Object { $_ -like '*from source in driver workers*' })
        $workerLine | Should -HaveCount 1
        $workerLine[0] | Should -BeLike "*$(Join-Path $Installed 'worker/macetools.dll')*"
        $result.Loads | Should -Be $result.Programs
        $result.Loaded | Should -Be $result.Programs   # every entry loaded on pocl through the worker (pocl's empty MACE device name is a finding of its own)
        Write-Host "installed copy: $($result.Programs) programs compiled and loaded through its worker in $([int]$clock.Elapsed.TotalSeconds) s"
        $script:Built = $result.Files[0]
    }

    It 'publishes from the installed copy with Publish-MaceProgram -Target pi alone, to a real ssh host' {
        Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
        $fleet = Start-MaceTestFleet -Hosts 'pi=Raspberry Pi 4/bcm2711'
        try {
            $pi = $fleet.Hosts | Where-Object name -EQ 'pi'
            # The file the installed copy just built, under the name MACE gives pi's file; ./devices.yml is the fleet's own.
            $mine = Join-Path $fleet.Dir 'paddleocr_cls_compiled_opencl_kernel.RaspberryPi4.bcm2711.bin'
            Copy-Item -LiteralPath $script:Built -Destination $mine
            $env2 = $ChildEnvironment.Clone()
            $env2.PSModulePath = $UserModules + [System.IO.Path]::PathSeparator + (Join-Path $PSHOME 'Modules')
            $r = Invoke-Child -TimeoutSeconds 120 -Environment $env2 -Script @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
`$env:PSModulePath = '$($env2.PSModulePath)'
Set-Location -LiteralPath '$($fleet.Dir)'
Import-Module MaceTools
`$r = Publish-MaceProgram -Target pi
"RESULT `$((Get-Module MaceTools).ModuleBase)|`$(`$r.Status)|`$(`$r.File)"
"@
            $r.ExitCode | Should -Be 0 -Because $r.Err
            $line = @($r.Out -split "`n" | Where-Object { $_ -like 'RESULT *' })
            $line | Should -HaveCount 1 -Because $r.Out
            $base, $status, $file = $line[0].Substring(7).Trim() -split '\|'
            $base | Should -Be $Installed
            $status | Should -Be 'Published'
            $file | Should -Be $mine
            (Get-FileHash -LiteralPath $pi.programPath).Hash | Should -Be (Get-FileHash -LiteralPath $mine).Hash
        }
        finally {
            Stop-MaceTestFleet $fleet
            Remove-Module TestFleet -ErrorAction SilentlyContinue
        }
    }
}
