using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MaceTools.Config;
using MaceTools.Conversion;
using MaceTools.Runtime;
using MaceTools.Tests.OpenCLTests;
using MaceTools.Tests.Operations;
using Xunit;
using Xunit.Abstractions;

namespace MaceTools.Tests.Runtime
{
    /// <summary>The example classifier run on pocl by the model runner, against ONNX Runtime's CPU provider.</summary>
    public class ModelRunnerTests
    {
        private readonly ITestOutputHelper _out;
        public ModelRunnerTests(ITestOutputHelper output) { _out = output; }

        internal static string ExampleConfig => System.IO.Path.Combine(Fixtures.RepoRoot, "examples", "paddleocr", "mace.yml");

        internal static (KernelSet Set, MaceSubgraphConfig Graph) Example()
        {
            var host = new RecordingHost();
            var config = MaceConfigReader.Read(ExampleConfig);
            using var fetcher = ConfigConversion.Fetcher(null, host);
            var set = ConfigConversion.Convert(config, Pocl.Device, MaceVersion.Latest, fetcher, host).Single();
            return (set, config.Models[0].Subgraphs[0]);
        }

        internal static List<IReadOnlyList<MaceTensor>> RandomSamples(KernelSet set, int count, int seed = 1) =>
            Enumerable.Range(0, count).Select(i => (IReadOnlyList<MaceTensor>)set.Inputs.Select(t => ModelData.Random(t, null, seed + i)).ToList()).ToList();

        [Fact]
        public void Classifier_validates_against_onnx_runtime_on_seeded_random_inputs()
        {
            var (set, _) = Example();
            using var runner = new ModelRunner(Pocl.Device, Pocl.Worker);
            var results = ModelValidator.Validate(set, runner, RandomSamples(set, 10), new ModelRunOptions(), 0.995);
            var r = Assert.Single(results);
            _out.WriteLine($"cosine {r.Cosine:R} sqnr {r.Sqnr:R} maxabs {r.MaxAbsError:R} pixel {r.PixelAccuracy} device {r.DeviceMs} ms ort {r.ReferenceMs} ms overhead {r.HostOverhead:P1}");
            Assert.True(r.Passed);
            Assert.True(r.Cosine >= 0.99999, $"cosine {r.Cosine}");
            Assert.Equal(1.0, r.PixelAccuracy);
        }

        /// <summary>The set with one conv's stride_h argument set to 2 (same shapes: the kernel reads the wrong rows).</summary>
        internal static (KernelSet Set, MaceKernel Broken) BreakStride(KernelSet set)
        {
            int index = set.Kernels.Select((k, i) => (k, i)).Where(x => !x.k.IsWeight && x.k.Kernel == "conv_2d_1x1").Skip(4).First().i;
            var k = set.Kernels[index];
            var l = k.Launch;
            var args = l.Arguments.Skip(l.Target.NonUniformWorkGroup ? 0 : l.GlobalSize.Length)
                .Select(a => a.Name == "stride_h" ? MaceTools.Kernels.KernelArg.Int("stride_h", 2) : a).ToList();
            var launch = new MaceTools.Kernels.KernelLaunch(l.Op, l.Program, l.Kernel, l.Target, l.Options, l.GlobalSize, l.Rule, l.TuningKey, args, l.Flops, l.RuleParameter);
            var broken = new MaceKernel(k.Model, k.Node, launch, k.Tensors, k.Data);
            return (set.With(index, broken), broken);
        }

        [Fact]
        public void A_broken_conv_argument_fails_validation_and_is_named_the_first_divergent_node()
        {
            var (good, _) = Example();
            var (set, broken) = BreakStride(good);
            using var runner = new ModelRunner(Pocl.Device, Pocl.Worker);
            var r = Assert.Single(ModelValidator.Validate(set, runner, RandomSamples(set, 2), new ModelRunOptions(), 0.995));
            _out.WriteLine($"{r}; {r.DivergentNode}");
            Assert.False(r.Passed);
            var d = r.DivergentNode;
            Assert.NotNull(d);
            Assert.Equal(broken.Node, d!.KernelNode);
            Assert.Equal(broken.TensorOf("output"), d.Tensor);
            Assert.True(d.Metrics.Cosine < 0.995);
            Assert.True(d.AgreedBefore > 5, $"only {d.AgreedBefore} tensors compared before it");
            // The node named is the ONNX node that produces the tensor the broken kernel writes (the end of its fused chain).
            var model = MaceTools.Models.Onnx.OnnxModel.Load(set.Source!);
            var producer = model.Graph.Nodes.Single(n => n.Outputs.Contains(d.Tensor));
            Assert.Equal(producer.Name, d.Node);
            Assert.Equal(producer.OpType, d.Op);
        }

        [Fact]
        public void The_runners_outputs_do_not_depend_on_running_samples_together_or_apart()
        {
            var (set, _) = Example();
            var samples = RandomSamples(set, 2, seed: 7);
            using var runner = new ModelRunner(Pocl.Device, Pocl.Worker);
            var both = runner.Run(set, samples, new ModelRunOptions { Rounds = 2 });
            var second = runner.Run(set, samples.Skip(1).ToList(), new ModelRunOptions());
            Assert.Equal(second.Outputs[0][0].Data, both.Outputs[1][0].Data);
            Assert.NotEqual(both.Outputs[0][0].Data, both.Outputs[1][0].Data);
            // Two rounds per sample, each with one device time per inference kernel.
            Assert.Equal(4, both.Rounds.Count);
            Assert.All(both.Rounds, r => Assert.Equal(both.Kernels.Count, r.KernelUs.Length));
            Assert.All(both.Rounds, r => Assert.True(r.KernelMs > 0 && r.KernelMs <= r.WallMs));
            Assert.Equal("buffer_to_image", both.Kernels[0].Launch.Op);
            Assert.Equal("image_to_buffer", both.Kernels[both.Kernels.Count - 1].Launch.Op);
        }

        [Theory]
        [InlineData(2)]
        [InlineData(4)]
        public void A_Winograd_conv_runs_end_to_end_from_its_host_filter_and_matches_ONNXs_reference(int block)
        {
            var c = MaceTools.Tests.Models.OnnxNodeCase.Load("test_basic_conv_with_padding");
            string path = MaceTools.Tests.ConversionTests.WinogradConversionTests.WithConstantWeight(c);
            try
            {
                var target = new MaceTools.Kernels.KernelTarget(MaceVersion.Latest, nonUniformWorkGroup: false, adreno: false);
                var set = OnnxConverter.Convert(MaceTools.Models.Onnx.OnnxModel.Load(path), path, new[] { new ModelInput("x", c.Inputs[0].Shape) }, null,
                    new ConversionOptions(target) { Winograd = block });
                Assert.Contains(set.Kernels, k => k.Kernel == "matmul");
                using var runner = new ModelRunner(Pocl.Device, Pocl.Worker);
                var sample = (IReadOnlyList<MaceTensor>)new[] { new MaceTensor("x", c.Inputs[0].Shape, c.Inputs[0].Data) };
                var r = runner.Run(set, new[] { sample }, new ModelRunOptions());
                MaceTools.Tests.Kernels.Tensors.Close(c.Outputs[0].Data, r.Outputs[0][0].Data, $"winograd {block}", 1e-4f, 1e-4f);
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void A_tuned_files_local_sizes_are_used_and_change_no_output()
        {
            var (set, _) = Example();
            var samples = RandomSamples(set, 1, seed: 11);
            // Every tuned key at {1, 1, 1}: legal everywhere, far from MACE's defaults.
            var tuned = set.Kernels.Where(k => k.TuningFileKey != null).GroupBy(k => k.TuningFileKey!).ToDictionary(g => g.Key, g => new uint[] { 1, 1, 1 });
            using var runner = new ModelRunner(Pocl.Device, Pocl.Worker);
            var plain = runner.Run(set, samples, new ModelRunOptions());
            var ones = runner.Run(set, samples, new ModelRunOptions { Tuned = tuned });
            Assert.Equal(plain.Outputs[0][0].Data, ones.Outputs[0][0].Data);
            // A size the device refuses for one kernel is an error that names it, not a silent fallback.
            var first = set.Kernels.First(k => !k.IsWeight && k.TuningFileKey != null && k.Launch.Dimensions == 3);
            tuned[first.TuningFileKey!] = new uint[] { 4096, 4096, 4096 };
            var e = Assert.Throws<MaceException>(() => runner.Run(set, samples, new ModelRunOptions { Tuned = tuned }));
            Assert.Contains(first.Launch.Symbol, e.Message);
        }

        [Fact]
        public void A_schedule_changes_the_local_sizes_inference_by_inference_in_one_request()
        {
            var (set, _) = Example();
            var samples = RandomSamples(set, 1, seed: 12);
            var keys = set.Kernels.Where(k => k.TuningFileKey != null).Select(k => k.TuningFileKey!).Distinct().ToList();
            var ones = keys.ToDictionary(k => k, _ => new uint[] { 1, 1, 1 });
            var first = set.Kernels.First(k => !k.IsWeight && k.TuningFileKey != null && k.Launch.Dimensions == 3);
            var refused = new Dictionary<string, uint[]>(ones) { [first.TuningFileKey!] = new uint[] { 4096, 4096, 4096 } };
            using var runner = new ModelRunner(Pocl.Device, Pocl.Worker);
            var plain = runner.Run(set, samples, new ModelRunOptions());
            // Entry i of the schedule runs inference i (the warm-up first): two inferences never reach the refused entry…
            var schedule = new IReadOnlyDictionary<string, uint[]>?[] { null, ones, refused };
            var two = runner.Run(set, samples, new ModelRunOptions { Schedule = schedule, Warmup = 1, Rounds = 1 });
            Assert.Equal(plain.Outputs[0][0].Data, two.Outputs[0][0].Data);
            // …a third does, and the refusal names the kernel.
            var e = Assert.Throws<MaceException>(() => runner.Run(set, samples, new ModelRunOptions { Schedule = schedule, Warmup = 1, Rounds = 2 }));
            Assert.Contains(first.Launch.Symbol, e.Message);
            // The device's idle time between kernels is part of the overhead: at most wall minus kernel time.
            var round = Assert.Single(two.Rounds);
            Assert.InRange(round.GapUs / 1000, 0, round.WallMs - round.KernelMs + 0.01 * round.WallMs);
        }
    }
}
