using System;
using System.Linq;
using System.Threading;
using MaceTools.Kernels;
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
            long block = Block(launch.Dimensions, launch.GlobalSize, outcome.Best, outcome.Micros, limitKernelTime, launch.Target.NonUniformWorkGroup, version);
            return new MaceTuningResult
            {
                Device = runner.Device.Name, Strategy = strategy, Kernel = launch.Kernel, TuningKey = launch.TuningKey, FileKey = launch.TuningFileKey!,
                GlobalSize = launch.GlobalSize, LocalSize = outcome.Best, Block = block,
                Parameters = outcome.Best.Append(block).Select(v => (uint)v).ToArray(),
                Micros = outcome.Micros, DefaultLocalSize = space.DefaultLocalSize, DefaultMicros = outcome.DefaultMicros,
                Trials = outcome.Launches, Tried = outcome.Tried, Refused = outcome.Refused, SpreadPercent = 100 * outcome.Spread,
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
