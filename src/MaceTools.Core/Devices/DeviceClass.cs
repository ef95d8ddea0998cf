using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MaceTools.Devices
{
    /// <summary>
    /// What makes two devices interchangeable for a compiled binary: the platform version string, the device name and
    /// version, and the driver version. Programs are compiled once per class.
    /// </summary>
    public sealed class DeviceClass : IEquatable<DeviceClass>
    {
        /// <summary>The first device of each class, in order: programs depend on the class only, so one per class is built.</summary>
        public static List<MaceDevice> OnePerClass(IEnumerable<MaceDevice> devices) => devices.GroupBy(d => d.Class.Id).Select(g => g.First()).ToList();

        public DeviceClass(string platformVersion, string deviceName, string deviceVersion, string driverVersion)
        {
            PlatformVersion = platformVersion;
            DeviceName = deviceName;
            DeviceVersion = deviceVersion;
            DriverVersion = driverVersion;
            Id = Hashing.Sha256Hex(Encoding.UTF8.GetBytes(string.Join("\n", platformVersion, deviceName, deviceVersion, driverVersion))).Substring(0, 12);
        }

        public string PlatformVersion { get; }
        public string DeviceName { get; }
        public string DeviceVersion { get; }
        public string DriverVersion { get; }
        /// <summary>12 hex digits of the SHA-256 of the four strings: stable across machines and runs.</summary>
        public string Id { get; }

        public bool Equals(DeviceClass? other) => other != null && other.Id == Id && other.PlatformVersion == PlatformVersion
            && other.DeviceName == DeviceName && other.DeviceVersion == DeviceVersion && other.DriverVersion == DriverVersion;
        public override bool Equals(object? obj) => Equals(obj as DeviceClass);
        public override int GetHashCode() => Id.GetHashCode();
        public override string ToString() => $"{DeviceName} ({DriverVersion}) [{Id}]";
    }
}
