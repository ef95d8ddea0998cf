#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Invoke-MaceModel, Test-MaceModel and Measure-MaceModel in real pwsh: devices from the pipeline, ErrorRecord ids, -WhatIf on the output
    files, the default views. Real pocl, real ONNX Runtime (its native library from the module's Dependencies/), the
    example classifier.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Config = Join-Path $Repo 'examples/paddleocr/mace.yml'
    $Dir = Join-Path ([System.IO.Path]::GetTempPath()) ('macetools-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 10))
    New-Item -ItemType Directory -Path $Dir | Out-Null
}

AfterAll {
    Remove-Item -LiteralPath $Dir -Recurse -Force -ErrorAction SilentlyContinue
    Exit-MaceTestModule
}

Describe 'Test-MaceModel (real OpenCL: pocl, ONNX Runtime CPU)' {
    It 'validates the device piped in from Get-MaceDevice against ONNX Runtime' {
        $device = Get-MaceDevice | Select-Object -First 1
        $r = @($device | Test-MaceModel -Config $Config -Count 2)
        $r.Count | Should -Be 1
        $r[0].Device | Should -Be $device.Name
        $r[0].Output | Should -Be 'softmax_0.tmp_0'
        $r[0].Passed | Should -BeTrue
        $r[0].Cosine | Should -BeGreaterOrEqual 0.99999
        $r[0].PixelAccuracy | Should -Be 1
        ($r | Out-String) | Should -Match 'softmax_0\.tmp_0\s+True'
    }

    It 'names the first divergent node when the threshold is not met' {
        $r = Test-MaceModel -Config $Config -Count 1 -Threshold 1
        $r.Passed | Should -BeFalse
        $r.DivergentNode.KernelNode | Should -Be 'p2o.Conv.0'
    }

    It 'refuses an adb device with an Unsupported error record that names it and says a phone is not at hand' {
        $phone = [MaceTools.Devices.MaceDevice]::new()
        $phone.Transport = 'adb'; $phone.Target = 'mi9'; $phone.Address = 'serial 1234abcd'
        { $phone | Test-MaceModel -Config $Config -ErrorAction Stop } | Should -Throw -ErrorId 'Unsupported,MaceTools.Commands.TestMaceModelCommand'
        try { $phone | Test-MaceModel -Config $Config -ErrorAction Stop } catch { $_.Exception.Message | Should -Match 'mi9 \(serial 1234abcd\).*over ssh.*until a phone is at hand' }
    }
}

Describe 'Invoke-MaceModel (real OpenCL: pocl)' {
    It 'runs an input file and writes the output as raw float32' {
        $x = Join-Path $Dir 'x.raw'
        [System.IO.File]::WriteAllBytes($x, [byte[]]::new(1 * 3 * 48 * 192 * 4))
        $r = Invoke-MaceModel -Config $Config -Input $x -Round 2 -OutputPath (Join-Path $Dir 'out')
        $r.Outputs[0].Name | Should -Be 'softmax_0.tmp_0'
        $r.WallMs.Count | Should -Be 2
        $r.Files.Count | Should -Be 1
        (Get-Item -LiteralPath $r.Files[0]).Length | Should -Be 8
        ($r | Out-String) | Should -Match 'ppocr_cls'
    }

    It '-WhatIf runs the model and writes no file' {
        $r = Invoke-MaceModel -Config $Config -OutputPath (Join-Path $Dir 'whatif') -WhatIf
        $r.Outputs.Count | Should -Be 1
        $r.Files.Count | Should -Be 0
        Test-Path -LiteralPath (Join-Path $Dir 'whatif/ppocr_cls_softmax_0.tmp_0.raw') | Should -BeFalse
    }

    It 'turns a damaged input into an InvalidInput error record naming the input and its shape' {
        $bad = Join-Path $Dir 'short.raw'
        [System.IO.File]::WriteAllBytes($bad, [byte[]]::new(12))
        { Invoke-MaceModel -Config $Config -Input $bad -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidInput,MaceTools.Commands.InvokeMaceModelCommand'
        try { Invoke-MaceModel -Config $Config -Input $bad -ErrorAction Stop } catch { $_.Exception.Message | Should -Match "input 'x' \(float32 \[1, 3, 48, 192\]" }
    }

    It '-ProgramFile runs the programs of a file New-MaceProgram -Config wrote, from their binaries' {
        $file = Join-Path $Dir 'cls.bin'
        New-MaceProgram -Config $Config -OutFile $file | Out-Null
        $r = Invoke-MaceModel -Config $Config -ProgramFile $file
        $r.Programs | Should -Match ([regex]::Escape($file) + ' \(\d+ programs\)$')
        $r.Outputs[0].Name | Should -Be 'softmax_0.tmp_0'
    }

    It '-ProgramFile refuses a file made for another device with an IdentityMismatch error record naming its platform' {
        { Invoke-MaceModel -Config $Config -ProgramFile $Adreno -ErrorAction Stop } | Should -Throw -ErrorId 'IdentityMismatch,MaceTools.Commands.InvokeMaceModelCommand'
        try { Invoke-MaceModel -Config $Config -ProgramFile $Adreno -ErrorAction Stop } catch { $_.Exception.Message | Should -Match "made for the OpenCL platform 'QUALCOMM Snapdragon" }
    }
}

Describe 'Measure-MaceModel (real OpenCL: pocl, ONNX Runtime CPU)' {
    It 'measures the device piped in, default sizes beside ONNX Runtime, and warns that a gain needs a tuned file' {
        $device = Get-MaceDevice | Select-Object -First 1
        $r = @($device | Measure-MaceModel -Config $Config -Round 2 -WarningVariable warnings -WarningAction SilentlyContinue)
        $r.Way | Should -Be @('default sizes', 'ONNX Runtime CPU')
        $r.Device | Select-Object -Unique | Should -Be $device.Name
        $r[0].Latency.Median | Should -BeGreaterThan 0
        $r[0].Profile.Op | Should -Contain 'conv2d'
        $r[0].Gain | Should -BeNullOrEmpty
        "$warnings" | Should -Match 'a gain needs -TunedParameter'
        ($r | Out-String) | Should -Match 'default sizes'
    }

    It '-Model picks the mixed classifier of mace-ocr.yml; its CPU-placed convs are cpu:Conv in the profile, apart from the overhead' {
        $ocr = Join-Path $Repo 'examples/paddleocr/mace-ocr.yml'
        $r = Measure-MaceModel -Config $ocr -Model '*_cls' -Round 1 -NoReference -WarningAction SilentlyContinue
        $r.Model | Should -Be 'ppocr_cls'
        $conv = $r.Profile | Where-Object Op -EQ 'cpu:Conv'
        $conv.Kernels | Should -Be 4
        $conv.Cpu | Should -BeTrue
        $r.CpuMs | Should -BeGreaterThan 0
        ($r | Out-String) | Should -Match 'CpuMs'
        { Measure-MaceModel -Config $ocr -Model 'nope' -ErrorAction Stop } | Should -Throw -ErrorId 'ModelNotFound,MaceTools.Commands.MeasureMaceModelCommand'
    }
}

Describe 'Test-MaceModel on an ssh host (real sshd fleet, the MaceTools agent, the host''s pocl)' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force
        $Fleet = Start-MaceTestFleet -Hosts pi
    }

    AfterAll {
        if ($Fleet) { Stop-MaceTestFleet $Fleet }
        Remove-Module TestFleet -Force -ErrorAction SilentlyContinue
    }

    It 'validates the example model on the host''s device piped in from Get-MaceDevice -Inventory' {
        $out = @(Get-MaceDevice -Inventory $Fleet.DevicesYml -Target pi | Test-MaceModel -Config $Config -Count 1 -Verbose 4>&1)
        $results = @($out | Where-Object { $_ -is [MaceTools.Runtime.MaceValidationResult] })
        $results.Count | Should -BeGreaterThan 0
        $results | ForEach-Object { $_.Passed | Should -BeTrue; $_.Cosine | Should -BeGreaterOrEqual 0.99999 }
        # Run there, by the agent's driver worker.
        ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -match '^pi \(.*\): agent: running 1 model run\(s\)' | Should -Not -BeNullOrEmpty
    }
}
