using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MaceTools.Config;
using MaceTools.Conversion;
using MaceTools.Devices;
using MaceTools.Kernels;
using MaceTools.OpenCL;
using MaceTools.Operations;

namespace MaceTools.Tuning
{
    /// <summary>One strategy's figures over a model's kernels, all re-timed in one interleaved pass.</summary>
    public sealed class TuningBenchRow
    {
        /// <summary>Default (MACE's formula, no tuned file), Mace, Auto or Exhaustive.</summary>
        public string Strategy { get; internal set; } = "";
        public int Kernels { get; internal set; }
        /// <summary>The sum over the kernels of each chosen size's median time in the re-timing pass.</summary>
        public double TotalMicros { get; internal set; }
        /// <summary>How much slower than the exhaustive choices' total (negative: faster).</summary>
        public double VsExhaustivePercent { get; internal set; }
        /// <summary>How much faster than MACE's default sizes (the gain a user gets from the file).</summary>
        public double GainPercent { get; internal set; }
        /// <summary>Kernel launches the search made, warm-ups included.</summary>
        public int Launches { get; internal set; }
        public double LaunchesPercentOfExhaustive { get; internal set; }
        /// <summary>The tuner's time: the search and its own re-timing against MACE's default (whose launches <see cref="Launches"/> leaves out).</summary>
        public double SearchSeconds { get; internal set; }
        /// <summary>The total's repeatability: the totals of the odd and even re-timing rounds differ by this much.</summary>
        public double NoisePercent { get; internal set; }
    }

    /// <summary>
    /// bench tune: the demo deployment file's kernels tuned by MACE's search, ours and the exhaustive one on a device,
    /// then every choice (and MACE's default size) re-timed side by side, interleaved, so the totals compare fairly.
    /// </summary>
    public static class TuningBenchmark
    {
        public static List<TuningBenchRow> Run(string config, MaceDevice device, int repeat, int limit, Action<string> log, System.Threading.CancellationToken cancel = default)
        {
            var host = new QuietHost(log, logErrors: true, cancel: cancel);
            using var fetcher = new ModelFetcher { Log = log };
            var sets = ConfigConversion.Convert(MaceConfigReader.Read(config), device, MaceVersion.Latest, fetcher, host);
            var launches = KernelSet.TuningInstances(sets).Select(i => i.Launch).Take(limit > 0 ? limit : int.MaxValue).ToList();
            var strategies = new[] { TuningStrategy.Mace, TuningStrategy.Auto, TuningStrategy.Exhaustive };
            var launchCount = strategies.ToDictionary(s => s, _ => 0);
            var seconds = strategies.ToDictionary(s => s, _ => 0.0);
            var names = new[] { "Default" }.Concat(strategies.Select(s => s.ToString())).ToArray();
            var totals = names.ToDictionary(n => n, _ => 0.0);
            var halves = names.ToDictionary(n => n, _ => new double[2]);
            var random = new Random(1);
            using var runner = new KernelRunner(device);
            int done = 0;
            foreach (var launch in launches)
            {
                cancel.ThrowIfCancellationRequested();
                log($"{++done}/{launches.Count} {launch.TuningKey} [{string.Join(",", launch.GlobalSize)}]");
                var chosen = new Dictionary<string, long[]> { ["Default"] = runner.DefaultLocalSize(launch) };
                foreach (var s in strategies)
                {
                    var sw = Stopwatch.StartNew();
                    var r = KernelTuner.Tune(runner, launch, s, cancel: cancel);
                    seconds[s] += sw.Elapsed.TotalSeconds;
                    launchCount[s] += r.Trials;
                    chosen[s.ToString()] = r.LocalSize; // what the file stores: MACE's default where the tuner found no measurable gain
                }
                // Re-time every choice in shuffled rounds: drift and noise fall on all alike.
                var runs = names.ToDictionary(n => n, _ => new List<double>());
                for (int round = 0; round < repeat; round++)
                    foreach (var n in names.OrderBy(_ => random.Next()))
                        runs[n].Add(runner.Time(launch, chosen[n]) / 1000.0);
                log("  " + string.Join("  ", names.Select(n => $"{n} [{string.Join(",", chosen[n])}] {Statistics.Median(runs[n]):F1} µs")));
                foreach (var n in names)
                {
                    totals[n] += Statistics.Median(runs[n]);
                    for (int h = 0; h < 2; h++) halves[n][h] += Statistics.Median(runs[n].Where((_, i) => i % 2 == h).ToList());
                }
            }
            double exhaustive = totals[nameof(TuningStrategy.Exhaustive)];
            return names.Select(n =>
            {
                bool searched = Enum.TryParse<TuningStrategy>(n, out var s);
                return new TuningBenchRow
                {
                    Strategy = n, Kernels = launches.Count, TotalMicros = Math.Round(totals[n], 1),
                    VsExhaustivePercent = Math.Round(100 * (totals[n] - exhaustive) / exhaustive, 2),
                    GainPercent = Math.Round(100 * (totals["Default"] - totals[n]) / totals["Default"], 2),
                    Launches = searched ? launchCount[s] : 0,
                    LaunchesPercentOfExhaustive = searched ? Math.Round(100.0 * launchCount[s] / launchCount[TuningStrategy.Exhaustive], 1) : 0,
                    SearchSeconds = searched ? Math.Round(seconds[s], 1) : 0,
                    NoisePercent = Math.Round(100 * Math.Abs(halves[n][0] - halves[n][1]) / totals[n], 2),
                };
            }).ToList();
        }
    }
}
