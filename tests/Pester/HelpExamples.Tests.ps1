<#
    Every example of docs/help/*.md (the cmdlet pages' "## EXAMPLES", each "### Example N: title" with a ```powershell
    block) runs as a test, found in the markdown so a new example becomes a test by itself. Each runs in a fresh folder
    laid out so its relative paths work: the real MACE files of examples/mace-files (and ./adreno.bin, a copy), the
    example model (./mace.yml and ./examples/paddleocr), the deployment files of examples/mace-yml, a program file built
    here for the local device (./mace_cl_compiled_program.bin), a MACE checkout's kernel sources (./mace/mace/ops/opencl/cl)
    and a devices.yml of the ssh test fleet (nanopi and firefly, real sshd hosts, tagged lab). Device examples run on the
    local OpenCL device (pocl here). Every test asserts no error records (beyond those the example itself states) and
    what the example says it gives, where $Expect below says it; an ```Output block must appear in the output.
#>
BeforeDiscovery {
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    # The cmdlets as the checked-in manifest exports them (Common.ps1's list exists only once the tests run).
    $ExportedCmdlets = (Import-PowerShellDataFile (Join-Path $repo 'MaceTools.psd1')).CmdletsToExport
    $Examples = foreach ($page in Get-ChildItem (Join-Path $repo 'docs/help') -Filter '*-*.md' | Sort-Object Name) {
        $lines = Get-Content -LiteralPath $page.FullName
        $in = $false; $current = $null; $fence = $null; $block = $null
        foreach ($line in $lines) {
            if ($line -match '^## ') { $in = $line -eq '## EXAMPLES'; if (-not $in -and $current) { $current; $current = $null }; continue }
            if (-not $in) { continue }
            if ($fence) {
                if ($line -match '^```\s*$') {
                    if ($fence -eq 'powershell' -and -not $current.Code) { $current.Code = $block -join "`n" }
                    elseif ($fence -eq 'output') { $current.Output = $block -join "`n" }
                    $fence = $null
                }
                else { $block += $line }
                continue
            }
            if ($line -match '^### Example (\d+): (.+)$') {
                if ($current) { $current }
                $current = @{ Cmdlet = $page.BaseName; Number = [int] $Matches[1]; Title = $Matches[2].Trim(); Code = $null; Output = $null }
                continue
            }
            if ($current -and $line -match '^```\s*(\w*)\s*$') { $fence = $Matches[1].ToLowerInvariant(); $block = @() }
        }
        if ($current) { $current }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'TestFleet.psm1') -Force

    # One build cache for the file: the first example that compiles a program warms it for the others.
    $Work = Join-Path ([System.IO.Path]::GetTempPath()) "macetools-help-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null
    $SavedCacheDir = $env:MACETOOLS_CACHE_DIR
    $env:MACETOOLS_CACHE_DIR = Join-Path $Work 'build-cache'
    $Fleet = Start-MaceTestFleet -Hosts 'nanopi=NanoPi M4/rk3399', 'firefly=Firefly RK3399/rk3399'

    $Local = @(Get-MaceDevice -WarningAction SilentlyContinue)[0]
    # A program file built here for the local device from the Mali file: what a "mace_cl_compiled_program.bin" of this
    # machine is. Its half-precision programs are left out where the device lacks cl_khr_fp16 (those errors are expected).
    $Built = Join-Path $Work 'local.bin'
    New-MaceProgram -From $Mali -Device 0 -OutFile $Built -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
    # The file New-MaceProgram names for this device, as MACE does.
    $LocalName = "mace_compiled_opencl_kernel.$($Local.Model).$($Local.Soc).bin"

    function Get-LabDevicesYml([string] $Dir, [switch] $WithPhone) {
        # The fleet's devices.yml names its key files relative to itself: here they are named by full path.
        $text = (Get-Content -Raw -LiteralPath $Fleet.DevicesYml) -replace 'identity_file: client_key', "identity_file: $($Fleet.ClientKey)" `
            -replace 'known_hosts_file: known_hosts', "known_hosts_file: $($Fleet.KnownHosts)"
        if ($WithPhone) {
            $text += "  phone-mi9:`n    target_abis: [arm64-v8a]`n    target_socs: sm8150`n    models: MI9`n    transport: adb`n    serial: 1a2b3c4d`n    tags: [phone]`n"
        }
        Set-Content -LiteralPath (Join-Path $Dir 'devices.yml') -Value $text -NoNewline
    }

    function Initialize-ExampleFolder([string] $Dir, [string] $Code) {
        Copy-Item (Join-Path $Repo 'examples/mace-files/*.bin') $Dir
        Copy-Item $Adreno (Join-Path $Dir 'adreno.bin')
        Copy-Item $Built (Join-Path $Dir 'mace_cl_compiled_program.bin')
        New-Item -ItemType Directory (Join-Path $Dir 'examples') | Out-Null
        Copy-Item (Join-Path $Repo 'examples/paddleocr') (Join-Path $Dir 'examples/paddleocr') -Recurse
        Copy-Item (Join-Path $Repo 'examples/paddleocr/mace.yml'), (Join-Path $Repo 'examples/paddleocr/ch_ppocr_mobile_v2.0_cls_infer.onnx') $Dir
        Copy-Item (Join-Path $Repo 'examples/mace-yml/*.yml') $Dir
        $cl = New-Item -ItemType Directory (Join-Path $Dir 'mace/mace/ops/opencl/cl') -Force
        Copy-Item (Join-Path $Repo 'src/MaceTools.Core/Kernels/cl/*') $cl -Recurse
        New-Item -ItemType Directory (Join-Path $Dir 'out') | Out-Null
        # Only where the example names it: a devices.yml is no deployment file for the examples that read every *.yml.
        if ($Code -match 'devices\.yml') { Get-LabDevicesYml $Dir }
        foreach ($h in $Fleet.Hosts) { Get-ChildItem -LiteralPath $h.uploadDir -Force | Remove-Item -Recurse -Force }
    }

    # Per example (Cmdlet#Number): Skip (why it cannot run here), Arrange (in the example's folder), AllowError (a
    # predicate for errors the example states), Throws (the error id the example states) and Assert ($Out: the output
    # objects, $Text: them as text at 120 columns, $Warnings, $Errors).
    $HalfRefusal = { $_.Exception.Message -match 'needs cl_khr_fp16' -and -not $Local.SupportsFp16 }
    $Expect = @{
        'Compare-MaceProgram#1' = @{
            Arrange = {
                # The app ran on both boards: MACE kept nanopi's programs and built its own cache on firefly.
                New-Item -ItemType Directory build | Out-Null
                Copy-Item mace_cl_compiled_program.bin build/mace_compiled_opencl_kernel.NanoPiM4.rk3399.bin
                Copy-Item mace_cl_compiled_program.bin build/mace_compiled_opencl_kernel.FireflyRK3399.rk3399.bin
                Copy-Item mace_cl_compiled_program.bin ($Fleet.Hosts | Where-Object name -EQ nanopi).uploadDir
                Copy-Item adreno.bin (Join-Path ($Fleet.Hosts | Where-Object name -EQ firefly).uploadDir 'mace_cl_compiled_program.bin')
            }
            Assert = {
                $Out.Count | Should -Be 2
                ($Out | Where-Object Device -EQ nanopi).Verdict | Should -Be 'Kept'
                ($Out | Where-Object Device -EQ firefly).Verdict | Should -Be 'Rebuilt'
            }
        }
        'Compare-MaceProgram#2' = @{ Skip = 'needs an Android phone over adb (a Mi 9); the test fleet serves Linux boards over ssh only' }
        'Compare-MaceProgram#3' = @{
            Arrange = { Copy-Item mace_cl_compiled_program.bin model.bin }
            Assert = {
                # Neither board has the app's storage folder: nothing there, so MACE kept nothing of ours.
                $Out.Device | Sort-Object | Should -Be @('firefly', 'nanopi')
                $Out.Verdict | Should -Not -Contain 'Kept'
            }
        }
        'Convert-MaceProgram#1' = @{ Assert = { $Out.Generation | Should -Be 'G2'; $Out.EntryCount | Should -Be 29; 'mace_cl_compiled_program.bin' | Should -Exist } }
        'Convert-MaceProgram#2' = @{ Assert = { (Get-MaceProgram ./retargeted.bin).MaceVersion | Should -Be 'v1.1.1-0-g8c75d39'; $Warnings | Should -BeNullOrEmpty } }
        'Convert-MaceProgram#3' = @{ Arrange = { New-Item -ItemType Directory g2 | Out-Null }; Assert = { Get-ChildItem g2 | Should -BeNullOrEmpty } }
        'Convert-MaceProgram#4' = @{ Assert = { $Out.Generation | Should -Be 'T1'; 'mace_run.config' | Should -Exist } }
        'Convert-MaceProgram#5' = @{
            Arrange = { Copy-Item adreno.bin cache.bin; Copy-Item adreno.bin cache.g2.bin }
            Throws = 'OutputExists*'
            Assert = { (Get-MaceProgram cache.g2.bin).Generation | Should -Be 'G1' }
        }
        'Export-MaceProgram#1' = @{ Assert = { Get-Content -Raw opencl_binary.cc | Should -Match 'LoadOpenCLBinary' } }
        'Export-MaceProgram#2' = @{ Assert = { $Text | Should -Match 'uint32s_value' } }
        'Export-MaceProgram#3' = @{
            Arrange = { Convert-MaceProgram adreno.bin retargeted.bin -MaceVersion v1.1.1-0-g8c75d39 | Out-Null }
            # Convert Example 2's retargeted copy: same keys and binaries, so only the two files' header lines differ.
            Assert = { $Out.Count | Should -Be 2; $Out.InputObject | ForEach-Object { $_ | Should -Match '^# .*(retargeted|adreno-v0.10.1-rc4)' } }
        }
        'Export-MaceProgram#4' = @{
            Arrange = { Copy-Item pocl-v1.1.1.tuned_opencl_parameter.bin tuned.bin }
            Assert = { Get-Content -Raw tuned_params.cc | Should -Match 'LoadMyModelParameter' }
        }
        'Test-MaceModel#3' = @{ Assert = { $Text | Should -Match 'Passed\s+:\s+True'; $Text | Should -Match 'softmax_0\.tmp_0' } }
        'Measure-MaceModel#1' = @{ Assert = { $Text | Should -Match 'default sizes'; $Text | Should -Match 'ONNX Runtime CPU'; "$Warnings" | Should -Match 'a gain needs -TunedParameter' } }
        'Measure-MaceModel#2' = @{ Assert = { $Text | Should -Match 'conv2d'; $Text | Should -Match 'depthwise_conv2d' } }
        'Get-MaceConfig#1' = @{ Assert = { $Out.Generation | Should -Be 'v0.9+'; $Out.Models.Name | Should -Be 'mobilenet_v1' } }
        'Get-MaceConfig#2' = @{ Assert = { $Text | Should -Match 'Runtime\s+:\s+gpu'; $Text | Should -Match 'fp16_fp32' } }
        'Get-MaceConfig#3' = @{ Assert = { $Out.Name | Should -Contain 'ppocr_cls' } }
        'Get-MaceConfig#4' = @{
            Arrange = {
                $other = (Get-Content onnx-squeezenet-1_1.yml | Select-Object -Skip 5) -join "`n"
                Set-Content models.yml ((Get-Content -Raw mobilenet-v1.yml) + $other)
            }
            Assert = { $Out.Models.Name | Should -Be 'mobilenet_v1' }
        }
        'Get-MaceDevice#1' = @{ Assert = { $Text | Should -Match "MaceDeviceName\s+:"; if (-not $Local.IsGpu) { $Warnings | Should -Match 'no GPU' } } }
        'Get-MaceDevice#2' = @{ Assert = { @($Out).Count | Should -Be @(Get-MaceDevice -WarningAction SilentlyContinue | Where-Object IsMaceDefault).Count } }
        'Get-MaceDevice#3' = @{ Skip = 'needs an Adreno GPU (a phone''s); this machine''s OpenCL device is pocl on the CPU' }
        'Get-MaceDevice#4' = @{ AllowError = $HalfRefusal; Assert = { Get-ChildItem out -Filter 'mace_compiled_opencl_kernel.*.bin' | Should -Not -BeNullOrEmpty } }
        'Get-MaceDevice#5' = @{ Assert = { $Out.Count | Should -BeGreaterOrEqual 2; $Text | Should -Match 'nanopi'; $Text | Should -Match 'firefly' } }
        'Get-MaceKernel#1' = @{ Assert = { @($Out).Count | Should -BeGreaterThan 20 } }
        'Get-MaceKernel#2' = @{ Assert = { $Text | Should -Match 'conv_2d_1x1'; $Text | Should -Match 'conv_2d_3x3' } }
        'Get-MaceKernel#3' = @{ Assert = { $Out | Should -BeNullOrEmpty } }   # the checkout here holds MaceTools' own sources: nothing differs
        'Get-MaceKernel#4' = @{ Assert = { $Out.Name | Should -Contain 'conv_2d_1x1' } }
        'Get-MaceProgram#1' = @{ Assert = { $Out.EntryCount | Should -Be 29; $Out.MaceVersion | Should -Be 'v0.10.1-rc4-0-gb83487a' } }
        'Get-MaceProgram#2' = @{ Assert = { $Text | Should -Match 'pocl-v1.1.1.tuned_opencl_parameter.bin\s+T2\s+Tuning\s+\d+\s+16' } }
        'Get-MaceProgram#4' = @{ Arrange = { Copy-Item adreno.bin 'model[1].mace_cl_compiled_program.bin' }; Assert = { $Out.EntryCount | Should -Be 29 } }
        'Get-MaceProgram#5' = @{ Assert = { @($Out).Count | Should -Be @(Get-ChildItem *.bin).Count } }
        'Get-MaceProgramEntry#1' = @{ Assert = { @($Out).Count | Should -Be 28 } }
        'Get-MaceProgramEntry#2' = @{ Assert = { $Out.Count | Should -BeGreaterThan 0 } }
        'Get-MaceProgramEntry#3' = @{ Assert = { $Out.Count | Should -BeGreaterThan 0 } }
        'Get-MaceProgramEntry#4' = @{ Assert = { $Text | Should -Match 'conv2d_1x1_opencl_kernel_1_16_16_16'; $Text | Should -Match 'c44ClxknJpoDF6F6FvGBPMEM2547C7_F_CI' } }
        'Get-MaceTuningParameter#1' = @{ Assert = { @($Out).Count | Should -Be 16 } }
        'Get-MaceTuningParameter#2' = @{ Assert = { $Out | Should -BeNullOrEmpty } }   # "No kernel of this file was split."
        'Get-MaceTuningParameter#3' = @{
            # Two phones tuned alike (the same file twice): no kernel differs.
            Arrange = {
                Copy-Item pocl-v1.1.1.tuned_opencl_parameter.bin phone-a.tuned_opencl_parameter.bin
                Copy-Item pocl-v1.1.1.tuned_opencl_parameter.bin phone-b.tuned_opencl_parameter.bin
            }
            Assert = { $Out | Should -BeNullOrEmpty }
        }
        'Export-MaceReport#1' = @{
            Assert = {
                $Out.Results | Should -BeGreaterThan 3
                'report.html' | Should -Exist
                Get-Content -Raw report.html | Should -Match 'adreno-v0\.10\.1-rc4'
            }
        }
        'Export-MaceReport#2' = @{
            Assert = {
                $Out.Charts | Should -Contain 'chart-startup-1'
                Get-Content -Raw startup.html | Should -Match '<h1>Start-up on this machine</h1>'
            }
        }
        'Export-MaceReport#3' = @{
            Arrange = { New-Item -ItemType Directory build | Out-Null; Copy-Item mace_cl_compiled_program.bin build/mace_compiled_opencl_kernel.NanoPiM4.rk3399.bin }
            Assert = {
                $html = Get-Content -Raw fleet.html
                $html | Should -Match '<th scope="row">firefly</th>\s*<td class="bad"[^>]*><span class="status">Failed</span> <code class="error-id">IdentityMismatch</code>'
                $html | Should -Match '<th scope="row">nanopi</th>\s*<td class="good"[^>]*><span class="status">Published</span>'
                $html | Should -Match '<td>IdentityMismatch</td>'
            }
        }
        'Measure-MaceProgram#1' = @{ Arrange = { Copy-Item mace_cl_compiled_program.bin $LocalName }; Assert = { $Text | Should -Match 'Speedup\s+:\s+\d'; $Text | Should -Match 'CompilerStartMs\s+:\s+\d' } }
        'Measure-MaceProgram#2' = @{ Assert = { @($Out).Count | Should -Be 5 } }
        'Measure-MaceProgram#3' = @{ AllowError = $HalfRefusal; Assert = { $Out.Speedup | Should -BeGreaterThan 0 } }
        'Merge-MaceProgram#1' = @{
            Arrange = { foreach ($m in 'model-a', 'model-b') { New-Item -ItemType Directory $m | Out-Null; Copy-Item adreno.bin "$m/mace_cl_compiled_program.bin" } }
            Assert = { (Get-MaceProgram merged.bin).EntryCount | Should -Be 29 }
        }
        'Merge-MaceProgram#2' = @{
            Arrange = { foreach ($m in 'a', 'b') { New-Item -ItemType Directory "models/$m" -Force | Out-Null; Copy-Item adreno.bin "models/$m/mace_cl_compiled_program.bin" } }
            Assert = { (Get-MaceProgram mace_cl_compiled_program.bin).Generation | Should -Be 'G2' }
        }
        'Merge-MaceProgram#3' = @{ Assert = { $Warnings | Should -Not -BeNullOrEmpty; (Get-MaceProgram both.bin).PlatformInfo | Should -Match 'ARM Platform' } }   # the warning -WarningVariable keeps
        'New-MaceProgram#1' = @{ AllowError = $HalfRefusal; Assert = { "out/$LocalName" | Should -Exist } }
        'New-MaceProgram#2' = @{
            AllowError = $HalfRefusal
            Assert = {
                $Out.Loads.Count | Should -BeGreaterThan 0
                $Out.Loads | ForEach-Object { $_.Status | Should -Be 'Loaded' -Because $_.Key }
                # A device MACE has no name for (pocl's CPU) fails only for that: MACE v1.1.1 clears such a runtime cache.
                if ($Local.MaceDeviceName) { $Out.Passed | Should -BeTrue }
                else { $Out.Findings | Where-Object Severity -EQ Error | ForEach-Object { $_.Message | Should -Match 'device name is empty' } }
            }
        }
        'New-MaceProgram#3' = @{ Assert = { "out/paddleocr_cls_compiled_opencl_kernel.$($Local.Model).$($Local.Soc).bin" | Should -Exist } }
        'New-MaceProgram#4' = @{ Assert = { (Get-MaceProgram softmax.bin).Generation | Should -Be 'G1'; (Get-MaceProgram softmax.bin).MaceVersion | Should -Be 'v0.10.1-rc4-0-gb83487a' } }
        'New-MaceProgram#5' = @{ AllowError = $HalfRefusal; Assert = { Get-ChildItem -Filter 'mobilenet_compiled_opencl_kernel.*' | Should -BeNullOrEmpty } }
        'Optimize-MaceProgram#1' = @{ Assert = { @($Out).Count | Should -BeLessOrEqual 5; @($Out | Where-Object Verdict -NE 'Faster') | Should -BeNullOrEmpty; Get-ChildItem -Filter 'paddleocr_cls_tuned_opencl_parameter.*.bin' | Should -Not -BeNullOrEmpty } }
        'Optimize-MaceProgram#2' = @{ Assert = { Test-Path tuned | Should -BeFalse } }
        'Optimize-MaceProgram#3' = @{ Assert = { (Get-MaceProgram mace_run.config).Generation | Should -Be 'T1'; $Out.Passed | Should -BeTrue } }
        'Publish-MaceProgram#1' = @{
            Arrange = { New-Item -ItemType Directory build | Out-Null; Copy-Item mace_cl_compiled_program.bin build/mace_compiled_opencl_kernel.NanoPiM4.rk3399.bin }
            AllowError = { $_.FullyQualifiedErrorId -like 'IdentityMismatch*' -and $_.Exception.Message -match 'firefly' }
            Assert = {
                ($Out | Where-Object Device -EQ nanopi).Status | Should -Be 'Published'
                ($Out | Where-Object Device -EQ firefly).Status | Should -Be 'Failed'
                Join-Path ($Fleet.Hosts | Where-Object name -EQ nanopi).uploadDir 'mace_cl_compiled_program.bin' | Should -Exist
            }
        }
        'Publish-MaceProgram#2' = @{
            Arrange = {
                New-Item -ItemType Directory build | Out-Null
                Copy-Item mace_cl_compiled_program.bin build/mace_compiled_opencl_kernel.NanoPiM4.rk3399.bin
                Copy-Item mace_cl_compiled_program.bin build/mace_compiled_opencl_kernel.FireflyRK3399.rk3399.bin
            }
            Assert = { $Out | Should -BeNullOrEmpty; foreach ($h in $Fleet.Hosts) { Join-Path $h.uploadDir 'mace_cl_compiled_program.bin' | Should -Exist } }
        }
        'Publish-MaceProgram#3' = @{
            Arrange = { Get-LabDevicesYml . -WithPhone; Copy-Item mace_cl_compiled_program.bin mace_compiled_opencl_kernel.MI9.sm8150.bin }
            Assert = { $Out.Device | Should -Be 'phone-mi9'; $Out.Status | Should -Be 'Skipped' }
        }
        'Publish-MaceProgram#4' = @{
            Assert = { ($Out | Where-Object Device -EQ nanopi).Status | Should -Be 'Published'; Join-Path ($Fleet.Hosts | Where-Object name -EQ nanopi).uploadDir 'mace_cl_compiled_program.bin' | Should -Exist }
        }
        'Test-MaceConfig#1' = @{ Assert = { @($Out | Where-Object Severity -EQ Error) | Should -BeNullOrEmpty } }
        'Test-MaceConfig#2' = @{ Assert = { $Out.Path | Should -Not -Contain (Join-Path $PWD 'mace.yml') } }
        'Test-MaceConfig#3' = @{
            # Downloads only where the model host is reachable; elsewhere the example states a DownloadFailed naming the URL.
            Assert = {
                $errors = @($Out.Findings | Where-Object Severity -EQ Error)
                $errors | Where-Object Code -NE DownloadFailed | Should -BeNullOrEmpty
                $errors | ForEach-Object { $_.Message | Should -Match 'https://' }
            }
        }
        'Test-MaceConfig#4' = @{ Assert = { $Out | Should -BeNullOrEmpty } }
        'Test-MaceProgram#1' = @{ Assert = { $Out.Passed | Should -BeTrue } }
        'Test-MaceProgram#2' = @{ Assert = { ([regex]::Matches($Text, 'NotUsedByTarget')).Count | Should -Be 2; $Text | Should -Match 'Precompiled' } }
        'Test-MaceProgram#3' = @{ Assert = { $Out | ForEach-Object { $_.Passed | Should -BeFalse } } }
        'Test-MaceProgram#4' = @{ Assert = { $Out | Should -BeNullOrEmpty } }
        'Test-MaceProgram#5' = @{ Assert = { $Out.Verdicts | Should -Not -BeNullOrEmpty } }
        'Test-MaceProgram#6' = @{ Assert = { ($Out | Measure-Object Count -Sum).Sum | Should -Be 28 } }
        'Test-MaceProgram#7' = @{ Skip = 'needs a GPU that MACE would use (the first GPU of the first platform); this machine''s OpenCL device is pocl on the CPU' }
    }
}

AfterAll {
    Stop-MaceTestFleet $Fleet
    $env:MACETOOLS_CACHE_DIR = $SavedCacheDir
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Module TestFleet -Force -ErrorAction SilentlyContinue
    Exit-MaceTestModule
}

Describe 'Help example <Cmdlet> #<Number>' -ForEach $Examples {
    It '<Title>' {
        $Code | Should -Not -BeNullOrEmpty -Because 'every example has a ```powershell block'
        $spec = $Expect["$Cmdlet#$Number"]
        if ($spec -and $spec.Skip) { Set-ItResult -Skipped -Because $spec.Skip; return }
        $dir = Join-Path $Work "$Cmdlet-$Number"
        New-Item -ItemType Directory $dir | Out-Null
        Initialize-ExampleFolder $dir $Code
        $savedEnv = Get-ChildItem env: | Where-Object Name -Like 'MACETOOLS_*' | ForEach-Object { @{ Name = $_.Name; Value = $_.Value } }
        Push-Location -LiteralPath $dir
        try {
            if ($spec -and $spec.Arrange) { . $spec.Arrange }
            $before = @(Get-ChildItem -Recurse -File).Count
            $thrown = $null
            # The example runs in a child scope, as typed at a prompt; every stream comes back as records.
            $records = try { & { $ErrorActionPreference = 'Continue'; . ([scriptblock]::Create($Code)) } *>&1 } catch { $thrown = $_ }
            if ($spec -and $spec.Throws) {
                $thrown | Should -Not -BeNullOrEmpty -Because 'the example states an error'
                $thrown.FullyQualifiedErrorId | Should -BeLike $spec.Throws
            }
            elseif ($thrown) { throw $thrown }
            $Errors = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $Warnings = @($records | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
            $Out = @($records | Where-Object {
                    $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.WarningRecord] -and
                    $_ -isnot [System.Management.Automation.VerboseRecord] -and $_ -isnot [System.Management.Automation.InformationRecord] -and
                    $_ -isnot [System.Management.Automation.DebugRecord] })
            $Text = $Out | Out-String -Width 120
            $unexpected = @(if ($spec -and $spec.AllowError) { $Errors | Where-Object { -not (& $spec.AllowError) } } else { $Errors })
            $unexpected | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" } | Should -BeNullOrEmpty
            if ($Output) { $Text | Should -Match ([regex]::Escape($Output.Trim())) }
            if ($spec -and $spec.Assert) { . $spec.Assert }
            elseif (-not $thrown) {
                # An example without its own expectations still has to give something: output or a file.
                ($Out.Count + @(Get-ChildItem -Recurse -File).Count - $before) | Should -BeGreaterThan 0
            }
        }
        finally {
            Pop-Location
            # An example may set MACETOOLS_* (the model cache): the next one starts as this one did.
            Get-ChildItem env: | Where-Object Name -Like 'MACETOOLS_*' | Remove-Item
            $savedEnv | ForEach-Object { Set-Item "env:$($_.Name)" $_.Value }
        }
    }
}

Describe 'Get-Help -Full' {
    It 'describes <_> with every parameter' -ForEach $ExportedCmdlets {
        $help = Get-Help $_ -Full
        $help.description | Should -Not -BeNullOrEmpty
        $text = $help | Out-String -Width 200
        $command = Get-Command $_
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($p in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $text | Should -Match "-$p\b" -Because "Get-Help $_ -Full shows parameter -$p"
            @($help.parameters.parameter.name) | Should -Contain $p
        }
        @($help.examples.example).Count | Should -BeGreaterThan 0
    }
}
