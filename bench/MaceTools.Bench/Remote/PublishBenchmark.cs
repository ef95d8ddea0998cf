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
        /// <summary>The floor, timed the same way: a bare <c>ssh DEVICE true</c> (one login, nothing else) to one device and to all.</summary>
        public double OneLoginSeconds { get; set; }
        public double AllLoginsSeconds { get; set; }
        public double LoginRatio => OneLoginSeconds > 0 ? AllLoginsSeconds / OneLoginSeconds : 0;
        /// <summary>The machine's CPU use (all cores, /proc/stat) while publishing to one host and to all: near 100% means the run is bound by CPU here (ssh, sshd and the shells share the cores), not by the network.</summary>
        public double OneHostCpuPercent { get; set; }
        public double AllHostsCpuPercent { get; set; }
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
            var oneCpu = new List<double>();
            var allCpu = new List<double>();
            var oneLogin = new List<double>();
            var allLogins = new List<double>();
            try
            {
                for (int i = 0; i < rounds; i++)
                {
                    one.Add(Time(bench.Take(1).ToList(), file, throttle, result, oneCpu));
                    all.Add(Time(bench, file, throttle, result, allCpu));
                    oneLogin.Add(Logins(bench.Take(1).ToList(), throttle));
                    allLogins.Add(Logins(bench, throttle));
                    log?.Invoke($"round {i + 1}: 1 host {one[i]:0.000} s (CPU {oneCpu[i]:0}%), {bench.Count} hosts at throttle {throttle} {all[i]:0.000} s (CPU {allCpu[i]:0}%); " +
                        $"bare ssh logins {oneLogin[i]:0.000} s and {allLogins[i]:0.000} s");
                }
            }
            finally { Clean(bench, throttle); }
            result.OneHostSeconds = Statistics.Median(one);
            result.AllHostsSeconds = Statistics.Median(all);
            result.OneLoginSeconds = Statistics.Median(oneLogin);
            result.AllLoginsSeconds = Statistics.Median(allLogins);
            result.OneHostCpuPercent = Statistics.Median(oneCpu);
            result.AllHostsCpuPercent = Statistics.Median(allCpu);
            return result;
        }

        private static double Time(List<InventoryDevice> devices, string file, int throttle, PublishBenchmarkResult result, List<double> cpu)
        {
            Clean(devices, throttle);
            var host = new QuietHost();
            var before = CpuTicks();
            var watch = Stopwatch.StartNew();
            new PublishProgramOperation { Paths = new[] { file }, LiteralPaths = true, Devices = devices, Force = true, ThrottleLimit = throttle }.Run(host);
            double seconds = watch.Elapsed.TotalSeconds;
            var after = CpuTicks();
            cpu.Add(after.Total > before.Total ? 100.0 * (after.Busy - before.Busy) / (after.Total - before.Total) : 0);
            result.Failures.AddRange(host.Objects.OfType<PublishResult>().Where(r => r.Status != PublishStatus.Published).Select(r => r.ToString()));
            return seconds;
        }

        /// <summary>Seconds for one <c>ssh DEVICE true</c> per ssh device at the throttle: what a login alone costs here.</summary>
        private static double Logins(List<InventoryDevice> devices, int throttle)
        {
            var watch = Stopwatch.StartNew();
            Parallel.ForEach(devices.Where(d => d.Transport == RemoteTransport.Ssh), new ParallelOptions { MaxDegreeOfParallelism = throttle }, d =>
            {
                using var ssh = new SshClient(d) { ReuseConnection = false };
                ssh.RunChecked(new[] { "true" });
            });
            return watch.Elapsed.TotalSeconds;
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

        /// <summary>Busy and total jiffies of all cores from /proc/stat's first line (zeros where there is none).</summary>
        private static (long Busy, long Total) CpuTicks()
        {
            try
            {
                var f = File.ReadLines("/proc/stat").First().Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
                long idle = f[3] + (f.Length > 4 ? f[4] : 0); // idle + iowait
                long total = f.Take(8).Sum();
                return (total - idle, total);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is FormatException) { return (0, 0); }
        }
    }
}
