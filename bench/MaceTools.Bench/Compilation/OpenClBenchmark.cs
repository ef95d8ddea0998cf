using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using MaceTools.Devices;
using MaceTools.Kernels;
using MaceTools.OpenCL;
using MaceTools.Operations;
using MaceTools.Verification;

namespace MaceTools.Compilation
{
    /// <summary>The figures of <c>macetools bench opencl</c>, all measured in one run on one device.</summary>
    public sealed class OpenClBenchReport
    {
        public string Device { get; internal set; } = "";
        public int Programs { get; internal set; }
        public int Cores { get; internal set; } = Environment.ProcessorCount;
        public double ColdBuildSerialMs { get; internal set; }
        public double ColdBuildParallelMs { get; internal set; }
        public int ParallelJobs { get; internal set; }
        public double ParallelSpeedup => ColdBuildParallelMs > 0 ? ColdBuildSerialMs / ColdBuildParallelMs : 0;
        public double NewProgramColdMs { get; internal set; }
        public double NewProgramWarmMs { get; internal set; }
        public double WarmPercentOfCold => NewProgramColdMs > 0 ? 100 * NewProgramWarmMs / NewProgramColdMs : 0;
        public double StartupWithoutFileMs { get; internal set; }
        public double StartupWithFileMs { get; internal set; }
        public double StartupSpeedup => StartupWithFileMs > 0 ? StartupWithoutFileMs / StartupWithFileMs : 0;
        public double LoadDriverMs { get; internal set; }
        public double LoadWallMs { get; internal set; }
        public double LoadOverheadPercent => LoadDriverMs > 0 ? 100 * (LoadWallMs - LoadDriverMs) / LoadDriverMs : 0;
        public double WorkerStartMs { get; internal set; }
        public List<string> Lines { get; } = new List<string>();
    }

    /// <summary>
    /// Start-up from binary against from source, load overhead over the bare driver calls, parallel compile speed-up and a
    /// warm rebuild, over a realistic program set (the fp32 programs of a real MACE file, re-targeted to the device).
    /// Driver caches are off so every figure is what a cold device pays.
    /// </summary>
    public static class OpenClBenchmark
    {
        public static OpenClBenchReport Run(MaceDevice device, string programFile, string workDir, int repeat, Action<string> log)
        {
            var report = new OpenClBenchReport { Device = device.Name };
            var worker = WorkerCommand.Locate();
            var noDriverCache = new Dictionary<string, string> { ["POCL_KERNEL_CACHE"] = "0" };
            var version = MaceVersion.Latest;
            var sources = KernelSourceSet.Builtin;
            var keys = MaceProgram.Load(programFile).Entries.Where(e => e.Kind == MaceEntryKind.Program).Select(e => KeyRetarget.For(e.Key, device, version))
                .Where(k => BuildJob.Refusal(k, device, sources) == null).Distinct().ToList();
            report.Programs = keys.Count;
            var jobs = keys.Select(k => new BuildJob(k, device, sources, version)).ToList();
            var host = new QuietHost(currentDirectory: workDir);
            using var dir = new Formats.ScratchDirectory("bench", workDir);
            {
                log($"{keys.Count} programs from {Path.GetFileName(programFile)}, re-targeted to {device.Name}; {report.Cores} cores");
                report.ColdBuildSerialMs = Time(() => Compile(worker, jobs, 1, noDriverCache, host));
                report.ParallelJobs = Math.Max(2, report.Cores);
                report.ColdBuildParallelMs = Time(() => Compile(worker, jobs, report.ParallelJobs, noDriverCache, host));
                log($"cold compile: 1 job {report.ColdBuildSerialMs:F0} ms, {report.ParallelJobs} jobs {report.ColdBuildParallelMs:F0} ms: {report.ParallelSpeedup:F2}x");

                var cache = new BuildCache(dir.File("cache"));
                string outFile = dir.File("bench.bin");
                NewProgramOperation Op() => new NewProgramOperation
                {
                    Devices = new List<MaceDevice> { device }, Kernels = keys, Version = version, OutFile = outFile, Cache = cache, Worker = worker,
                    WorkerEnvironment = { ["POCL_KERNEL_CACHE"] = "0" },
                };
                report.NewProgramColdMs = Time(() => Op().Run(host));
                report.NewProgramWarmMs = Time(() => Op().Run(host));
                log($"New-MaceProgram: cold {report.NewProgramColdMs:F0} ms, warm (nothing changed) {report.NewProgramWarmMs:F1} ms = {report.WarmPercentOfCold:F2}% of cold");

                var measure = new MeasureProgramOperation { Paths = new[] { outFile }, LiteralPaths = true, Device = device, Repeat = repeat, Worker = worker };
                measure.Run(host);
                var m = host.Objects.OfType<MaceMeasurement>().Last();
                report.StartupWithoutFileMs = m.WithoutFileMs;
                report.StartupWithFileMs = m.WithFileMs;
                log($"start-up: without the file {m.WithoutFileMs:F0} ms (compiler start {m.CompilerStartMs:F0} ms), with it {m.WithFileMs:F1} ms: {m.Speedup:F0}x faster (medians of {repeat})");

                var file = MaceProgram.Load(outFile);
                var sw = Stopwatch.StartNew();
                using (var probe = new DriverProcess(worker)) probe.Send(new WorkerMessage("open").Set("device", device.Index));
                report.WorkerStartMs = sw.Elapsed.TotalMilliseconds;
                var loads = DeviceLoader.LoadAll(file, device, worker, host);
                report.LoadDriverMs = loads.Sum(l => l.CreateMs + l.BuildMs + l.ReleaseMs);
                report.LoadWallMs = loads.Sum(l => l.WallMs);
                log($"verify loads: {loads.Count} entries, bare driver calls (create, build, release) {report.LoadDriverMs:F1} ms, through the isolated loader {report.LoadWallMs:F1} ms: +{report.LoadOverheadPercent:F1}% per entry (plus {report.WorkerStartMs:F0} ms to start the worker once)");
            }
            return report;
        }

        private static void Compile(WorkerCommand worker, List<BuildJob> jobs, int parallel, Dictionary<string, string> env, IOperationHost host)
        {
            var compiler = new ProgramCompiler(worker) { Parallelism = parallel };
            foreach (var kv in env) compiler.WorkerEnvironment[kv.Key] = kv.Value;
            var failed = compiler.Build(jobs, host).Where(o => !o.Succeeded).ToList();
            if (failed.Count > 0) throw new MaceException(ErrorIds.BuildFailed, MaceErrorCategory.InvalidOperation, $"benchmark programs failed to build: {failed[0].Job.Key}: {failed[0].StatusName} {failed[0].Log}");
        }

        private static double Time(Action a)
        {
            var sw = Stopwatch.StartNew();
            a();
            return sw.Elapsed.TotalMilliseconds;
        }
    }
}
