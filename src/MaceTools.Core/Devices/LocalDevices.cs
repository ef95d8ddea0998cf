using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MaceTools.OpenCL;

namespace MaceTools.Devices
{
    /// <summary>The OpenCL devices of this machine, and the one rule for picking devices by id or name.</summary>
    public static class LocalDevices
    {
        /// <summary>Every device of every platform; marks the one MACE would take (first GPU of the first platform).</summary>
        public static List<MaceDevice> Discover(ClApi api)
        {
            var list = new List<MaceDevice>();
            var platforms = ClDeviceHandle.Enumerate(api);
            for (int p = 0; p < platforms.Count; p++)
                for (int d = 0; d < platforms[p].Count; d++)
                    list.Add(MaceDevice.FromHandle(platforms[p][d], list.Count, p, d));
            var maceDefault = list.FirstOrDefault(x => x.PlatformIndex == 0 && x.IsGpu);
            if (maceDefault != null) maceDefault.IsMaceDefault = true;
            string vm = VirtualMachine(ReadDeviceTreeCompatible());
            foreach (var d in list) d.VirtualMachine = vm;
            return list;
        }

        /// <summary>
        /// The virtual board named by a device tree's <c>compatible</c> strings (NUL-separated, as /sys/firmware/devicetree
        /// gives them), or "": qemu's arm virt board is <c>linux,dummy-virt</c>. Boards' own trees name their SoC instead.
        /// </summary>
        public static string VirtualMachine(string? compatible) =>
            compatible != null && compatible.Split('\0').Contains("linux,dummy-virt") ? "qemu virt board" : "";

        private static string? ReadDeviceTreeCompatible()
        {
            try { return System.IO.File.ReadAllText("/sys/firmware/devicetree/base/compatible"); }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException || e is NotSupportedException) { return null; }
        }

        public static List<MaceDevice> Discover() => Discover(ClApi.Default);

        /// <summary>A device of this machine by id or name part (see the other overload); discovers them first.</summary>
        public static MaceDevice Select(string? spec) => Select(Discover(), spec);

        /// <summary>
        /// A device by <paramref name="spec"/>: its id (the index in the list) or a unique substring of its name.
        /// Without a spec: the device MACE would pick, else the first device.
        /// </summary>
        public static MaceDevice Select(IReadOnlyList<MaceDevice> devices, string? spec)
        {
            if (devices.Count == 0)
                throw new MaceException(ErrorIds.DeviceNotFound, MaceErrorCategory.ObjectNotFound,
                    "no OpenCL device found: the OpenCL library loaded but reports no platform or device (is a driver such as pocl-opencl-icd installed?)", spec);
            if (string.IsNullOrEmpty(spec)) return devices.FirstOrDefault(d => d.IsMaceDefault) ?? devices[0];
            var byId = devices.FirstOrDefault(d => d.Id == spec);
            if (byId != null) return byId;
            if (int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                throw new MaceException(ErrorIds.DeviceNotFound, MaceErrorCategory.ObjectNotFound,
                    $"no device with id {spec}; the devices are {Describe(devices)}", spec);
            var byName = devices.Where(d => d.Name.IndexOf(spec, StringComparison.OrdinalIgnoreCase) >= 0).ToList();
            if (byName.Count == 1) return byName[0];
            throw new MaceException(ErrorIds.DeviceNotFound, MaceErrorCategory.ObjectNotFound, byName.Count == 0
                ? $"no device name contains '{spec}'; the devices are {Describe(devices)}"
                : $"'{spec}' matches {byName.Count} devices ({Describe(byName)}): give the id", spec);
        }

        private static string Describe(IEnumerable<MaceDevice> devices) => string.Join(", ", devices.Select(d => $"{d.Id}: {d.Name}"));
    }
}
