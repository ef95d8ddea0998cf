using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using MaceTools.Config;
using MaceTools.Conversion;
using MaceTools.Devices;
using MaceTools.Measurement;
using MaceTools.Runtime;

namespace MaceTools.Operations
{
    /// <summary>
    /// One op type's share of an inference: the summed device time of its kernels, or for a CPU-placed op type
    /// (<see cref="Op"/> "cpu:MatMul") the summed host time of its nodes.
    /// </summary>
    public sealed class MaceOpTime
    {
        /// <summary>The kernel's op type, or "cpu:" and the ONNX op type for nodes placed on the CPU.</summary>
        public string Op { get; internal set; } = "";
        /// <summary>True for CPU-placed nodes (host stopwatch), false for GPU kernels (OpenCL profiling events).</summary>
        public bool Cpu { get; internal set; }
        /// <summary>Inference kernels of this op type (an op may launch several); for a CPU entry, its nodes.</summary>
        public int Kernels { get; internal set; }
        /// <summary>Median over the rounds of the summed time of those kernels or CPU nodes, in microseconds.</summary>
        public double Microseconds { get; internal set; }
        /// <summary>Share of the inference's summed kernel and CPU-node time (0 to 1).</summary>
        public double Share { get; internal set; }

        public override string ToString() => FormattableString.Invariant($"{Op} ×{Kernels}: {Microseconds:0.0} µs ({100 * Share:0.0}%)");
    }

    /// <summary>
    /// One way of running a model (MACE's default local sizes, a tuned file's, ONNX Runtime's CPU provider) timed in the
    /// same interleaved rounds as the others (Measure-MaceModel's object).
    /// </summary>
    public sealed class MaceLatencyResult
    {
        public string Model { get; internal set; } = "";
        public string Device { get; internal set; } = "";
        /// <summary>"default sizes", "tuned: &lt;file name&gt;" or "ONNX Runtime CPU".</summary>
        public string Way { get; internal set; } = "";
        /// <summary>The tuned-parameter file, MACE's default formula, or the ONNX file and the host.</summary>
        public string Source { get; internal set; } = "";
        /// <summary>Wall time of one inference in each round, in round order (the worker's clock; ONNX Runtime's run here).</summary>
        public double[] WallMs { get; internal set; } = Array.Empty<double>();
        /// <summary>Min, median (with its interval), p90 and max of <see cref="WallMs"/>.</summary>
        public LatencyStatistics Latency { get; internal set; } = new LatencyStatistics();
        /// <summary>Median over the rounds of the summed kernel device time; 0 for ONNX Runtime (no device events).</summary>
        public double KernelMs { get; internal set; }
        /// <summary>Median over the rounds of the summed host time of the CPU-placed nodes (0 when none, and for ONNX Runtime).</summary>
        public double CpuMs { get; internal set; }
        /// <summary>
        /// Median over the rounds of (wall − summed kernel time − summed CPU-node time) / wall: enqueue, waits and the runner's
        /// host work; CPU-placed nodes are in <see cref="CpuMs"/>, not here. 0 for ONNX Runtime.
        /// </summary>
        public double HostOverhead { get; internal set; }
        /// <summary>
        /// Median over the rounds of the device's idle time between consecutive kernels (each START minus the previous END)
        /// / wall: the driver's per-command share of <see cref="HostOverhead"/>; the rest falls before the first kernel
        /// starts and after the last ends (enqueue of the first launch, the wake-up of the final wait).
        /// </summary>
        public double GapShare { get; internal set; }
        /// <summary>
        /// Init plus the first inference: for the runner, the weights' upload and transform and the first inference of a
        /// fresh request (programs already built in the worker, as with a warm program cache; per-size compiles at first
        /// launch included); for ONNX Runtime, the session's creation plus its first run.
        /// </summary>
        public double FirstInferenceMs { get; internal set; }
        /// <summary>This way's gain over the default sizes, paired by round; null for the default sizes themselves.</summary>
        public LatencyComparison? Gain { get; internal set; }
        /// <summary>Per op type, the device time of its kernels, and per CPU-placed op type ("cpu:…") its nodes' host time (empty for ONNX Runtime).</summary>
        public MaceOpTime[] Profile { get; internal set; } = Array.Empty<MaceOpTime>();

        public override string ToString() => FormattableString.Invariant(
            $"{Model} on {Device}, {Way}: {Latency}{(Gain == null ? "" : $"; gain {Gain.GainPercent:0.0}% [{Gain.GainLowPercent:0.0}%, {Gain.GainHighPercent:0.0}%] {Gain.Verdict}")}");
    }

    /// <summary>
    /// Measure-MaceModel / macetools model measure: the model's latency with MACE's default local sizes, with each tuned
    /// file, and through ONNX Runtime's CPU provider on this host, in one run with the ways interleaved round by round in
    /// a shuffled order (so drift hits all alike), each gain over the default paired by round with its interval.
    /// </summary>
    public sealed class MeasureModelOperation : ModelOperation
    {
        public const string DefaultWay = "default sizes";
        public const string ReferenceWay = "ONNX Runtime CPU";

        /// <summary>Tuned-parameter files, each one way (e.g. the tuner's own choice and its --strategy mace output).</summary>
        public IList<string> TunedParameters { get; set; } = new List<string>();
        /// <summary>Interleaved rounds; each way times one inference per round after one untimed warm-up inference.</summary>
        public int Round { get; set; } = 10;
        /// <summary>Also time ONNX Runtime's CPU provider on the same input.</summary>
        public bool Reference { get; set; } = true;

        protected override string Activity => "Measuring";

        protected override void Process(IOperationHost host, MaceDevice device, ModelRunner runner, KernelSet set, MaceSubgraphConfig? graph,
            List<IReadOnlyList<MaceTensor>> samples, string source, ModelRunOptions options)
        {
            string cwd = host.CurrentDirectory;
            var sample = new List<IReadOnlyList<MaceTensor>> { samples[0] };
            var ways = new List<(string Name, string Source, IReadOnlyDictionary<string, uint[]>? Tuned)> { (DefaultWay, "MACE's default formula", null) };
            foreach (var file in TunedParameters.Select(p => PathResolver.FullPath(p, cwd)))
                ways.Add(("tuned: " + Path.GetFileName(file), file, Compilation.Warmup.ReadTuned(file)));
            if (TunedParameters.Count == 0)
                host.WriteWarning($"{set.Model}: no tuned-parameter file: the default sizes are measured alone; a gain needs -TunedParameter (e.g. the file tune writes).");

            // The schedule, in order: one run that builds the programs in the worker (so no way pays the build in its first
            // inference), each way's first inference, then the rounds, each with the ways (and ONNX Runtime, -1) shuffled.
            int rounds = Math.Max(1, Round);
            var shuffle = new Random(Seed);
            var order = Enumerable.Range(0, rounds)
                .Select(_ => Enumerable.Range(0, ways.Count + (Reference ? 1 : 0)).Select(w => w == ways.Count ? -1 : w).OrderBy(_ => shuffle.Next()).ToList()).ToList();
            var gpu = new List<ModelRunOptions> { new ModelRunOptions { Rounds = 1, ProgramFile = options.ProgramFile } };
            gpu.AddRange(ways.Select(w => new ModelRunOptions { Tuned = w.Tuned, Rounds = 1, ProgramFile = options.ProgramFile }));
            gpu.AddRange(order.SelectMany(r => r).Where(w => w >= 0).Select(w => new ModelRunOptions { Tuned = ways[w].Tuned, Rounds = 1, Warmup = 1, ProgramFile = options.ProgramFile }));
            // A remote host's worker lives for one trip: the whole schedule goes in one batch, and ONNX Runtime (on this
            // machine anyway) is timed after it. A local worker runs each step as it comes, interleaved with ONNX Runtime.
            var done = new Queue<ModelRunResult>();
            if (runner.Remote)
            {
                host.WriteVerbose($"{set.Model} on {device.Name}: {gpu.Count} runs in one batch on the host; ONNX Runtime is timed here afterwards");
                foreach (var r in runner.RunAll(set, sample, gpu, host.CancellationToken)) done.Enqueue(r);
            }
            int next = 0;
            ModelRunResult Step()
            {
                var r = runner.Remote ? done.Dequeue() : runner.Run(set, sample, gpu[next], host.CancellationToken);
                next++;
                return r;
            }
            Step();
            var first = ways.Select(_ => Step()).Select(r => r.InitMs + r.Rounds[0].WallMs).ToList();

            OnnxReference? ort = null;
            double ortFirst = 0;
            try
            {
                if (Reference)
                {
                    var sw = Stopwatch.StartNew();
                    ort = new OnnxReference(set.Source ?? throw new ArgumentException($"{set.Model}: the kernel set does not name its model file"));
                    ort.Run(samples[0]);
                    ortFirst = sw.Elapsed.TotalMilliseconds;
                }
                var timed = ways.Select(_ => new List<ModelRound>()).ToList();
                var ortMs = new List<double>();
                var kernels = set.Kernels.Where(k => !k.IsWeight).ToList();
                var cpuNodes = set.CpuNodes.OrderBy(c => c.After).ToList(); // ModelRound.CpuUs's order
                for (int round = 0; round < rounds; round++)
                {
                    host.WriteProgress(new OperationProgress(7, $"Measuring {set.Model} on {device.Name}", $"round {round + 1} of {rounds}", 100 * round / rounds, parentActivityId: 6));
                    foreach (int w in order[round])
                    {
                        host.CancellationToken.ThrowIfCancellationRequested();
                        if (w < 0) ortMs.Add(ort!.Run(samples[0]).Milliseconds);
                        else timed[w].Add(Step().Rounds[0]);
                    }
                }
                host.WriteProgress(new OperationProgress(7, $"Measuring {set.Model} on {device.Name}", "done", 100, parentActivityId: 6, completed: true));
                var baseline = timed[0].Select(r => r.WallMs).ToList();
                for (int w = 0; w < ways.Count; w++)
                {
                    var wall = timed[w].Select(r => r.WallMs).ToArray();
                    var kernelMs = timed[w].Select(r => r.KernelMs).ToList();
                    double total = LatencyStatistics.Of(kernelMs).Median;
                    host.WriteObject(new MaceLatencyResult
                    {
                        Model = set.Model, Device = device.Name, Way = ways[w].Name, WallMs = wall,
                        Source = ways[w].Source + (options.ProgramFile == null ? "" : "; programs from " + options.ProgramFile.Path),
                        Latency = LatencyStatistics.Of(wall), KernelMs = total, CpuMs = LatencyStatistics.Of(timed[w].Select(r => r.CpuMs).ToList()).Median,
                        HostOverhead = LatencyStatistics.Of(timed[w].Select(r => r.HostOverhead).ToList()).Median,
                        GapShare = LatencyStatistics.Of(timed[w].Select(r => r.GapShare).ToList()).Median,
                        FirstInferenceMs = first[w],
                        Gain = w == 0 ? null : LatencyComparison.Of(baseline, wall),
                        Profile = Profile(kernels, cpuNodes, timed[w]),
                    });
                }
                if (ort != null)
                    host.WriteObject(new MaceLatencyResult
                    {
                        Model = set.Model, Device = device.Name, Way = ReferenceWay, Source = set.Source + " on " + Environment.MachineName, WallMs = ortMs.ToArray(),
                        Latency = LatencyStatistics.Of(ortMs), FirstInferenceMs = ortFirst, Gain = LatencyComparison.Of(baseline, ortMs),
                    });
            }
            finally
            {
                ort?.Dispose();
            }
        }

        /// <summary>
        /// Kernel device times grouped by op type and CPU-placed nodes' host times grouped by ONNX op type ("cpu:" first), the
        /// median over the rounds of each group's sum, largest first; shares of the summed kernel and CPU-node time.
        /// </summary>
        private static MaceOpTime[] Profile(IReadOnlyList<MaceKernel> kernels, IReadOnlyList<CpuNode> cpuNodes, IReadOnlyList<ModelRound> rounds)
        {
            var entries = kernels.Select((k, i) => (Op: k.Op, Cpu: false, i)).Concat(cpuNodes.Select((c, i) => (Op: "cpu:" + c.Op, Cpu: true, i))).ToList();
            double Time(ModelRound r, (string Op, bool Cpu, int i) x) => x.Cpu ? (x.i < r.CpuUs.Length ? r.CpuUs[x.i] : 0) : r.KernelUs[x.i];
            double total = LatencyStatistics.Of(rounds.Select(r => r.KernelUs.Sum() + r.CpuUs.Sum()).ToList()).Median;
            return entries.GroupBy(x => x.Op, StringComparer.Ordinal)
                .Select(g =>
                {
                    double us = LatencyStatistics.Of(rounds.Select(r => g.Sum(x => Time(r, x))).ToList()).Median;
                    return new MaceOpTime { Op = g.Key, Cpu = g.First().Cpu, Kernels = g.Count(), Microseconds = us, Share = total > 0 ? us / total : 0 };
                })
                .OrderByDescending(o => o.Microseconds).ToArray();
        }
    }
}
