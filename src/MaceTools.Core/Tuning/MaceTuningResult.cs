using System;

namespace MaceTools.Tuning
{
    /// <summary>One tuned kernel instance: the size chosen, its time against MACE's default size, and what the search cost.</summary>
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
        /// <summary>The chosen local size, one extent per dimension.</summary>
        public long[] LocalSize { get; internal set; } = Array.Empty<long>();
        /// <summary>The block size along the split dimension (limit_opencl_kernel_time); 0 = no split. Before v0.7 the number of blocks.</summary>
        public long Block { get; internal set; }
        /// <summary>The vector MACE stores: [l0, l1, l2, block] or [l0, l1, block].</summary>
        public uint[] Parameters { get; internal set; } = Array.Empty<uint>();
        /// <summary>The chosen size's time in microseconds (median; MACE's strategy: MACE's integer mean).</summary>
        public double Micros { get; internal set; }
        public long[] DefaultLocalSize { get; internal set; } = Array.Empty<long>();
        /// <summary>MACE's default size's time (median), what the kernel takes without a tuned file.</summary>
        public double DefaultMicros { get; internal set; }
        public double GainPercent => DefaultMicros > 0 ? 100 * (DefaultMicros - Micros) / DefaultMicros : 0;
        /// <summary>Kernel launches the search made, warm-ups included.</summary>
        public int Trials { get; internal set; }
        /// <summary>Distinct local sizes launched.</summary>
        public int Tried { get; internal set; }
        /// <summary>Local sizes the driver refused (MACE would time them as 0 µs and might keep one: a known quirk).</summary>
        public int Refused { get; internal set; }
        /// <summary>Run-to-run spread of the chosen size, in percent of its median.</summary>
        public double SpreadPercent { get; internal set; }
        /// <summary>Other kernel instances of the model with the same key (MACE stores one vector per key).</summary>
        public int SharedBy { get; internal set; }

        public override string ToString() => $"{TuningKey}: [{string.Join(",", LocalSize)}] {Micros:F0} µs (default {DefaultMicros:F0} µs, {GainPercent:F1}%)";
    }
}
