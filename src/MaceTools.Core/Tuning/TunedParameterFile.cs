using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Kernels;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MaceTools.Tuning
{
    /// <summary>
    /// Writes tuning results as the tuned-parameter file MACE loads (T1 up to v1.0.4, T2 from v1.1; mace-formats.md §1.3,
    /// §1.4, §4.2), and beside it our sidecar record, since MACE's file says nothing of the device, driver or sources.
    /// </summary>
    public static class TunedParameterFile
    {
        /// <summary>The sidecar's name: the tuned file's name plus this.</summary>
        public const string SidecarSuffix = ".macetools.json";

        /// <summary>
        /// Where an interrupted run writes the keys it tuned: the file's name plus <c>.partial</c>, so MACE (which looks for
        /// the exact name), a <c>*.bin</c> glob and Publish-MaceProgram never take it for the complete file, and a
        /// complete file of an earlier run is not replaced. Its sidecar says <c>complete: false</c>.
        /// </summary>
        public static string PartialPath(string path) => path + PartialSuffix;

        public const string PartialSuffix = ".partial";

        /// <summary>MACE's merged file name on the host (§4.1, §5.3).</summary>
        public static string FileName(string library, MaceDevice device) => Config.NameRule.DeviceFileName(library, "tuned_opencl_parameter", device);

        /// <summary>
        /// One record per tuning key (stored as the file key), and from v0.12 MACE_OPENCL_QUEUE_WINDOW_SIZE, which a tuning run
        /// of MACE always stores (the deployment file's opencl_queue_window_size, 0 when unset).
        /// </summary>
        public static List<KvRecord> Records(IEnumerable<MaceTuningResult> results, MaceVersion version, int queueWindowSize)
        {
            var records = results.GroupBy(r => r.FileKey, StringComparer.Ordinal).Select(g => KvRecord.Tuning(g.Key, g.Last().Parameters)).ToList();
            if (version.AtLeast(0, 12, 0)) records.Add(KvRecord.Tuning(Keys.QueueWindowSize, new[] { (uint)Math.Max(0, queueWindowSize) }));
            return records;
        }

        /// <summary>Results and records as JSON (camelCase): the sidecar, and a result's trip back from the tuning worker.</summary>
        internal static string ToJson(object value) =>
            new SerializerBuilder().JsonCompatible().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Serialize(value);

        /// <summary>Reads what <see cref="ToJson"/> wrote (JSON is YAML); computed properties such as GainPercent are skipped.</summary>
        internal static T FromJson<T>(string json) =>
            new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).IncludeNonPublicProperties()
                .IgnoreUnmatchedProperties().Build().Deserialize<T>(Config.BoundedYaml.Parser(json));

        /// <summary>Writes the tuned file and then its sidecar, each atomically (a temporary file renamed over the old one).</summary>
        public static void Write(string path, TuningRecord record, IReadOnlyList<MaceTuningResult> results, MaceVersion version, bool overwrite)
        {
            MaceFileCodec.WriteFile(path, MaceFileContent.Canonical(Records(results, version, record.QueueWindowSize)), version.TuningFormat, overwrite);
            record.TunedFile = Path.GetFileName(path);
            record.TunedFileSha256 = Hashing.Sha256File(path, InputKind.MaceFile);
            record.Kernels = results.ToList();
            string json = ToJson(record);
            byte[] bytes = new System.Text.UTF8Encoding(false).GetBytes(json);
            FileIO.WriteAtomic(path + SidecarSuffix, s => s.Write(bytes, 0, bytes.Length), overwrite: true);
        }
    }

    /// <summary>Our sidecar record of a tuning run: identity, settings and every measurement.</summary>
    public sealed class TuningRecord
    {
        public string Format { get; set; } = "macetools-tuning/1";
        public string Tool { get; set; } = "MaceTools " + Compilation.ProgramCompiler.ToolVersion;
        public string Created { get; set; } = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        /// <summary>False when the run was interrupted: the file holds the kernels tuned until then.</summary>
        public bool Complete { get; set; }
        public string Strategy { get; set; } = "";
        public int Seed { get; set; }
        public string MaceVersion { get; set; } = "";
        public string TunedFile { get; set; } = "";
        public string TunedFileSha256 { get; set; } = "";
        public string? Config { get; set; }
        public string? ConfigSha256 { get; set; }
        public bool LimitOpenclKernelTime { get; set; }
        public int QueueWindowSize { get; set; }
        public DeviceIdentityRecord Device { get; set; } = new DeviceIdentityRecord();
        public string KernelSourceOrigin { get; set; } = "";
        /// <summary>SHA-256 over the assembled sources of the programs tuned: other sources may want other sizes.</summary>
        public string KernelSourceSha256 { get; set; } = "";
        /// <summary>The re-timed total over <see cref="Kernels"/>: the gain the file gives, with its interval.</summary>
        public MaceTuningSummary? Summary { get; set; }
        /// <summary>Every tuned kernel, as emitted.</summary>
        public List<MaceTuningResult> Kernels { get; set; } = new List<MaceTuningResult>();

        public static string SourceHash(KernelSourceSet sources, IEnumerable<string> programs, MaceVersion version) =>
            KernelSourceSet.HashText(string.Join("\n", programs.Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => p + " " + sources.SourceHash(p, version))));

        public sealed class DeviceIdentityRecord
        {
            public string Name { get; set; } = "";
            public string Class { get; set; } = "";
            public string Vendor { get; set; } = "";
            public string DriverVersion { get; set; } = "";
            public string Version { get; set; } = "";
            public string PlatformInfo { get; set; } = "";
            public string MaceDeviceName { get; set; } = "";
            public int ComputeUnits { get; set; }
            public int MaxClockMHz { get; set; }

            public static DeviceIdentityRecord From(MaceDevice d, MaceVersion version) => new DeviceIdentityRecord
            {
                Name = d.Name, Class = d.Class.ToString(), Vendor = d.Vendor, DriverVersion = d.DriverVersion, Version = d.Version,
                PlatformInfo = d.PlatformInfoFor(version), MaceDeviceName = d.MaceDeviceName, ComputeUnits = d.ComputeUnits, MaxClockMHz = d.MaxClockMHz,
            };
        }
    }
}
