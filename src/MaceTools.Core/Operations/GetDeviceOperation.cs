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
            foreach (var d in devices)
                if ((re == null || re.IsMatch(d.Name)) && (!MaceDefault || d.IsMaceDefault))
                    host.WriteObject(d);
        }
    }
}
