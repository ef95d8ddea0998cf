using System.Linq;
using MaceTools.Kernels;
using MaceTools.Tests.Kernels;
using MaceTools.Tuning;
using Xunit;

namespace MaceTools.Tests.TuningTests
{
    public class MaceTunerTests : IClassFixture<RunnerFixture>
    {
        private readonly RunnerFixture _f;

        public MaceTunerTests(RunnerFixture f) => _f = f;

        [Fact]
        public void MACEs_search_on_pocl_picks_one_of_its_candidates_and_counts_every_launch()
        {
            int[] input = { 1, 10, 12, 8 }, filter = { 8, 8, 3, 3 };
            var launch = KernelOps.Conv2D(input, filter, input, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1, 1 }, true, new Activation(ActivationKind.Relu), _f.Target);
            var result = MaceTuner.Tune(_f.Runner, launch);
            long kwg = _f.Runner.Kernel(launch).WorkGroupSize;
            var candidates = TuningCandidates.Mace3D(launch.GlobalSize, kwg);
            Assert.Contains(candidates, c => c.SequenceEqual(result.LocalSize));
            Assert.Equal("conv2d_3x3_opencl_kernel_1_10_12_8", result.TuningKey);
            Assert.Equal(0, result.Refused);
            Assert.InRange(result.Trials, candidates.Count * 2, candidates.Count * 11); // a warm-up and 1..10 timed runs each
            Assert.True(result.Micros > 0 && result.DefaultMicros > 0);
        }
    }
}
