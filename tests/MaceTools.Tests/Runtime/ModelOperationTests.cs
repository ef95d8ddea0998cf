using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MaceTools.Conversion;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Operations;
using MaceTools.Runtime;
using MaceTools.Tests.OpenCLTests;
using MaceTools.Tests.Operations;
using MaceTools.Tuning;
using Xunit;
using static MaceTools.Tests.Cli.CliRunner;

namespace MaceTools.Tests.Runtime
{
    /// <summary>Invoke-MaceModel's and Test-MaceModel's operations (RecordingHost) and the CLI's model verb on the example classifier.</summary>
    public class ModelOperationTests
    {
        /// <summary>The example deployment file and model in a temporary folder, with extra subgraph keys appended.</summary>
        private static string Config(TempDir tmp, string extra = "")
        {
            string dir = Path.Combine(Fixtures.RepoRoot, "examples", "paddleocr");
            File.Copy(Path.Combine(dir, "ch_ppocr_mobile_v2.0_cls_infer.onnx"), tmp.File("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
            string yml = File.ReadAllText(Path.Combine(dir, "mace.yml"));
            if (extra.Length > 0) yml = yml.Replace("        output_data_formats: NONE\n", "        output_data_formats: NONE\n" + extra);
            File.WriteAllText(tmp.File("mace.yml"), yml);
            return tmp.File("mace.yml");
        }

        private static float[] InputValues(int seed) => ModelData.Random(new Conversion.ModelTensor("x", new[] { 1, 3, 48, 192 }), new[] { 0.0, 1.0 }, seed).Data;

        [Fact]
        public void Invoke_runs_an_input_file_and_writes_the_output_as_raw_float32()
        {
            using var tmp = new TempDir();
            string config = Config(tmp);
            File.WriteAllBytes(tmp.File("x.raw"), ModelData.ToBytes(InputValues(5)));
            var host = new RecordingHost(tmp.Path);
            new InvokeModelOperation { Config = config, Devices = new List<MaceDevice> { Pocl.Device }, Input = new[] { "x.raw" }, Round = 2, OutputPath = "out", Worker = Pocl.Worker }.Run(host);
            Assert.Empty(host.Errors);
            var run = Assert.Single(host.Of<MaceModelRun>());
            var output = Assert.Single(run.Outputs);
            Assert.Equal("softmax_0.tmp_0", output.Name);
            Assert.Equal(new[] { 1, 2 }, output.Shape);
            Assert.Equal(1.0, output.Data.Sum(), 4); // a softmax
            Assert.Equal(2, run.WallMs.Length);
            Assert.Equal(new[] { 0.0, 0.0 }, run.CpuMs); // mace.yml keeps every node on the GPU
            Assert.Equal(tmp.File("x.raw"), run.InputSource);
            string file = Assert.Single(run.Files);
            Assert.Equal(Path.Combine(tmp.Path, "out", "ppocr_cls_softmax_0.tmp_0.raw"), file);
            Assert.Equal(ModelData.ToBytes(output.Data), File.ReadAllBytes(file));
            Assert.Contains(run.Kernels, k => k.Node == "p2o.Conv.0" && k.Microseconds > 0);
        }

        [Fact]
        public void Test_takes_the_threshold_from_validation_threshold_and_the_samples_from_validation_inputs_data()
        {
            using var tmp = new TempDir();
            string config = Config(tmp, "        validation_threshold:\n          GPU: 0.9\n        validation_inputs_data: [x.raw]\n");
            File.WriteAllBytes(tmp.File("x.raw"), ModelData.ToBytes(InputValues(9)));
            var host = new RecordingHost(tmp.Path);
            new TestModelOperation { Config = config, Worker = Pocl.Worker, Devices = new List<MaceDevice> { Pocl.Device } }.Run(host);
            var r = Assert.Single(host.Of<MaceValidationResult>());
            Assert.Equal(0.9, r.Threshold);
            Assert.Equal(1, r.Samples);
            Assert.True(r.Passed);
            Assert.True(r.Cosine >= 0.99999, $"cosine {r.Cosine}");
            Assert.Null(r.DivergentNode);
        }

        [Fact]
        public void A_wrong_sized_input_file_is_an_InvalidInput_error_naming_the_input_and_its_shape()
        {
            using var tmp = new TempDir();
            string config = Config(tmp);
            File.WriteAllBytes(tmp.File("x.raw"), ModelData.ToBytes(InputValues(1).Take(100).ToArray()));
            var e = Assert.Throws<MaceException>(() => new InvokeModelOperation { Config = config, Input = new[] { "x.raw" }, Worker = Pocl.Worker, Devices = new List<MaceDevice> { Pocl.Device } }.Run(new RecordingHost(tmp.Path)));
            Assert.Equal(ErrorIds.InvalidInput, e.ErrorId);
            Assert.Contains("input 'x' (float32 [1, 3, 48, 192], 27648 values)", e.Message);
        }

        [Fact]
        public void An_adb_device_is_an_Unsupported_error_that_names_it_and_says_model_runs_need_ssh_or_local()
        {
            using var tmp = new TempDir();
            var phone = new MaceDevice { Transport = "adb", Target = "mi9", Address = "serial 1234abcd", Name = "QUALCOMM Adreno(TM)" };
            var e = Assert.Throws<MaceException>(() => new InvokeModelOperation { Config = Config(tmp), Devices = new List<MaceDevice> { phone }, Worker = Pocl.Worker }.Run(new RecordingHost(tmp.Path)));
            Assert.Equal(ErrorIds.Unsupported, e.ErrorId);
            Assert.Contains("mi9 (serial 1234abcd)", e.Message);
            Assert.Contains("local OpenCL device or on a Linux host over ssh", e.Message);
            Assert.Contains("until a phone is at hand", e.Message);
        }

        [Fact]
        public void The_CLI_validates_with_JSON_results_and_exits_1_when_the_threshold_is_not_met()
        {
            using var tmp = new TempDir();
            string config = Config(tmp);
            var (code, stdout, stderr) = Run(tmp.Path, "model", "validate", "--config", config, "--count", "2", "--json");
            Assert.True(code == 0, stderr);
            var r = JsonLine(stdout);
            Assert.True(r.GetProperty("passed").GetBoolean());
            Assert.Equal("softmax_0.tmp_0", r.GetProperty("output").GetString());
            // No fp32 run reaches a cosine of 1 + 1e-9: a failed result, exit 1, and the first divergent node named.
            (code, stdout, stderr) = Run(tmp.Path, "model", "validate", "--config", config, "--count", "1", "--threshold", "1.000000001", "--json");
            Assert.True(code == 1, stderr);
            r = JsonLine(stdout);
            Assert.False(r.GetProperty("passed").GetBoolean());
            Assert.Equal("p2o.Conv.0", r.GetProperty("divergentNode").GetProperty("kernelNode").GetString());
        }

        [Fact]
        public void Random_inputs_are_drawn_in_the_yml_input_ranges()
        {
            using var tmp = new TempDir();
            // A range of one value makes the random input that value: the run must equal one on a file of zeros.
            string config = Config(tmp, "        input_ranges: 0,0\n");
            File.WriteAllBytes(tmp.File("zeros.raw"), new byte[1 * 3 * 48 * 192 * 4]);
            var host = new RecordingHost(tmp.Path);
            new InvokeModelOperation { Config = config, Devices = new List<MaceDevice> { Pocl.Device }, Worker = Pocl.Worker }.Run(host);
            new InvokeModelOperation { Config = config, Devices = new List<MaceDevice> { Pocl.Device }, Input = new[] { "zeros.raw" }, Worker = Pocl.Worker }.Run(host);
            var runs = host.Of<MaceModelRun>().ToList();
            Assert.Equal(2, runs.Count);
            Assert.StartsWith("random", runs[0].InputSource);
            Assert.Equal(runs[1].Outputs[0].Data, runs[0].Outputs[0].Data);
        }
    

        /// <summary>A tuned file that gives the first tuned convolution of the example a local size of its own (1×1×2).</summary>
        private static (string File, KernelSet Set) TunedFile(TempDir tmp, string config)
        {
            var host = new RecordingHost(tmp.Path);
            using var fetcher = ConfigConversion.Fetcher(tmp.File("models"), host);
            var set = ConfigConversion.Convert(MaceTools.Config.MaceConfigReader.Read(config), Pocl.Device, MaceVersion.Latest, fetcher, host).Single();
            var conv = set.Kernels.First(k => k.TuningKey != null && k.Launch.Dimensions == 3);
            string file = tmp.File("ppocr_cls_tuned_opencl_parameter.bin");
            TunedParameterFile.Write(file, new TuningRecord(), new[]
            {
                new MaceTuningResult { Kernel = conv.Kernel, TuningKey = conv.TuningKey!, FileKey = conv.TuningFileKey!, GlobalSize = conv.GlobalSize,
                    LocalSize = new long[] { 1, 1, 2 }, Parameters = new uint[] { 1, 1, 2, 0 } },
            }, MaceVersion.Latest, overwrite: true);
            return (file, set);
        }

        [Fact]
        public void Measure_reports_default_tuned_and_ONNX_Runtime_side_by_side_with_gains_overhead_and_a_per_op_profile()
        {
            using var tmp = new TempDir();
            string config = Config(tmp);
            var (tuned, set) = TunedFile(tmp, config);
            var host = new RecordingHost(tmp.Path);
            new MeasureModelOperation { Config = config, Devices = new List<MaceDevice> { Pocl.Device }, TunedParameters = new[] { tuned }, Round = 3, Worker = Pocl.Worker }.Run(host);
            Assert.Empty(host.Errors);
            var ways = host.Of<MaceLatencyResult>().ToList();
            Assert.Equal(new[] { MeasureModelOperation.DefaultWay, "tuned: ppocr_cls_tuned_opencl_parameter.bin", MeasureModelOperation.ReferenceWay }, ways.Select(w => w.Way));
            var ops = set.Kernels.Where(k => !k.IsWeight).Select(k => k.Op).Distinct().OrderBy(o => o, StringComparer.Ordinal);
            foreach (var w in ways)
            {
                Assert.Equal(3, w.WallMs.Length);
                Assert.True(w.Latency.Median > 0, w.ToString());
                Assert.True(w.FirstInferenceMs > 0, w.ToString());
                Assert.InRange(w.HostOverhead, 0, 1);
                Assert.Equal(w.Way == MeasureModelOperation.DefaultWay, w.Gain == null);
                if (w.Gain != null) Assert.InRange(w.Gain.GainPercent, w.Gain.GainLowPercent, w.Gain.GainHighPercent);
                if (w.Way == MeasureModelOperation.ReferenceWay) { Assert.Empty(w.Profile); continue; }
                // Every op type of the kernel set, its kernels' times adding up to the inference's kernel time.
                Assert.Equal(ops, w.Profile.Select(p => p.Op).OrderBy(o => o, StringComparer.Ordinal));
                Assert.Equal(set.Kernels.Count(k => !k.IsWeight), w.Profile.Sum(p => p.Kernels));
                Assert.True(w.KernelMs > 0 && w.KernelMs <= w.Latency.Max, w.ToString());
            }
            // A tuned file was given: nothing to warn about.
            Assert.Empty(host.Warnings);
        }

        [Fact]
        public void Measure_without_a_tuned_file_warns_that_a_gain_needs_one_and_the_CLI_prints_JSON()
        {
            using var tmp = new TempDir();
            string config = Config(tmp);
            var (code, stdout, stderr) = Run(tmp.Path, "model", "measure", "--config", config, "--round", "2", "--no-reference", "--json");
            Assert.True(code == 0, stderr);
            var r = JsonLine(stdout);
            Assert.Equal(MeasureModelOperation.DefaultWay, r.GetProperty("way").GetString());
            Assert.Equal(2, r.GetProperty("wallMs").GetArrayLength());
            Assert.True(r.GetProperty("profile").GetArrayLength() > 0);
            Assert.Contains("a gain needs -TunedParameter", stderr);
            // The text view: the ways' table, then each way's per-op profile.
            (code, stdout, stderr) = Run(tmp.Path, "model", "measure", "--config", config, "--round", "2");
            Assert.True(code == 0, stderr);
            Assert.Matches(@"ppocr_cls\s+\S.*\s+default sizes\s+2\s", stdout);
            Assert.Matches(@"ppocr_cls\s+\S.*\s+ONNX Runtime CPU\s+2\s.*(Faster|Slower|Tie)", stdout);
            Assert.Matches(@"default sizes: .*conv2d ×[0-9]+: [0-9.]+ µs", stdout);
        }
    }
}
