using System.Collections.Generic;
using System.Linq;
using MaceTools.Compilation;
using MaceTools.Operations;
using MaceTools.Remote;
using MaceTools.Tuning;
using MaceTools.Verification;

namespace MaceTools.Tests.Report
{
    /// <summary>Result objects of every kind the report shows, as the operations build them, with hostile names where users supply names.</summary>
    public static class ReportSamples
    {
        public const string HostileDevice = "<script>alert(1)</script> & \"pi's\" <b>";
        public const string HostileFile = "/tmp/<img src=x onerror=alert(1)>.bin";

        public static MaceMeasurement Measurement() => new MaceMeasurement
        {
            Path = "/data/paddleocr_cls_compiled_opencl_kernel.cpu.pocl.bin",
            Device = "cpu-haswell-AMD EPYC",
            Repeat = 3,
            CompilerStartMs = 41.5,
            Scope = "builds, and the first inference of the deployment file's kernel set",
            Entries = new[]
            {
                new MaceEntryMeasurement { Key = "conv_2d_1x1 -DCMD_DATA_TYPE=f -DDATA_TYPE=float", FromSourceMs = 120.25, FromBinaryMs = 2.5 },
                new MaceEntryMeasurement { Key = "pooling -DDATA_TYPE=float", FromSourceMs = 80.5, FromBinaryMs = 1.75 },
                new MaceEntryMeasurement { Key = "buffer_to_image -DDATA_TYPE=float", FromSourceMs = 33.0, FromBinaryMs = 1.25 },
            },
            Startup = new[]
            {
                new MaceStartup { Way = "Source", Programs = 3, Launches = 12, LoadMs = 240, FirstLaunchesMs = 900, SteadyMs = 30 },
                new MaceStartup { Way = "File", Programs = 3, Launches = 12, LoadMs = 6, FirstLaunchesMs = 35, SteadyMs = 30 },
            },
        };

        public static IEnumerable<MaceTuningResult> Tuning() => new[]
        {
            new MaceTuningResult { Device = "cpu-haswell", Kernel = "conv_2d_1x1", TuningKey = "conv_2d_1x1_opencl_kernel_1_32_32_64", LocalSize = new long[] { 4, 8, 1 }, DefaultLocalSize = new long[] { 8, 8, 1 }, Micros = 75, DefaultMicros = 100 },
            new MaceTuningResult { Device = "cpu-haswell", Kernel = "pooling", TuningKey = "pooling_opencl_kernel_1_16_16_32", LocalSize = new long[] { 16, 1, 1 }, DefaultLocalSize = new long[] { 8, 8, 1 }, Micros = 52, DefaultMicros = 50 },
            new MaceTuningResult { Device = "cpu-haswell", Kernel = "eltwise", TuningKey = "eltwise_opencl_kernel_1_16_16_32", LocalSize = new long[] { 32, 2, 1 }, DefaultLocalSize = new long[] { 8, 8, 1 }, Micros = 30, DefaultMicros = 60 },
        };

        public static MaceTestResult Test() => new MaceTestResult(HostileFile, MaceFileFormat.G2, MaceFileKind.Programs,
            new[] { new MaceFinding(FindingSeverity.Warning, "SlowStart", "two programs are rebuilt <from source>", MaceSymptom.SlowStart) },
            new MaceRuntimeVerdict[0], "cpu-haswell", new[]
            {
                new MaceEntryLoad { Key = "conv_2d_1x1 -DDATA_TYPE=float", Status = EntryLoadStatus.Loaded, Stage = "ok", WallMs = 3.5 },
                new MaceEntryLoad { Key = "pooling -DDATA_TYPE=float", Status = EntryLoadStatus.Rejected, StatusName = "CL_INVALID_BINARY", Stage = "create", WallMs = 0.5 },
            });

        public static IEnumerable<object> Fleet() => new object[]
        {
            new PublishResult { Device = "pi-1", Transport = "ssh", Status = PublishStatus.Published, File = "a.bin", Path = "/srv/a.bin" },
            new PublishResult { Device = "pi-2", Transport = "ssh", Status = PublishStatus.Unchanged, File = "a.bin", Path = "/srv/a.bin" },
            new PublishResult { Device = HostileDevice, Transport = "ssh", Status = PublishStatus.Failed, ErrorId = ErrorIds.RemoteUnreachable, Error = HostileDevice + ": connection refused", Path = "/srv/a.bin" },
            new MaceDriftResult { Device = "pi-1", Verdict = DriftVerdict.Kept, KeptKeys = new[] { "conv_2d_1x1" }, DeviceFile = "/srv/mace_cl_compiled_program.bin" },
            new MaceDriftResult { Device = "pi-2", Verdict = DriftVerdict.PartlyRebuilt, KeptKeys = new[] { "a" }, RebuiltKeys = new[] { "b" }, DeviceFile = "/srv/mace_cl_compiled_program.bin" },
        };

        /// <summary>One of each: what a CI run of measure, tune, test, publish and drift collects.</summary>
        public static List<object> All() => new object[] { Measurement() }.Concat(Tuning()).Append(Test()).Concat(Fleet()).ToList();
    }
}
