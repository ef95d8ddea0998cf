using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MaceTools.Conversion;
using MaceTools.Devices;
using MaceTools.Models.Onnx;
using MaceTools.Operations;
using MaceTools.Runtime;
using MaceTools.Tests.OpenCLTests;
using MaceTools.Tests.Operations;
using Xunit;

namespace MaceTools.Tests.Runtime
{
    /// <summary>
    /// MACE's placement end to end: the C# CPU ops worked by hand, the recogniser's LayerNorm folded, Get-MaceKernel -Config
    /// listing the CPU-placed nodes, and the three PaddleOCR models of examples/paddleocr/mace-ocr.yml (GPU and CPU nodes
    /// mixed) validated against ONNX Runtime on pocl.
    /// </summary>
    public class PlacementTests
    {
        private static readonly Dictionary<string, float[]> None = new Dictionary<string, float[]>();
        private static string Example(string name) => Path.Combine(Fixtures.RepoRoot, "examples", "paddleocr", name);

        private static (int[] Shape, float[] Data) Run(string op, Dictionary<string, float[]> attrs, params (int[], float[])[] x) =>
            CpuOps.Run(op, attrs, x).Single();

        [Fact]
        public void Cpu_transpose_and_batched_matmul_follow_ONNX()
        {
            // [2, 3] = [[1, 2, 3], [4, 5, 6]] transposed: [[1, 4], [2, 5], [3, 6]].
            var t = Run("Transpose", new Dictionary<string, float[]> { ["perm"] = new float[] { 1, 0 } }, (new[] { 2, 3 }, new float[] { 1, 2, 3, 4, 5, 6 }));
            Assert.Equal(new[] { 3, 2 }, t.Shape);
            Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, t.Data);
            // Batch 2 of [1, 2] x a shared [2, 2] (broadcast): [1, 2]·[[1, 0], [1, 1]] = [3, 2]; [3, 4]· = [7, 4].
            var m = Run("MatMul", None, (new[] { 2, 1, 2 }, new float[] { 1, 2, 3, 4 }), (new[] { 2, 2 }, new float[] { 1, 0, 1, 1 }));
            Assert.Equal(new[] { 2, 1, 2 }, m.Shape);
            Assert.Equal(new float[] { 3, 2, 7, 4 }, m.Data);
        }

        [Fact]
        public void Cpu_softmax_reduce_and_layernorm_work_on_the_axis_they_name()
        {
            // Softmax over the last axis of [1, 2]: equal inputs → 0.5 each; over axis 0 of [2, 1]: the same.
            Assert.Equal(new float[] { 0.5f, 0.5f }, Run("Softmax", new Dictionary<string, float[]> { ["axis"] = new float[] { -1 } }, (new[] { 1, 2 }, new float[] { 3, 3 })).Data);
            // ReduceMean over axis 1 of [[1, 3], [5, 7]] keeping dims: [[2], [6]].
            var r = Run("ReduceMean", new Dictionary<string, float[]> { ["axes"] = new float[] { 1 } }, (new[] { 2, 2 }, new float[] { 1, 3, 5, 7 }));
            Assert.Equal(new[] { 2, 1 }, r.Shape);
            Assert.Equal(new float[] { 2, 6 }, r.Data);
            // LayerNorm of [1, 3] over the last axis: mean 2, variance 1/2·... ([−1, 0, 1], var 2/3) → ±1/√(2/3) ≈ ±1.2247; γ 2, β 1.
            var ln = CpuOps.LayerNorm((new[] { 1, 3 }, new float[] { 1, 2, 3 }), new float[] { 2 }, new float[] { 1 }, -1, 0)[0].Item2;
            Assert.Equal(1 - 2 * 1.2247449, ln[0], 5);
            Assert.Equal(1, ln[1], 5);
            Assert.Equal(1 + 2 * 1.2247449, ln[2], 5);
        }

        [Fact]
        public void Cpu_slice_gather_and_broadcast_eltwise_follow_ONNX()
        {
            var x = (new[] { 2, 3 }, new float[] { 1, 2, 3, 4, 5, 6 });
            var s = Run("Slice", new Dictionary<string, float[]> { ["starts"] = new float[] { 1 }, ["ends"] = new float[] { 3 }, ["axes"] = new float[] { 1 } }, x);
            Assert.Equal(new[] { 2, 2 }, s.Shape);
            Assert.Equal(new float[] { 2, 3, 5, 6 }, s.Data);
            var g = Run("Gather", new Dictionary<string, float[]> { ["axis"] = new float[] { 0 } }, x, (new int[0], new float[] { 1 }));
            Assert.Equal(new[] { 3 }, g.Shape);
            Assert.Equal(new float[] { 4, 5, 6 }, g.Data);
            var add = Run("Add", None, x, (new[] { 3 }, new float[] { 10, 20, 30 }));
            Assert.Equal(new float[] { 11, 22, 33, 14, 25, 36 }, add.Data);
        }

        [Fact]
        public void The_recognisers_LayerNorm_chains_fold_into_one_CPU_node_each_and_its_attention_runs_on_the_CPU()
        {
            var model = OnnxModel.Load(Example("ch_PP-OCRv4_rec_infer.onnx"));
            var set = OnnxConverter.Convert(model, Example("ch_PP-OCRv4_rec_infer.onnx"), new[] { new ModelInput("x", new[] { 1, 3, 48, 320 }) }, null,
                new ConversionOptions(new MaceTools.Kernels.KernelTarget(MaceTools.MaceVersion.Latest, false, false)) { ModelName = "ppocr_rec" });
            int chains = model.Graph.Nodes.Count(n => n.OpType == "Sqrt");
            var norms = set.CpuNodes.Where(c => c.Op == "LayerNormalization").ToList();
            Assert.Equal(chains, norms.Count);
            Assert.True(chains >= 5, $"{chains} LayerNorm chains");
            // No part of a chain is left: no ReduceMean, Pow or Sqrt anywhere.
            Assert.DoesNotContain(set.CpuNodes, c => c.Op == "Pow" || c.Op == "Sqrt");
            Assert.All(set.CpuNodes.Where(c => c.Op == "ReduceMean"), c => Assert.StartsWith("p2o.GlobalAveragePool", c.Node)); // MACE's placement, not a chain
            Assert.All(norms, c => Assert.InRange(c.Float("epsilon", 0), 1e-7f, 1e-3f)); // the chain's Add constant
            // Attention: softmax over the last axis and the q·kᵀ product have no MACE GPU kernel.
            Assert.Contains(set.CpuNodes, c => c.Op == "Softmax");
            Assert.Contains(set.CpuNodes, c => c.Op == "MatMul");
            // The convolutional backbone stays on the GPU.
            Assert.True(set.Kernels.Count(k => k.Op == "conv2d") > 20);
        }

        [Fact]
        public void Get_kernel_with_a_config_lists_the_CPU_placed_nodes_after_the_launches()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            new GetKernelOperation { Config = Example("mace-ocr.yml"), Devices = { Pocl.Device }, ModelCache = tmp.File("models") }.Run(host);
            Assert.Empty(host.Errors);
            var placements = host.Of<MaceNodePlacement>().ToList();
            Assert.DoesNotContain(placements, p => p.Model == "ppocr_det"); // the detector runs on the GPU only
            Assert.Equal(4, placements.Count(p => p.Model == "ppocr_cls" && p.Op == "Conv"));
            Assert.Contains(placements, p => p.Model == "ppocr_rec" && p.Op == "LayerNormalization");
            Assert.All(placements, p => Assert.Equal("CPU", p.Device));
            Assert.All(placements, p => Assert.NotEmpty(p.Reason));
        }

        [Fact]
        public void New_program_builds_only_the_GPU_parts_programs_of_the_three_models_and_every_one_loads()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            new NewProgramOperation
            {
                Config = Example("mace-ocr.yml"), Devices = { Pocl.Device }, Cache = new MaceTools.Compilation.BuildCache(tmp.File("cache")), Worker = Pocl.Worker,
                Destination = tmp.Path, ModelCache = tmp.File("models"),
            }.Run(host);
            Assert.Empty(host.Errors);
            var file = Assert.Single(host.Of<MaceProgram>());
            var keys = file.Entries.Where(e => e.Kind == MaceEntryKind.Program).Select(e => e.Key).ToList();
            Assert.Contains(keys, k => k.StartsWith("deconv_2d ", StringComparison.Ordinal));
            Assert.Contains(keys, k => k.StartsWith("resize_nearest_neighbor ", StringComparison.Ordinal));
            // The classifier's unequal-stride depthwise convs are on the CPU here: no program takes MaceTools' -DSTRIDE_W.
            Assert.DoesNotContain(keys, k => k.Contains("-DSTRIDE_W"));
            Assert.All(MaceTools.Verification.DeviceLoader.LoadAll(file, Pocl.Device, Pocl.Worker, host), l => Assert.Equal(MaceTools.Verification.EntryLoadStatus.Loaded, l.Status));
        }

        [Fact]
        public void The_three_PaddleOCR_models_mixed_on_GPU_and_CPU_validate_against_ONNX_Runtime()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            new TestModelOperation
            {
                Config = Example("mace-ocr.yml"), Worker = Pocl.Worker, Devices = new List<MaceDevice> { Pocl.Device }, Count = 1, Threshold = 0.9999,
                ModelCache = tmp.File("models"),
            }.Run(host);
            Assert.Empty(host.Errors);
            var results = host.Of<MaceValidationResult>().ToList();
            Assert.Equal(new[] { "ppocr_det", "ppocr_cls", "ppocr_rec" }, results.Select(r => r.Model));
            Assert.All(results, r => Assert.True(r.Passed && r.Cosine >= 0.9999, r.ToString()));
        }

        /// <summary>The classifier of mace-ocr.yml: MACE's placement puts its four unequal-stride depthwise convs on the CPU.</summary>
        private static KernelSet MixedClassifier(TempDir tmp)
        {
            var host = new RecordingHost(tmp.Path);
            var config = MaceTools.Config.MaceConfigReader.Read(Example("mace-ocr.yml")).RequireModels(new[] { "ppocr_cls" });
            using var fetcher = ConfigConversion.Fetcher(tmp.File("models"), host);
            var set = Assert.Single(ConfigConversion.Convert(config, Pocl.Device, MaceTools.MaceVersion.Latest, fetcher, host));
            Assert.Equal(4, set.CpuNodes.Count(c => c.Op == "Conv"));
            return set;
        }

        [Fact]
        public void A_mixed_runs_rounds_time_each_CPU_placed_node_and_its_host_overhead_leaves_them_out()
        {
            using var tmp = new TempDir();
            var set = MixedClassifier(tmp);
            using var runner = new ModelRunner(Pocl.Device, Pocl.Worker);
            var run = runner.Run(set, ModelRunnerTests.RandomSamples(set, 1), new ModelRunOptions { Rounds = 2 });
            Assert.Equal(set.CpuNodes.OrderBy(c => c.After).Select(c => c.Node), run.CpuNodes.Select(c => c.Node));
            Assert.All(run.Rounds, r =>
            {
                Assert.Equal(set.CpuNodes.Count, r.CpuUs.Length);
                Assert.All(r.CpuUs, us => Assert.True(us > 0));
                // Kernel device time and CPU-node host time do not overlap (a CPU node waits for the queued kernels first).
                Assert.True(r.KernelMs + r.CpuMs <= r.WallMs * 1.01, $"kernels {r.KernelMs} ms + CPU {r.CpuMs} ms > wall {r.WallMs} ms");
                Assert.Equal(Math.Max(0, r.WallMs - r.KernelMs - r.CpuMs) / r.WallMs, r.HostOverhead, 9);
            });
            // Invoke-MaceModel's object carries each round's CPU-node time beside its kernel time.
            var host = new RecordingHost(tmp.Path);
            new InvokeModelOperation
            {
                Config = Example("mace-ocr.yml"), Model = new[] { "ppocr_cls" }, Devices = new List<MaceDevice> { Pocl.Device }, Round = 2, Worker = Pocl.Worker,
                ModelCache = tmp.File("models"),
            }.Run(host);
            var invoked = Assert.Single(host.Of<MaceModelRun>());
            Assert.Equal(2, invoked.CpuMs.Length);
            Assert.All(invoked.CpuMs, ms => Assert.True(ms > 0));
        }

        [Fact]
        public void Measure_profiles_CPU_placed_nodes_as_cpu_entries_with_their_counts_beside_the_kernels()
        {
            using var tmp = new TempDir();
            var set = MixedClassifier(tmp);
            var host = new RecordingHost(tmp.Path);
            new MeasureModelOperation
            {
                Config = Example("mace-ocr.yml"), Model = new[] { "ppocr_cls" }, Devices = new List<MaceDevice> { Pocl.Device }, Round = 2, Reference = false,
                Worker = Pocl.Worker, ModelCache = tmp.File("models"),
            }.Run(host);
            Assert.Empty(host.Errors);
            var w = Assert.Single(host.Of<MaceLatencyResult>());
            Assert.Equal("ppocr_cls", w.Model);
            var conv = Assert.Single(w.Profile, p => p.Op == "cpu:Conv");
            Assert.True(conv.Cpu);
            Assert.Equal(4, conv.Kernels);
            Assert.True(conv.Microseconds > 0);
            // The profile covers the whole model: every kernel and every CPU-placed node, each once.
            Assert.Equal(set.CpuNodes.Count, w.Profile.Where(p => p.Cpu).Sum(p => p.Kernels));
            Assert.All(w.Profile.Where(p => p.Cpu), p => Assert.StartsWith("cpu:", p.Op));
            Assert.Equal(set.Kernels.Count(k => !k.IsWeight), w.Profile.Where(p => !p.Cpu).Sum(p => p.Kernels));
            Assert.True(w.CpuMs > 0);
            Assert.InRange(w.HostOverhead, 0, 1);
            Assert.InRange(w.Profile.Sum(p => p.Share), 0.5, 1.5); // medians of parts: about the whole

            // The CLI's text view names the cpu: entries and says how wall time splits.
            var (code, stdout, stderr) = MaceTools.Tests.Cli.CliRunner.Run(tmp.Path, "model", "measure", "--config", Example("mace-ocr.yml"), "--model", "ppocr_cls",
                "--model-cache", tmp.File("models"), "--round", "1", "--no-reference");
            Assert.True(code == 0, stderr);
            Assert.Contains("CPU ms", stdout);
            Assert.Contains("Wall time = GPU kernels", stdout);
            Assert.Matches(@"default sizes: .*cpu:Conv ×4: [0-9.]+ µs", stdout);
            Assert.DoesNotContain("ppocr_det", stdout);
        }

        [Fact]
        public void A_corrupted_constant_of_a_CPU_placed_conv_is_named_the_first_divergent_node()
        {
            using var tmp = new TempDir();
            var set = MixedClassifier(tmp);
            // The second CPU conv's weights with their signs flipped: its output is wrong, everything before it is right.
            var broken = set.CpuNodes.Where(c => c.Op == "Conv").Skip(1).First();
            var weights = broken.Constants[1];
            for (int i = 0; i < weights.Length; i++) weights[i] = -weights[i];
            using var runner = new ModelRunner(Pocl.Device, Pocl.Worker);
            var r = Assert.Single(ModelValidator.Validate(set, runner, ModelRunnerTests.RandomSamples(set, 1), new ModelRunOptions(), 0.9999));
            Assert.False(r.Passed);
            var d = r.DivergentNode;
            Assert.NotNull(d);
            Assert.True(d!.Cpu, d.ToString());
            Assert.Equal(broken.Node, d.KernelNode);
            Assert.Equal("cpu:Conv", d.Kernel);
            string tensor = broken.Outputs[0].Substring(0, broken.Outputs[0].Length - MaceKernel.HostSuffix.Length);
            Assert.Equal(tensor, d.Tensor);
            var producer = OnnxModel.Load(set.Source!).Graph.Nodes.Single(n => n.Outputs.Contains(tensor));
            Assert.Equal(producer.Name, d.Node);
            Assert.Equal(producer.OpType, d.Op);
            Assert.True(d.Metrics.Cosine < 0.9999, d.ToString());
            Assert.True(d.AgreedBefore > 5, $"only {d.AgreedBefore} tensors compared before it");
            Assert.Contains("CPU node cpu:Conv of " + broken.Node, d.ToString());
        }

        [Fact]
        public void A_model_pattern_that_matches_no_model_is_ModelNotFound_naming_the_models_before_any_work()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            var e = Assert.Throws<MaceException>(() => new TestModelOperation
            {
                Config = Example("mace-ocr.yml"), Model = new[] { "ppocr_cls", "ppocr_x*" }, Devices = new List<MaceDevice> { Pocl.Device }, Worker = Pocl.Worker,
                ModelCache = tmp.File("models"),
            }.Run(host));
            Assert.Equal(ErrorIds.ModelNotFound, e.ErrorId);
            Assert.Contains("'ppocr_x*'", e.Message);
            Assert.Contains("ppocr_det, ppocr_cls, ppocr_rec", e.Message);
            Assert.Empty(host.Of<MaceValidationResult>());
            e = Assert.Throws<MaceException>(() => new OptimizeProgramOperation { Config = Example("mace-ocr.yml"), Model = new[] { "det" }, Devices = { Pocl.Device } }.Run(host));
            Assert.Equal(ErrorIds.ModelNotFound, e.ErrorId);
            // Wildcards select: tune --what-if converts the classifier alone (its 118 keys), not the detector's or recogniser's.
            var (code, stdout, stderr) = MaceTools.Tests.Cli.CliRunner.Run(tmp.Path, "tune", "--config", Example("mace-ocr.yml"), "--model", "*_cls",
                "--model-cache", tmp.File("models"), "--what-if");
            Assert.True(code == 0, stderr);
            var whatIf = Assert.Single((stdout + stderr).Split('\n'), l => l.StartsWith("What if:", StringComparison.Ordinal));
            var cls = KernelSet.TuningInstances(new List<KernelSet> { MixedClassifier(tmp) }).Count;
            Assert.Contains($"Tune {cls} kernel(s)", whatIf);
        }
    }
}
