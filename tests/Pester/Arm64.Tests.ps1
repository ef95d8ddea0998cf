#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    A host that is really arm64, reached over ssh: the user's flow as typed against pi, a qemu-system-aarch64 VM
    (Arm64Vm.psm1) with Debian's arm64 pocl. The VM is made once and booted once for this file; every step runs against
    it in order, as the user runs them. Its timings are emulated: nothing here measures them.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'Arm64Vm.psm1') -Force
    $SavedInventory = $env:MACETOOLS_INVENTORY
    $env:MACETOOLS_INVENTORY = $null
    $Image = Get-MaceArm64Image
    Write-Host "arm64 image: $($Image.Dir)$(if ($Image.MadeNow) { ", made in $([int]$Image.MadeIn.TotalSeconds) s" } else { ' (cached)' })"
}

AfterAll {
    $env:MACETOOLS_INVENTORY = $SavedInventory
    Remove-Module Arm64Vm -ErrorAction SilentlyContinue
    Exit-MaceTestModule
}

Describe 'The user''s flow against pi, an arm64 host (qemu-system-aarch64) over ssh' {
    BeforeAll {
        $Vm = Start-MaceArm64Vm
        Write-Host "arm64 VM: sshd up $($Vm.BootSeconds) s after qemu started"
        Copy-Item -Path (Join-Path $Repo 'examples/paddleocr/mace.yml'), (Join-Path $Repo 'examples/paddleocr/ch_ppocr_mobile_v2.0_cls_infer.onnx') -Destination $Vm.Dir
        Push-Location $Vm.Dir
    }
    AfterAll {
        Pop-Location
        Stop-MaceArm64Vm $Vm
    }
    It 'Get-MaceDevice -Target pi finds the arm64 pocl device through the arm64 agent' {
        $all = Get-MaceDevice -Target pi -ErrorAction Stop -Verbose -WarningVariable warnings 4>&1
        $script:Dev = $all | Where-Object { $_ -is [MaceTools.Devices.MaceDevice] }
        $verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        # Honest about emulation: the device says it is on a virtual board, and discovery warns that its times are not a board's.
        $script:Dev.VirtualMachine | Should -Be 'qemu virt board'
        @($warnings).Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike "pi (root@127.0.0.1:$($Vm.Port)): a virtual machine (qemu virt board): times measured there are the emulation's, not a board's*"
        $verbose | Should -Match 'aarch64 host: the agent \w+ from .*linux-arm64 \(self-contained\)'
        @($script:Dev).Count | Should -Be 1
        $script:Dev.Target | Should -Be 'pi'
        $script:Dev.Library | Should -Not -Be 'clinfo'
        # What the VM's own clinfo says: Debian's arm64 pocl on the emulated Cortex-A72.
        $clinfo = (Invoke-MaceArm64Vm $Vm 'clinfo --raw') -join "`n"
        $script:Dev.Name | Should -BeLike 'pthread-*'
        $clinfo | Should -Match ([regex]::Escape("CL_DEVICE_NAME                                  $($script:Dev.Name)").Replace('\ ', '\s+'))
        $script:Dev.PlatformInfo | Should -Match 'PoCL'
    }
    It '| New-MaceProgram -Config mace.yml builds the example model''s programs on pi, as aarch64 code' {
        $script:File = $script:Dev | New-MaceProgram -Config mace.yml -ErrorAction Stop
        $script:File.Name | Should -Be 'paddleocr_cls_compiled_opencl_kernel.QEMUvirt.cortex-a72.bin'
        $script:File.ProgramCount | Should -BeGreaterThan 10
        $script:File.PlatformInfo | Should -Be $script:Dev.PlatformInfo
        $script:File.Machine | Should -Be 'aarch64'
        @($script:File.Entries | Where-Object Kind -EQ 'Program' | Where-Object Machine -NE 'aarch64').Count | Should -Be 0
        $show = & (Join-Path $Repo 'out/cli/macetools') program show $script:File.Path
        ($show -join "`n") | Should -Match 'Code for\s+aarch64'
    }
    It 'Test-MaceProgram -Target pi loads every one of them there' {
        $r = $script:File | Test-MaceProgram -Target pi -ErrorAction Stop
        @($r.Loads).Count | Should -Be $script:File.ProgramCount
        @($r.Loads | Where-Object Status -NE 'Loaded').Count | Should -Be 0
        $r.Passed | Should -BeTrue
    }
    It 'Publish-MaceProgram -Target pi puts the file in place' {
        $r = Publish-MaceProgram -Target pi -ErrorAction Stop
        $r.Status | Should -Be 'Published'
        $r.File | Should -Be $script:File.Path
        (Invoke-MaceArm64Vm $Vm 'sha256sum /root/mace/mace_cl_compiled_program.bin') -replace ' .*' | Should -Be $script:File.Sha256
    }
}

Describe 'The floor: the arm64 agent under user-mode qemu, no VM' {
    It 'qemu-aarch64-static -L ROOT out/agents/linux-arm64/macetools device list finds the arm64 pocl device' {
        $agent = Join-Path $Repo 'out/agents/linux-arm64/macetools'
        # No binfmt registration (machine-wide): qemu runs the agent itself over the VM's root folder.
        # A build cannot run this way (pocl's linker and our driver workers are arm64 child processes): the VM above can.
        $out = & qemu-aarch64-static -L $Image.Root $agent device list --json 2>$null
        $LASTEXITCODE | Should -Be 0
        $dev = @($out | ConvertFrom-Json | Where-Object '$type' -EQ 'MaceDevice')
        $dev.Count | Should -Be 1
        # pocl names its device after the CPU in /proc/cpuinfo, which here is this machine's: only "pthread" is left of it.
        $dev[0].name | Should -BeLike 'pthread*'
        $dev[0].platformInfo | Should -Match '^Portable Computing Language, FULL_PROFILE, OpenCL 3\.0 PoCL 3\.\d+\+debian +Linux'
    }
}
