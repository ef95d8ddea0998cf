using System;
using System.Collections.Generic;

namespace MaceTools.Tuning
{
    /// <summary>
    /// MACE's tuner timing rule (tuner.h@v1.1.1:208-262, mace-formats.md §4.4): per candidate one warm-up run, then up
    /// to ten timed runs that stop early once the total passes 100 ms (after two runs) or 200 ms; the candidate with the
    /// lowest mean wins, the first one on ties. Times are in microseconds and summed in an int64, as MACE sums them.
    /// </summary>
    public static class MaceTimingRule
    {
        public const int Runs = 10;

        /// <summary>MACE's <c>Run(p, num_runs)</c>: the mean of the runs made, in whole microseconds (int64 sums and division).</summary>
        public static double Measure(Func<double> runMicros, int numRuns = Runs)
        {
            long total = 0;
            int iter;
            for (iter = 0; iter < numRuns; iter++)
            {
                total = (long)(total + runMicros());
                if ((iter >= 1 && total > 100_000) || total > 200_000)
                {
                    iter++;
                    break;
                }
            }
            return iter == 0 ? 0 : total / iter;
        }

        /// <summary>MACE's <c>Tune</c>: the best candidate, its time, and how many kernel launches it took.</summary>
        public static (long[] Best, double Micros, int Launches) Tune(IReadOnlyList<long[]> candidates, Func<long[], double> runMicros)
        {
            if (candidates.Count == 0) throw new ArgumentException("no candidates to tune", nameof(candidates));
            long[] best = candidates[0];
            double bestTime = double.PositiveInfinity;
            int launches = 0;
            foreach (var p in candidates)
            {
                Measure(() => { launches++; return runMicros(p); }, 1); // warm-up, discarded
                double t = Measure(() => { launches++; return runMicros(p); });
                if (t < bestTime)
                {
                    bestTime = t;
                    best = p;
                }
            }
            return (best, bestTime, launches);
        }
    }
}
