#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    What only a real PowerShell shows about MaceTools: import, parameter binding (pipeline by property name,
    parameter sets), -WhatIf, error records with their FullyQualifiedErrorId, Get-Help from the MAML, and format
    views. The static checks of the same module run in xunit (tests/MaceTools.Tests/Module) without PowerShell.

    Run from the repository root after ./build.sh, in a child process so the dll is not locked:
        pwsh -NoProfile -Command "Invoke-Pester -Path tests/Pester -CI"
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

AfterAll {
    Exit-MaceTestModule
}

Describe 'Module import' -Tag Unit {
    It 'imports from the manifest with exactly the exported cmdlets' {
        $module = Get-Module MaceTools
        $module | Should -Not -BeNullOrEmpty
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be $Cmdlets
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
    }
    It 'imports without warnings about verbs or nouns' {
        $ImportWarnings | Should -BeNullOrEmpty
    }
    It 'has the version of the manifest' {
        $data = Import-PowerShellDataFile -Path $Manifest
        (Get-Module MaceTools).Version | Should -Be ([version] $data.ModuleVersion)
    }
    It 'passes Test-ModuleManifest' {
        Test-ModuleManifest -Path $Manifest -ErrorAction Stop | Should -Not -BeNullOrEmpty
    }
    It 'does not load the stub engine from the module folder' {
        $ours = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic -and $_.Location -like "*MaceTools*" }
        $ours.GetName().Name | Should -Not -Contain 'System.Management.Automation'
        (Get-Command Get-MaceProgram).DLL | Should -BeLike '*out*MaceTools*MaceTools.dll'
    }
}

Describe 'Get-MaceProgram' -Tag Unit {
    BeforeAll {
        Copy-Item -LiteralPath $Adreno, $Mali, $Tuning -Destination $TestDrive
    }
    It 'reads the real Adreno cache as G1 with 29 entries and 28 programs' {
        $p = Get-MaceProgram -Path $Adreno
        $p | Should -BeOfType ([MaceTools.MaceProgram])
        $p.Generation | Should -Be ([MaceTools.MaceFileFormat]::G1)
        $p.EntryCount | Should -Be 29
        @($p.Entries).Count | Should -Be 29
        $p.ProgramCount | Should -Be 28
        $p.MaceVersion | Should -Be 'v0.10.1-rc4-0-gb83487a'
        "$($p.Vendor)" | Should -Be 'Adreno'
    }
    It 'reads the real T2 tuned-parameter file' {
        $p = Get-MaceProgram -LiteralPath $Tuning
        $p.Generation | Should -Be 'T2'
        $p.Kind | Should -Be 'Tuning'
        $p.EntryCount | Should -Be 16
    }
    It 'expands wildcards in -Path' {
        @(Get-MaceProgram -Path (Join-Path $TestDrive '*.bin')).Count | Should -Be 3
    }
    It 'binds FileInfo objects from Get-ChildItem' {
        $programs = @(Get-ChildItem -LiteralPath $TestDrive -Filter *.bin | Get-MaceProgram -ErrorAction Stop)
        $programs.Count | Should -Be 3
    }
    It 'resolves paths relative to the current location' {
        Push-Location -LiteralPath $TestDrive
        try { (Get-MaceProgram -Path ./adreno-v0.10.1-rc4.mace_cl_compiled_program.bin).EntryCount | Should -Be 29 }
        finally { Pop-Location }
    }
    It 'writes FileNotFound as a non-terminating error whose id names the cmdlet class' {
        $missing = Join-Path $TestDrive 'missing.bin'
        $out = Get-MaceProgram -Path $missing -ErrorVariable ev -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'FileNotFound,MaceTools.Commands.GetMaceProgramCommand'
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $ev[0].TargetObject | Should -Be $missing
    }
    It 'goes on with the next file after a failed one' {
        $out = Get-MaceProgram -Path (Join-Path $TestDrive 'missing.bin'), $Adreno -ErrorVariable ev -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $ev.Count | Should -Be 1
    }
    It 'stops at the first error with -ErrorAction Stop' {
        { Get-MaceProgram -Path (Join-Path $TestDrive 'missing.bin') -ErrorAction Stop } | Should -Throw -ErrorId 'FileNotFound,MaceTools.Commands.GetMaceProgramCommand'
    }
    It 'rejects a -Kind outside the enum at binding time' {
        { Get-MaceProgram -Path $Adreno -Kind Nope -ErrorAction Stop } | Should -Throw '*Kind*'
    }
}

Describe 'Pipeline binding' -Tag Unit {
    It 'binds MaceProgram.Path to Test-MaceProgram -Path by property name' {
        $result = Get-MaceProgram -Path $Adreno | Test-MaceProgram
        $result | Should -BeOfType ([MaceTools.MaceTestResult])
        $result.Path | Should -Be $Adreno
        $result.Passed | Should -BeTrue
    }
    It 'tests each piped file once' {
        @(Get-MaceProgram -Path $Adreno, $Mali, $Tuning | Test-MaceProgram).Count | Should -Be 3
    }
    It 'binds strings piped by value to -Path' {
        @($Adreno, $Mali | Get-MaceProgram).Count | Should -Be 2
    }
    It 'binds objects with a Path property to Get-MaceProgramEntry' {
        @([pscustomobject]@{ Path = $Adreno } | Get-MaceProgramEntry -EntryKind Program).Count | Should -Be 28
    }
    It 'chooses the LiteralPath parameter set by default, so objects with Path and LiteralPath bind literally' {
        (Get-Command Get-MaceProgram).DefaultParameterSet | Should -Be 'LiteralPath'
        $literal = (Get-Command Get-MaceProgram).Parameters['LiteralPath']
        $literal.Aliases | Should -Contain 'PSPath'
        $literal.Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipelineByPropertyName | Should -Contain $true
    }
    It 'collects piped files before Merge-MaceProgram merges them' {
        $dest = Join-Path $TestDrive 'merged.bin'
        $merged = $Adreno, $Adreno | Get-MaceProgram | Merge-MaceProgram -Destination $dest
        $merged.EntryCount | Should -Be 29
    }
}

Describe 'Test-MaceProgram' -Tag Unit {
    It 'returns only $true with -Quiet for a good file' {
        Test-MaceProgram -Path $Adreno -Quiet | Should -BeExactly $true
    }
    It 'warns that MACE v1.1.1 will not use a G1 cache' {
        $r = Test-MaceProgram -Path $Mali -MaceVersion v1.1.1-0-g8c75d39
        $r.Findings.Code | Should -Contain 'NotUsedByTarget'
        $r.Verdicts.Outcome | Should -Contain ([MaceTools.RuntimeOutcome]::Rebuilt)
    }
    It 'reports a truncated file as a failed result, not an error record' {
        $cut = Join-Path $TestDrive 'cut.bin'
        $bytes = [System.IO.File]::ReadAllBytes($Adreno)
        [System.IO.File]::WriteAllBytes($cut, [byte[]] $bytes[0..99])
        $r = Test-MaceProgram -Path $cut -ErrorVariable ev
        $ev.Count | Should -Be 0
        $r.Passed | Should -BeFalse
        $r.Findings[0].Code | Should -Be 'Truncated'
    }
    It 'makes a MACE version that does not parse an InvalidArgument error' {
        { Test-MaceProgram -Path $Adreno -MaceVersion 'not-a-version' } | Should -Throw -ErrorId 'InvalidArgument,MaceTools.Commands.TestMaceProgramCommand'
    }
}

Describe 'Get-MaceKernel' -Tag Unit {
    It 'lists every kernel of the library as MaceKernelDefinition objects' {
        $kernels = @(Get-MaceKernel)
        $kernels.Count | Should -Be ([MaceTools.Kernels.KernelCatalog]::Entries.Count)
        $kernels[0].GetType().FullName | Should -Be 'MaceTools.Kernels.MaceKernelDefinition'
    }
    It 'takes a kernel name pattern by position and a program pattern by name' {
        (Get-MaceKernel 'conv_2d*').Kernel | Should -Be @('conv_2d', 'conv_2d_1x1', 'conv_2d_3x3')
        (Get-MaceKernel -Program 'fully_connected' -Name '*width').Symbol | Should -Be 'f_23Gjx__A32J66tQD_QF'
    }
    It 'uses the Library parameter set by default' {
        (Get-Command Get-MaceKernel).DefaultParameterSet | Should -Be 'Library'
    }
    It 'writes KernelNotFound as a non-terminating error whose id names the cmdlet class' {
        Get-MaceKernel -Name 'no_such_kernel*' -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -Be 'KernelNotFound,MaceTools.Commands.GetMaceKernelCommand'
    }
    It 'makes a MACE version that does not parse an InvalidArgument error' {
        { Get-MaceKernel -MaceVersion 'not-a-version' } | Should -Throw -ErrorId 'InvalidArgument,MaceTools.Commands.GetMaceKernelCommand'
    }
    It 'resolves -KernelSource relative to the current location' {
        $cl = Join-Path $TestDrive 'cl'
        New-Item -ItemType Directory -Path $cl | Out-Null
        Copy-Item (Join-Path $Repo 'src/MaceTools.Core/Kernels/cl/common.h'), (Join-Path $Repo 'src/MaceTools.Core/Kernels/cl/softmax.cl') $cl
        Push-Location $TestDrive
        try { (Get-MaceKernel -KernelSource cl).Origin | Should -Be (Resolve-Path $cl).ProviderPath } finally { Pop-Location }
    }
}

Describe 'Get-MaceConfig and Test-MaceConfig' -Tag Unit {
    BeforeAll {
        function Get-YmlFixture([string] $Name) {
            foreach ($dir in @((Join-Path $Repo 'examples/mace-yml'), (Join-Path $Repo '../shared/fixtures/mace-yml'))) {
                $path = Join-Path $dir $Name
                if (Test-Path -LiteralPath $path) { return (Resolve-Path -LiteralPath $path).ProviderPath }
            }
            throw "deployment-file fixture '$Name' not found in examples/mace-yml or ../shared/fixtures/mace-yml"
        }
        $MobileNetYml = Get-YmlFixture 'mobilenet-v1.yml'
        $Vgg16Yml = Get-YmlFixture 'vgg16-caffe-gpu.yml'
        $BadYml = Join-Path $TestDrive 'bad.yml'
        Set-Content -LiteralPath $BadYml -Value ((Get-Content -LiteralPath $MobileNetYml -Raw) -replace 'runtime: cpu\+gpu', 'runtime: gpuu')
    }
    It 'reads a real deployment file as a MaceConfig with MACE''s defaults' {
        $config = Get-MaceConfig $MobileNetYml
        $config.GetType().FullName | Should -Be 'MaceTools.Config.MaceConfig'
        $config.Generation | Should -Be 'v0.9+'
        $config.Models[0].Runtime | Should -Be 'gpu'
        $config.Models[0].DataType | Should -Be 'fp16_fp32'
    }
    It 'binds Get-ChildItem output by PSPath and filters models with -Model' {
        @(Get-Item -LiteralPath $Vgg16Yml | Get-MaceConfig -Model 'vgg*').Models.Name | Should -Be 'vgg16_caffe_gpu'
        Get-MaceConfig $Vgg16Yml -Model 'resnet*' -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -Be 'ModelNotFound,MaceTools.Commands.GetMaceConfigCommand'
    }
    It 'writes ConfigInvalid with the line, column and key for a broken file' {
        Get-MaceConfig $BadYml -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -Be 'ConfigInvalid,MaceTools.Commands.GetMaceConfigCommand'
        $ev[0].Exception.Message | Should -BeLike "*bad.yml:*: models.mobilenet_v1.runtime: 'gpuu' is not one of cpu, gpu, dsp, hta, apu, htp, cpu+gpu"
    }
    It 'Test-MaceConfig returns results with findings, and -Quiet a Boolean' {
        $results = @(Get-MaceConfig $MobileNetYml | Test-MaceConfig) + @(Test-MaceConfig -LiteralPath $BadYml)
        $results.Passed | Should -Be @($true, $false)
        $results[1].Findings[0].Code | Should -Be 'BadValue'
        Test-MaceConfig $BadYml -Quiet | Should -BeFalse
    }
    It 'renders MaceConfig and MaceConfigTestResult with their table views' {
        (Get-MaceConfig $MobileNetYml | Out-String -Width 250) | Should -Match 'Generation\s+LibraryName\s+TargetAbis'
        (Test-MaceConfig $BadYml | Out-String -Width 250) | Should -Match 'Passed\s+Errors\s+Warnings'
    }
}

Describe 'Commands that write files' -Tag Unit {
    It 'Convert-MaceProgram -WhatIf writes nothing' {
        $dest = Join-Path $TestDrive 'whatif.bin'
        $out = Convert-MaceProgram -Path $Adreno -Destination $dest -To G2 -WhatIf
        $out | Should -BeNullOrEmpty
        Test-Path -LiteralPath $dest | Should -BeFalse
        @(Get-ChildItem -LiteralPath $TestDrive -Force).Count | Should -Be 0
    }
    It 'Merge-MaceProgram -WhatIf writes nothing' {
        $dest = Join-Path $TestDrive 'merge-whatif.bin'
        Merge-MaceProgram -Path $Adreno -Destination $dest -WhatIf | Should -BeNullOrEmpty
        Test-Path -LiteralPath $dest | Should -BeFalse
    }
    It 'Export-MaceProgram -WhatIf writes nothing' {
        $dest = Join-Path $TestDrive 'whatif.cc'
        Export-MaceProgram -Path $Adreno -Destination $dest -WhatIf | Should -BeNullOrEmpty
        Test-Path -LiteralPath $dest | Should -BeFalse
    }
    It 'Convert-MaceProgram writes a G2 file that reads back with the same 29 entries' {
        $dest = Join-Path $TestDrive 'g2.bin'
        $p = Convert-MaceProgram -Path $Adreno -Destination $dest -To G2
        $p.Generation | Should -Be 'G2'
        $p.EntryCount | Should -Be 29
        (Get-MaceProgram -LiteralPath $dest).Generation | Should -Be 'G2'
    }
    It 'Convert-MaceProgram -NoClobber keeps an existing file and reports OutputExists' {
        $dest = Join-Path $TestDrive 'exists.bin'
        Set-Content -LiteralPath $dest -Value 'keep me'
        Convert-MaceProgram -Path $Adreno -Destination $dest -To G2 -NoClobber -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be 'OutputExists,MaceTools.Commands.ConvertMaceProgramCommand'
        Get-Content -LiteralPath $dest | Should -Be 'keep me'
    }
    It 'Convert-MaceProgram makes a MACE version that does not parse an InvalidArgument error' {
        { Convert-MaceProgram -Path $Adreno -Destination (Join-Path $TestDrive 'x.bin') -MaceVersion 'nope' } | Should -Throw -ErrorId 'InvalidArgument,MaceTools.Commands.ConvertMaceProgramCommand'
    }
    It 'Merge-MaceProgram stops on a platform conflict with PlatformConflict' {
        { Merge-MaceProgram -Path $Adreno, $Mali -Destination (Join-Path $TestDrive 'conflict.bin') } | Should -Throw -ErrorId 'PlatformConflict,MaceTools.Commands.MergeMaceProgramCommand'
    }
    It 'Export-MaceProgram returns the C++ source as one string without -Destination' {
        $cpp = Export-MaceProgram -Path $Tuning
        $cpp | Should -BeOfType ([string])
        $cpp | Should -Match 'LoadOpenCLParameter\(\)'
        $cpp | Should -Match 'return 703;'
    }
    It 'Get-MaceTuningParameter reports a program file as KindMismatch' {
        Get-MaceTuningParameter -Path $Adreno -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -Be 'KindMismatch,MaceTools.Commands.GetMaceTuningParameterCommand'
    }
    It 'declares WhatIf and Confirm on every cmdlet that writes files' {
        foreach ($name in 'Convert-MaceProgram', 'Merge-MaceProgram', 'Export-MaceProgram') {
            (Get-Command $name).Parameters.Keys | Should -Contain 'WhatIf'
            (Get-Command $name).Parameters.Keys | Should -Contain 'Confirm'
        }
    }
}

Describe 'Help' -Tag Unit {
    It 'shows a written synopsis for every cmdlet, not the generated syntax' {
        foreach ($name in $Cmdlets) {
            $help = Get-Help -Name $name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty
            $help.Synopsis | Should -Not -BeLike "$name *"
            $help.description.Text | Should -Not -BeNullOrEmpty
        }
    }
    It 'shows at least two examples with code for every cmdlet' {
        foreach ($name in $Cmdlets) {
            $examples = @((Get-Help -Name $name -Examples).examples.example)
            $examples.Count | Should -BeGreaterOrEqual 2
            foreach ($e in $examples) { $e.code | Should -Not -BeNullOrEmpty }
        }
    }
    It 'documents every parameter of every cmdlet with the type of the code' {
        $common = @([System.Management.Automation.Cmdlet]::CommonParameters) + @([System.Management.Automation.Cmdlet]::OptionalCommonParameters)
        foreach ($name in $Cmdlets) {
            $command = Get-Command -Name $name
            $help = Get-Help -Name $name -Full
            foreach ($p in $command.Parameters.Values | Where-Object Name -NotIn $common) {
                $documented = $help.parameters.parameter | Where-Object name -EQ $p.Name
                $documented | Should -Not -BeNullOrEmpty -Because "$name -$($p.Name) must be documented"
                $documented.type.name | Should -Be $p.ParameterType.FullName -Because "$name -$($p.Name)"
            }
        }
    }
    It 'shows the about topic' {
        $about = Get-Help -Name about_MaceTools | Out-String
        $about | Should -Match 'SHORT DESCRIPTION'
        $about | Should -Match 'G2'
    }
}

Describe 'Format views' -Tag Unit {
    It 'has format data for every MaceTools output type' {
        foreach ($type in 'MaceProgram', 'MaceProgramEntry', 'MaceTuningParameter', 'MaceTestResult', 'MaceFinding', 'MaceRuntimeVerdict', 'Kernels.MaceKernelDefinition',
            'Config.MaceConfig', 'Config.MaceModelConfig', 'Config.MaceSubgraphConfig', 'Config.MaceConfigTestResult', 'Config.MaceConfigFinding') {
            Get-FormatData -TypeName "MaceTools.$type" | Should -Not -BeNullOrEmpty -Because "MaceTools.$type needs a view"
        }
    }
    It 'renders MaceProgram with its table view' {
        $text = Get-MaceProgram -Path $Adreno | Out-String -Width 250
        $text | Should -Match 'Entries\s+Programs'
        $text | Should -Match 'adreno-v0\.10\.1-rc4'
        $text | Should -Not -Match 'Sha256'
    }
    It 'renders MaceProgramEntry with its table view' {
        $text = Get-MaceProgramEntry -Path $Adreno -EntryKind Program | Select-Object -First 3 | Out-String -Width 250
        $text | Should -Match 'Kind\s+Program\s+Kernel\s+Size'
    }
    It 'renders MaceTuningParameter with its table view' {
        $text = Get-MaceTuningParameter -Path $Tuning | Out-String -Width 250
        $text | Should -Match 'LocalWorkSize\s+BlockSize'
        $text | Should -Match 'conv2d_1x1_opencl_kernel_1_16_16_16'
    }
    It 'renders MaceKernelDefinition with its table view and the options joined' {
        $text = Get-MaceKernel -Name softmax | Out-String -Width 250
        $text | Should -Match 'Program\s+Kernel\s+Op\s+Options\s+ProgramHash'
        $text | Should -Match 'softmax\s+softmax\s+softmax\s+-DUSE_LOG\s+[0-9a-f]{20}'
    }
    It 'renders MaceTestResult with its table view' {
        $text = Test-MaceProgram -Path $Adreno | Out-String -Width 250
        $text | Should -Match 'Passed\s+Errors\s+Warnings'
    }
}

Describe 'Devices, compiling and on-device checks (real OpenCL: pocl)' {
    BeforeAll {
        $Work = Join-Path ([System.IO.Path]::GetTempPath()) ("macetools-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $Work | Out-Null
        $env:MACETOOLS_CACHE_DIR = Join-Path $Work 'cache'
    }
    AfterAll {
        Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue
        Remove-Item Env:MACETOOLS_CACHE_DIR -ErrorAction SilentlyContinue
    }
    It 'Get-MaceDevice emits MaceDevice objects with MACE identity' {
        $d = Get-MaceDevice | Select-Object -First 1
        $d.GetType().FullName | Should -Be 'MaceTools.Devices.MaceDevice'
        $d.PlatformInfo | Should -Match ', v1\.1\.1-0-g8c75d39$'
    }
    It 'calls OpenCL through Silk.NET loaded from Dependencies/ into the module''s own load context, without Silk''s probing' {
        Get-MaceDevice -WarningAction SilentlyContinue | Out-Null
        $dependencies = Join-Path (Split-Path $Manifest) 'Dependencies'
        foreach ($name in 'Silk.NET.Core', 'Silk.NET.OpenCL') {
            $asm = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq $name }
            @($asm).Count | Should -Be 1 -Because "$name is loaded once"
            Split-Path $asm.Location | Should -Be $dependencies
            [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($asm).Name | Should -Be 'MaceTools-dependencies'
        }
        # our exact-name resolver replaces Silk's, which would read deps.json through DependencyModel
        [AppDomain]::CurrentDomain.GetAssemblies().GetName().Name | Should -Not -Contain 'Microsoft.Extensions.DependencyModel'
    }
    It 'pipes devices into New-MaceProgram and the file into Test-MaceProgram -Device' {
        $file = Get-MaceDevice | Select-Object -First 1 | New-MaceProgram -Kernel $Softmax -OutFile (Join-Path $Work 'p.bin')
        $file.Generation | Should -Be 'G2'
        $result = $file | Test-MaceProgram -Device 0
        $result.Loads.Status | Should -Be 'Loaded'
    }
    It 'New-MaceProgram -WhatIf writes nothing' {
        New-MaceProgram -Kernel $Softmax -OutFile (Join-Path $Work 'w.bin') -WhatIf
        Join-Path $Work 'w.bin' | Should -Not -Exist
    }
    It 'a half-precision key on a device without fp16 is a warning (an expected device limit), not an error' {
        # With a float key beside it the file is written (the half one is left to MACE), with no error record at all.
        $made = New-MaceProgram -Kernel $Softmax, 'pooling -DCMD_DATA_TYPE=h -DDATA_TYPE=half -Dpooling=p453171' -OutFile (Join-Path $Work 'h.bin') -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue
        $errs | Should -BeNullOrEmpty
        ($warns -join "`n") | Should -Match '1 half-precision program\(s\) not built: .* lacks cl_khr_fp16'
        $made.ProgramCount | Should -Be 1
    }
    It '-Device takes a name part and an unknown one is an ObjectNotFound error' {
        { Test-MaceProgram -Path $Mali -Device 'no-such-gpu' -ErrorAction Stop } | Should -Throw
    }
    It 'Measure-MaceProgram reports start-up with and without the file' {
        $m = Measure-MaceProgram -Path (Join-Path $Work 'p.bin') -Repeat 1
        $m.WithoutFileMs | Should -BeGreaterThan $m.WithFileMs
    }
    It 'Get-MaceDevice | New-MaceProgram -Config builds the example model into a MACE-named file' {
        $config = Join-Path $Repo 'examples/paddleocr/mace.yml'
        $file = Get-MaceDevice | Select-Object -First 1 | New-MaceProgram -Config $config -Destination $Work -ModelCache (Join-Path $Work 'models')
        Split-Path -Leaf $file.Path | Should -BeLike 'paddleocr_cls_compiled_opencl_kernel.*.bin'
        ($file | Test-MaceProgram -Device 0).Loads.Status | Select-Object -Unique | Should -Be 'Loaded'
    }
    It 'Get-MaceKernel -Config emits MaceKernel launches with the device piped in' {
        $k = Get-MaceDevice | Select-Object -First 1 | Get-MaceKernel -Config (Join-Path $Repo 'examples/paddleocr/mace.yml') -Name 'softmax'
        $k.GetType().FullName | Should -Be 'MaceTools.Conversion.MaceKernel'
        $k.TuningKey | Should -Be 'softmax_opencl_kernel_1_1_1_2'
    }
}
