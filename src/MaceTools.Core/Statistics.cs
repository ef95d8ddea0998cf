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
    }
}
