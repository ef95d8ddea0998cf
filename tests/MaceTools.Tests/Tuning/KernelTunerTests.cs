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
        public void Our_search_on_pocl_chooses_a_valid_size_and_reports_it_re_timed_against_the_default_with_an_interval()
        {
            var launch = Conv3x3();
            var result = KernelTuner.Tune(_f.Runner, launch);
            long kwg = _f.Runner.Kernel(launch).WorkGroupSize;
            Assert.Equal(3, result.LocalSize.Length);
            Assert.True(TuningSpace.IsValid(result.LocalSize, kwg));
            Assert.Equal(result.LocalSize.Append(0L).Select(v => (uint)v), result.Parameters);
            Assert.Equal(_f.Runner.DefaultLocalSize(launch), result.DefaultLocalSize);
            // The search's choice was re-timed against the default in fresh paired rounds, and the verdict follows the interval.
            Assert.Equal(LocalSizeSearch.RetimeRounds, result.DefaultRounds.Length);
            Assert.Equal(LocalSizeSearch.RetimeRounds, result.SearchedRounds.Length);
            Assert.All(result.DefaultRounds.Concat(result.SearchedRounds), t => Assert.True(t > 0));
            Assert.Equal(Statistics.Median(result.DefaultRounds), result.DefaultMicros);
            Assert.Equal(Statistics.Median(result.SearchedRounds), result.SearchedMicros);
            Assert.InRange(result.GainPercent, result.GainLowPercent, result.GainHighPercent);
            if (result.SearchedLocalSize.SequenceEqual(result.DefaultLocalSize)) Assert.Equal(TuningVerdict.DefaultChosen, result.Verdict);
            else Assert.Equal(Measurement.LatencyComparison.VerdictOf(result.GainLowPercent, result.GainHighPercent).ToString(),
                result.Verdict == TuningVerdict.NoMeasurableGain ? "Tie" : result.Verdict.ToString());
            // not measurably faster: MACE's default is stored, and no gain is claimed for the file
            Assert.Equal(result.Verdict == TuningVerdict.Faster ? result.SearchedLocalSize : result.DefaultLocalSize, result.LocalSize);
            Assert.Equal(result.Verdict == TuningVerdict.Faster ? result.SearchedMicros : result.DefaultMicros, result.Micros);
            // both sizes once per round (the default alone when the search chose it), both warmed up by the search
            Assert.Equal((result.Verdict == TuningVerdict.DefaultChosen ? 1 : 2) * LocalSizeSearch.RetimeRounds, result.RetimeLaunches);
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
