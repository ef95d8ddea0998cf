using System.Collections.Generic;
using System.Linq;

namespace MaceTools
{
    /// <summary>The summary statistics the benchmarks and measurements report.</summary>
    public static class Statistics
    {
        /// <summary>The median (the mean of the middle two for an even count); 0 for no values.</summary>
        public static double Median(IReadOnlyList<double> values)
        {
            if (values.Count == 0) return 0;
            var sorted = values.OrderBy(v => v).ToArray();
            int n = sorted.Length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        /// <summary>The median absolute deviation over the median: a spread that one outlier does not move; 0 for no values.</summary>
        public static double RelativeSpread(IReadOnlyList<double> values)
        {
            double median = Median(values);
            return median <= 0 ? 0 : Median(values.Select(v => System.Math.Abs(v - median)).ToArray()) / median;
        }
    }
}
