using System;
using System.Linq;
using MaceTools.OpenCL;
using Silk.NET.OpenCL;
using ClPlatformInfo = Silk.NET.OpenCL.PlatformInfo;

namespace MaceTools.Devices
{
    /// <summary>
    /// An OpenCL device with what OpenCL reports about it and the identity MACE computes from that. Travels the pipeline
    /// (Get-MaceDevice | New-MaceProgram) and binds by property name (<see cref="Id"/>).
    /// </summary>
    public sealed class MaceDevice
    {
        /// <summary>The id used to select it: the index in <c>device list</c> for local devices.</summary>
        public string Id { get; set; } = "";
        /// <summary>Position across all platforms, in the order the ICD loader reports them.</summary>
        public int Index { get; set; }
        /// <summary>How the device is reached: "local" here, "ssh" or "adb" for a device of an inventory (devices.yml).</summary>
        public string Transport { get; set; } = "local";
        /// <summary>user@host:port over ssh, the serial over adb; "" for local devices.</summary>
        public string Address { get; set; } = "";
        /// <summary>The device's name in the inventory (devices.yml), which -Target takes; "" for local devices.</summary>
        public string Target { get; set; } = "";
        /// <summary>The inventory (devices.yml) the device was found through, so builds and loads can reach it again; "" for local devices.</summary>
        public string InventoryPath { get; set; } = "";
        /// <summary>The OpenCL library the device was found through.</summary>
        public string Library { get; set; } = "";

        public int PlatformIndex { get; set; }
        public string PlatformName { get; set; } = "";
        public string PlatformProfile { get; set; } = "";
        public string PlatformVersion { get; set; } = "";
        public string PlatformVendor { get; set; } = "";

        /// <summary>Position within its platform.</summary>
        public int DeviceIndex { get; set; }
        public string Name { get; set; } = "";
        public string Vendor { get; set; } = "";
        /// <summary>CL_DEVICE_VERSION, whole.</summary>
        public string Version { get; set; } = "";
        /// <summary>CL_DEVICE_TYPE in words (GPU, CPU, Accelerator, Custom; several joined by ',').</summary>
        public string Type { get; set; } = "";
        public string DriverVersion { get; set; } = "";
        public string OpenCLCVersion { get; set; } = "";
        public string[] Extensions { get; set; } = new string[0];
        public bool SupportsFp16 => Extensions.Contains("cl_khr_fp16");
        public bool SupportsFp64 => Extensions.Contains("cl_khr_fp64");
        public bool SupportsImages { get; set; }
        public long MaxWorkGroupSize { get; set; }
        public long[] MaxWorkItemSizes { get; set; } = new long[0];
        public int ComputeUnits { get; set; }
        public int MaxClockMHz { get; set; }
        public long GlobalMemCacheSize { get; set; }
        public long GlobalMemSize { get; set; }
        public long LocalMemSize { get; set; }
        public long Image2DMaxWidth { get; set; }
        public long Image2DMaxHeight { get; set; }

        /// <summary>The device MACE itself would use: the first GPU of the first platform.</summary>
        public bool IsMaceDefault { get; set; }
        public bool IsGpu => Type.Split(',').Contains("GPU");

        public MaceGpuType GpuType => DeviceIdentity.GpuType(Name);
        /// <summary>MACE v1.1.1's device_name_ ("" for GPUs it does not know, whose cache it never reuses).</summary>
        public string MaceDeviceName => DeviceIdentity.MaceDeviceName(Name, Version);
        /// <summary>The OpenCL version MACE reads from CL_DEVICE_VERSION; null where MACE would stop with a fatal check.</summary>
        public string? OpenCLVersion => DeviceIdentity.OpenClVersion(Version);
        /// <summary>For the newest MACE release; see <see cref="NonUniformWorkGroupFor"/>.</summary>
        public bool NonUniformWorkGroup => NonUniformWorkGroupFor(MaceVersion.Latest);
        /// <summary>The platform-info string MACE's newest release computes here; see <see cref="PlatformInfoFor"/>.</summary>
        public string PlatformInfo => PlatformInfoFor(MaceVersion.Latest);
        public DeviceClass Class => new DeviceClass(PlatformVersion, Name, Version, DriverVersion);
        /// <summary>MACE names merged files after the phone model; for a local device we use the OpenCL device name.</summary>
        public string Model { get; set; } = "";
        /// <summary>The SoC (ro.board.platform on Android); "host" for a local device.</summary>
        public string Soc { get; set; } = "host";
        /// <summary>
        /// The virtual board the device's host is, as its firmware says (e.g. qemu's virt board); empty where the host shows
        /// none. Times measured on such a host are not a board's (under software emulation, many times slower).
        /// </summary>
        public string VirtualMachine { get; set; } = "";

        public bool NonUniformWorkGroupFor(MaceVersion mace) => DeviceIdentity.NonUniformWorkGroup(GpuType, OpenCLVersion, mace);
        public string PlatformInfoFor(MaceVersion mace) => DeviceIdentity.PlatformInfo(PlatformName, PlatformProfile, PlatformVersion, mace);
        /// <summary>What a file's checks compare against: this device under a MACE version.</summary>
        public MaceTarget TargetFor(MaceVersion mace, CacheReusePolicy policy = CacheReusePolicy.ReuseSameGpu) => new MaceTarget
        {
            Version = mace,
            PlatformInfo = PlatformInfoFor(mace),
            DeviceName = MaceDeviceName,
            ReusePolicy = policy,
        };

        /// <summary>The native handle, for devices found in this process (not for objects that came from elsewhere).</summary>
        internal ClDeviceHandle? Handle { get; set; }

        public override string ToString() => $"[{Id}] {Name}";

        internal static MaceDevice FromHandle(ClDeviceHandle h, int index, int platformIndex, int deviceIndex)
        {
            var d = new MaceDevice
            {
                Handle = h,
                Id = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Index = index,
                Library = h.Api.Library,
                PlatformIndex = platformIndex,
                PlatformName = h.PlatformString(ClPlatformInfo.Name),
                PlatformProfile = h.PlatformString(ClPlatformInfo.Profile),
                PlatformVersion = h.PlatformString(ClPlatformInfo.Version),
                PlatformVendor = h.PlatformString(ClPlatformInfo.Vendor),
                DeviceIndex = deviceIndex,
                Name = h.DeviceString(DeviceInfo.Name),
                Vendor = h.DeviceString(DeviceInfo.Vendor),
                Version = h.DeviceString(DeviceInfo.Version),
                Type = TypeName(h.DeviceNumber(DeviceInfo.Type)),
                DriverVersion = h.DeviceString(DeviceInfo.DriverVersion),
#pragma warning disable CS0618 // CL_DEVICE_OPENCL_C_VERSION: deprecated by 3.0, the only form 1.2 and 2.x devices have
                OpenCLCVersion = h.DeviceString(DeviceInfo.OpenclCVersion),
#pragma warning restore CS0618
                Extensions = h.DeviceString(DeviceInfo.Extensions).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries),
                SupportsImages = h.DeviceNumber(DeviceInfo.ImageSupport) != 0,
                MaxWorkGroupSize = (long)h.DeviceNumber(DeviceInfo.MaxWorkGroupSize),
                MaxWorkItemSizes = h.DeviceSizes(DeviceInfo.MaxWorkItemSizes),
                ComputeUnits = (int)h.DeviceNumber(DeviceInfo.MaxComputeUnits),
                MaxClockMHz = (int)h.DeviceNumber(DeviceInfo.MaxClockFrequency),
                GlobalMemCacheSize = (long)h.DeviceNumber(DeviceInfo.GlobalMemCacheSize),
                GlobalMemSize = (long)h.DeviceNumber(DeviceInfo.GlobalMemSize),
                LocalMemSize = (long)h.DeviceNumber(DeviceInfo.LocalMemSize),
            };
            if (d.SupportsImages)
            {
                d.Image2DMaxWidth = (long)h.DeviceNumber(DeviceInfo.Image2DMaxWidth);
                d.Image2DMaxHeight = (long)h.DeviceNumber(DeviceInfo.Image2DMaxHeight);
            }
            d.Model = DeviceIdentity.FileNamePart(d.Name);
            return d;
        }

        private static string TypeName(ulong type)
        {
            var names = new[] { (2UL, "CPU"), (4UL, "GPU"), (8UL, "Accelerator"), (16UL, "Custom") }.Where(t => (type & t.Item1) != 0).Select(t => t.Item2).ToArray();
            return names.Length == 0 ? "Default" : string.Join(",", names);
        }
    }
}
