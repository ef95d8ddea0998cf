using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools
{
    /// <summary>The summary statistics the benchmarks and measurements report.</summary>
    public static class Statistics
    {
        /// <summary>The median (the mean of the middle two for an even count); 0 for no values.</summary>
        /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates), reproducibly for a seeded <paramref name="random"/>.</summary>
        public static void Shuffle<T>(IList<T> items, Random random)
        {
            for (int i = items.Count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
        }

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
