using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Measurement
{
    /// <summary>
    /// A summary of latency samples (any unit): min, median, p90, max, and a confidence interval of the median.
    /// </summary>
    /// <remarks>
    /// The interval is the sign test's: the order statistics x(k) … x(n+1−k), with k the largest rank for which
    /// 2·P(Binomial(n, ½) ≤ k−1) ≤ 5%. It is chosen over an odd/even split or a bootstrap because it assumes nothing of
    /// the noise's shape (device timings are skewed, with 2× outliers), an outlier moves it by one rank only, and it
    /// needs no random resampling: the same samples always give the same interval, so tests and reports agree.
    /// From 6 samples it covers the true median with at least 95% (n = 10: x(2) … x(9), 97.9%; n = 15: x(4) … x(12),
    /// 96.5%); with fewer it is min … max and <see cref="Confidence"/> says how little that holds.
    /// </remarks>
    public sealed class LatencyStatistics
    {
        /// <summary>The two-sided level the interval aims at.</summary>
        public const double Level = 0.95;

        public int Count { get; private set; }
        public double Min { get; private set; }
        public double Median { get; private set; }
        /// <summary>The 90th percentile, interpolated between the two nearest ranks (numpy's default).</summary>
        public double P90 { get; private set; }
        public double Max { get; private set; }
        /// <summary>The lower end of the median's confidence interval.</summary>
        public double MedianLow { get; private set; }
        /// <summary>The upper end of the median's confidence interval.</summary>
        public double MedianHigh { get; private set; }
        /// <summary>The probability that the interval holds the true median (≥ <see cref="Level"/> from 6 samples).</summary>
        public double Confidence { get; private set; }

        /// <summary>Summarises <paramref name="samples"/>; all zero for none.</summary>
        public static LatencyStatistics Of(IReadOnlyList<double> samples)
        {
            if (samples == null) throw new ArgumentNullException(nameof(samples));
            var s = samples.OrderBy(v => v).ToArray();
            int n = s.Length;
            if (n == 0) return new LatencyStatistics();
            var (low, high, confidence) = MedianRanks(n);
            return new LatencyStatistics
            {
                Count = n, Min = s[0], Max = s[n - 1], Median = Percentile(s, 0.5), P90 = Percentile(s, 0.9),
                MedianLow = s[low - 1], MedianHigh = s[high - 1], Confidence = confidence,
            };
        }

        /// <summary>
        /// The 1-based ranks (k, n+1−k) of the median's interval over <paramref name="n"/> sorted samples and its exact
        /// coverage 1 − 2·P(B(n, ½) ≤ k−1); (1, n) below 6 samples.
        /// </summary>
        public static (int Low, int High, double Confidence) MedianRanks(int n)
        {
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(n));
            // P(B ≤ j) summed in doubles: exact enough for n up to a few hundred (binomials stay below 1e300).
            double total = Math.Pow(2, n), tail = 0, c = 1; // c = C(n, j)
            int k = 1;
            double coverage = 1 - 2 / total;
            for (int j = 0; j < n / 2; j++)
            {
                tail += c / total; // P(B ≤ j): x(j+1) is a valid lower end while 2·tail ≤ 5%
                if (2 * tail > 1 - Level) break;
                k = j + 1;
                coverage = 1 - 2 * tail;
                c = c * (n - j) / (j + 1);
            }
            return (k, n + 1 - k, n < 2 ? 0 : coverage);
        }

        /// <summary>The <paramref name="q"/> quantile of sorted values, linear between ranks (numpy's default, R's type 7).</summary>
        public static double Percentile(IReadOnlyList<double> sorted, double q)
        {
            if (sorted.Count == 0) return 0;
            double h = (sorted.Count - 1) * q;
            int i = (int)Math.Floor(h);
            return i + 1 < sorted.Count ? sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
        }

        public override string ToString() => $"median {Median:0.0} [{MedianLow:0.0}, {MedianHigh:0.0}], min {Min:0.0}, p90 {P90:0.0}, max {Max:0.0} ({Count} samples)";
    }
}
