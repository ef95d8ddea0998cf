using System.Linq;
using MaceTools.Kernels;
using MaceTools.Tests.Kernels;
using MaceTools.Tuning;
using Xunit;

namespace MaceTools.Tests.TuningTests
{
    /// <summary>The tuner on real launches on pocl.</summary>
    public class KernelTunerTests : IClassFixture<RunnerFixture>
    {
        private readonly RunnerFixture _f;

        public KernelTunerTests(RunnerFixture f) => _f = f;

        private KernelLaunch Conv3x3()
        {
            int[] input = { 1, 10, 12, 8 }, filter = { 8, 8, 3, 3 };
            return KernelOps.Conv2D(input, filter, input, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1, 1 }, true, new Activation(ActivationKind.Relu), _f.Target);
        }

        [Fact]
        public void MACEs_search_on_pocl_picks_one_of_its_candidates_and_counts_every_launch()
        {
            var launch = Conv3x3();
            var result = KernelTuner.Tune(_f.Runner, launch, TuningStrategy.Mace);
            long kwg = _f.Runner.Kernel(launch).WorkGroupSize;
            var candidates = TuningCandidates.Mace3D(launch.GlobalSize, kwg);
            Assert.Contains(candidates, c => c.SequenceEqual(result.Parameters.Select(v => (long)v)));
            Assert.Equal("conv2d_3x3_opencl_kernel_1_10_12_8", result.TuningKey);
            Assert.Equal(launch.TuningFileKey, result.FileKey);
            Assert.Equal(0, result.Refused);
            Assert.InRange(result.Trials, candidates.Count * 2, candidates.Count * 11); // a warm-up and 1..10 timed runs each
            Assert.True(result.Micros > 0 && result.DefaultMicros > 0);
        }

        [Fact]
        public void Our_search_on_pocl_chooses_a_valid_size_no_slower_than_the_default_within_noise()
        {
            var launch = Conv3x3();
            var result = KernelTuner.Tune(_f.Runner, launch);
            long kwg = _f.Runner.Kernel(launch).WorkGroupSize;
            Assert.Equal(3, result.LocalSize.Length);
            Assert.True(TuningSpace.IsValid(result.LocalSize, kwg));
            Assert.Equal(result.LocalSize.Append(0L).Select(v => (uint)v), result.Parameters);
            Assert.Equal(_f.Runner.DefaultLocalSize(launch), result.DefaultLocalSize);
            // The chosen size re-timed against the default, interleaved: no slower beyond the noise both show.
            var chosen = new System.Collections.Generic.List<double>();
            var fallback = new System.Collections.Generic.List<double>();
            for (int i = 0; i < 15; i++)
            {
                chosen.Add(_f.Runner.Time(launch, result.LocalSize) / 1000.0);
                fallback.Add(_f.Runner.Time(launch, result.DefaultLocalSize) / 1000.0);
            }
            double noise = Statistics.RelativeSpread(chosen) + Statistics.RelativeSpread(fallback);
            Assert.True(Statistics.Median(chosen) <= Statistics.Median(fallback) * (1 + 2 * noise) + 2,
                $"chosen {Statistics.Median(chosen):F1} µs vs default {Statistics.Median(fallback):F1} µs, noise {noise:P0}");
        }

        [Fact]
        public void With_limit_opencl_kernel_time_the_stored_vector_carries_a_block_size()
        {
            var launch = Conv3x3();
            var result = KernelTuner.Tune(_f.Runner, launch, TuningStrategy.Auto, limitKernelTime: true);
            long expected = KernelTuner.Block(3, launch.GlobalSize, result.LocalSize, result.Micros, true, launch.Target.NonUniformWorkGroup, launch.Target.Version);
            Assert.Equal(expected, result.Block);
            Assert.InRange(result.Block, 1, launch.GlobalSize[2] + result.LocalSize[2]);
            Assert.Equal((uint)result.Block, result.Parameters[3]);
        }
    }
}
