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
    }
}
