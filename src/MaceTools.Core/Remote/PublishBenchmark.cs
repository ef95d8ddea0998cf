using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using MaceTools.Operations;

namespace MaceTools.Remote
{
    /// <summary>Publishing to one device against publishing to many at a throttle (medians over rounds).</summary>
    public sealed class PublishBenchmarkResult
    {
        public int Hosts { get; set; }
        public int Throttle { get; set; }
        public long FileBytes { get; set; }
        public int Rounds { get; set; }
        public double OneHostSeconds { get; set; }
        public double AllHostsSeconds { get; set; }
        /// <summary><see cref="AllHostsSeconds"/> / <see cref="OneHostSeconds"/>; the target is at most 3 for 16 hosts at throttle 8.</summary>
        public double Ratio => OneHostSeconds > 0 ? AllHostsSeconds / OneHostSeconds : 0;
        /// <summary>Targets that did not end Published (with their errors); a benchmark with failures measures nothing useful.</summary>
        public List<string> Failures { get; } = new List<string>();
    }

    /// <summary>
    /// Times <see cref="PublishProgramOperation"/> on an inventory's devices: one device, then all of them at a throttle. Each
    /// round publishes to <c>.macetools-bench.bin</c> beside each device's program file, removed before and after every round,
    /// so every round uploads in full and the real program files are never touched.
    /// </summary>
    public static class PublishBenchmark
    {
        public const string FileName = ".macetools-bench.bin";

        public static PublishBenchmarkResult Run(IReadOnlyList<InventoryDevice> devices, string file, int throttle = 8, int rounds = 3, Action<string>? log = null)
        {
            if (devices.Count == 0) throw new ArgumentException("no device to publish to", nameof(devices));
            var bench = devices.Select(d =>
            {
                var c = d.Clone();
                c.ProgramPath = Publisher.Split(d.ProgramPath).Dir + "/" + FileName;
                return c;
            }).ToList();
            var result = new PublishBenchmarkResult { Hosts = bench.Count, Throttle = throttle, FileBytes = new FileInfo(file).Length, Rounds = rounds };
            var one = new List<double>();
            var all = new List<double>();
            try
            {
                for (int i = 0; i < rounds; i++)
                {
                    one.Add(Time(bench.Take(1).ToList(), file, throttle, result));
                    all.Add(Time(bench, file, throttle, result));
                    log?.Invoke($"round {i + 1}: 1 host {one[i]:0.000} s, {bench.Count} hosts at throttle {throttle} {all[i]:0.000} s");
                }
            }
            finally { Clean(bench, throttle); }
            result.OneHostSeconds = Median(one);
            result.AllHostsSeconds = Median(all);
            return result;
        }

        private static double Time(List<InventoryDevice> devices, string file, int throttle, PublishBenchmarkResult result)
        {
            Clean(devices, throttle);
            var host = new CollectingHost();
            var watch = Stopwatch.StartNew();
            new PublishProgramOperation { Paths = new[] { file }, LiteralPaths = true, Devices = devices, Force = true, ThrottleLimit = throttle }.Run(host);
            double seconds = watch.Elapsed.TotalSeconds;
            result.Failures.AddRange(host.Results.Where(r => r.Status != PublishStatus.Published).Select(r => r.ToString()));
            return seconds;
        }

        /// <summary>Removes the benchmark's file and its backup from every device.</summary>
        private static void Clean(List<InventoryDevice> devices, int throttle) =>
            Parallel.ForEach(devices, new ParallelOptions { MaxDegreeOfParallelism = throttle }, d =>
            {
                try
                {
                    using var remote = ShellRemoteFiles.For(d);
                    remote.Remove(d.ProgramPath);
                    remote.Remove(d.ProgramPath + Publisher.BackupSuffix);
                }
                catch (MaceException) { } // an unreachable device fails the round itself, with its error
            });

        private static double Median(List<double> xs)
        {
            var s = xs.OrderBy(x => x).ToList();
            return s.Count == 0 ? 0 : s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
        }

        /// <summary>Keeps the results, answers yes, drops the chatter.</summary>
        private sealed class CollectingHost : IOperationHost
        {
            public List<PublishResult> Results { get; } = new List<PublishResult>();
            public void WriteObject(object item) { if (item is PublishResult r) Results.Add(r); }
            public void WriteError(MaceException error) => throw error;
            public void WriteWarning(string message) { }
            public void WriteVerbose(string message) { }
            public void WriteProgress(OperationProgress progress) { }
            public bool ShouldProcess(string target, string action) => true;
            public System.Threading.CancellationToken CancellationToken => default;
            public string CurrentDirectory => Environment.CurrentDirectory;
        }
    }
}
