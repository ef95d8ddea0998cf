using System.Collections.Generic;
using System.Linq;
using MaceTools.Tuning;
using Xunit;

namespace MaceTools.Tests.TuningTests
{
    public class MaceTimingRuleTests
    {
        [Fact]
        public void Ten_fast_runs_are_averaged_with_truncated_int64_sums()
        {
            // 10 runs of 12.7 µs: MACE adds into an int64, so every step truncates (12, 24.7 → 24, 36.7 → 36, …, 120)
            // and divides as integers: 12, not 12.7.
            Assert.Equal(12, MaceTimingRule.Measure(() => 12.7));
            Assert.Equal(3, MaceTimingRule.Measure(() => 3.99));
        }

        [Fact]
        public void Slow_kernels_stop_after_two_runs_past_100_ms_or_one_past_200_ms()
        {
            int calls = 0;
            Assert.Equal(60_000, MaceTimingRule.Measure(() => { calls++; return 60_000; })); // 60 ms, 120 ms > 100 ms: stop after 2
            Assert.Equal(2, calls);
            calls = 0;
            Assert.Equal(250_000, MaceTimingRule.Measure(() => { calls++; return 250_000; })); // > 200 ms at once: 1 run
            Assert.Equal(1, calls);
        }

        [Fact]
        public void Tune_keeps_the_first_of_equal_times_and_counts_every_launch_including_warm_ups()
        {
            var candidates = new List<long[]> { new long[] { 1, 1, 1, 0 }, new long[] { 2, 1, 1, 0 }, new long[] { 4, 1, 1, 0 } };
            var times = new Dictionary<long, double> { [1] = 30, [2] = 10, [4] = 10 };
            var (best, micros, launches) = MaceTimingRule.Tune(candidates, p => times[p[0]]);
            Assert.Equal(new long[] { 2, 1, 1, 0 }, best);
            Assert.Equal(10, micros);
            Assert.Equal(3 * (1 + 10), launches);
        }
    }
}
