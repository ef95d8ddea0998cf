<#
    The default views of MaceTools.Format.ps1xml with realistic long values (MACE's file names, device names, paths and
    keys): each table fits 120 columns with one row per object, and Format-List never shows a bare type name.
    Real objects where a cmdlet makes them cheaply; where one takes a device run (tuning, measuring, loading) an object
    of the same type name with the same properties stands in.
#>
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Work = Join-Path ([System.IO.Path]::GetTempPath()) "macetools-views-$PID"
    New-Item -ItemType Directory $Work -Force | Out-Null
    $LongName = 'paddleocr_cls_compiled_opencl_kernel.pthread-skylake-avx512-AMDEPYC.host.bin'
    Copy-Item $Adreno (Join-Path $Work $LongName)
    Copy-Item $Mali (Join-Path $Work 'mobilenet_v2_quant_compiled_opencl_kernel.MI9.sm8150.bin')
    Copy-Item $Tuning (Join-Path $Work 'paddleocr_cls_tuned_opencl_parameter.pthread-skylake-avx512-AMDEPYC.host.bin')
    $DeepConfig = Join-Path $Work 'deployments/android/arm64-v8a/mobilenet-v1-imagenet-quantized.yml'
    New-Item -ItemType Directory (Split-Path $DeepConfig) -Force | Out-Null
    Copy-Item (Join-Path $Repo 'examples/mace-yml/mobilenet-v1.yml') $DeepConfig

    function New-StandIn([string] $TypeName, [hashtable] $Properties) {
        $o = [pscustomobject] $Properties
        $o.PSObject.TypeNames.Insert(0, $TypeName)
        $o
    }
    $key = 'conv_2d_1x1 -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DNON_UNIFORM_WORK_GROUP -Dconv_2d_1x1=c44ClxknJpoDF6F6FvGBPMEM2547C7_F_CI'
    # Real nested objects whose setters are internal: set through reflection, as the operations set them.
    function Set-Internal($Object, [hashtable] $Values) {
        foreach ($k in $Values.Keys) { $Object.GetType().GetProperty($k).SetValue($Object, $Values[$k]) }
        $Object
    }
    $entries = @(foreach ($ms in 163.2, 98.4) { Set-Internal ([MaceTools.Operations.MaceEntryMeasurement]::new()) @{ Key = $key; FromSourceMs = $ms; FromBinaryMs = 4.1 } })
    $loads = [MaceTools.Verification.MaceEntryLoad[]] @(Set-Internal ([MaceTools.Verification.MaceEntryLoad]::new()) @{
            Key = $key; Status = [MaceTools.Verification.EntryLoadStatus]::Rejected; StatusName = 'CL_INVALID_BINARY'; Stage = 'create' })
    # A board of an inventory, as Get-MaceDevice -Inventory gives it.
    $device = [MaceTools.Devices.MaceDevice]::new()
    $device.Id = 'rk3399-board-17/0'; $device.Transport = 'ssh'; $device.Address = 'root@192.168.100.217:2222'; $device.Type = 'GPU'
    $device.Name = 'Mali-T860'; $device.Version = 'OpenCL 1.2 v1.r14p0-01rel0.0fe2d25ca7b3cbc9b25e2cf6fe5e4c2a'; $device.Extensions = @('cl_khr_fp16', 'cl_khr_global_int32_base_atomics'); $device.PlatformName = 'ARM Platform'; $device.DriverVersion = '2.1 v1.r14p0-01rel0.0fe2d25ca7b3cbc9b25e2cf6fe5e4c2a'
    $device.IsMaceDefault = $true
    $publish = [MaceTools.Remote.PublishResult]::new()
    $publish.Device = 'rk3399-board-17'; $publish.Kind = 'Program'; $publish.Status = 'Failed'; $publish.Path = '/data/local/tmp/mace_run/interior/mace_cl_compiled_program.bin'
    $publish.Sha256 = '491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640'; $publish.Seconds = 12.5
    $publish.Error = 'rk3399-board-17: the upload of 2078284 bytes to /data/local/tmp/mace_run/interior/.mace_cl_compiled_program.bin.tmp failed: No space left on device'
    $drift = [MaceTools.Remote.MaceDriftResult]::new()
    $drift.Device = 'rk3399-board-17'; $drift.Verdict = 'PartlyRebuilt'; $drift.DeviceFile = '/data/data/com.example.app/files/mace_cl_compiled_program.bin'

    $Samples = @{
        'MaceTools.MaceProgram'                     = @(Get-MaceProgram (Join-Path $Work '*.bin') | Sort-Object { $_.Name.Length } -Descending)
        'MaceTools.MaceProgramEntry'                = @(Get-MaceProgramEntry $Mali, $Tuning | Select-Object -First 40)
        'MaceTools.MaceTuningParameter'             = @(Get-MaceTuningParameter $Tuning)
        'MaceTools.MaceTestResult'                  = @(Get-ChildItem (Join-Path $Work '*.bin') | Test-MaceProgram -MaceVersion v1.1.1-0-g8c75d39)
        'MaceTools.MaceFinding'                     = @((Test-MaceProgram $Mali -MaceVersion v1.1.1-0-g8c75d39 -DeviceName 'Adreno(TM) 640').Findings)
        'MaceTools.MaceRuntimeVerdict'              = @((Test-MaceProgram $Mali -MaceVersion v1.1.1-0-g8c75d39 -DeviceName 'Adreno(TM) 640').Verdicts)
        'MaceTools.Devices.MaceDevice'              = @(Get-MaceDevice -WarningAction SilentlyContinue) + $device
        'MaceTools.Operations.MaceMeasurement'      = @(New-StandIn 'MaceTools.Operations.MaceMeasurement' @{
                Path = Join-Path $Work $LongName; Device = 'pthread-skylake-avx512-AMD EPYC'; WithoutFileMs = 4321.5; WithFileMs = 123.25; Speedup = 35.06; Skipped = 7; Entries = $entries })
        'MaceTools.Operations.MaceEntryMeasurement' = @(New-StandIn 'MaceTools.Operations.MaceEntryMeasurement' @{ FromSourceMs = 163.2; FromBinaryMs = 4.1; Speedup = 39.8; Key = $key })
        'MaceTools.Verification.MaceEntryLoad'      = @(New-StandIn 'MaceTools.Verification.MaceEntryLoad' @{ Status = 'Rejected'; StatusName = 'CL_INVALID_BINARY'; Stage = 'create'; BuildMs = 0; Key = $key })
        'MaceTools.Kernels.MaceKernelDefinition'    = @(Get-MaceKernel)
        'MaceTools.Conversion.MaceKernel'           = @(New-StandIn 'MaceTools.Conversion.MaceKernel' @{
                Model = 'ppocr_cls'; Node = 'conv2d_53.tmp_0_depthwise'; Kernel = 'depthwise_conv2d'; GlobalSize = 24, 12, 48
                TuningKey = 'depthwise_conv2d_kernel_opencl_kernel_1_24_12_48'; ProgramKey = $key })
        'MaceTools.Conversion.MaceNodePlacement'    = @(New-StandIn 'MaceTools.Conversion.MaceNodePlacement' @{
                Model = 'ppocr_rec'; Node = 'p2o.ReduceMean.12'; Op = 'LayerNormalization'; Device = 'CPU'
                Reason = "LayerNorm (9 nodes folded) over the last axis of a rank-3 tensor: MACE's GPU mvnorm normalises 4-D images" })
        'MaceTools.Tuning.MaceTuningResult'         = @(New-StandIn 'MaceTools.Tuning.MaceTuningResult' @{
                TuningKey = 'conv2d_1x1_opencl_kernel_1_120_160_32_with_a_long_suffix'; GlobalSize = 8, 160, 120; LocalSize = 8, 16, 4
                Micros = 12345.6; DefaultMicros = 23456.7; GainPercent = -12.3; GainLowPercent = -501.0; GainHighPercent = 18.1
                Verdict = 'NoMeasurableGain' })
        'MaceTools.Tuning.MaceTuningSummary'        = @(New-StandIn 'MaceTools.Tuning.MaceTuningSummary' @{
                Device = 'pthread-skylake-avx512-AMD EPYC'; Kernels = 118; DefaultMicros = 123456.7; TunedMicros = 98765.4; GainPercent = 24.5
                GainLowPercent = 22.1; GainHighPercent = 26.8; Faster = 100; NoMeasurableGain = 12; Slower = 3; DefaultChosen = 3 })
        'MaceTools.Config.MaceConfig'               = @(Get-MaceConfig $DeepConfig, (Join-Path $Repo 'examples/mace-yml/*.yml'))
        'MaceTools.Config.MaceModelConfig'          = @((Get-MaceConfig (Join-Path $Repo 'examples/mace-yml/*.yml')).Models)
        'MaceTools.Config.MaceSubgraphConfig'       = @((Get-MaceConfig (Join-Path $Repo 'examples/mace-yml/*.yml')).Models.Subgraphs)
        'MaceTools.Config.MaceConfigTestResult'     = @(Test-MaceConfig $DeepConfig, (Join-Path $Repo 'examples/paddleocr/*.yml'))
        'MaceTools.Config.MaceConfigFinding'        = @(New-StandIn 'MaceTools.Config.MaceConfigFinding' @{
                Severity = 'Error'; Line = 15; Column = 14; Code = 'UnknownValue'; Key = 'models.mobilenet_v1_quant.subgraphs[0].runtime'
                Message = "'gpuu' is not one of cpu, gpu, dsp, hta, apu, htp, cpu+gpu" })
        'MaceTools.Remote.PublishResult'            = @($publish)
        'MaceTools.Remote.MaceDriftResult'          = @($drift)
        'MaceTools.Operations.MaceModelRun'         = @(New-StandIn 'MaceTools.Operations.MaceModelRun' @{
                Model = 'ppocr_cls'; Device = 'pthread-skylake-avx512-AMD EPYC'; Sample = 99; WallMs = 14.2, 14.9; KernelMs = 13.1, 13.4; HostOverhead = 0.0912
                Outputs = @([MaceTools.Runtime.MaceTensor]::new('softmax_0.tmp_0', [int[]] (1, 2), [float[]] (0.505764, 0.494236))) })
        'MaceTools.Runtime.MaceValidationResult'    = @(New-StandIn 'MaceTools.Runtime.MaceValidationResult' @{
                Model = 'ppocr_cls'; Output = 'save_infer_model/scale_0.tmp_1'; Passed = $false; Cosine = 0.5967078; PixelAccuracy = 0.5; MaxAbsError = 0.4123; Samples = 100
                DivergentNode = 'p2o.Relu.3 (Relu) -> relu_3.tmp_0: cosine 0.649422, kernel conv_2d_1x1 of p2o.Conv.6' })
        'MaceTools.Operations.MaceLatencyResult'    = @(New-StandIn 'MaceTools.Operations.MaceLatencyResult' @{
                Model = 'ppocr_cls'; Device = 'pthread-skylake-avx512-AMD EPYC'; Way = 'tuned: ppocr_cls_tuned_opencl_parameter.bin'; FirstInferenceMs = 1234.5
                Latency = [pscustomobject] @{ Median = 12345.67; P90 = 23456.78 }; HostOverhead = 0.0912; Profile = @([pscustomobject] @{ Op = 'Conv2D' })
                Gain = [pscustomobject] @{ GainPercent = -123.4; GainLowPercent = -501.2; GainHighPercent = -100.1; Verdict = 'Slower' } })
        'MaceTools.Report.MaceReport'               = @(New-StandIn 'MaceTools.Report.MaceReport' @{
                Path = (Join-Path $Work 'a report with a rather long name for a fleet of devices [nightly].html'); Size = 159631; Results = 1234
                Charts = 'Start-up per program', 'Time to first inference', 'Tuning gain per kernel', 'Latency per way'; NotShown = @('MaceTuningSummary (1)') })
    }
}

AfterAll {
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue
    Exit-MaceTestModule
}

Describe 'Default views' {
    It 'has a sample for every view of MaceTools.Format.ps1xml' {
        $types = ([xml] (Get-Content -Raw (Join-Path $Repo 'out/MaceTools/MaceTools.Format.ps1xml'))).Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName
        $Samples.Keys | Sort-Object | Should -Be ($types | Sort-Object)
    }

    It 'shows <_> in 120 columns, one row per object' -ForEach @(
        'MaceTools.MaceProgram', 'MaceTools.MaceProgramEntry', 'MaceTools.MaceTuningParameter', 'MaceTools.MaceTestResult', 'MaceTools.MaceFinding',
        'MaceTools.MaceRuntimeVerdict', 'MaceTools.Devices.MaceDevice', 'MaceTools.Operations.MaceMeasurement', 'MaceTools.Operations.MaceEntryMeasurement',
        'MaceTools.Verification.MaceEntryLoad', 'MaceTools.Kernels.MaceKernelDefinition', 'MaceTools.Conversion.MaceKernel', 'MaceTools.Conversion.MaceNodePlacement', 'MaceTools.Tuning.MaceTuningResult',
        'MaceTools.Tuning.MaceTuningSummary', 'MaceTools.Config.MaceConfig', 'MaceTools.Config.MaceModelConfig', 'MaceTools.Config.MaceSubgraphConfig', 'MaceTools.Config.MaceConfigTestResult',
        'MaceTools.Config.MaceConfigFinding', 'MaceTools.Remote.PublishResult', 'MaceTools.Remote.MaceDriftResult',
        'MaceTools.Operations.MaceModelRun', 'MaceTools.Runtime.MaceValidationResult', 'MaceTools.Operations.MaceLatencyResult', 'MaceTools.Report.MaceReport') {
        $Samples[$_].Count | Should -BeGreaterThan 0
        # All of them, and the first (the longest values) alone: a table sizes its columns by what it shows.
        foreach ($objects in @($Samples[$_]), @($Samples[$_][0])) {
            $lines = @(($objects | Out-String -Width 120) -split "`r?`n" | Where-Object { $_.Trim() })
            $lines | Where-Object Length -GT 120 | Should -BeNullOrEmpty
            # A header, its dashes, then exactly one line per object: no wrapped header labels, no continuation lines.
            $lines.Count | Should -Be ($objects.Count + 2) -Because ($lines -join "`n")
            $lines[1] | Should -Match '^[- ]+$'
        }
    }
}

Describe 'Format-List' {
    It 'shows no MaceTools type name for <_>' -ForEach @('MaceTools.MaceTestResult', 'MaceTools.Operations.MaceMeasurement', 'MaceTools.Config.MaceConfig',
        'MaceTools.Config.MaceModelConfig', 'MaceTools.Remote.MaceDriftResult', 'MaceTools.MaceProgram', 'MaceTools.Devices.MaceDevice') {
        $objects = $Samples[$_]
        if ($_ -eq 'MaceTools.MaceTestResult') {
            # With verdicts, findings and entry loads, all real.
            $r = Test-MaceProgram $Mali -MaceVersion v1.1.1-0-g8c75d39
            $objects = @([MaceTools.MaceTestResult]::new($r.Path, $r.Generation, $r.Kind, $r.Findings, $r.Verdicts, 'pthread-skylake-avx512-AMD EPYC', $loads))
        }
        $text = $objects | Format-List * | Out-String -Width 200
        $text | Should -Not -Match 'MaceTools\.[A-Za-z.]+' -Because $text
    }

    It 'shows the verdicts of a test result, not their type' {
        $text = Test-MaceProgram $Mali -MaceVersion v1.1.1-0-g8c75d39 | Format-List Verdicts | Out-String -Width 200
        $text | Should -Match 'v1.1.1-0-g8c75d39 \w+: \w+'
    }
}
