using System;
using System.Linq;
using System.Threading;
using MaceTools.Kernels;
using MaceTools.Measurement;
using MaceTools.OpenCL;

namespace MaceTools.Tuning
{
    /// <summary>Tunes real launches of the kernel library on a device: fills the inputs, searches, and forms MACE's stored vector.</summary>
    public static class KernelTuner
    {
        public static MaceTuningResult Tune(KernelRunner runner, KernelLaunch launch, TuningStrategy strategy = TuningStrategy.Auto,
            bool limitKernelTime = false, int seed = 1, CancellationToken cancel = default)
        {
            if (launch.TuningKey == null) throw new ArgumentException($"{launch.Kernel} is not tuned by MACE", nameof(launch));
            runner.FillInputs(launch);
            var version = launch.Target.Version;
            long kwg = runner.Kernel(launch).WorkGroupSize;
            var space = TuningSpace.For(launch.Dimensions, launch.GlobalSize, kwg, runner.DefaultLocalSize(launch), version);
            double? Time(long[] local)
            {
                try { return runner.Time(launch, local) / 1000.0; }
                catch (ClException) { return null; }
            }
            var outcome = LocalSizeSearch.Run(strategy, space, Time, version, seed, cancel);
            var result = Result(runner.Device.Name, strategy, launch, space.DefaultLocalSize, outcome, limitKernelTime);
            result.ContextCandidates = outcome.Finalists.Prepend(outcome.Best).Concat(space.Shaped(runner.Device.ComputeUnits))
                .Where(l => !l.SequenceEqual(space.DefaultLocalSize)).GroupBy(TuningSpace.Key).Select(g => g.First()).ToArray();
            return result;
        }

        /// <summary>
        /// The result of a search: the re-timing's verdict decides what is stored. A size not measurably faster than
        /// MACE's default is not claimed as a winner and the default is stored, except under the Mace strategy, which
        /// stores MACE's pick as MACE's own tuning would.
        /// </summary>
        internal static MaceTuningResult Result(string device, TuningStrategy strategy, KernelLaunch launch, long[] defaultLocal, SearchOutcome outcome, bool limitKernelTime)
        {
            var verdict = VerdictOf(outcome, defaultLocal);
            var r = new MaceTuningResult
            {
                Device = device, Strategy = strategy, Kernel = launch.Kernel, TuningKey = launch.TuningKey!, FileKey = launch.TuningFileKey!,
                GlobalSize = launch.GlobalSize, SearchedLocalSize = outcome.Best, DefaultLocalSize = defaultLocal, Verdict = verdict,
                DefaultMicros = outcome.Retimed.Baseline.Median, SearchedMicros = outcome.Retimed.Candidate.Median,
                GainPercent = outcome.Retimed.GainPercent, GainLowPercent = outcome.Retimed.GainLowPercent, GainHighPercent = outcome.Retimed.GainHighPercent,
                DefaultRounds = outcome.DefaultRounds, SearchedRounds = outcome.BestRounds,
                SearchMicros = outcome.Micros, SearchDefaultMicros = outcome.DefaultMicros,
                Trials = outcome.Launches, RetimeLaunches = outcome.RetimeLaunches, Tried = outcome.Tried, Refused = outcome.Refused,
            };
            r.LocalSize = r.KeptDefault ? defaultLocal : outcome.Best;
            r.Micros = r.KeptDefault ? r.DefaultMicros : r.SearchedMicros;
            r.SpreadPercent = 100 * Statistics.RelativeSpread(r.StoredRounds);
            var version = launch.Target.Version;
            r.Block = Block(launch.Dimensions, launch.GlobalSize, r.LocalSize, r.Micros, limitKernelTime, launch.Target.NonUniformWorkGroup, version);
            r.Parameters = r.LocalSize.Append(r.Block).Select(v => (uint)v).ToArray();
            return r;
        }

        private static TuningVerdict VerdictOf(SearchOutcome outcome, long[] defaultLocal)
        {
            if (outcome.DefaultRefused) return TuningVerdict.DefaultRefused;
            if (outcome.Best.SequenceEqual(defaultLocal)) return TuningVerdict.DefaultChosen;
            return outcome.Retimed.Verdict switch
            {
                LatencyVerdict.Faster => TuningVerdict.Faster,
                LatencyVerdict.Slower => TuningVerdict.Slower,
                _ => TuningVerdict.NoMeasurableGain,
            };
        }

        /// <summary>Above this a kernel is split when the deployment file asks for it (MACE's kMaxKernelExecTime, 1 ms).</summary>
        public const double MaxKernelMicros = 1000;

        /// <summary>
        /// The stored vector's last element (mace-formats.md §4.5). From v0.7 it is the block size along the last dimension:
        /// with limit_opencl_kernel_time, gws/min(⌊t/1000 µs⌋+1, gws) rounded up to the local size when work-groups are
        /// uniform, else 0 (no split). Before v0.7 it was the number of blocks, 1 when not split.
        /// </summary>
        public static long Block(int dimensions, long[] gws, long[] local, double micros, bool limitKernelTime, bool nonUniform, MaceVersion version)
        {
            uint g = (uint)gws[dimensions - 1];
            uint blocks = limitKernelTime ? Math.Min((uint)(micros / MaxKernelMicros) + 1, g) : 1;
            if (!version.AtLeast(0, 7, 0)) return blocks;
            if (!limitKernelTime) return 0;
            uint block = g / Math.Max(blocks, 1);
            uint l = (uint)local[dimensions - 1];
            if (!nonUniform && l > 0) block = (block + l - 1) / l * l;
            return block;
        }
    }
}
