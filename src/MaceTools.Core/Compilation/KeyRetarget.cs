using System;
using System.Linq;
using MaceTools.Devices;
using MaceTools.Formats;

namespace MaceTools.Compilation
{
    /// <summary>
    /// A program key as MACE would compute it on another device: the options that depend on the device are recomputed
    /// (mace-formats.md §3.1, §3.6); everything else (data type, activation, kernel define) is the op's and stays.
    /// </summary>
    public static class KeyRetarget
    {
        private const string NonUniform = "-DNON_UNIFORM_WORK_GROUP";
        private const string NonAdreno = "-DNON_QUALCOMM_ADRENO";
        /// <summary>Kernels whose ops add -DNON_QUALCOMM_ADRENO on every GPU but Adreno (MACE v1.1's reduce_hw does not).</summary>
        private static readonly string[] AdrenoSensitive = { "fully_connected_width", "reduce" };

        public static string For(string key, MaceDevice device, MaceVersion version)
        {
            var parsed = ProgramKey.Parse(key);
            var options = parsed.Options.Where(o => o != NonUniform && o != NonAdreno).ToList();
            if (device.NonUniformWorkGroupFor(version)) options.Add(NonUniform);
            if (AdrenoSensitive.Contains(parsed.Kernel?.Name, StringComparer.Ordinal) && device.GpuType != MaceGpuType.Adreno) options.Add(NonAdreno);
            return ProgramKey.Build(parsed.Program, options);
        }

        /// <summary>A key whose data type is half needs cl_khr_fp16 on the device.</summary>
        public static bool NeedsFp16(string key) => ProgramKey.Parse(key).Options.Any(o =>
            o == "-DDATA_TYPE=half" || o == "-DCMD_DATA_TYPE=h" || o == "-DIN_DATA_TYPE=half" || o == "-DOUT_DATA_TYPE=half");
    }
}
