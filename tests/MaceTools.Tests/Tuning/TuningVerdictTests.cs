using System;
using System.Linq;
using MaceTools.Kernels;
using MaceTools.Measurement;
using MaceTools.Tuning;
using Xunit;

namespace MaceTools.Tests.TuningTests
{
    /// <summary>
    /// What the tuner stores and reports from the re-timing: fixed rounds fed to the result and the summary, so the tie
    /// rule and the totals are checked as arithmetic, not as timing.
    /// </summary>
    public class TuningVerdictTests
    {
        private static readonly long[] Default = { 1, 24, 1 }, Searched = { 4, 8, 2 };

        private static KernelLaunch Conv3x3()
        {
            int[] input = { 1, 10, 12, 8 }, filter = { 8, 8, 3, 3 };
            return KernelOps.Conv2D(input, filter, input, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1, 1 }, true, new Activation(ActivationKind.Relu),
                new KernelTarget(MaceVersion.Latest, false, false, false));
        }

        /// <summary>A search that chose <paramref name="best"/> (its own figures 60 vs 100 µs: the winner's curse), then these re-timed rounds.</summary>
        private static SearchOutcome Outcome(long[] best, double[] defaults, double[] searched, bool defaultRefused = false) =>
            new SearchOutcome(best, 60, 100, 500, 40, 0, 0.01)
            {
                DefaultRounds = defaults, BestRounds = searched, Retimed = LatencyComparison.Of(defaults, searched), RetimeLaunches = 2 * defaults.Length, DefaultRefused = defaultRefused,
            };

        private static readonly double[] Flat = Enumerable.Repeat(100.0, 10).ToArray();
        private static double[] Scaled(double[] rounds, params double[] factors) => rounds.Select((r, i) => r * factors[i % factors.Length]).ToArray();

        [Fact]
        public void A_searched_size_inside_the_noise_is_no_measurable_gain_and_MACEs_default_is_stored()
        {
            var tie = Scaled(Flat, 0.97, 1.03, 0.99, 1.01, 0.96, 0.98, 1.02, 0.95, 0.94, 1.00);
            var r = KernelTuner.Result("dev", TuningStrategy.Auto, Conv3x3(), Default, Outcome(Searched, Flat, tie), false);
            Assert.Equal(TuningVerdict.NoMeasurableGain, r.Verdict);
            Assert.True(r.KeptDefault);
            Assert.Equal(Default, r.LocalSize);
            Assert.Equal(Searched, r.SearchedLocalSize);
            Assert.Equal(new uint[] { 1, 24, 1, 0 }, r.Parameters);
            Assert.Equal(100, r.Micros);        // what the kernel takes with the file: the default's time
            Assert.Equal(100, r.DefaultMicros);
            Assert.Equal(98.5, r.SearchedMicros);
            Assert.Equal((1.5, -2.0, 5.0), (Math.Round(r.GainPercent, 9), Math.Round(r.GainLowPercent, 9), Math.Round(r.GainHighPercent, 9)));
            // the search's own 40% is kept apart, never reported as the gain
            Assert.Equal((60.0, 100.0), (r.SearchMicros, r.SearchDefaultMicros));
            Assert.Equal((500, 20), (r.Trials, r.RetimeLaunches));
        }

        [Fact]
        public void A_searched_size_faster_beyond_the_noise_is_stored_with_its_re_timed_gain()
        {
            var faster = Scaled(Flat, 0.9, 0.92, 0.88, 0.9);
            var r = KernelTuner.Result("dev", TuningStrategy.Exhaustive, Conv3x3(), Default, Outcome(Searched, Flat, faster), false);
            Assert.Equal(TuningVerdict.Faster, r.Verdict);
            Assert.False(r.KeptDefault);
            Assert.Equal(Searched, r.LocalSize);
            Assert.Equal(r.SearchedMicros, r.Micros);
            Assert.True(r.GainLowPercent > 0);
            Assert.Equal(10, r.GainPercent, 9);
            Assert.Equal(Flat, r.DefaultRounds);
            Assert.Equal(faster, r.SearchedRounds);
        }

        [Fact]
        public void A_searched_size_slower_in_the_re_timing_is_not_stored_except_by_MACEs_strategy_which_keeps_MACEs_pick()
        {
            var slower = Scaled(Flat, 1.2);
            var ours = KernelTuner.Result("dev", TuningStrategy.Auto, Conv3x3(), Default, Outcome(Searched, Flat, slower), false);
            Assert.Equal((TuningVerdict.Slower, true), (ours.Verdict, ours.KeptDefault));
            Assert.Equal(Default, ours.LocalSize);
            var mace = KernelTuner.Result("dev", TuningStrategy.Mace, Conv3x3(), Default, Outcome(Searched, Flat, slower), false);
            Assert.Equal((TuningVerdict.Slower, false), (mace.Verdict, mace.KeptDefault));
            Assert.Equal(Searched, mace.LocalSize); // as MACE's own tuning would store it
        }

        [Fact]
        public void The_default_chosen_or_refused_is_said_so()
        {
            var same = KernelTuner.Result("dev", TuningStrategy.Auto, Conv3x3(), Default, Outcome(Default, Flat, Flat), false);
            Assert.Equal(TuningVerdict.DefaultChosen, same.Verdict);
            Assert.Equal(0, same.GainPercent);
            var refused = KernelTuner.Result("dev", TuningStrategy.Auto, Conv3x3(), Default, Outcome(Searched, Flat, Flat, defaultRefused: true), false);
            Assert.Equal(TuningVerdict.DefaultRefused, refused.Verdict);
            Assert.Equal(Searched, refused.LocalSize); // nothing to fall back on
        }

        [Fact]
        public void The_summary_totals_the_stored_sizes_round_by_round_with_the_gains_interval()
        {
            var launch = Conv3x3();
            var faster = KernelTuner.Result("dev", TuningStrategy.Auto, launch, Default, Outcome(Searched, Flat, Scaled(Flat, 0.8)), false);
            var tie = KernelTuner.Result("dev", TuningStrategy.Auto, launch, Default, Outcome(Searched, Flat, Scaled(Flat, 0.97, 1.03)), false);
            var same = KernelTuner.Result("dev", TuningStrategy.Auto, launch, Default, Outcome(Default, Flat, Flat), false);
            var s = MaceTuningSummary.Of(new[] { faster, tie, same }, "dev", TuningStrategy.Auto, "f.bin", 1.26);
            Assert.Equal((3, 1, 1, 0, 1), (s.Kernels, s.Faster, s.NoMeasurableGain, s.Slower, s.DefaultChosen));
            Assert.Equal(300, s.DefaultMicros);
            Assert.Equal(280, s.TunedMicros); // the tie counts at the default's time: the file stores the default
            // each round: 300 µs with the defaults, 280 µs with the stored sizes
            Assert.Equal((6.666666667, 6.666666667, 6.666666667), (Math.Round(s.GainPercent, 9), Math.Round(s.GainLowPercent, 9), Math.Round(s.GainHighPercent, 9)));
            Assert.Equal(10, s.Rounds);
            Assert.Equal(3 * 500 + 3 * 20, s.Launches);
            Assert.Equal(1.3, s.Seconds);
        }
    }
}
