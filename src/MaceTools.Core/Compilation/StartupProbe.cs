using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.OpenCL;
using MaceTools.Tuning;

namespace MaceTools.Compilation
{
    /// <summary>One program as a runtime starts it: from its source, or from a binary.</summary>
    public sealed class StartupProgram
    {
        private StartupProgram(string key, string? source, byte[]? binary)
        {
            Key = key;
            Source = source;
            Binary = binary;
        }

        public string Key { get; }
        public string? Source { get; }
        public byte[]? Binary { get; }

        public static StartupProgram FromSource(string key, string source) => new StartupProgram(key, source, null);
        public static StartupProgram FromBinary(string key, byte[] binary) => new StartupProgram(key, null, binary);
    }

    /// <summary>One kernel instance's first launch against its steady state, in one start-up.</summary>
    public sealed class MaceLaunchTiming
    {
        public string ProgramKey { get; internal set; } = "";
        public string Kernel { get; internal set; } = "";
        public long[] GlobalSize { get; internal set; } = Array.Empty<long>();
        public long[] LocalSize { get; internal set; } = Array.Empty<long>();
        /// <summary>The first launch's share of the queued first inference: from when the device could start it to its end (any compile at its first launch included).</summary>
        public double FirstMs { get; internal set; }
        /// <summary>Its share of the same launches queued again.</summary>
        public double SteadyMs { get; internal set; }
        /// <summary>
        /// The first launch compiled: it took far longer than the steady state (more than <see cref="StartupProbe.CompileMs"/>
        /// above it and more than <see cref="StartupProbe.CompileFactor"/> times it). On pocl a compile at enqueue costs ~100 ms.
        /// </summary>
        public bool Compiled => FirstMs - SteadyMs > StartupProbe.CompileMs && FirstMs > StartupProbe.CompileFactor * SteadyMs;

        public override string ToString() => FormattableString.Invariant(
            $"{Kernel} [{string.Join(",", GlobalSize)}] local [{string.Join(",", LocalSize)}]: first {FirstMs:0.0} ms, then {SteadyMs:0.0} ms{(Compiled ? " (compiled at its first launch)" : "")}");
    }

    /// <summary>One program's part of a start-up: clCreateProgramWith{Source,Binary} and clBuildProgram.</summary>
    public sealed class MaceProgramStart
    {
        public string Key { get; internal set; } = "";
        public double CreateMs { get; internal set; }
        public double BuildMs { get; internal set; }

        public override string ToString() => FormattableString.Invariant($"{Key}: create {CreateMs:0.0} ms, build {BuildMs:0.0} ms");
    }

    /// <summary>Time to first inference of a kernel set from one way of starting, on one device.</summary>
    public sealed class MaceStartup
    {
        /// <summary>Source, BuildOnly (binaries read right after their builds), Specialised (read after the warm-up), File (the file measured), or a bench's own.</summary>
        public string Way { get; internal set; } = "";
        public int Programs { get; internal set; }
        public int Launches { get; internal set; }
        /// <summary>Create and build of every program.</summary>
        public double LoadMs { get; internal set; }
        /// <summary>The first launch of every kernel instance at its real sizes, in the model's order, queued and waited for once (host wall time).</summary>
        public double FirstLaunchesMs { get; internal set; }
        /// <summary>What a user waits for: load plus the first launches.</summary>
        public double FirstInferenceMs => LoadMs + FirstLaunchesMs;
        /// <summary>The same launches made again: the steady state.</summary>
        public double SteadyMs { get; internal set; }
        /// <summary>Kernel instances whose first launch compiled (far above its steady state).</summary>
        public int CompiledAtFirstLaunch => Timings.Count(t => t.Compiled);
        public MaceLaunchTiming[] Timings { get; internal set; } = Array.Empty<MaceLaunchTiming>();
        /// <summary>Programs or launches the driver refused.</summary>
        public string[] Failures { get; internal set; } = Array.Empty<string>();
        /// <summary>Per program, in load order: clCreateProgramWith{Source,Binary} and clBuildProgram, in ms (what <see cref="LoadMs"/> is made of).</summary>
        public MaceProgramStart[] ProgramTimings { get; internal set; } = Array.Empty<MaceProgramStart>();

        public override string ToString() => FormattableString.Invariant(
            $"{Way}: first inference {FirstInferenceMs:0} ms (load {LoadMs:0} + first launches {FirstLaunchesMs:0}), steady {SteadyMs:0.0} ms, {CompiledAtFirstLaunch} of {Launches} launches compiled");
    }

    /// <summary>
    /// Measures time to first inference in a fresh driver worker per way of starting, with the driver's own cache off
    /// (pocl: POCL_KERNEL_CACHE=0 and a fresh cache directory, in RAM where possible: <see cref="DriverCacheParent"/>), so nothing carries over from an earlier start: every program
    /// created and built, then the first launch of every kernel instance at its real global and local sizes, then the
    /// steady state. The worker can also capture each program's binary after that run (what MACE's own cache holds).
    /// </summary>
    public static class StartupProbe
    {
        /// <summary>A first launch this much above its steady state (and <see cref="CompileFactor"/> times it) compiled.</summary>
        public const double CompileMs = 20;
        public const double CompileFactor = 5;

        /// <summary>
        /// Where each start's fresh driver cache lives: a RAM-backed folder (/dev/shm) where there is one, for every way alike.
        /// pocl unpacks each program binary into its cache folder at clCreateProgramWithBinary and syncs every file it writes;
        /// on a disk those syncs cost 15–40 ms per program here (most of a start from a binary), and they are the cache
        /// folder's, not the file's: a runtime that starts again with pocl's kernel cache on finds the files already there.
        /// A fresh folder per start still keeps one start's compiles from helping the next.
        /// </summary>
        public static string? DriverCacheParent => Directory.Exists("/dev/shm") ? "/dev/shm" : null;

        /// <summary>
        /// The programs of <paramref name="keys"/> as a runtime starts them: from <paramref name="binaries"/> where it holds
        /// the key, else from source (what MACE does for a program its file lacks).
        /// </summary>
        public static List<StartupProgram> Programs(IEnumerable<string> keys, IReadOnlyDictionary<string, byte[]>? binaries, Kernels.KernelSourceSet sources, MaceVersion version) =>
            keys.Select(k => binaries != null && binaries.TryGetValue(k, out var b) ? StartupProgram.FromBinary(k, b)
                : StartupProgram.FromSource(k, sources.Assemble(ProgramKey.Parse(k).Program, version))).ToList();

        /// <summary>Runs one start-up; <paramref name="capture"/>, when given, receives each program's binary read after the run.</summary>
        public static MaceStartup Run(string way, MaceDevice device, WorkerCommand worker, IReadOnlyList<StartupProgram> programs,
            IReadOnlyList<WarmupLaunch> launches, CancellationToken cancel, IDictionary<string, byte[]>? capture = null)
        {
            using var scratch = new ScratchDirectory("startup");
            var specs = new List<string>();
            for (int i = 0; i < programs.Count; i++)
            {
                var p = programs[i];
                string stem = scratch.File(i.ToString(CultureInfo.InvariantCulture));
                var m = new WorkerMessage("program").Set("key", p.Key).Set("options", ProgramKey.CompilerFlags(p.Key)).Set("out", stem + ".out");
                if (p.Source != null)
                {
                    File.WriteAllText(stem + ".cl", p.Source);
                    m.Set("source", stem + ".cl");
                }
                else
                {
                    File.WriteAllBytes(stem + ".bin", p.Binary!);
                    m.Set("binary", stem + ".bin").Set("sha256", Hashing.Sha256Hex(p.Binary!));
                }
                specs.Add(m.Format());
            }
            using var driver = new DriverProcess(worker, new Dictionary<string, string> { ["POCL_KERNEL_CACHE"] = "0" })
                { RequestTimeout = TimeSpan.FromMinutes(30), DriverCacheParent = DriverCacheParent };
            // The worker starts and opens its context before the clock: a runtime's process is already running.
            var opened = driver.Send(new WorkerMessage("open").Set("device", device.Index).Set("name", device.Name), cancel);
            if (opened.Op != "result") throw Failed(way, device, opened);
            var reply = driver.Send(new WorkerMessage("startup").Set("device", device.Index).Set("name", device.Name)
                .Set("programs", TuningMessages.List(specs)).Set("launches", Warmup.FormatList(launches)).Set("capture", capture != null ? 1 : 0), cancel);
            if (reply.Op != "result") throw Failed(way, device, reply);
            var timings = TuningMessages.ReadList(reply.Get("launches")).Select(WorkerMessage.Parse).Select(t => new MaceLaunchTiming
            {
                ProgramKey = t.Get("key"), Kernel = t.Get("kernel"), GlobalSize = Longs(t.Get("global")), LocalSize = Longs(t.Get("local")),
                FirstMs = t.GetDouble("firstMs"), SteadyMs = t.GetDouble("steadyMs"),
            }).ToArray();
            if (capture != null && reply["captured"] != null)
                foreach (var c in TuningMessages.ReadList(reply.Get("captured")).Select(WorkerMessage.Parse))
                {
                    int index = programs.Select((p, i) => (p, i)).First(x => x.p.Key == c.Get("key")).i;
                    byte[] binary = File.ReadAllBytes(scratch.File(index.ToString(CultureInfo.InvariantCulture)) + ".out");
                    if (Hashing.Sha256Hex(binary) == c.Get("sha256")) capture[c.Get("key")] = binary;
                }
            return new MaceStartup
            {
                Way = way, Programs = reply.GetInt("programs"), Launches = timings.Length, LoadMs = reply.GetDouble("loadMs"),
                FirstLaunchesMs = reply.GetDouble("firstMs"), SteadyMs = reply.GetDouble("steadyMs"), Timings = timings,
                ProgramTimings = TuningMessages.ReadList(reply.Get("loads")).Select(WorkerMessage.Parse)
                    .Select(p => new MaceProgramStart { Key = p.Get("key"), CreateMs = p.GetDouble("createMs"), BuildMs = p.GetDouble("buildMs") }).ToArray(),
                Failures = TuningMessages.ReadList(reply.Get("failures")).ToArray(),
            };
        }

        private static MaceException Failed(string way, MaceDevice device, WorkerMessage reply) =>
            new MaceException(ErrorIds.WorkerFailed, MaceErrorCategory.InvalidOperation,
                $"{device.Name}: start-up from {way} could not be measured: " + (reply.Op == "crashed" ? $"the driver worker died ({(reply["hung"] != null ? "hung" : reply["signal"])})" : reply["error"] ?? reply["log"] ?? reply.Op),
                device.Name);

        private static long[] Longs(string s) => s.Length == 0 ? Array.Empty<long>() : s.Split(',').Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
    }
}
