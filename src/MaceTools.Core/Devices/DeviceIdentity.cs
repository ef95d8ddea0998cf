using System;
using System.Linq;

namespace MaceTools.Devices
{
    /// <summary>MACE's GPU families (opencl_executor.cc@v1.1.1:217-231); everything else is UNKNOWN.</summary>
    public enum MaceGpuType
    {
        Unknown,
        Adreno,
        Mali,
        PowerVR,
    }

    /// <summary>
    /// How MACE derives a device's identity from OpenCL strings (mace-formats.md §2.2, §2.3, §3.1). Every rule is a pure
    /// function of the strings, so it can be checked against the real fixtures without the device.
    /// </summary>
    public static class DeviceIdentity
    {
        private static readonly string[] KnownOpenClVersions = { "3.0", "2.1", "2.0", "1.2", "1.1", "1.0" };

        /// <summary>ParseGPUType(CL_DEVICE_NAME): exactly "QUALCOMM Adreno(TM)", else contains "Mali" / "PowerVR".</summary>
        public static MaceGpuType GpuType(string deviceName) =>
            deviceName == "QUALCOMM Adreno(TM)" ? MaceGpuType.Adreno
            : deviceName.Contains("Mali") ? MaceGpuType.Mali
            : deviceName.Contains("PowerVR") ? MaceGpuType.PowerVR
            : MaceGpuType.Unknown;

        /// <summary>
        /// device_name_ (v1.1.1): Adreno: CL_DEVICE_VERSION after its second space ("OpenCL 2.0 Adreno(TM) 640" gives
        /// "Adreno(TM) 640"), Mali and PowerVR: CL_DEVICE_NAME, otherwise "" (and then the cache is never reused).
        /// </summary>
        public static string MaceDeviceName(string deviceName, string deviceVersion)
        {
            switch (GpuType(deviceName))
            {
                case MaceGpuType.Adreno:
                    int first = deviceVersion.IndexOf(' ');
                    int second = first < 0 ? -1 : deviceVersion.IndexOf(' ', first + 1);
                    return second < 0 ? "" : deviceVersion.Substring(second + 1);
                case MaceGpuType.Mali:
                case MaceGpuType.PowerVR:
                    return deviceName;
                default:
                    return "";
            }
        }

        /// <summary>Split(CL_DEVICE_VERSION, ' ')[1] when it is one MACE accepts; null where MACE's check is fatal.</summary>
        public static string? OpenClVersion(string deviceVersion)
        {
            var words = deviceVersion.Split(' ');
            return words.Length > 1 && KnownOpenClVersions.Contains(words[1]) ? words[1] : null;
        }

        /// <summary>
        /// Whether MACE adds -DNON_UNIFORM_WORK_GROUP: Adreno with OpenCL &gt;= 2.0 from v0.12.0, exactly 2.0 before.
        /// </summary>
        public static bool NonUniformWorkGroup(MaceGpuType gpu, string? openClVersion, MaceVersion mace)
        {
            if (gpu != MaceGpuType.Adreno || openClVersion == null) return false;
            var v = Version.Parse(openClVersion);
            return mace.AtLeast(0, 12, 0) ? v >= new Version(2, 0) : v == new Version(2, 0);
        }

        /// <summary>platform_info_ = name, profile, version[, MaceVersion()] of the first platform (§2.2).</summary>
        public static string PlatformInfo(string platformName, string profile, string platformVersion, MaceVersion mace) =>
            $"{platformName}, {profile}, {platformVersion}" + (mace.PlatformInfoHasVersion ? ", " + mace.Text : "");

        /// <summary>A file-name part from free text: MACE strips spaces from model names; we also drop what a file system would not take.</summary>
        public static string FileNamePart(string text)
        {
            var chars = text.Where(c => char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == '(' || c == ')').ToArray();
            return chars.Length == 0 ? "unknown" : new string(chars);
        }
    }
}
