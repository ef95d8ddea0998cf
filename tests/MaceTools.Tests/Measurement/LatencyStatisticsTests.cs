using System;
using System.Linq;
using MaceTools.Measurement;
using Xunit;

namespace MaceTools.Tests.MeasurementTests
{
    /// <summary>The latency summary and the paired comparison on fixed samples: deterministic arithmetic, no timing.</summary>
    public class LatencyStatisticsTests
    {
        [Fact]
        public void Min_median_p90_and_max_are_numpys_on_unsorted_samples()
        {
            var s = LatencyStatistics.Of(new double[] { 7, 1, 10, 3, 5, 9, 2, 8, 4, 6 });
            Assert.Equal(10, s.Count);
            Assert.Equal(1, s.Min);
            Assert.Equal(5.5, s.Median);
            Assert.Equal(9.1, s.P90, 10); // numpy.percentile(range(1, 11), 90)
            Assert.Equal(10, s.Max);
            Assert.Equal(4.0, LatencyStatistics.Of(new double[] { 4 }).P90);
            Assert.Equal(0, LatencyStatistics.Of(Array.Empty<double>()).Count);
        }

        [Theory]
        [InlineData(10, 2, 9, 0.978515625)]   // 1 − 2·11/1024
        [InlineData(15, 4, 12, 0.96484375)]   // 1 − 2·576/32768
        [InlineData(20, 6, 15, 0.958610534667969)]
        [InlineData(6, 1, 6, 0.96875)]        // the fewest samples that reach 95%
        [InlineData(5, 1, 5, 0.9375)]         // below: min … max, and it says so
        [InlineData(1, 1, 1, 0)]
        public void The_median_interval_takes_the_sign_tests_ranks_and_states_its_coverage(int n, int low, int high, double coverage)
        {
            var (l, h, c) = LatencyStatistics.MedianRanks(n);
            Assert.Equal((low, high), (l, h));
            Assert.Equal(coverage, c, 9);
        }

        [Fact]
        public void One_outlier_moves_the_median_interval_by_one_rank_only()
        {
            double[] steady = { 100, 101, 99, 100, 102, 98, 100, 101, 99, 100 };
            var a = LatencyStatistics.Of(steady);
            Assert.Equal((99.0, 101.0), (a.MedianLow, a.MedianHigh)); // x(2) … x(9) of 98 99 99 100 100 100 100 101 101 102
            var b = LatencyStatistics.Of(steady.Take(9).Append(500.0).ToArray()); // the 100 at the end becomes a 5x outlier
            Assert.Equal((99.0, 102.0), (b.MedianLow, b.MedianHigh)); // x(9) is now the old x(10), not the outlier
            Assert.Equal(500, b.Max);
            Assert.Equal(100, b.Median);
        }

        [Fact]
        public void A_candidate_faster_in_every_round_is_faster_with_an_interval_above_zero()
        {
            double[] baseline = { 100, 104, 98, 120, 101, 99, 103, 100, 97, 102 };
            double[] candidate = baseline.Select(b => b * 0.9).ToArray(); // 10% faster in each round, whatever the drift
            var c = LatencyComparison.Of(baseline, candidate);
            Assert.Equal(10, c.GainPercent, 9);
            Assert.Equal(10, c.GainLowPercent, 9);
            Assert.Equal(10, c.GainHighPercent, 9);
            Assert.Equal(LatencyVerdict.Faster, c.Verdict);
            Assert.Equal(LatencyStatistics.Of(baseline).Median, c.Baseline.Median);
        }

        [Fact]
        public void A_difference_inside_the_noise_is_a_tie_and_claims_no_winner()
        {
            // per-round gains −3 … +6 %: the median gain is positive, but the interval holds zero
            double[] baseline = { 100, 100, 100, 100, 100, 100, 100, 100, 100, 100 };
            double[] candidate = { 97, 103, 99, 101, 96, 98, 102, 95, 94, 100 };
            var c = LatencyComparison.Of(baseline, candidate);
            Assert.Equal(1.5, c.GainPercent, 9);
            Assert.Equal(-2, c.GainLowPercent, 9);  // x(2) of the sorted gains −3 −2 −1 0 1 2 3 4 5 6
            Assert.Equal(5, c.GainHighPercent, 9);  // x(9)
            Assert.Equal(LatencyVerdict.Tie, c.Verdict);
        }

        [Fact]
        public void A_candidate_slower_beyond_the_noise_is_slower()
        {
            double[] baseline = { 50, 51, 49, 50, 52, 50, 48, 50, 51, 50 };
            double[] candidate = baseline.Select((b, i) => b * (i == 3 ? 0.9 : 1.2)).ToArray(); // one lucky round
            var c = LatencyComparison.Of(baseline, candidate);
            Assert.Equal(-20, c.GainPercent, 9);
            Assert.True(c.GainHighPercent < 0);
            Assert.Equal(LatencyVerdict.Slower, c.Verdict);
        }

        [Fact]
        public void The_tie_rule_needs_the_whole_interval_on_one_side_of_zero()
        {
            Assert.Equal(LatencyVerdict.Faster, LatencyComparison.VerdictOf(0.1, 9));
            Assert.Equal(LatencyVerdict.Tie, LatencyComparison.VerdictOf(0, 9));
            Assert.Equal(LatencyVerdict.Tie, LatencyComparison.VerdictOf(-0.1, 0.1));
            Assert.Equal(LatencyVerdict.Tie, LatencyComparison.VerdictOf(0, 0)); // the same runs on both sides
            Assert.Equal(LatencyVerdict.Slower, LatencyComparison.VerdictOf(-9, -0.1));
        }

        [Fact]
        public void Rounds_must_pair_and_a_round_without_a_baseline_time_is_left_out()
        {
            var e = Assert.Throws<ArgumentException>(() => LatencyComparison.Of(new double[] { 1, 2 }, new double[] { 1 }));
            Assert.Contains("2 baseline samples against 1 candidate samples", e.Message);
            var c = LatencyComparison.Of(new double[] { 0, 10, 10 }, new double[] { 5, 5, 5 });
            Assert.Equal(50, c.GainPercent, 9);
        }
    }
}
