<#
    The arm64 test host: a qemu-system-aarch64 virtual machine under software emulation (no KVM), Debian bookworm arm64
    with openssh-server, pocl, ocl-icd and clinfo on Debian's arm64 kernel, its sshd forwarded to a loopback port, named
    pi in the devices.yml it writes.
        $vm = Start-MaceArm64Vm
        Get-MaceDevice -Inventory $vm.DevicesYml -Target pi
        Stop-MaceArm64Vm $vm
    The disk is made once by tests/vm/arm64-image.sh and kept in out/vm/arm64-<hash of that script> (git-ignored), so a
    changed package set or recipe makes a new one; the VM boots it with -snapshot, so what a test writes there is gone at
    Stop and the next run starts from the same disk. Needs root, qemu-system-arm, qemu-user-static, debootstrap, cpio
    and ssh (./build.sh deps installs them).
#>
$Repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$Recipe = Join-Path $Repo 'tests/vm/arm64-image.sh'

# The cached image's folder: keyed by the recipe, which names the package set.
function Get-MaceArm64Image {
    [CmdletBinding()]
    param()
    $hash = (Get-FileHash -LiteralPath $Recipe -Algorithm SHA256).Hash.Substring(0, 12).ToLowerInvariant()
    $dir = Join-Path $Repo "out/vm/arm64-$hash"
    $made = $null
    # Images of an older recipe, and a build that died half-way, go: each is over a gigabyte.
    Get-ChildItem -Path (Join-Path $Repo 'out/vm') -Directory -Filter 'arm64-*' -ErrorAction SilentlyContinue |
        Where-Object FullName -NE $dir | Remove-Item -Recurse -Force
    if (-not (Test-Path -LiteralPath (Join-Path $dir 'disk.img'))) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $log = & bash $Recipe $dir 2>&1
        if ($LASTEXITCODE -ne 0) { throw "tests/vm/arm64-image.sh failed (exit $LASTEXITCODE):`n$($log -join "`n")" }
        $made = $watch.Elapsed
        Set-Content -LiteralPath (Join-Path $dir 'made-seconds') -Value ([int]$made.TotalSeconds)
    }
    [pscustomobject]@{ Dir = $dir; Root = Join-Path $dir 'root'; MadeNow = $null -ne $made; MadeIn = $made }
}

function Start-MaceArm64Vm {
    [CmdletBinding()]
    param(
        # Boot and sshd take about 15 s on a 2-core machine under emulation; the limit is generous for a busy one.
        [int] $BootTimeoutSeconds = 600,
        [int] $Cpus = 2,
        [int] $MemoryMB = 2048
    )
    $image = Get-MaceArm64Image
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) "macetools-arm64vm-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
    New-Item -ItemType Directory -Path $dir | Out-Null
    Copy-Item -LiteralPath (Join-Path $image.Dir 'client_key') -Destination (Join-Path $dir 'client_key')
    & chmod 600 (Join-Path $dir 'client_key')
    # A free loopback port (taken back at once: qemu binds it a moment later).
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    "[127.0.0.1]:$port $((Get-Content -LiteralPath (Join-Path $image.Dir 'host_key.pub') -Raw).Trim())" | Set-Content -LiteralPath (Join-Path $dir 'known_hosts')
    $devicesYml = Join-Path $dir 'devices.yml'
    @"
# The arm64 test host (tests/Pester/Arm64Vm.psm1): qemu-system-aarch64, software emulation; key files beside this file.
devices:
  pi:
    target_abis: [arm64]
    target_socs: cortex-a72
    models: QEMU virt
    address: 127.0.0.1
    port: $port
    username: root
    identity_file: client_key
    known_hosts_file: known_hosts
    program_path: /root/mace/mace_cl_compiled_program.bin
    tags: [test, arm64]
"@ | Set-Content -LiteralPath $devicesYml

    $qemu = @('qemu-system-aarch64', '-M', 'virt', '-cpu', 'cortex-a72', '-smp', "$Cpus", '-m', "$MemoryMB",
        '-kernel', (Join-Path $image.Dir 'vmlinuz'), '-initrd', (Join-Path $image.Dir 'initrd.img'), '-append', 'console=ttyAMA0 quiet',
        '-drive', "if=none,file=$(Join-Path $image.Dir 'disk.img'),id=hd,format=raw", '-device', 'virtio-blk-device,drive=hd', '-snapshot',
        '-netdev', "user,id=n,hostfwd=tcp:127.0.0.1:$port-:22", '-device', 'virtio-net-device,netdev=n',
        '-display', 'none', '-monitor', 'none', '-serial', "file:$(Join-Path $dir 'console.log')", '-pidfile', (Join-Path $dir 'qemu.pid'))
    # A watchdog beside qemu: it ends the VM when this PowerShell ends, so a crashed test run leaves no VM behind.
    $watch = 'q() { "$@" & qpid=$!; while kill -0 $qpid 2>/dev/null; do kill -0 ' + $PID + ' 2>/dev/null || { kill $qpid; break; }; sleep 2; done; wait $qpid; }; q "$@"'
    $psi = [System.Diagnostics.ProcessStartInfo]::new('bash')
    foreach ($a in @('-c', $watch, 'arm64vm') + $qemu) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $process = [System.Diagnostics.Process]::Start($psi)
    $stderr = $process.StandardError.ReadToEndAsync()
    $vm = [pscustomobject]@{
        PSTypeName = 'MaceTools.Arm64Vm'
        Dir = $dir; DevicesYml = $devicesYml; ClientKey = Join-Path $dir 'client_key'; KnownHosts = Join-Path $dir 'known_hosts'
        Port = $port; Image = $image; Process = $process; Console = Join-Path $dir 'console.log'; BootSeconds = $null
    }
    $ssh = Get-MaceArm64Ssh $vm
    while ($true) {
        if ($process.HasExited) {
            $console = if (Test-Path -LiteralPath $vm.Console) { (Get-Content -LiteralPath $vm.Console -Tail 30) -join "`n" } else { '' }
            Stop-MaceArm64Vm $vm
            throw "qemu-system-aarch64 exited with $($process.ExitCode): $($stderr.Result)`n$console"
        }
        & ssh @ssh -o ConnectTimeout=5 true 2>$null
        if ($LASTEXITCODE -eq 0) { break }
        if ($clock.Elapsed.TotalSeconds -gt $BootTimeoutSeconds) {
            $console = if (Test-Path -LiteralPath $vm.Console) { (Get-Content -LiteralPath $vm.Console -Tail 30) -join "`n" } else { '' }
            Stop-MaceArm64Vm $vm
            throw "the arm64 VM's sshd did not answer on 127.0.0.1:$port within $BootTimeoutSeconds s; its console:`n$console"
        }
        Start-Sleep -Seconds 1
    }
    $vm.BootSeconds = [math]::Round($clock.Elapsed.TotalSeconds, 1)
    $vm
}

# ssh's arguments for a command on the VM as root (the devices.yml's key and known_hosts).
function Get-MaceArm64Ssh($Vm) {
    @('-o', 'BatchMode=yes', '-o', "UserKnownHostsFile=$($Vm.KnownHosts)", '-o', 'StrictHostKeyChecking=yes', '-i', $Vm.ClientKey, '-p', "$($Vm.Port)", 'root@127.0.0.1')
}

# Runs a shell command on the VM; its output lines.
function Invoke-MaceArm64Vm {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Vm, [Parameter(Mandatory)] [string] $Command)
    $ssh = Get-MaceArm64Ssh $Vm
    & ssh @ssh $Command
}

function Stop-MaceArm64Vm {
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] [AllowNull()] $Vm)
    process {
        if (-not $Vm) { return }
        $pidFile = Join-Path $Vm.Dir 'qemu.pid'
        if (Test-Path -LiteralPath $pidFile) {
            $qemuPid = [int](Get-Content -LiteralPath $pidFile -Raw).Trim()
            Stop-Process -Id $qemuPid -ErrorAction SilentlyContinue
        }
        if ($Vm.Process -and -not $Vm.Process.WaitForExit(15000)) { $Vm.Process.Kill($true); $Vm.Process.WaitForExit(5000) | Out-Null }
        Remove-Item -LiteralPath $Vm.Dir -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Export-ModuleMember -Function Get-MaceArm64Image, Start-MaceArm64Vm, Stop-MaceArm64Vm, Invoke-MaceArm64Vm
