using System.Linq;
using MaceTools.Devices;
using MaceTools.OpenCL;

namespace MaceTools.Operations
{
    /// <summary>Get-MaceDevice / macetools device list: every OpenCL device of every platform, with MACE's view of it.</summary>
    public sealed class GetDeviceOperation
    {
        /// <summary>Only devices whose name matches this wildcard pattern.</summary>
        public string? Name { get; set; }
        /// <summary>Only the device MACE itself would use.</summary>
        public bool MaceDefault { get; set; }

        public void Run(IOperationHost host)
        {
            var api = ClApi.Default;
            host.WriteVerbose($"OpenCL library: {api.Library}");
            var devices = LocalDevices.Discover(api);
            if (devices.Count == 0)
                host.WriteWarning($"{api.Library} loaded but reports no OpenCL platform or device (is a driver installed and registered, e.g. pocl-opencl-icd?)");
            else if (!devices.Any(d => d.IsMaceDefault))
                host.WriteWarning("no GPU on the first platform: MACE itself would find no device here (MaceTools can still build for the others)");
            var re = Name == null ? null : PathResolver.ToRegex(Name);
            var selected = devices.Where(d => (re == null || re.IsMatch(d.Name)) && (!MaceDefault || d.IsMaceDefault)).ToList();
            // A name that matches nothing is an error naming the pattern, as the other Get- verbs do.
            if (selected.Count == 0 && Name != null && devices.Count > 0)
                host.WriteError(new MaceException(ErrorIds.DeviceNotFound, MaceErrorCategory.ObjectNotFound,
                    $"{Name}: no OpenCL device matches (devices: {string.Join(", ", devices.Select(d => d.Name))})", Name));
            foreach (var d in selected) host.WriteObject(d);
        }
    }
}
