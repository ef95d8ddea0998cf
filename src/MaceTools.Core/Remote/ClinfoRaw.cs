using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using MaceTools.Devices;

namespace MaceTools.Remote
{
    /// <summary>
    /// Reads <c>clinfo --raw</c>: first each platform's <c>  CL_PLATFORM_*  value</c> lines (a new platform at each
    /// CL_PLATFORM_NAME), then per platform <c>[SUFFIX/*]</c> and per device <c>[SUFFIX/n]  CL_DEVICE_*  value</c> lines.
    /// The fallback for hosts without a MaceTools agent; gives the same <see cref="MaceDevice"/> objects, as far as clinfo says.
    /// </summary>
    public static class ClinfoRaw
    {
        private static readonly Regex PlatformLine = new Regex(@"^\s+(CL_PLATFORM_\w+)\s+(.*)$", RegexOptions.CultureInvariant);
        private static readonly Regex DeviceLine = new Regex(@"^\[([^/\]]+)/(\*|\d+)\]\s+(CL_\w+|#DEVICES)\s*(.*)$", RegexOptions.CultureInvariant);

        public static List<MaceDevice> Parse(string output)
        {
            var platforms = new List<Dictionary<string, string>>();
            var suffixes = new List<string>();
            var devices = new Dictionary<(string, int), Dictionary<string, string>>();
            var order = new List<(string Suffix, int Index)>();
            foreach (var raw in output.Split('\n'))
            {
                string line = raw.TrimEnd('\r');
                var d = DeviceLine.Match(line);
                if (d.Success)
                {
                    string suffix = d.Groups[1].Value;
                    if (!suffixes.Contains(suffix)) suffixes.Add(suffix);
                    if (d.Groups[2].Value == "*") continue;
                    var key = (suffix, int.Parse(d.Groups[2].Value, CultureInfo.InvariantCulture));
                    if (!devices.TryGetValue(key, out var fields)) { devices[key] = fields = new Dictionary<string, string>(StringComparer.Ordinal); order.Add(key); }
                    if (!fields.ContainsKey(d.Groups[3].Value)) fields[d.Groups[3].Value] = d.Groups[4].Value.Trim();
                    continue;
                }
                var p = PlatformLine.Match(line);
                if (!p.Success) continue;
                if (p.Groups[1].Value == "CL_PLATFORM_NAME" || platforms.Count == 0) platforms.Add(new Dictionary<string, string>(StringComparer.Ordinal));
                platforms[platforms.Count - 1][p.Groups[1].Value] = p.Groups[2].Value.Trim();
            }

            var list = new List<MaceDevice>();
            foreach (var (suffix, index) in order)
            {
                var f = devices[(suffix, index)];
                int pi = suffixes.IndexOf(suffix);
                var platform = pi < platforms.Count ? platforms[pi] : new Dictionary<string, string>();
                string Get(Dictionary<string, string> m, string k) => m.TryGetValue(k, out var v) ? v : "";
                long Num(string k) => long.TryParse(Get(f, k).Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : 0;
                var dev = new MaceDevice
                {
                    Id = list.Count.ToString(CultureInfo.InvariantCulture),
                    Index = list.Count,
                    Library = "clinfo",
                    PlatformIndex = pi,
                    PlatformName = Get(platform, "CL_PLATFORM_NAME"),
                    PlatformProfile = Get(platform, "CL_PLATFORM_PROFILE"),
                    PlatformVersion = Get(platform, "CL_PLATFORM_VERSION"),
                    PlatformVendor = Get(platform, "CL_PLATFORM_VENDOR"),
                    DeviceIndex = index,
                    Name = Get(f, "CL_DEVICE_NAME"),
                    Vendor = Get(f, "CL_DEVICE_VENDOR"),
                    Version = Get(f, "CL_DEVICE_VERSION"),
                    // "CL_DEVICE_TYPE_CPU | CL_DEVICE_TYPE_DEFAULT" → "CPU", as MaceDevice names types.
                    Type = string.Join(",", Get(f, "CL_DEVICE_TYPE").Split('|').Select(t => t.Trim().Replace("CL_DEVICE_TYPE_", ""))
                        .Where(t => t.Length > 0 && t != "DEFAULT").Select(t => t == "ACCELERATOR" ? "Accelerator" : t == "CUSTOM" ? "Custom" : t)),
                    DriverVersion = Get(f, "CL_DRIVER_VERSION"),
                    OpenCLCVersion = Get(f, "CL_DEVICE_OPENCL_C_VERSION"),
                    Extensions = Get(f, "CL_DEVICE_EXTENSIONS").Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries),
                    SupportsImages = Get(f, "CL_DEVICE_IMAGE_SUPPORT") == "CL_TRUE",
                    MaxWorkGroupSize = Num("CL_DEVICE_MAX_WORK_GROUP_SIZE"),
                    MaxWorkItemSizes = Get(f, "CL_DEVICE_MAX_WORK_ITEM_SIZES").Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries)
                        .Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : 0).ToArray(),
                    ComputeUnits = (int)Num("CL_DEVICE_MAX_COMPUTE_UNITS"),
                    MaxClockMHz = (int)Num("CL_DEVICE_MAX_CLOCK_FREQUENCY"),
                    GlobalMemCacheSize = Num("CL_DEVICE_GLOBAL_MEM_CACHE_SIZE"),
                    GlobalMemSize = Num("CL_DEVICE_GLOBAL_MEM_SIZE"),
                    LocalMemSize = Num("CL_DEVICE_LOCAL_MEM_SIZE"),
                    Image2DMaxWidth = Num("CL_DEVICE_IMAGE2D_MAX_WIDTH"),
                    Image2DMaxHeight = Num("CL_DEVICE_IMAGE2D_MAX_HEIGHT"),
                };
                if (dev.Type.Length == 0) dev.Type = "Default";
                list.Add(dev);
            }
            // As LocalDevices: MACE takes the first GPU of the first platform.
            var maceDefault = list.FirstOrDefault(x => x.PlatformIndex == 0 && x.IsGpu);
            if (maceDefault != null) maceDefault.IsMaceDefault = true;
            return list;
        }
    }
}
