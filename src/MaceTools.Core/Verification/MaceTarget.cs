namespace MaceTools
{
    /// <summary>MACE's OpenCLCacheReusePolicy (include/mace/public/mace.h@v1.1.1:127-130).</summary>
    public enum CacheReusePolicy
    {
        ReuseNone = 0,
        ReuseSameGpu = 1,
    }

    /// <summary>
    /// The runtime a file is checked against: a MACE version on a device. Whatever is left null is taken from the file
    /// itself (the device that wrote it), so a file can be checked with no target at all.
    /// </summary>
    public sealed class MaceTarget
    {
        public MaceVersion? Version { get; set; }
        /// <summary>The platform-info string that runtime computes on the target device (mace-formats.md §2.2).</summary>
        public string? PlatformInfo { get; set; }
        /// <summary>MACE's device name for the target GPU (v1.1.1: "Adreno(TM) 640", a Mali CL_DEVICE_NAME, or "").</summary>
        public string? DeviceName { get; set; }
        public CacheReusePolicy ReusePolicy { get; set; } = CacheReusePolicy.ReuseSameGpu;

        /// <summary>Builds a target from user text; the version is any string a MACE build can report (<see cref="MaceVersion.ForRuntime"/>).</summary>
        public static MaceTarget From(string? maceVersion, string? platformInfo, string? deviceName, CacheReusePolicy policy = CacheReusePolicy.ReuseSameGpu) => new MaceTarget
        {
            Version = maceVersion == null ? null : MaceVersion.ForRuntime(maceVersion),
            PlatformInfo = platformInfo,
            DeviceName = deviceName,
            ReusePolicy = policy,
        };
    }
}
