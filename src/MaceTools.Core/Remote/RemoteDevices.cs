using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using MaceTools.Devices;
using MaceTools.Operations;

namespace MaceTools.Remote
{
    /// <summary>
    /// The OpenCL devices of inventory entries (devices.yml), as the same <see cref="MaceDevice"/> objects local discovery
    /// gives, with <see cref="MaceDevice.Transport"/>, <see cref="MaceDevice.Address"/> and <see cref="MaceDevice.Target"/> set.
    /// <list type="bullet">
    /// <item>ssh: one probe (<c>uname -m</c> and the sha256 of the host's agent copies), then the agent build for that
    /// architecture (<see cref="AgentSet"/>) runs there as <c>macetools agent</c> (<see cref="AgentProtocol"/>), copied once
    /// per host and build into <c>${XDG_CACHE_HOME:-$HOME/.cache}/macetools/agent/VERSION</c>. A host of an architecture no
    /// agent serves, or one where the agent cannot run, falls back to <c>clinfo --raw</c> with a warning that says so.</item>
    /// <item>adb: identity from getprop and SurfaceFlinger's GLES line, as MACE's tools name Android devices (§5.5); OpenCL
    /// itself is not queried on the phone, so the OpenCL fields stay empty.</item>
    /// </list>
    /// </summary>
    public sealed class RemoteDevices
    {
        private readonly IOperationHost _host;
        private AgentSet? _agents;

        public RemoteDevices(IOperationHost host) { _host = host; }

        /// <summary>The agent builds to copy to hosts, one per architecture; by default <see cref="AgentSet.Find"/>.</summary>
        public AgentSet Agents
        {
            get => _agents ??= AgentSet.Find();
            set => _agents = value;
        }

        /// <summary>Makes the ssh client of a device (tests shorten its timeouts).</summary>
        public Func<InventoryDevice, SshClient> SshClientFactory { get; set; } = d => new SshClient(d);
        /// <summary>Makes the adb client (tests point it at a private server).</summary>
        public Func<AdbClient> AdbClientFactory { get; set; } = () => new AdbClient();

        /// <summary>
        /// Every device of every entry, in inventory order. An entry that cannot be reached or read is a non-terminating error
        /// naming it (inventory name and address); the others are still listed.
        /// </summary>
        public List<MaceDevice> DiscoverAll(IEnumerable<InventoryDevice> devices)
        {
            var all = new List<MaceDevice>();
            foreach (var d in devices)
            {
                _host.CancellationToken.ThrowIfCancellationRequested();
                try { all.AddRange(Discover(d)); }
                catch (MaceException e) { _host.WriteError(e); }
            }
            return all;
        }

        /// <summary>
        /// The devices of the inventory entries whose names match <paramref name="targets"/> (wildcards) or carry one of
        /// <paramref name="tags"/>: what Get-MaceDevice -Inventory lists, and what -Target resolves to on the cmdlets that act on devices.
        /// </summary>
        public List<MaceDevice> DiscoverTargets(string inventoryPath, IReadOnlyList<string> targets, IReadOnlyList<string> tags)
        {
            string path = PathResolver.FullPath(inventoryPath, _host.CurrentDirectory);
            var entries = MaceInventory.Select(MaceInventory.Read(path), targets, tags);
            if (entries.Count == 0) _host.WriteWarning($"{path}: no entry carries the tag {string.Join(" or ", tags)}");
            _host.WriteVerbose($"{path}: {entries.Count} device(s): {string.Join(", ", entries.Select(e => e.Display))}");
            return DiscoverAll(entries);
        }

        /// <summary>The inventory entry a remote device came from (read again from its <see cref="MaceDevice.InventoryPath"/>).</summary>
        public static InventoryDevice EntryOf(MaceDevice device)
        {
            if (device.InventoryPath.Length == 0 || device.Target.Length == 0)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument,
                    $"{device.Target} ({device.Address}): a {device.Transport} device without its inventory; get it with Get-MaceDevice -Inventory, or use -Inventory and -Target", device.Target);
            return MaceInventory.Read(device.InventoryPath).FirstOrDefault(e => e.Name == device.Target)
                ?? throw new MaceException(ErrorIds.DeviceNotFound, MaceErrorCategory.ObjectNotFound,
                    $"{device.Target} ({device.Address}): no longer in {device.InventoryPath}", device.Target);
        }

        /// <summary>The devices of one entry; failures throw a <see cref="MaceException"/> whose message starts with the entry's name and address.</summary>
        public List<MaceDevice> Discover(InventoryDevice device)
        {
            List<MaceDevice> found;
            try
            {
                found = device.Transport == RemoteTransport.Adb ? DiscoverAdb(device) : DiscoverSsh(device);
            }
            catch (MaceException e) when (!e.Message.StartsWith(device.Display, StringComparison.Ordinal))
            {
                throw new MaceException(e.ErrorId, e.Category, $"{device.Display}: {e.Message}", device.Name, e);
            }
            foreach (var d in found)
            {
                d.Target = device.Name;
                d.InventoryPath = device.InventoryPath ?? "";
                d.Transport = device.Transport;
                d.Address = device.Transport == RemoteTransport.Adb ? d.Address : $"{device.Destination}:{device.Port ?? 22}";
                d.Id = device.Name + ":" + d.Index.ToString(CultureInfo.InvariantCulture);
                // MACE names files <device_name>.<soc> (§5.5): over adb from getprop, over ssh from the inventory's models and
                // target_socs; socs lower-cased as MACE compares them. The inventory fills what getprop leaves empty.
                string inventorySoc = device.TargetSocs.FirstOrDefault()?.ToLowerInvariant() ?? "";
                if (device.Transport == RemoteTransport.Ssh || d.Model.Length == 0) d.Model = device.DeviceName ?? d.Model;
                if (device.Transport == RemoteTransport.Ssh || d.Soc.Length == 0) d.Soc = inventorySoc;
            }
            return found;
        }

        // ---- ssh -------------------------------------------------------------------------------------------------------------

        private List<MaceDevice> DiscoverSsh(InventoryDevice device)
        {
            using var ssh = SshClientFactory(device);
            ssh.Cancellation = _host.CancellationToken;
            var agent = new AgentClient(ssh, Agents, _host);
            string? unusable = agent.Install();
            if (unusable != null)
            {
                _host.WriteWarning($"{device.Display}: {unusable}; falling back to clinfo");
                return Clinfo(ssh, device);
            }
            var run = agent.Run(new[] { "{\"op\":\"devices\"}" });
            string answer = run.Stdout.Split('\n').FirstOrDefault(l => l.Trim().Length > 0) ?? "";
            try
            {
                if (run.ExitCode == 0)
                {
                    var devices = AgentProtocol.ReadDevices(answer);
                    string vm = devices.Select(d => d.VirtualMachine).FirstOrDefault(v => v.Length > 0) ?? "";
                    if (vm.Length > 0)
                        _host.WriteWarning($"{device.Display}: a virtual machine ({vm}): times measured there are the emulation's, not a board's; keep them out of benchmarks");
                    return devices;
                }
            }
            catch (FormatException e)
            {
                _host.WriteWarning($"{device.Display}: the MaceTools agent in {agent.Directory} answered: {e.Message}; falling back to clinfo");
                return Clinfo(ssh, device);
            }
            _host.WriteWarning($"{device.Display}: the MaceTools agent in {agent.Directory} did not run (exit {run.ExitCode}: {Tail(run.Stderr)}){agent.RuntimeHint}; falling back to clinfo");
            return Clinfo(ssh, device);
        }

        private List<MaceDevice> Clinfo(SshClient ssh, InventoryDevice device)
        {
            var r = ssh.Run(new[] { "clinfo", "--raw" });
            if (r.ExitCode != 0)
            {
                _host.WriteWarning($"{device.Display}: clinfo --raw failed (exit {r.ExitCode}{(r.ExitCode == 127 ? ", not installed" : "")}: {Tail(r.Stderr)}); the device's OpenCL identity is unknown");
                return new List<MaceDevice> { new MaceDevice { Name = "", Type = "", Library = "" } };
            }
            var list = ClinfoRaw.Parse(r.Stdout);
            if (list.Count == 0) _host.WriteWarning($"{device.Display}: clinfo reports no OpenCL platform or device");
            return list;
        }

        private static string Tail(string text) => AgentClient.Tail(text);

        // ---- adb -------------------------------------------------------------------------------------------------------------

        private static readonly Regex HostPort = new Regex(@"^[^\s:]+:\d+$", RegexOptions.CultureInvariant);

        private List<MaceDevice> DiscoverAdb(InventoryDevice device)
        {
            var adb = AdbClientFactory();
            string serial = device.Serial!;
            // A serial like 192.168.1.20:5555 is a device over TCP: connect first, as `adb connect` does.
            serial = HostPort.IsMatch(serial) ? adb.Connect(serial).Serial : adb.Device(serial).Serial;
            var id = adb.Identity(serial);
            if (id.Gpu == null) _host.WriteWarning($"{device.Display}: dumpsys SurfaceFlinger shows no GLES line; the GPU is unknown");
            // GLES: "<vendor>, <renderer>, <version>", e.g. "Qualcomm, Adreno (TM) 640, OpenGL ES 3.2 V@415.0 (...)".
            var gles = (id.Gpu ?? "").Split(new[] { ", " }, 3, StringSplitOptions.None);
            return new List<MaceDevice>
            {
                new MaceDevice
                {
                    Address = serial,
                    Library = "getprop/SurfaceFlinger",
                    Type = id.Gpu == null ? "" : "GPU",
                    Vendor = gles.Length > 1 ? gles[0] : "",
                    Name = gles.Length > 1 ? gles[1] : gles[0],
                    Model = id.DeviceName ?? "",
                    Soc = id.BoardPlatform?.ToLowerInvariant() ?? "",
                },
            };
        }
    }
}
