using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Measurement
{
    /// <summary>What a comparison of two timed variants concludes.</summary>
    public enum LatencyVerdict
    {
        /// <summary>The candidate is faster: the whole gain interval lies above zero.</summary>
        Faster,
        /// <summary>No measurable difference: the gain interval holds zero (the difference is inside the noise).</summary>
        Tie,
        /// <summary>The candidate is slower: the whole gain interval lies below zero.</summary>
        Slower,
    }

    /// <summary>
    /// A baseline and a candidate timed in the same interleaved rounds (sample i of each from round i), and the
    /// candidate's gain over the baseline with its spread.
    /// </summary>
    /// <remarks>
    /// Paired by round: each round's gain 1 − candidate/baseline compares two launches made moments apart, so drift
    /// between rounds (another process, a clock change) cancels. The gain is the median of the per-round gains and
    /// its interval the sign test's over them (<see cref="LatencyStatistics"/>: distribution-free, deterministic).
    /// A gain whose interval holds zero is a <see cref="LatencyVerdict.Tie"/>: no winner is claimed.
    /// </remarks>
    public sealed class LatencyComparison
    {
        public LatencyStatistics Baseline { get; private set; } = new LatencyStatistics();
        public LatencyStatistics Candidate { get; private set; } = new LatencyStatistics();
        /// <summary>The median per-round gain, in percent of the baseline (negative: slower).</summary>
        public double GainPercent { get; private set; }
        /// <summary>The lower end of the gain's confidence interval, in percent.</summary>
        public double GainLowPercent { get; private set; }
        /// <summary>The upper end of the gain's confidence interval, in percent.</summary>
        public double GainHighPercent { get; private set; }
        public LatencyVerdict Verdict { get; private set; }

        /// <summary>
        /// Compares paired rounds: <paramref name="baseline"/>[i] and <paramref name="candidate"/>[i] were timed in round i.
        /// Rounds with a baseline of zero or less (no time measured) carry no ratio and are left out of the gain.
        /// </summary>
        public static LatencyComparison Of(IReadOnlyList<double> baseline, IReadOnlyList<double> candidate)
        {
            if (baseline == null) throw new ArgumentNullException(nameof(baseline));
            if (candidate == null) throw new ArgumentNullException(nameof(candidate));
            if (baseline.Count != candidate.Count)
                throw new ArgumentException($"paired rounds: {baseline.Count} baseline samples against {candidate.Count} candidate samples", nameof(candidate));
            var gains = baseline.Zip(candidate, (b, c) => b > 0 ? 100 * (1 - c / b) : double.NaN).Where(g => !double.IsNaN(g)).ToList();
            var g = LatencyStatistics.Of(gains);
            return new LatencyComparison
            {
                Baseline = LatencyStatistics.Of(baseline), Candidate = LatencyStatistics.Of(candidate),
                GainPercent = g.Median, GainLowPercent = g.MedianLow, GainHighPercent = g.MedianHigh,
                Verdict = VerdictOf(g.MedianLow, g.MedianHigh),
            };
        }

        /// <summary>The tie rule: faster or slower only when the whole interval lies on one side of zero.</summary>
        public static LatencyVerdict VerdictOf(double gainLowPercent, double gainHighPercent) =>
            gainLowPercent > 0 ? LatencyVerdict.Faster : gainHighPercent < 0 ? LatencyVerdict.Slower : LatencyVerdict.Tie;

        public override string ToString() =>
            $"{Candidate.Median:0.0} vs {Baseline.Median:0.0}: gain {GainPercent:0.0}% [{GainLowPercent:0.0}%, {GainHighPercent:0.0}%], {Verdict}";
    }
}
