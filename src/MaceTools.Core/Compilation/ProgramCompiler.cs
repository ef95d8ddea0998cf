using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.OpenCL;
using MaceTools.Operations;

namespace MaceTools.Compilation
{
    /// <summary>One program to build for one device class: the MACE program key and the exact source text.</summary>
    public sealed class BuildJob
    {
        /// <summary>The job for a key, its source assembled from <paramref name="sources"/> as MACE <paramref name="version"/> does.</summary>
        public BuildJob(string key, MaceDevice device, Kernels.KernelSourceSet sources, MaceVersion version)
        {
            Key = key;
            Program = ProgramKey.Parse(key).Program;
            Device = device;
            Source = sources.Assemble(Program, version);
            SourceHash = Kernels.KernelSourceSet.HashText(Source);
            Options = ProgramKey.CompilerFlags(key);
        }

        /// <summary>
        /// The job for a key whose source text was assembled elsewhere: the agent builds what the caller's sources gave, so a
        /// file built on a host matches the program hashes written beside it.
        /// </summary>
        public BuildJob(string key, MaceDevice device, string source)
        {
            Key = key;
            Program = ProgramKey.Parse(key).Program;
            Device = device;
            Source = source;
            SourceHash = Kernels.KernelSourceSet.HashText(Source);
            Options = ProgramKey.CompilerFlags(key);
        }

        /// <summary>Why a key cannot be built for a device from these sources (no source, half precision without fp16), or null.</summary>
        public static string? Refusal(string key, MaceDevice device, Kernels.KernelSourceSet sources)
        {
            string program = ProgramKey.Parse(key).Program;
            return !sources.Contains(program) ? $"no source for program '{program}' in {sources.Origin}"
                : IsDeviceLimit(key, device, sources) ? $"a half-precision program needs cl_khr_fp16, which {device.Name} lacks"
                : null;
        }

        /// <summary>
        /// Whether <see cref="Refusal"/> is the device's own limit (half precision without cl_khr_fp16): expected, so a
        /// warning; a refusal for want of source is the caller's fault, so an error.
        /// </summary>
        public static bool IsDeviceLimit(string key, MaceDevice device, Kernels.KernelSourceSet sources) =>
            sources.Contains(ProgramKey.Parse(key).Program) && KeyRetarget.NeedsFp16(key) && !device.SupportsFp16;

        public string Key { get; }
        public string Program { get; }
        /// <summary>The device that represents the class (the build runs on it).</summary>
        public MaceDevice Device { get; }
        public string Source { get; }
        public string SourceHash { get; }
        /// <summary>What clBuildProgram gets: the key's options plus MACE's fixed flags.</summary>
        public string Options { get; }

        /// <summary>
        /// The model's launches of this program, made in the worker before the binary is read (<see cref="Compilation.Warmup"/>);
        /// empty: the binary is read right after the build.
        /// </summary>
        public IReadOnlyList<WarmupLaunch> Warmup { get; set; } = Array.Empty<WarmupLaunch>();

        public string CacheKey(string toolVersion) => Warmup.Count == 0
            ? BuildCache.KeyFor(SourceHash, Options, Device.Class.Id, Device.DriverVersion, toolVersion)
            : BuildCache.KeyFor(SourceHash, Options, Device.Class.Id, Device.DriverVersion, toolVersion, "warmup " + Compilation.Warmup.Signature(Warmup));
    }

    /// <summary>What became of a job: a binary (built or from the cache), or a failure with the driver's status and log.</summary>
    public sealed class BuildOutcome
    {
        public BuildOutcome(BuildJob job) { Job = job; }

        public BuildJob Job { get; }
        public byte[]? Binary { get; internal set; }
        public bool FromCache { get; internal set; }
        public string StatusName { get; internal set; } = "CL_SUCCESS";
        public string Log { get; internal set; } = "";
        public bool Succeeded => Binary != null;
        /// <summary>Distinct launches made before the binary was read (0: none asked, or from the cache).</summary>
        public int Warmed { get; internal set; }
        /// <summary>Wall time of those launches in the worker.</summary>
        public double WarmupMs { get; internal set; }
        /// <summary>Launches the driver refused, or why the warm-up was given up (the binary is then build-only).</summary>
        public List<string> WarmupFailures { get; } = new List<string>();
    }

    /// <summary>
    /// Builds programs from source in driver workers (child processes), several at a time: pocl serialises compiles
    /// inside one process, and a driver that crashes on a source must not take the caller down. Binaries already in the
    /// cache are not rebuilt unless <see cref="Force"/>.
    /// </summary>
    public sealed class ProgramCompiler
    {
        public ProgramCompiler(WorkerCommand worker) { Worker = worker; }

        public WorkerCommand Worker { get; }
        public BuildCache? Cache { get; set; }
        public bool Force { get; set; }
        public int Parallelism { get; set; } = Environment.ProcessorCount;
        /// <summary>Extra environment for the workers (tests and benchmarks switch driver caches off).</summary>
        public IDictionary<string, string> WorkerEnvironment { get; } = new Dictionary<string, string>();

        public static string ToolVersion => typeof(ProgramCompiler).Assembly.GetName().Version?.ToString() ?? "0";

        public List<BuildOutcome> Build(IReadOnlyList<BuildJob> jobs, IOperationHost host)
        {
            var outcomes = jobs.Select(j => new BuildOutcome(j)).ToList();
            var pending = new List<BuildOutcome>();
            foreach (var o in outcomes)
            {
                if (!Force && Cache != null && Cache.TryGet(o.Job.CacheKey(ToolVersion), out var cached))
                {
                    o.Binary = cached;
                    o.FromCache = true;
                }
                else pending.Add(o);
            }
            if (pending.Count > 0) host.WriteVerbose($"building {pending.Count} program(s) from source in driver workers ({Worker}), {outcomes.Count - pending.Count} from the build cache");
            else host.WriteVerbose($"all {outcomes.Count} program(s) came from the build cache");
            if (pending.Count == 0) return outcomes;
            if (Worker.Problem != null)
                throw new MaceException(ErrorIds.WorkerFailed, MaceErrorCategory.ObjectNotFound, $"cannot compile: {Worker.Problem}", Worker.ToString());

            using var scratch = new ScratchDirectory("build");
            {
                var queue = new ConcurrentQueue<(BuildOutcome Outcome, int Index)>(pending.Select((o, i) => (o, i)));
                var done = new BlockingCollection<BuildOutcome>();
                var cancel = host.CancellationToken;
                int workers = Math.Max(1, Math.Min(Parallelism, pending.Count));
                var threads = Enumerable.Range(0, workers).Select(_ => new Thread(() =>
                {
                    using var driver = new DriverProcess(Worker, WorkerEnvironment);
                    BuildOutcome? current = null;
                    try
                    {
                        while (!cancel.IsCancellationRequested && queue.TryDequeue(out var item))
                        {
                            current = item.Outcome;
                            BuildOne(driver, item.Outcome, scratch.File(item.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancel);
                            done.Add(item.Outcome);
                            current = null;
                        }
                    }
                    catch (Exception e) when (!(e is OperationCanceledException))
                    {
                        // The worker cannot start (or failed us otherwise): the job in hand and every job left fail with that
                        // reason. Each must be reported, or the caller waits for it forever.
                        var failed = new List<BuildOutcome>();
                        if (current != null) failed.Add(current);
                        while (queue.TryDequeue(out var item)) failed.Add(item.Outcome);
                        foreach (var o in failed)
                        {
                            o.StatusName = "worker failed";
                            o.Log = e.Message;
                            done.Add(o);
                        }
                    }
                }) { IsBackground = true, Name = "macetools build" }).ToList();
                threads.ForEach(t => t.Start());
                for (int finished = 0; finished < pending.Count; finished++)
                {
                    BuildOutcome o;
                    try { o = done.Take(cancel); }
                    catch (OperationCanceledException) { threads.ForEach(t => t.Join()); throw; }
                    host.WriteProgress(new OperationProgress(2, "Compiling OpenCL programs", $"{o.Job.Key} on {o.Job.Device.Name}", 100 * (finished + 1) / pending.Count));
                    if (o.Succeeded && Cache != null) Cache.Put(o.Job.CacheKey(ToolVersion), o.Binary!);
                }
                threads.ForEach(t => t.Join());
                host.WriteProgress(new OperationProgress(2, "Compiling OpenCL programs", "done", 100, completed: true));
            }
            return outcomes;
        }

        private static void BuildOne(DriverProcess driver, BuildOutcome o, string stem, CancellationToken cancel)
        {
            File.WriteAllText(stem + ".cl", o.Job.Source);
            WorkerMessage Request(bool warm)
            {
                var m = new WorkerMessage("build").Set("device", o.Job.Device.Index).Set("name", o.Job.Device.Name)
                    .Set("source", stem + ".cl").Set("options", o.Job.Options).Set("out", stem + ".bin");
                return warm ? m.Set("key", o.Job.Key).Set("launches", Compilation.Warmup.FormatList(o.Job.Warmup)) : m;
            }
            bool warmup = o.Job.Warmup.Count > 0;
            var reply = driver.Send(Request(warmup), cancel);
            if (warmup && reply.Op == "crashed")
            {
                // A driver that dies running the model's kernels can still give the build-only binary: better than none.
                o.WarmupFailures.Add($"the driver died during the warm-up ({(reply["hung"] != null ? "hung" : reply["signal"])}); captured right after the build instead");
                reply = driver.Send(Request(false), cancel);
            }
            else if (warmup && reply.Op == "result")
            {
                o.Warmed = int.Parse(reply["warmed"] ?? "0", System.Globalization.CultureInfo.InvariantCulture);
                o.WarmupMs = reply["warmMs"] == null ? 0 : reply.GetDouble("warmMs");
                if (reply["warmFailures"] != null) o.WarmupFailures.AddRange(Tuning.TuningMessages.ReadList(reply["warmFailures"]!));
            }
            if (reply.Op == "crashed")
            {
                o.StatusName = reply["hung"] != null ? "hung" : "crashed (" + (reply["signal"] ?? "unknown") + ")";
                o.Log = reply["log"] ?? "";
                return;
            }
            if (reply.Op == "error")
            {
                o.StatusName = "worker error";
                o.Log = reply["error"] ?? "";
                return;
            }
            o.StatusName = reply["statusName"] ?? "";
            o.Log = reply["log"] ?? "";
            if (reply.GetInt("status") != ClErrors.Success) return;
            var binary = InputGate.ReadAll(stem + ".bin", InputKind.ProgramBinary);
            // The bytes must be the ones the worker produced before they go anywhere.
            if (Hashing.Sha256Hex(binary) != reply["sha256"])
            {
                o.StatusName = "hash mismatch";
                o.Log = "the binary read back differs from what the worker wrote";
                return;
            }
            o.Binary = binary;
        }
    }
}
