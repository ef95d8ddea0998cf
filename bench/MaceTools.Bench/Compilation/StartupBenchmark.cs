using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using MaceTools.Conversion;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Kernels;
using MaceTools.OpenCL;
using MaceTools.Operations;

namespace MaceTools.Compilation
{
    /// <summary>One way of starting a model's kernel set: medians over the rounds.</summary>
    public sealed class StartupBenchRow
    {
        public string Way { get; internal set; } = "";
        public int Programs { get; internal set; }
        public int Launches { get; internal set; }
        public double LoadMs { get; internal set; }
        public double FirstLaunchesMs { get; internal set; }
        public double FirstInferenceMs { get; internal set; }
        public double SteadyMs { get; internal set; }
        public int CompiledAtFirstLaunch { get; internal set; }
        /// <summary>This way's first inference over the one from our warmed file.</summary>
        public double VsOurs { get; internal set; }
        public int Rounds { get; internal set; }
        /// <summary>What the issue asks of this row, and whether it holds: "≤ 1.1× ours: yes".</summary>
        public string Target { get; internal set; } = "";
    }

    /// <summary>
    /// Time to first inference of a model's kernel set on a device, side by side in one run: from our file (New-MaceProgram
    /// -Config, warmed), from binaries captured after a full run of the same kernels (what MACE's own cache holds), from
    /// build-only binaries, and from source. Each start-up runs in a fresh worker with the driver cache off; the ways are
    /// interleaved round by round so drift hits all alike; medians.
    /// </summary>
    public static class StartupBenchmark
    {
        /// <summary>Where a start-up's first launches went: the launches themselves (create kernel, compile, run, wait) and the rest.</summary>
        private static string Breakdown(MaceStartup r)
        {
            double launched = r.Timings.Sum(t => t.FirstMs), compiled = r.Timings.Where(t => t.Compiled).Sum(t => t.FirstMs);
            var slowest = r.Timings.OrderByDescending(t => t.FirstMs).Take(3).Select(t => FormattableString.Invariant($"{t.Kernel} {t.FirstMs:0.0} ms"));
            var p = r.ProgramTimings;
            var rest = p.Skip(1).Select(x => x.CreateMs + x.BuildMs).DefaultIfEmpty().OrderBy(x => x).ToList();
            return FormattableString.Invariant(
                $"  {r.Way}: load {r.LoadMs:0} ms = create {p.Sum(x => x.CreateMs):0} + build {p.Sum(x => x.BuildMs):0} (first program {(p.Length > 0 ? p[0].CreateMs + p[0].BuildMs : 0):0.0} ms, the others median {rest[rest.Count / 2]:0.0}, max {rest[rest.Count - 1]:0.0}); ") + FormattableString.Invariant(
                $"first launches {r.FirstLaunchesMs:0} ms ({r.CompiledAtFirstLaunch} compiling: {compiled:0} ms; the other {r.Launches - r.CompiledAtFirstLaunch}: {(launched - compiled) / Math.Max(1, r.Launches - r.CompiledAtFirstLaunch):0.00} ms each); steady {r.SteadyMs:0} ms; slowest: {string.Join(", ", slowest)}");
        }

        public static List<StartupBenchRow> Run(string config, MaceDevice device, int rounds, string workDir, Action<string> log, CancellationToken cancel)
        {
            var worker = WorkerCommand.Locate();
            var host = new QuietHost(log, cancel: cancel);
            var version = MaceVersion.Latest;
            using var scratch = new ScratchDirectory("bench-startup", workDir);
            string ours = scratch.File("ours.bin");
            var op = new NewProgramOperation { Config = config, Devices = { device }, Cache = null, OutFile = ours, Worker = worker };
            op.WorkerEnvironment["POCL_KERNEL_CACHE"] = "0";
            op.Run(host);
            var written = host.Objects.OfType<MaceProgram>().Single();
            log($"our file: {written.ProgramCount} programs, warm-up {written.Warmup}");
            log($"each start: a fresh worker, POCL_KERNEL_CACHE=0, a fresh driver cache folder in {StartupProbe.DriverCacheParent ?? "the temporary folder"}");

            var sets = ConfigConversion.Convert(MaceTools.Config.MaceConfigReader.Read(config), device, version, ConfigConversion.Fetcher(null, host), host);
            var launches = Warmup.Launches(sets);
            var sources = KernelSourceSet.Builtin;
            var keys = sets.SelectMany(s => s.ProgramKeys).Distinct(StringComparer.Ordinal).OrderBy(k => k, StringComparer.Ordinal).ToList();
            var fromSource = StartupProbe.Programs(keys, null, sources, version);

            // MACE's own cache: the programs' binaries written after the model ran once (a start from source that captures).
            var afterRun = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var first = StartupProbe.Run("Source", device, worker, fromSource, launches, cancel, afterRun);
            log(first.ToString());
            log(Breakdown(first));
            var compiler = new ProgramCompiler(worker) { Cache = null, Force = true };
            compiler.WorkerEnvironment["POCL_KERNEL_CACHE"] = "0";
            var buildOnly = compiler.Build(keys.Select(k => new BuildJob(k, device, sources, version)).ToList(), host)
                .Where(o => o.Succeeded).ToDictionary(o => o.Job.Key, o => o.Binary!, StringComparer.Ordinal);
            var oursBinaries = MaceProgram.Load(ours).Entries.Where(e => e.Kind == MaceEntryKind.Program).ToDictionary(e => e.Key, e => e.GetValue(), StringComparer.Ordinal);

            List<StartupProgram> From(Dictionary<string, byte[]> b) => StartupProbe.Programs(keys, b, sources, version);
            var ways = new List<(string Way, List<StartupProgram> Programs)>
            {
                ("Ours (warmed file)", From(oursBinaries)),
                ("Captured after a full run", From(afterRun)),
                ("Build-only binaries", From(buildOnly)),
                ("Source", fromSource),
            };
            var runs = ways.ToDictionary(w => w.Way, _ => new List<MaceStartup>());
            runs["Source"].Add(first);
            for (int round = 0; round < rounds; round++)
                foreach (var (way, programs) in ways)
                {
                    // From source is slow and steady in relative terms: one round after the first is enough.
                    if (way == "Source" && runs[way].Count >= Math.Min(rounds, 2)) continue;
                    cancel.ThrowIfCancellationRequested();
                    var r = StartupProbe.Run(way, device, worker, programs, launches, cancel);
                    log($"round {round + 1}: {r}");
                    log(Breakdown(r));
                    runs[way].Add(r);
                }
            var rows = ways.Select(w =>
            {
                var rs = runs[w.Way];
                return new StartupBenchRow
                {
                    Way = w.Way, Programs = rs[0].Programs, Launches = rs[0].Launches, Rounds = rs.Count,
                    LoadMs = Statistics.Median(rs.Select(r => r.LoadMs).ToList()),
                    FirstLaunchesMs = Statistics.Median(rs.Select(r => r.FirstLaunchesMs).ToList()),
                    FirstInferenceMs = Statistics.Median(rs.Select(r => r.FirstInferenceMs).ToList()),
                    SteadyMs = Statistics.Median(rs.Select(r => r.SteadyMs).ToList()),
                    CompiledAtFirstLaunch = (int)Statistics.Median(rs.Select(r => (double)r.CompiledAtFirstLaunch).ToList()),
                };
            }).ToList();
            double oursMs = rows[0].FirstInferenceMs;
            foreach (var row in rows) row.VsOurs = oursMs > 0 ? row.FirstInferenceMs / oursMs : 0;
            rows[1].Target = $"ours ≤ 1.1× this: {(oursMs <= 1.1 * rows[1].FirstInferenceMs ? "yes" : "no")} ({oursMs / rows[1].FirstInferenceMs:0.00}×)";
            rows[3].Target = $"≥ 50× ours: {(rows[3].VsOurs >= 50 ? "yes" : "no")} ({rows[3].VsOurs:0}×)";
            return rows;
        }
    }
}
