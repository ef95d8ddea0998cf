using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Kernels;
using MaceTools.OpenCL;

namespace MaceTools.Tuning
{
    /// <summary>One tuned kernel instance: its key, the size chosen, its time and the default size's time.</summary>
    public sealed class MaceTuningResult
    {
        public string Kernel { get; internal set; } = "";
        public string TuningKey { get; internal set; } = "";
        public long[] GlobalSize { get; internal set; } = Array.Empty<long>();
        /// <summary>MACE's stored vector: [l0, l1, l2, block] (3-D) or [l0, l1, block] (2-D).</summary>
        public long[] LocalSize { get; internal set; } = Array.Empty<long>();
        public double Micros { get; internal set; }
        public long[] DefaultLocalSize { get; internal set; } = Array.Empty<long>();
        public double DefaultMicros { get; internal set; }
        public double GainPercent => DefaultMicros > 0 ? 100 * (DefaultMicros - Micros) / DefaultMicros : 0;
        /// <summary>Kernel launches the search made (warm-ups included).</summary>
        public int Trials { get; internal set; }
        /// <summary>Candidates the driver refused to launch (MACE would time them as 0 µs and keep one: a known quirk).</summary>
        public int Refused { get; internal set; }
    }

    /// <summary>MACE's own search, reproduced: its candidate list and timing rule on real launches of the kernel set.</summary>
    public static class MaceTuner
    {
        /// <summary>A refused launch counts as 1e12 µs: past MACE's 200 ms stop after one run, and never the best.</summary>
        private const double RefusedMicros = 1e12;

        public static MaceTuningResult Tune(KernelRunner runner, KernelLaunch launch)
        {
            if (launch.TuningKey == null) throw new ArgumentException($"{launch.Kernel} is not tuned by MACE", nameof(launch));
            runner.FillInputs(launch);
            long kwg = runner.Kernel(launch).WorkGroupSize;
            var candidates = TuningCandidates.For(launch.Dimensions, launch.GlobalSize, kwg, launch.Target.Version);
            var refused = new HashSet<long[]>();
            double Time(long[] p)
            {
                try { return runner.Time(launch, p.Take(launch.Dimensions).ToArray()) / 1000.0; }
                catch (ClException) { refused.Add(p); return RefusedMicros; }
            }
            var (best, micros, launches) = MaceTimingRule.Tune(candidates, Time);
            var defaultSize = runner.DefaultLocalSize(launch);
            double defaultMicros = MaceTimingRule.Measure(() => runner.Time(launch, defaultSize) / 1000.0);
            return new MaceTuningResult
            {
                Kernel = launch.Kernel, TuningKey = launch.TuningKey, GlobalSize = launch.GlobalSize, LocalSize = best,
                Micros = micros, DefaultLocalSize = defaultSize, DefaultMicros = defaultMicros, Trials = launches, Refused = refused.Count,
            };
        }
    }
}
