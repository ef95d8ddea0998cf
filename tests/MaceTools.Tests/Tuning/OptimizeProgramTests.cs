using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using MaceTools.Conversion;
using MaceTools.Formats;
using MaceTools.Kernels;
using MaceTools.Operations;
using MaceTools.Tests.ConversionTests;
using MaceTools.Tests.Models;
using MaceTools.Tests.OpenCLTests;
using MaceTools.Tests.Operations;
using MaceTools.Measurement;
using MaceTools.Tuning;
using MaceTools.Verification;
using Xunit;

namespace MaceTools.Tests.TuningTests
{
    /// <summary>The demo model tuned once on pocl with our strategy; the tests read what that run wrote and emitted.</summary>
    public sealed class TunedDemo : IDisposable
    {
        public TunedDemo()
        {
            Dir = new TempDir();
            Host = new RecordingHost(Dir.Path);
            new OptimizeProgramOperation { Config = OnnxConverterTests.Example("mace.yml"), Devices = { Pocl.Device }, Destination = Dir.Path, ModelCache = Dir.File("models"), PassThru = true }.Run(Host);
            Path = Directory.GetFiles(Dir.Path, "*_tuned_opencl_parameter.*.bin").Single();
        }

        public TempDir Dir { get; }
        public RecordingHost Host { get; }
        public string Path { get; }
        public void Dispose() => Dir.Dispose();
    }

    public class OptimizeProgramTests : IClassFixture<TunedDemo>
    {
        private readonly TunedDemo _demo;

        public OptimizeProgramTests(TunedDemo demo) => _demo = demo;

        internal static string SmallConfig(TempDir tmp, string extra = "    data_type: fp32_fp32\n")
        {
            string model = tmp.File("conv.onnx");
            File.Move(WinogradConversionTests.WithConstantWeight(OnnxNodeCase.Load("test_basic_conv_with_padding")), model);
            string yml = tmp.File("small.yml");
            File.WriteAllText(yml, $@"library_name: small
target_abis: [arm64-v8a]
model_graph_format: file
model_data_format: file
models:
  conv:
    platform: onnx
    model_file_path: {model}
    model_sha256_checksum: {Hashing.Sha256Hex(File.ReadAllBytes(model))}
    subgraphs:
      - input_tensors: x
        input_shapes: 1,1,5,5
        input_data_formats: NCHW
        output_tensors: y
        output_shapes: 1,1,5,5
    runtime: gpu
{extra}");
            return yml;
        }

        [Fact]
        public void Tuning_the_demo_model_writes_every_key_its_kernels_look_up_with_valid_sizes()
        {
            Assert.Empty(_demo.Host.Errors);
            var results = _demo.Host.Of<MaceTuningResult>().ToList();
            var set = OnnxConverter.Convert(MaceTools.Models.Onnx.OnnxModel.Load(OnnxConverterTests.Example("ch_ppocr_mobile_v2.0_cls_infer.onnx")), "cls",
                new[] { new ModelInput("x", new[] { 1, 3, 48, 192 }) }, null, new ConversionOptions(KernelTarget.For(Pocl.Device)) { GpuUnequalStrideDepthwise = true }); // as mace.yml asks
            Assert.Equal(set.TuningKeys.OrderBy(k => k, StringComparer.Ordinal), results.Select(r => r.TuningKey).OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal(set.Kernels.Count(k => k.TuningKey != null), results.Sum(r => r.SharedBy + 1));
            Assert.All(results, r =>
            {
                Assert.Equal(r.GlobalSize.Length, r.LocalSize.Length);
                Assert.True(r.LocalSize.Aggregate(1L, (a, b) => a * b) <= Pocl.Device.MaxWorkGroupSize, r.ToString());
                Assert.Equal(r.LocalSize.Append(0L).Select(v => (uint)v), r.Parameters);
                // timed inside the model: a size not measurably faster there than the default is not stored, and no gain is claimed for it
                if (r.Context == null) // not launched by an inference (weight transforms run once, at init): the per-kernel re-timing decides
                    Assert.Equal(r.Verdict == TuningVerdict.Faster ? r.SearchedLocalSize : r.DefaultLocalSize, r.LocalSize);
                else if (r.Context.KeptDefault) Assert.Equal(r.DefaultLocalSize, r.LocalSize);
                else
                {
                    Assert.Contains(r.LocalSize, r.ContextCandidates);
                    Assert.True(r.Context.GainLowPercent > 0, r.ToString());
                }
                Assert.Equal(LocalSizeSearch.RetimeRounds, r.DefaultRounds.Length);
            });
            Assert.All(results.Where(r => r.ContextCandidates.Length > 0 && set.Kernels.Any(k => !k.IsWeight && k.TuningKey == r.TuningKey)), r => Assert.NotNull(r.Context));
            var summary = Assert.Single(_demo.Host.Of<MaceTuningSummary>());
            Assert.Equal(results.Count, summary.Kernels);
            Assert.True(summary.InContext);
            Assert.Equal(results.Count(r => r.Context != null && !r.Context.KeptDefault), summary.ContextChanged);
            Assert.Contains(summary.ModelVerdict, Enum.GetNames(typeof(LatencyVerdict)));
            Assert.Equal(results.Count, summary.Faster + summary.NoMeasurableGain + summary.Slower + summary.DefaultChosen + results.Count(r => r.Verdict == TuningVerdict.DefaultRefused));
            Assert.Equal(results.Sum(r => r.Micros), summary.TunedMicros, 6);
            Assert.InRange(summary.GainPercent, summary.GainLowPercent, summary.GainHighPercent);
            Assert.Equal(LocalSizeSearch.RetimeRounds, summary.Rounds);

            var file = Assert.Single(_demo.Host.Of<MaceProgram>());
            Assert.Equal(MaceFileFormat.T2, file.Generation);
            var stored = file.Entries.Where(e => e.Kind == MaceEntryKind.TuningParameter).ToDictionary(e => e.Key, e => e.Words!);
            Assert.Equal(results.Count, stored.Count);
            Assert.All(results, r => Assert.Equal(r.Parameters, stored[r.FileKey]));
            Assert.Equal(new uint[] { 0 }, file.Entries.Single(e => e.Kind == MaceEntryKind.QueueWindowSize).Words);
        }

        [Fact]
        public void The_sidecar_names_the_device_the_sources_and_the_file_and_holds_every_measurement()
        {
            using var json = JsonDocument.Parse(File.ReadAllText(_demo.Path + TunedParameterFile.SidecarSuffix));
            var root = json.RootElement;
            Assert.True(root.GetProperty("complete").GetBoolean());
            Assert.Equal("Auto", root.GetProperty("strategy").GetString());
            Assert.Equal(MaceVersion.Latest.Text, root.GetProperty("maceVersion").GetString());
            Assert.Equal(Hashing.Sha256Hex(File.ReadAllBytes(_demo.Path)), root.GetProperty("tunedFileSha256").GetString());
            Assert.Equal(Pocl.Device.Class.ToString(), root.GetProperty("device").GetProperty("class").GetString());
            Assert.Equal(Pocl.Device.DriverVersion, root.GetProperty("device").GetProperty("driverVersion").GetString());
            Assert.Matches("^[0-9a-f]{64}$", root.GetProperty("kernelSourceSha256").GetString());
            var kernels = root.GetProperty("kernels").EnumerateArray().ToList();
            Assert.Equal(_demo.Host.Of<MaceTuningResult>().Count(), kernels.Count);
            Assert.All(kernels, k => Assert.True(k.GetProperty("trials").GetInt32() > 0));
            // every kernel's re-timed rounds, medians and gain interval, and the re-timed total
            Assert.All(kernels, k =>
            {
                Assert.Equal(LocalSizeSearch.RetimeRounds, k.GetProperty("defaultRounds").GetArrayLength());
                Assert.Equal(LocalSizeSearch.RetimeRounds, k.GetProperty("searchedRounds").GetArrayLength());
                Assert.True(k.GetProperty("defaultMicros").GetDouble() > 0);
                Assert.True(k.GetProperty("gainLowPercent").GetDouble() <= k.GetProperty("gainHighPercent").GetDouble());
                Assert.Contains(k.GetProperty("verdict").GetString(), Enum.GetNames(typeof(TuningVerdict)));
            });
            var summary = _demo.Host.Of<MaceTuningSummary>().Single();
            var stored = root.GetProperty("summary");
            Assert.Equal(summary.GainPercent, stored.GetProperty("gainPercent").GetDouble(), 6);
            Assert.Equal(summary.GainLowPercent, stored.GetProperty("gainLowPercent").GetDouble(), 6);
            Assert.Equal(summary.TunedMicros, stored.GetProperty("tunedMicros").GetDouble(), 6);
        }

        [Fact]
        public void Progress_names_each_kernel_and_completes()
        {
            var progress = _demo.Host.Progress;
            Assert.Contains(progress, p => p.Status.Contains("conv2d_3x3_opencl_kernel_1_24_96_8"));
            Assert.True(progress.Last().Completed);
        }

        [Fact]
        public void Test_program_with_the_deployment_file_finds_the_tuned_file_complete_and_a_foreign_one_wrong()
        {
            var op = new TestProgramOperation { Config = OnnxConverterTests.Example("mace.yml"), Device = Pocl.Device, Worker = Pocl.Worker, ModelCache = _demo.Dir.File("models") };
            var complete = Tested(op, _demo.Path);
            Assert.DoesNotContain(complete.Findings, f => f.Code == "KernelNotTuned" || f.Code == "TuningKeyNotLookedUp");

            // drop one key and add one nobody looks up: both are named
            var file = MaceProgram.Load(_demo.Path);
            var dropped = file.Entries.First(e => e.Kind == MaceEntryKind.TuningParameter);
            var records = file.Entries.Where(e => e != dropped).Select(e => KvRecord.Tuning(e.Key, e.Words!)).Append(KvRecord.Tuning("not_a_kernel_key", new uint[] { 1, 1, 1, 0 })).ToList();
            string edited = _demo.Dir.File("edited.bin");
            MaceFileCodec.WriteFile(edited, MaceFileContent.Canonical(records), MaceFileFormat.T2, overwrite: true);
            var partial = Tested(op, edited);
            Assert.True(partial.Passed);
            Assert.Equal(dropped.Key, Assert.Single(partial.Findings, f => f.Code == "KernelNotTuned").Key);
            Assert.Equal("not_a_kernel_key", Assert.Single(partial.Findings, f => f.Code == "TuningKeyNotLookedUp").Key);

            // MACE's own file from another model shares only the first conv's two weight transforms with the classifier
            var other = Tested(op, Fixtures.Path("pocl-v1.1.1.tuned_opencl_parameter.bin"));
            Assert.True(other.Passed);
            Assert.Equal(11, other.Findings.Count(f => f.Code == "TuningKeyNotLookedUp"));
            Assert.DoesNotContain(other.Findings, f => f.Key == "fy2AxAkxG344HrLHuDI8ED0[A, 9, B, E]" && f.Code == "TuningKeyNotLookedUp");

            string foreignPath = _demo.Dir.File("foreign.bin");
            MaceFileCodec.WriteFile(foreignPath, new[] { KvRecord.Tuning("not_a_kernel_key", new uint[] { 1, 1, 1, 0 }) }, MaceFileFormat.T2, overwrite: true);
            var foreign = Tested(op, foreignPath);
            Assert.False(foreign.Passed);
            Assert.Contains(foreign.Findings, f => f.Code == "TuningFileNotForModel" && f.Severity == FindingSeverity.Error);
        }

        private MaceTestResult Tested(TestProgramOperation op, string path)
        {
            var host = new RecordingHost(_demo.Dir.Path);
            op.Paths = new[] { path };
            op.LiteralPaths = true;
            op.Run(host);
            Assert.Empty(host.Errors);
            return Assert.Single(host.Of<MaceTestResult>());
        }

        [Fact]
        public void An_older_MACE_gets_a_T1_file_and_limit_opencl_kernel_time_a_block_size()
        {
            using var tmp = new TempDir();
            var config = SmallConfig(tmp, "    data_type: fp32_fp32\n    limit_opencl_kernel_time: 1\n    opencl_queue_window_size: 16\n");
            var host = new RecordingHost(tmp.Path);
            new OptimizeProgramOperation { Config = config, Devices = { Pocl.Device }, Version = MaceVersion.Parse("v1.0.4"), OutFile = "t1.bin", Strategy = TuningStrategy.Mace }.Run(host);
            Assert.Empty(host.Errors);
            var file = MaceProgram.Load(tmp.File("t1.bin"));
            Assert.Equal(MaceFileFormat.T1, file.Generation);
            Assert.Equal(new uint[] { 16 }, file.Entries.Single(e => e.Kind == MaceEntryKind.QueueWindowSize).Words);
            var results = host.Of<MaceTuningResult>().ToList();
            Assert.NotEmpty(results);
            Assert.All(results, r => Assert.True(r.Block > 0, r.ToString()));
            Assert.All(results, r => Assert.Equal(r.Parameters, file.Entries.Single(e => e.Key == r.FileKey).Words));
        }

        [Fact]
        public void Ctrl_C_keeps_what_was_tuned_under_the_partial_name_marked_incomplete_and_a_complete_run_replaces_it()
        {
            using var tmp = new TempDir();
            var config = SmallConfig(tmp);
            var host = new CancelAfterHost(tmp.Path, results: 2);
            Assert.ThrowsAny<OperationCanceledException>(() =>
                new OptimizeProgramOperation { Config = config, Devices = { Pocl.Device }, Destination = tmp.Path }.Run(host));
            string path = Directory.GetFiles(tmp.Path, "*" + TunedParameterFile.PartialSuffix).Single();
            Assert.Empty(Directory.GetFiles(tmp.Path, "*.bin")); // MACE's name is kept for a complete file
            var file = MaceProgram.Load(path);
            Assert.Equal(2, file.Entries.Count(e => e.Kind == MaceEntryKind.TuningParameter));
            Assert.Contains(host.Warnings, w => w.Contains("interrupted") && w.Contains("partial: 2 of"));
            using (var json = JsonDocument.Parse(File.ReadAllText(path + TunedParameterFile.SidecarSuffix)))
                Assert.False(json.RootElement.GetProperty("complete").GetBoolean());
            Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp", SearchOption.AllDirectories));

            var rerun = new RecordingHost(tmp.Path);
            new OptimizeProgramOperation { Config = config, Devices = { Pocl.Device }, Destination = tmp.Path }.Run(rerun);
            Assert.Empty(rerun.Errors);
            string complete = Directory.GetFiles(tmp.Path, "*.bin").Single();
            Assert.Equal(complete + TunedParameterFile.PartialSuffix, path);
            Assert.False(File.Exists(path));
            Assert.False(File.Exists(path + TunedParameterFile.SidecarSuffix));
            Assert.Equal(new[] { complete, complete + TunedParameterFile.SidecarSuffix }.OrderBy(p => p, StringComparer.Ordinal),
                Directory.GetFiles(tmp.Path).Where(p => !p.EndsWith(".yml") && !p.EndsWith(".onnx")).OrderBy(p => p, StringComparer.Ordinal));
        }

        [Fact]
        public void What_if_converts_but_launches_and_writes_nothing()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path, shouldProcess: false);
            new OptimizeProgramOperation { Config = SmallConfig(tmp), Devices = { Pocl.Device }, Destination = tmp.Path }.Run(host);
            Assert.Matches(@"^Tune \d+ kernel\(s\) on .* \(Auto\) and write MACE v1\.1\.1.* tuned parameters \(T2\)$", Assert.Single(host.ShouldProcessCalls).Action);
            Assert.Empty(host.Of<MaceTuningResult>());
            Assert.Empty(Directory.GetFiles(tmp.Path, "*.bin"));
        }

        [Fact]
        public void Half_weights_on_a_device_without_fp16_are_one_error_before_any_launch()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            var e = Assert.Throws<MaceException>(() => new OptimizeProgramOperation { Config = SmallConfig(tmp, "    data_type: fp16_fp32\n"), Devices = { Pocl.Device }, Destination = tmp.Path }.Run(host));
            Assert.Equal(ErrorIds.Unsupported, e.ErrorId);
            Assert.Contains("cl_khr_fp16", e.Message);
            Assert.Empty(host.Of<MaceTuningResult>());
            Assert.Empty(Directory.GetFiles(tmp.Path, "*.bin"));
        }

        [Fact]
        public void No_clobber_refuses_before_any_launch()
        {
            using var tmp = new TempDir();
            File.WriteAllText(tmp.File("keep.bin"), "precious");
            var host = new RecordingHost(tmp.Path);
            var e = Assert.Throws<MaceException>(() => new OptimizeProgramOperation { Config = SmallConfig(tmp), Devices = { Pocl.Device }, OutFile = "keep.bin", NoClobber = true }.Run(host));
            Assert.Equal(ErrorIds.OutputExists, e.ErrorId);
            Assert.Empty(host.Of<MaceTuningResult>());
            Assert.Equal("precious", File.ReadAllText(tmp.File("keep.bin")));
        }

        /// <summary>Cancels the operation (as Ctrl+C does) once it has emitted the given number of results.</summary>
        private sealed class CancelAfterHost : IOperationHost
        {
            private readonly RecordingHost _inner;
            private readonly int _results;

            public CancelAfterHost(string dir, int results)
            {
                _inner = new RecordingHost(dir);
                _results = results;
            }

            public System.Collections.Generic.List<string> Warnings => _inner.Warnings;
            public void WriteObject(object item)
            {
                _inner.WriteObject(item);
                if (_inner.Of<MaceTuningResult>().Count() == _results) _inner.Cancellation.Cancel();
            }
            public void WriteError(MaceException error) => _inner.WriteError(error);
            public void WriteWarning(string message) => _inner.WriteWarning(message);
            public void WriteVerbose(string message) => _inner.WriteVerbose(message);
            public void WriteDebug(string message) => _inner.WriteDebug(message);
            public void WriteProgress(OperationProgress progress) => _inner.WriteProgress(progress);
            public bool ShouldProcess(string target, string action) => _inner.ShouldProcess(target, action);
            public System.Threading.CancellationToken CancellationToken => _inner.CancellationToken;
            public string CurrentDirectory => _inner.CurrentDirectory;
        }
    }
}
