using System;

namespace MaceTools.Tuning
{
    /// <summary>What the re-timing of a kernel's searched size against MACE's default concluded, and so what the file stores.</summary>
    public enum TuningVerdict
    {
        /// <summary>Measurably faster than MACE's default size in the re-timing: the searched size is stored.</summary>
        Faster,
        /// <summary>
        /// Inside the noise (the gain's interval holds zero): no winner is claimed and MACE's default size is stored;
        /// the Mace strategy stores MACE's pick, since it reproduces MACE's own file.
        /// </summary>
        NoMeasurableGain,
        /// <summary>Measurably slower in the re-timing: MACE's default size is stored (Mace strategy: MACE's pick, as MACE would).</summary>
        Slower,
        /// <summary>The search chose MACE's default size itself.</summary>
        DefaultChosen,
        /// <summary>The driver refuses MACE's default size for this kernel: the searched size is stored, with nothing to compare.</summary>
        DefaultRefused,
    }

    /// <summary>A key's outcome in the model's own context (<see cref="ContextTuning"/>).</summary>
    public sealed class ContextVerdict
    {
        /// <summary>The local size kept after timing in context; MACE's default unless a candidate was measurably faster there.</summary>
        public long[] LocalSize { get; internal set; } = Array.Empty<long>();
        /// <summary>True when MACE's default size was kept.</summary>
        public bool KeptDefault { get; internal set; }
        /// <summary>The kept candidate's gain over the default in the model (summed device time of the key's instances), in percent, with its interval.</summary>
        public double GainPercent { get; internal set; }
        public double GainLowPercent { get; internal set; }
        public double GainHighPercent { get; internal set; }
        /// <summary>Candidates timed in context besides the default.</summary>
        public int Candidates { get; internal set; }
    }

    /// <summary>
    /// One tuned kernel instance: the size searched and the size stored, both re-timed against MACE's default size in
    /// fresh interleaved rounds after the search (the gain with its interval), and what the search cost.
    /// </summary>
    public sealed class MaceTuningResult
    {
        /// <summary>The device the kernel was timed on.</summary>
        public string Device { get; internal set; } = "";
        public TuningStrategy Strategy { get; internal set; }
        public string Kernel { get; internal set; } = "";
        /// <summary>MACE's tuning key as formed (plain).</summary>
        public string TuningKey { get; internal set; } = "";
        /// <summary>The key as stored in the tuned-parameter file (obfuscated when the model is).</summary>
        public string FileKey { get; internal set; } = "";
        public long[] GlobalSize { get; internal set; } = Array.Empty<long>();
        /// <summary>The stored local size, one extent per dimension: the searched one, or MACE's default where the search gained nothing measurable (<see cref="Verdict"/>).</summary>
        public long[] LocalSize { get; internal set; } = Array.Empty<long>();
        /// <summary>The size the search chose.</summary>
        public long[] SearchedLocalSize { get; internal set; } = Array.Empty<long>();
        /// <summary>The block size along the split dimension (limit_opencl_kernel_time); 0 = no split. Before v0.7 the number of blocks.</summary>
        public long Block { get; internal set; }
        /// <summary>The vector MACE stores: [l0, l1, l2, block] or [l0, l1, block].</summary>
        public uint[] Parameters { get; internal set; } = Array.Empty<uint>();
        /// <summary>The stored size's re-timed median, in microseconds: what the kernel takes with the file.</summary>
        public double Micros { get; internal set; }
        public long[] DefaultLocalSize { get; internal set; } = Array.Empty<long>();
        /// <summary>MACE's default size's re-timed median: what the kernel takes without a tuned file.</summary>
        public double DefaultMicros { get; internal set; }
        /// <summary>The searched size's re-timed median.</summary>
        public double SearchedMicros { get; internal set; }
        /// <summary>The searched size's re-timed gain over MACE's default, in percent: the median of the per-round gains.</summary>
        public double GainPercent { get; internal set; }
        /// <summary>The lower end of the gain's confidence interval (≥ 95%, sign test over the rounds).</summary>
        public double GainLowPercent { get; internal set; }
        /// <summary>The upper end of the gain's confidence interval.</summary>
        public double GainHighPercent { get; internal set; }
        public TuningVerdict Verdict { get; internal set; }
        /// <summary>True when the stored size is MACE's default (the verdict kept it, or the search chose it).</summary>
        public bool KeptDefault => Verdict == TuningVerdict.DefaultChosen || (Strategy != TuningStrategy.Mace && (Verdict == TuningVerdict.NoMeasurableGain || Verdict == TuningVerdict.Slower));
        /// <summary>The re-timing's runs of MACE's default size, in microseconds, round by round.</summary>
        public double[] DefaultRounds { get; internal set; } = Array.Empty<double>();
        /// <summary>The re-timing's runs of the searched size, paired with <see cref="DefaultRounds"/> by round.</summary>
        public double[] SearchedRounds { get; internal set; } = Array.Empty<double>();
        /// <summary>The searched size's time as the search itself saw it. Biased low (the best of many noisy candidates): not a gain to report.</summary>
        public double SearchMicros { get; internal set; }
        /// <summary>MACE's default size's time as the search itself saw it.</summary>
        public double SearchDefaultMicros { get; internal set; }
        /// <summary>Kernel launches the search made, warm-ups included.</summary>
        public int Trials { get; internal set; }
        /// <summary>Kernel launches the re-timing against MACE's default made after the search.</summary>
        public int RetimeLaunches { get; internal set; }
        /// <summary>Distinct local sizes launched.</summary>
        public int Tried { get; internal set; }
        /// <summary>Local sizes the driver refused (MACE would time them as 0 µs and might keep one: a known quirk).</summary>
        public int Refused { get; internal set; }
        /// <summary>Run-to-run spread of the stored size in the re-timing (median absolute deviation), in percent of its median.</summary>
        public double SpreadPercent { get; internal set; }
        /// <summary>Other kernel instances of the model with the same key (MACE stores one vector per key).</summary>
        public int SharedBy { get; internal set; }
        /// <summary>
        /// The local sizes the in-context stage times inside the model besides MACE's default (<see cref="ContextTuning"/>):
        /// the search's finalists and the device-shaped sizes of <see cref="TuningSpace.Shaped"/>.
        /// </summary>
        public long[][] ContextCandidates { get; internal set; } = Array.Empty<long[]>();
        /// <summary>What the in-context stage concluded for this key (null when it did not run): the stored size is its choice.</summary>
        public ContextVerdict? Context { get; internal set; }

        /// <summary>The stored size's re-timed runs, round by round: the searched size's, or the default's where it was kept.</summary>
        internal double[] StoredRounds => KeptDefault ? DefaultRounds : SearchedRounds;

        public override string ToString() =>
            $"{TuningKey}: [{string.Join(",", LocalSize)}] {Micros:F0} µs (default {DefaultMicros:F0} µs; searched [{string.Join(",", SearchedLocalSize)}] " +
            $"{GainPercent:F1}% [{GainLowPercent:F1}%, {GainHighPercent:F1}%]: {Verdict})";
    }
}
