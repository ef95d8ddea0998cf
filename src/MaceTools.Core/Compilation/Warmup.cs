using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using MaceTools.Conversion;
using MaceTools.Formats;
using MaceTools.Kernels;
using MaceTools.OpenCL;
using MaceTools.Tuning;

namespace MaceTools.Compilation
{
    /// <summary>
    /// One launch of a model's kernel as MACE will make it: the launch (global size, arguments) and the local size MACE
    /// uses (a tuned one, or null for MACE's default on the device, which only the device can compute).
    /// </summary>
    public sealed class WarmupLaunch
    {
        public WarmupLaunch(KernelLaunch launch, long[]? local = null)
        {
            Launch = launch;
            Local = local;
        }

        public KernelLaunch Launch { get; }
        public long[]? Local { get; }

        public override string ToString() => $"{Launch.Kernel} [{string.Join(",", Launch.GlobalSize)}] local [{(Local == null ? "default" : string.Join(",", Local))}]";
    }

    /// <summary>What the warm-up before capture cost and did, for one file (the result object carries it).</summary>
    public sealed class MaceWarmup
    {
        /// <summary>False when no launches were made (switched off, no model to derive them from, a remote host).</summary>
        public bool Applied { get; internal set; }
        /// <summary>Why the programs were captured without a warm-up, when <see cref="Applied"/> is false.</summary>
        public string? Reason { get; internal set; }
        /// <summary>Programs launched before their binaries were read.</summary>
        public int Programs { get; internal set; }
        /// <summary>Distinct launches made (kernel, global size, local size).</summary>
        public int Launches { get; internal set; }
        /// <summary>Wall time of the launches in the workers, summed over programs (first launches compile: this is what the file saves at start-up).</summary>
        public double Milliseconds { get; internal set; }
        /// <summary>Launches the driver refused (their programs are captured with the specialisations made so far).</summary>
        public string[] Failures { get; internal set; } = Array.Empty<string>();

        public override string ToString() => Applied
            ? FormattableString.Invariant($"{Launches} launch(es) of {Programs} program(s) in {Milliseconds:0} ms{(Failures.Length > 0 ? $", {Failures.Length} failed" : "")}")
            : "none: " + Reason;
    }

    /// <summary>
    /// Warm-up before capture. pocl (and drivers like it) compile a work-group-size-specialised kernel at the first
    /// enqueue of each (local size, zero offset, small grid) and keep it in the program's binary; a binary read right after
    /// clBuildProgram holds none, so MACE's first inference from it compiles again. So each program is launched at the
    /// model's real global and local sizes in the build worker, and only then is CL_PROGRAM_BINARIES read (once: pocl
    /// serialises the binary at the first query).
    /// </summary>
    public static class Warmup
    {
        private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

        /// <summary>
        /// Every kernel instance of <paramref name="sets"/> in execution order, with the local size MACE will use: from
        /// <paramref name="tuned"/> (file key → stored vector) where the launch's tuning key is there, else MACE's default.
        /// </summary>
        public static List<WarmupLaunch> Launches(IEnumerable<KernelSet> sets, IReadOnlyDictionary<string, uint[]>? tuned = null)
        {
            var list = new List<WarmupLaunch>();
            foreach (var k in sets.SelectMany(s => s.Kernels))
            {
                long[]? local = null;
                if (tuned != null && k.TuningFileKey != null && tuned.TryGetValue(k.TuningFileKey, out var v) && v.Length >= k.Launch.Dimensions)
                {
                    var l = v.Take(k.Launch.Dimensions).Select(x => (long)x).ToArray();
                    if (l.All(x => x > 0)) local = l;
                }
                list.Add(new WarmupLaunch(k.Launch, local));
            }
            return list;
        }

        /// <summary>The stored vectors of a tuned-parameter file (or of the file beside a sidecar), by file key.</summary>
        public static Dictionary<string, uint[]> ReadTuned(string path)
        {
            if (path.EndsWith(TunedParameterFile.SidecarSuffix, StringComparison.OrdinalIgnoreCase))
                path = path.Substring(0, path.Length - TunedParameterFile.SidecarSuffix.Length);
            var file = MaceProgram.Load(path);
            if (file.Kind != MaceFileKind.Tuning)
                throw new MaceException(ErrorIds.KindMismatch, MaceErrorCategory.InvalidArgument, $"{file.Path}: is a program file; -TunedParameter needs a tuned-parameter file", file.Path);
            var map = new Dictionary<string, uint[]>(StringComparer.Ordinal);
            foreach (var e in file.Entries)
                if (e.Kind == MaceEntryKind.TuningParameter && e.Words != null) map[e.Key] = e.Words;
            return map;
        }

        /// <summary>What identifies a warm-up in the build cache: a binary warmed for other launches is another binary.</summary>
        public static string Signature(IEnumerable<WarmupLaunch> launches) =>
            KernelSourceSet.HashText(string.Join("\n", launches.Select(l => Format(l).Format())));

        internal static WorkerMessage Format(WarmupLaunch l) =>
            TuningMessages.Launch(l.Launch).Set("local", l.Local == null ? "" : string.Join(",", l.Local.Select(v => v.ToString(Invariant))));

        internal static WarmupLaunch Read(WorkerMessage m)
        {
            string local = m["local"] ?? "";
            return new WarmupLaunch(TuningMessages.ReadLaunch(m), local.Length == 0 ? null : local.Split(',').Select(s => long.Parse(s, Invariant)).ToArray());
        }

        /// <summary>The launches as one worker-message field.</summary>
        internal static string FormatList(IEnumerable<WarmupLaunch> launches) => TuningMessages.List(launches.Select(l => Format(l).Format()));

        internal static List<WarmupLaunch> ReadList(string field) => TuningMessages.ReadList(field).Select(s => Read(WorkerMessage.Parse(s))).ToList();

        /// <summary>One launch made in the worker: what ran, at which local size, and its wall time (the first one of a new size compiles).</summary>
        internal sealed class Made
        {
            public Made(WarmupLaunch launch, long[] local, double ms)
            {
                Launch = launch;
                Local = local;
                Milliseconds = ms;
            }

            public WarmupLaunch Launch { get; }
            public long[] Local { get; }
            public double Milliseconds { get; }
            public string Identity => $"{Launch.Launch.ProgramKey}\n{Launch.Launch.Symbol}\n{string.Join(",", Launch.Launch.EnqueuedGlobalSize(Local))}\n{string.Join(",", Local)}";
        }

        /// <summary>
        /// The worker's side: launches each of <paramref name="launches"/> once on <paramref name="runner"/> (its programs
        /// adopted or built there), on seeded random inputs, at its local size; the wall time of each launch includes
        /// clCreateKernel and any compile the driver does at enqueue. With <paramref name="distinct"/>, a launch whose
        /// kernel, enqueued global size and local size were already made is skipped. Failures are collected, not thrown.
        /// </summary>
        internal static List<Made> Launch(KernelRunner runner, IEnumerable<WarmupLaunch> launches, bool distinct, List<string> failures, CancellationToken cancel)
        {
            var made = new List<Made>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var l in launches)
            {
                cancel.ThrowIfCancellationRequested();
                try
                {
                    runner.FillInputs(l.Launch);
                    var sw = Stopwatch.StartNew();
                    var local = l.Local ?? runner.DefaultLocalSize(l.Launch);
                    var m = new Made(l, local, 0);
                    if (distinct && !seen.Add(m.Identity)) continue;
                    runner.Time(l.Launch, local);
                    made.Add(new Made(l, local, sw.Elapsed.TotalMilliseconds));
                }
                catch (Exception e) when (e is ClException || e is MaceException || e is ArgumentException)
                {
                    failures.Add($"{l}: {e.Message.Split('\n')[0]}");
                }
            }
            return made;
        }

        /// <summary>
        /// The worker's side of a start-up's inference: every launch queued back to back and waited for once, as MACE's
        /// runtime runs a model (each launch's inputs are filled before, on tensors of its own shape, so nothing of the
        /// probe's runs between them). <paramref name="wallMs"/> is the host's wall time from the first kernel creation to
        /// the end of the last launch. Each launch's time is its share of the device timeline, from when the device could
        /// start it (its own enqueue or the previous launch's end) to its end: a compile at its first launch is in it.
        /// </summary>
        internal static List<Made> Queue(KernelRunner runner, IReadOnlyList<WarmupLaunch> launches, IDictionary<WarmupLaunch, PreparedLaunch> prepared,
            List<string> failures, CancellationToken cancel, out double wallMs)
        {
            var bindings = launches.Select(l => KernelRunner.ShapedTensors(l.Launch)).ToList();
            for (int i = 0; i < launches.Count; i++) runner.FillInputs(launches[i].Launch, bindings[i]);
            var queued = new List<(WarmupLaunch Launch, long[] Local, IntPtr Event)>();
            var sw = Stopwatch.StartNew();
            try
            {
                for (int i = 0; i < launches.Count; i++)
                {
                    cancel.ThrowIfCancellationRequested();
                    var l = launches[i];
                    try
                    {
                        // Each op's kernel object is made at its first run, as MACE's ops make theirs (clCreateKernel is in the clock).
                        if (!prepared.TryGetValue(l, out var p)) prepared[l] = p = runner.Prepare(l.Launch, bindings[i]);
                        var local = l.Local ?? runner.DefaultLocalSize(l.Launch);
                        queued.Add((l, local, runner.Enqueue(p, local)));
                    }
                    catch (Exception e) when (e is ClException || e is MaceException || e is ArgumentException)
                    {
                        failures.Add($"{l}: {e.Message.Split('\n')[0]}");
                    }
                }
            }
            finally { runner.Finish(); }
            wallMs = sw.Elapsed.TotalMilliseconds;
            var made = new List<Made>();
            ulong previousEnd = 0;
            foreach (var (launch, local, evt) in queued)
            {
                var t = runner.Timeline(evt);
                ulong from = Math.Max(previousEnd, t.Queued);
                made.Add(new Made(launch, local, t.End > from ? (t.End - from) / 1e6 : 0));
                previousEnd = Math.Max(previousEnd, t.End);
            }
            return made;
        }
    }
}
