using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Devices;
using MaceTools.OpenCL;
using MaceTools.Remote;

namespace MaceTools.Operations
{
    /// <summary>
    /// Get-MaceDevice / macetools device list: every OpenCL device of every platform, with MACE's view of it; with
    /// <see cref="Inventory"/>, the devices of a devices.yml's entries instead (over ssh or adb, see <see cref="RemoteDevices"/>).
    /// </summary>
    public sealed class GetDeviceOperation
    {
        /// <summary>Only devices whose name matches this wildcard pattern.</summary>
        public string? Name { get; set; }
        /// <summary>Only the device MACE itself would use (on each host).</summary>
        public bool MaceDefault { get; set; }
        /// <summary>A devices.yml: list the devices of its entries instead of this machine's.</summary>
        public string? Inventory { get; set; }
        /// <summary>Only inventory entries whose name matches one of these wildcard patterns.</summary>
        public IReadOnlyList<string> Targets { get; set; } = Array.Empty<string>();
        /// <summary>Only inventory entries that carry one of these tags.</summary>
        public IReadOnlyList<string> Tags { get; set; } = Array.Empty<string>();
        /// <summary>Makes the remote discovery (tests point its clients at their own servers).</summary>
        public Func<IOperationHost, RemoteDevices> RemoteFactory { get; set; } = h => new RemoteDevices(h);

        public void Run(IOperationHost host)
        {
            List<MaceDevice> devices;
            // A target or tag selects entries of an inventory: the default one when none is given.
            if (Inventory == null && Targets.Count == 0 && Tags.Count == 0)
                devices = DiscoverLocal(host);
            else
                devices = RemoteFactory(host).DiscoverTargets(MaceInventory.Locate(Inventory, host.CurrentDirectory), Targets, Tags);
            var re = Name == null ? null : PathResolver.ToRegex(Name);
            var selected = devices.Where(d => (re == null || re.IsMatch(d.Name)) && (!MaceDefault || d.IsMaceDefault)).ToList();
            // A name that matches nothing is an error naming the pattern, as the other Get- verbs do.
            if (selected.Count == 0 && Name != null && devices.Count > 0)
                host.WriteError(new MaceException(ErrorIds.DeviceNotFound, MaceErrorCategory.ObjectNotFound,
                    $"{Name}: no OpenCL device matches (devices: {string.Join(", ", devices.Select(d => d.Target.Length == 0 ? d.Name : $"{d.Target}: {d.Name}"))})", Name));
            foreach (var d in selected) host.WriteObject(d);
        }

        private static List<MaceDevice> DiscoverLocal(IOperationHost host)
        {
            var api = ClApi.Default;
            host.WriteVerbose($"OpenCL library: {api.Library}");
            var devices = LocalDevices.Discover(api);
            if (devices.Count == 0)
                host.WriteWarning($"{api.Library} loaded but reports no OpenCL platform or device (is a driver installed and registered, e.g. pocl-opencl-icd?)");
            else if (!devices.Any(d => d.IsMaceDefault))
                host.WriteWarning("no GPU on the first platform: MACE itself would find no device here (MaceTools can still build for the others)");
            return devices;
        }
    }
}
