#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    The user's own lines, typed as they type them, and the habits an admin relies on: a default inventory, files with
    [ ] and spaces through every pipeline, completion, failed devices as error records, -Debug, the fresh-machine install.
    The fleet is real: sshd in network namespaces (TestFleet.psm1), with a host named pi reached through the agent.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
    $SavedInventory = $env:MACETOOLS_INVENTORY
    $env:MACETOOLS_INVENTORY = $null
}

AfterAll {
    $env:MACETOOLS_INVENTORY = $SavedInventory
    Remove-Module TestFleet -ErrorAction SilentlyContinue
    Exit-MaceTestModule
}

Describe 'The three lines, as typed, against a real ssh host named pi' {
    BeforeAll {
        $Fleet = Start-MaceTestFleet -Hosts 'pi=Raspberry Pi 4/bcm2711'
        $Pi = $Fleet.Hosts | Where-Object name -EQ 'pi'
        # The fleet's folder holds its devices.yml (MACE's own name, key files beside it): the user works there.
        Copy-Item -Path (Join-Path $Repo 'examples/paddleocr/mace.yml'), (Join-Path $Repo 'examples/paddleocr/ch_ppocr_mobile_v2.0_cls_infer.onnx') -Destination $Fleet.Dir
        Push-Location $Fleet.Dir
    }
    AfterAll {
        Pop-Location
        Stop-MaceTestFleet $Fleet
    }
    It 'Get-MaceDevice | New-MaceProgram -Config mace.yml compiles the model for the local device' {
        $made = Get-MaceDevice -WarningAction SilentlyContinue | New-MaceProgram -Config mace.yml -ErrorAction Stop
        $made | Should -BeOfType ([MaceTools.MaceProgram])
        $made.Name | Should -BeLike 'paddleocr_cls_compiled_opencl_kernel.*.bin'
        $made.ProgramCount | Should -BeGreaterThan 10
        Copy-Item -LiteralPath $made.Path -Destination x.bin
    }
    It 'Test-MaceProgram .\x.bin passes for that file' {
        $r = Test-MaceProgram .\x.bin -ErrorAction Stop
        $r.Passed | Should -BeTrue
        $r.Path | Should -Be (Join-Path $Fleet.Dir 'x.bin')
    }
    It 'Test-MaceProgram -Device 0 loads every entry and passes, showing the cache behaviour as information' {
        $r = Get-ChildItem 'paddleocr_cls_compiled_opencl_kernel.*.bin' | Test-MaceProgram -Device 0 -ErrorAction Stop
        $r.Passed | Should -BeTrue
        @($r.Loads).Count | Should -BeGreaterThan 10
        @($r.Loads | Where-Object Status -NE 'Loaded').Count | Should -Be 0
        @($r.Findings | Where-Object Code -EQ 'NotUsedByTarget' | Where-Object Severity -NE 'Information').Count | Should -Be 0
    }
    It 'Get-MaceDevice -Target pi | New-MaceProgram -Config mace.yml compiles on pi through the agent, ./devices.yml found by itself' {
        $dev = Get-MaceDevice -Target pi -ErrorAction Stop
        $dev.Target | Should -Be 'pi'
        $script:PiFile = $dev | New-MaceProgram -Config mace.yml -ErrorAction Stop
        $script:PiFile.Name | Should -Be 'paddleocr_cls_compiled_opencl_kernel.RaspberryPi4.bcm2711.bin'
    }
    It 'Publish-MaceProgram -Target pi puts that file on pi byte for byte, with no other argument' {
        $r = Publish-MaceProgram -Target pi -ErrorAction Stop
        @($r).Count | Should -Be 1
        $r.Status | Should -Be 'Published'
        $r.File | Should -Be $script:PiFile.Path
        $onPi = [System.IO.File]::ReadAllBytes($Pi.programPath)
        [System.Linq.Enumerable]::SequenceEqual($onPi, [System.IO.File]::ReadAllBytes($script:PiFile.Path)) | Should -BeTrue
        Get-ChildItem -LiteralPath (Split-Path $Pi.programPath) -Filter '*.tmp' | Should -BeNullOrEmpty
    }
    It 'Publish-MaceProgram -Target pi again finds the file unchanged' {
        (Publish-MaceProgram -Target pi).Status | Should -Be 'Unchanged'
    }
    It 'Compare-MaceProgram -Target pi takes the same defaults' {
        # pi's program_path is MACE's own cache name, so the file just published is what MACE would read: Kept.
        $r = Compare-MaceProgram -Target pi -ErrorAction Stop
        $r.Verdict | Should -Be 'Kept'
        $r.Device | Should -Be 'pi'
    }
    It '$env:MACETOOLS_INVENTORY comes before ./devices.yml, and the error names every place looked at when none is there' {
        $elsewhere = Join-Path $TestDrive 'nowhere'
        New-Item -ItemType Directory -Path $elsewhere | Out-Null
        Push-Location $elsewhere
        try {
            { Get-MaceDevice -Target pi -ErrorAction Stop } | Should -Throw -ErrorId 'InventoryNotFound,MaceTools.Commands.GetMaceDeviceCommand'
            $env:MACETOOLS_INVENTORY = $Fleet.DevicesYml
            (Get-MaceDevice -Target pi -ErrorAction Stop).Target | Should -Be 'pi'
        }
        finally { $env:MACETOOLS_INVENTORY = $null; Pop-Location }
    }
    It 'completes -Target and -Tag from the inventory in effect' {
        (TabExpansion2 'Publish-MaceProgram -Target ' 28).CompletionMatches.CompletionText | Should -Be @('pi')
        (TabExpansion2 'Get-MaceDevice -Tag ' 20).CompletionMatches.CompletionText | Should -Contain 'lab'
    }
    It 'shows with -Debug which inventory and files it chose' {
        # -Debug asks to continue at each message in a non-interactive host; the preference shows the same stream.
        $DebugPreference = 'Continue'
        $debug = Publish-MaceProgram -Target pi 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
        ($debug.Message -join "`n") | Should -Match ([regex]::Escape("inventory: $($Fleet.DevicesYml)"))
        ($debug.Message -join "`n") | Should -Match 'found .*RaspberryPi4\.bcm2711\.bin'
    }
}

Describe 'Habits an admin relies on' {
    BeforeAll {
        $Odd = Join-Path $TestDrive 'odd names'
        New-Item -ItemType Directory -Path $Odd | Out-Null
        $Names = @('a [1].bin', 'b[x]y.bin', 'plain.bin')
        foreach ($n in $Names) { Copy-Item -LiteralPath $Adreno -Destination (Join-Path $Odd $n) }
    }
    It 'keeps every file with [ ] or spaces through Get-MaceProgram | Test-MaceProgram' {
        $r = Get-ChildItem -LiteralPath $Odd | Get-MaceProgram | Test-MaceProgram
        @($r).Count | Should -Be 3
        ($r.Path | ForEach-Object { Split-Path $_ -Leaf } | Sort-Object) | Should -Be ($Names | Sort-Object)
    }
    It 'keeps them through Get-MaceProgramEntry and Convert-MaceProgram' {
        (Get-ChildItem -LiteralPath $Odd | Get-MaceProgram | Get-MaceProgramEntry | Group-Object Path).Count | Should -Be 3
        $out = Join-Path $TestDrive 'converted'
        New-Item -ItemType Directory -Path $out | Out-Null
        Get-ChildItem -LiteralPath $Odd | Where-Object Name -Match '\[' | Get-MaceProgram | ForEach-Object {
            $_ | Convert-MaceProgram -Destination (Join-Path $out ($_.Name -replace '\.bin$', '.g2.bin')) -To G2 -ErrorAction Stop
        }
        (Get-ChildItem -LiteralPath $out).Name | Sort-Object | Should -Be @('a [1].g2.bin', 'b[x]y.g2.bin')
    }
    It 'carries LiteralPath and PSPath on every file object' {
        $p = Get-MaceProgram -LiteralPath (Join-Path $Odd 'a [1].bin')
        $p.LiteralPath | Should -Be $p.Path
        $p.PSPath | Should -Be $p.Path
    }
    It 'writes FileNotFound for a wildcard that matches nothing, as the help promises' {
        Get-MaceProgram -Path (Join-Path $Odd 'nomatch*.bin') -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -Be 'FileNotFound,MaceTools.Commands.GetMaceProgramCommand'
    }
    It 'completes -MaceVersion with known releases and -Device with what the driver reports' {
        (TabExpansion2 'Test-MaceProgram x.bin -MaceVersion v1.0' 39).CompletionMatches.CompletionText | Should -Be @('v1.0.4', 'v1.0.3', 'v1.0.0')
        $ids = (TabExpansion2 'Test-MaceProgram x.bin -Device ' 31).CompletionMatches.CompletionText
        $ids | Should -Contain (Get-MaceDevice -WarningAction SilentlyContinue)[0].Id
    }
    It 'makes a device that fails to publish a non-terminating error record with the CLI''s id' {
        $dir = Join-Path $TestDrive 'closed'
        New-Item -ItemType Directory -Path $dir | Out-Null
        Set-Content -LiteralPath (Join-Path $dir 'devices.yml') -Value "devices:`n  gone:`n    address: 127.0.0.1`n    port: 1`n    username: nobody`n    target_socs: rk3399`n    models: Board`n"
        Copy-Item -LiteralPath $Adreno -Destination (Join-Path $dir 'mace_compiled_opencl_kernel.Board.rk3399.bin')
        Push-Location $dir
        try {
            $r = Publish-MaceProgram -ErrorVariable ev -ErrorAction SilentlyContinue
            $ok = $?
            $ok | Should -BeFalse
            $r.Status | Should -Be 'Failed'
            $ev[0].FullyQualifiedErrorId | Should -Be 'RemoteUnreachable,MaceTools.Commands.PublishMaceProgramCommand'
            $ev[0].TargetObject | Should -Be 'gone'
            { Publish-MaceProgram -ErrorAction Stop } | Should -Throw -ErrorId 'RemoteUnreachable,MaceTools.Commands.PublishMaceProgramCommand'
        }
        finally { Pop-Location }
    }
    It 'reports progress while it builds, and completes every activity it starts' {
        $ps = [powershell]::Create()
        $savedCache = $env:MACETOOLS_CACHE_DIR
        $env:MACETOOLS_CACHE_DIR = Join-Path $TestDrive 'empty-cache'   # a cached build reports nothing: compile for real
        try {
            $null = $ps.AddScript("Import-Module '$Manifest'; New-MaceProgram -Kernel '$Softmax' -OutFile '$(Join-Path $TestDrive 'progress.bin')' -WarningAction SilentlyContinue").Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
            $progress = @($ps.Streams.Progress)
            $progress.Count | Should -BeGreaterThan 0
            foreach ($id in ($progress.ActivityId | Sort-Object -Unique)) {
                ($progress | Where-Object ActivityId -EQ $id)[-1].RecordType | Should -Be 'Completed'
            }
        }
        finally { $ps.Dispose(); $env:MACETOOLS_CACHE_DIR = $savedCache }
    }
    It 'asks before writing when -Confirm is given, and writes nothing when nobody can answer' {
        $target = Join-Path $TestDrive 'confirm.bin'
        { Convert-MaceProgram -LiteralPath $Adreno -Destination $target -To G2 -Confirm } | Should -Throw '*NonInteractive*'
        Test-Path -LiteralPath $target | Should -BeFalse
        $ConfirmPreference = 'Low'
        Convert-MaceProgram -LiteralPath $Adreno -Destination $target -To G2 -Confirm:$false
        (Get-MaceProgram -LiteralPath $target).Generation | Should -Be 'G2'
    }
    It 'names ProjectUri and LicenseUri in the manifest and says what the module does' {
        $data = Import-PowerShellDataFile -Path $Manifest
        $data.PrivateData.PSData.ProjectUri | Should -Match '^https://'
        $data.PrivateData.PSData.LicenseUri | Should -Match '^https://'
        $data.Description | Should -Not -Match 'without a device'
    }
}

Describe 'A fresh machine' {
    It 'runs the real apt install path for a package it thinks is missing (as root)' -Skip:((id -u) -ne '0') {
        $env:MACETOOLS_PRETEND_MISSING = 'clinfo'
        try { $out = & bash (Join-Path $Repo 'build.sh') deps 2>&1 }
        finally { $env:MACETOOLS_PRETEND_MISSING = $null }
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        ($out -join "`n") | Should -Match 'installing clinfo'
    }
    It 'as a user without root or sudo, says so and stops before any apt call' -Skip:((id -u) -ne '0') {
        # runuser drops root; a PATH without sudo stands for a machine that has none.
        $bin = Join-Path $TestDrive 'bin'
        New-Item -ItemType Directory -Path $bin | Out-Null
        foreach ($tool in 'bash', 'ldconfig', 'grep', 'ls', 'id', 'dirname', 'printf', 'env') {
            $p = (Get-Command $tool -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
            if ($p) { New-Item -ItemType SymbolicLink -Path (Join-Path $bin $tool) -Target $p | Out-Null }
        }
        $out = & runuser -u nobody -- env "PATH=$bin" 'MACETOOLS_PRETEND_MISSING=clinfo' bash (Join-Path $Repo 'build.sh') deps 2>&1
        $LASTEXITCODE | Should -Be 2 -Because ($out -join "`n")
        ($out -join "`n") | Should -Match 'run as root or install sudo'
    }
}

Describe 'build.ps1 for PowerShell users' {
    It 'build.ps1 -Task Test runs xunit and Pester and counts both in one closing line' {
        $exe = (Get-Process -Id $PID).Path
        $pwshArgs = @(if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $out = & $exe @($pwshArgs + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Repo 'build.ps1'), '-Task', 'Test', '-NoBuild',
                '-XunitFilter', 'FullyQualifiedName~CompletionTests', '-PesterPath', 'tests/Pester/Views.Tests.ps1')) 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $closing = @($out | Where-Object { "$_" -match '^\d+ passed, \d+ failed, \d+ skipped$' })[-1]
        $closing | Should -Match '^(\d+) passed, 0 failed'
        [int] ($closing -replace ' passed.*') | Should -BeGreaterThan 4   # 4 xunit tests plus the view tests
    }
}
