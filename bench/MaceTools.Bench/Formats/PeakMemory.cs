using System;
using System.Globalization;
using System.IO;

namespace MaceTools.Formats
{
    /// <summary>The process's peak resident memory from /proc (Linux), for the benchmarks' memory figures.</summary>
    internal static class PeakMemory
    {
        /// <summary>Writing "5" to /proc/self/clear_refs resets VmHWM to the current RSS (Linux 4.0+).</summary>
        public static bool Reset()
        {
            try
            {
                if (!File.Exists("/proc/self/status")) return false;
                File.WriteAllText("/proc/self/clear_refs", "5");
                return Read("VmHWM:") > 0;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
        }

        public static long Read(string field)
        {
            foreach (string line in File.ReadAllLines("/proc/self/status"))
            {
                if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
                string[] parts = line.Substring(field.Length).Trim().Split(' ');
                return long.Parse(parts[0], CultureInfo.InvariantCulture) * (parts.Length > 1 && parts[parts.Length - 1] == "kB" ? 1024 : 1);
            }
            return 0;
        }
    }
}
