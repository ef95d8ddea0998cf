using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Kernels;

namespace MaceTools.OpenCL
{
    /// <summary>
    /// The worker side of crash isolation: runs in a child process (<c>macetools worker</c>) and does the driver calls a
    /// parent asks for, one request line in, one reply line out. If the driver aborts or segfaults, only this process
    /// dies; the parent reports the signal and starts another. Only the parent stops it: the worker ignores Ctrl+C, and
    /// the end of its input (the parent closing the pipe, or dying) cancels the request in flight and skips the rest.
    /// </summary>
    public sealed class DriverWorker : IDisposable
    {
        private readonly ClApi _api;
        private readonly Dictionary<int, ClContext> _contexts = new Dictionary<int, ClContext>();
        private readonly Dictionary<int, KernelRunner> _runners = new Dictionary<int, KernelRunner>();
        private readonly CancellationTokenSource _parentGone = new CancellationTokenSource();
        private List<MaceDevice>? _devices;

        public DriverWorker(ClApi api) { _api = api; }

        /// <summary>The worker process's main loop; a missing OpenCL library is reported as the first line instead of "ready".</summary>
        public static int Run(TextReader input, TextWriter output)
        {
            IgnoreInterrupts();
            ClApi api;
            try { api = ClApi.Default; }
            catch (MaceException e)
            {
                output.WriteLine(new WorkerMessage("error").Set("error", e.Message).Format());
                output.Flush();
                return 3;
            }
            using var worker = new DriverWorker(api);
            worker.Serve(input, output);
            return 0;
        }

        /// <summary>
        /// A terminal's Ctrl+C reaches its whole foreground process group, and a driver interrupted mid-call can abort
        /// (pocl: exit 134) with the parent's work in it. So the worker leaves the group for a session of its own and
        /// ignores SIGINT where it still gets one; the parent decides when it stops.
        /// </summary>
        private static void IgnoreInterrupts()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                try { setsid(); }
                catch (DllNotFoundException) { }
                catch (EntryPointNotFoundException) { }
            }
            Console.CancelKeyPress += (_, e) => e.Cancel = true;
        }

        [DllImport("libc")]
        private static extern int setsid();

        /// <summary>
        /// Serves requests until the input ends. Every reply carries the request's id. Input is read on its own thread, so
        /// its end is seen while a request runs: a tuning request stops at its next launch, and queued requests are not
        /// started (the parent closes the pipe only when it wants no more replies).
        /// </summary>
        public void Serve(TextReader input, TextWriter output)
        {
            output.WriteLine(new WorkerMessage("ready").Set("library", _api.Library).Set("pid", Process.GetCurrentProcess().Id).Format());
            output.Flush();
            var lines = new BlockingCollection<string>();
            var reader = new Thread(() =>
            {
                try
                {
                    string? l;
                    while ((l = input.ReadLine()) != null) lines.Add(l);
                }
                catch (Exception e) when (e is IOException || e is ObjectDisposedException) { }
                finally
                {
                    _parentGone.Cancel();
                    lines.CompleteAdding();
                }
            }) { IsBackground = true, Name = "worker input" };
            reader.Start();
            foreach (var line in lines.GetConsumingEnumerable())
            {
                if (_parentGone.IsCancellationRequested) break;
                if (line.Length == 0) continue;
                WorkerMessage reply;
                string? id = null;
                try
                {
                    var request = WorkerMessage.Parse(line);
                    id = request["id"];
                    reply = Handle(request);
                }
                catch (OperationCanceledException) { break; }
                catch (Exception e) when (!(e is OutOfMemoryException))
                {
                    reply = new WorkerMessage("error").Set("error", e.Message);
                }
                reply["id"] = id;
                try
                {
                    output.WriteLine(reply.Format());
                    output.Flush();
                }
                catch (IOException) { break; } // the parent is gone
            }
        }

        public WorkerMessage Handle(WorkerMessage r)
        {
            switch (r.Op)
            {
                case "build": return r["launches"] != null ? BuildWarm(r) : Build(r);
                case "startup": return Startup(r);
                case "load": return Load(r);
                case "time": return Time(r);
                case "open": return Open(r);
                case "tune": return Tuning.TuningMessages.Serve(r, Runner(r), _parentGone.Token);
                case "run": return RunModel(r);
                default: throw new FormatException($"unknown worker request '{r.Op}'");
            }
        }

        private ClContext Context(WorkerMessage r)
        {
            int index = r.GetInt("device");
            if (_contexts.TryGetValue(index, out var c)) return c;
            return _contexts[index] = new ClContext(Device(r).Handle!);
        }

        /// <summary>The kernel runner of the request's device, kept across requests: programs and tensors are reused as in one process.</summary>
        private KernelRunner Runner(WorkerMessage r)
        {
            int index = r.GetInt("device");
            if (_runners.TryGetValue(index, out var k)) return k;
            return _runners[index] = new KernelRunner(Device(r));
        }

        private MaceDevice Device(WorkerMessage r)
        {
            int index = r.GetInt("device");
            _devices ??= LocalDevices.Discover(_api);
            var d = _devices.FirstOrDefault(x => x.Index == index)
                ?? throw new MaceException(ErrorIds.DeviceNotFound, MaceErrorCategory.ObjectNotFound, $"the worker sees no device {index}", index);
            string? expected = r["name"];
            if (expected != null && expected != d.Name)
                throw new MaceException(ErrorIds.DeviceNotFound, MaceErrorCategory.ObjectNotFound, $"device {index} is '{d.Name}' in the worker, not '{expected}'", index);
            return d;
        }

        /// <summary>Prepares the device context and, when named, decodes the file, so later requests time only their own work.</summary>
        private WorkerMessage Open(WorkerMessage r)
        {
            Context(r);
            if (r["file"] != null)
            {
                Binary(r, out var mismatch);
                if (mismatch != null) return mismatch;
            }
            return new WorkerMessage("result").Set("status", 0);
        }

        /// <summary>Source → binary: create, build with the given options, write CL_PROGRAM_BINARIES[0] to the out path.</summary>
        private WorkerMessage Build(WorkerMessage r)
        {
            var ctx = Context(r);
            string source = InputGate.ReadText(r.Get("source"), InputKind.KernelSource);
            var sw = Stopwatch.StartNew();
            using var program = ctx.FromSource(source);
            var built = program.Build(r.Get("options"));
            double ms = sw.Elapsed.TotalMilliseconds;
            var reply = Reply(built).Set("ms", ms);
            if (!built.Succeeded) return reply;
            byte[] binary = program.Binary();
            File.WriteAllBytes(r.Get("out"), binary);
            return reply.Set("size", binary.Length).Set("sha256", Hashing.Sha256Hex(binary)).Set("kernels", string.Join(";", program.KernelNames()));
        }

        /// <summary>
        /// Source → warmed binary: build in the kernel runner's context, make the request's launches (the model's kernels at
        /// their real sizes), and only then read CL_PROGRAM_BINARIES, once: it then holds the driver's specialisations.
        /// </summary>
        private WorkerMessage BuildWarm(WorkerMessage r)
        {
            var runner = Runner(r);
            var launches = Compilation.Warmup.ReadList(r.Get("launches"));
            string key = r.Get("key");
            string source = File.ReadAllText(r.Get("source"));
            var sw = Stopwatch.StartNew();
            var program = runner.CreateFromSource(source);
            var built = program.Build(r.Get("options"));
            double ms = sw.Elapsed.TotalMilliseconds;
            var reply = Reply(built).Set("ms", ms);
            if (!built.Succeeded)
            {
                program.Dispose();
                return reply;
            }
            runner.Adopt(key, program);
            try
            {
                var failures = new List<string>();
                sw.Restart();
                var made = Compilation.Warmup.Launch(runner, launches.Where(l => l.Launch.ProgramKey == key), distinct: true, failures, _parentGone.Token);
                reply.Set("warmMs", sw.Elapsed.TotalMilliseconds).Set("warmed", made.Count).Set("warmFailures", Tuning.TuningMessages.List(failures));
                byte[] binary = program.Binary();
                File.WriteAllBytes(r.Get("out"), binary);
                return reply.Set("size", binary.Length).Set("sha256", Hashing.Sha256Hex(binary)).Set("kernels", string.Join(";", program.KernelNames()));
            }
            finally { runner.Release(key); }
        }

        /// <summary>
        /// Time to first inference of a kernel set, as a runtime starting from scratch pays it: every program created and
        /// built (from its source, or from its binary, hash-checked first), then every launch once, queued and waited for once
        /// (the first launch of each new size compiles where the binary lacks it), then every launch again (the steady
        /// state). Wall times on the host clock; each launch's share from its profiling stamps. With <c>capture</c>, each program's binary is written after the run (what MACE's own cache holds).
        /// </summary>
        private WorkerMessage Startup(WorkerMessage r)
        {
            var runner = Runner(r);
            var programs = Tuning.TuningMessages.ReadList(r.Get("programs")).Select(WorkerMessage.Parse).ToList();
            var launches = Compilation.Warmup.ReadList(r.Get("launches"));
            var failures = new List<string>();
            // The sources and binaries are read, and the binaries' hashes checked, before the clock: a runtime has its
            // cache file in memory once it opened it (MACE reads it whole), and the hash check is ours, not MACE's.
            var inputs = new Dictionary<WorkerMessage, object>();
            foreach (var p in programs)
            {
                if (p["source"] != null) { inputs[p] = File.ReadAllText(p.Get("source")); continue; }
                byte[] binary = File.ReadAllBytes(p.Get("binary"));
                if (Hashing.Sha256Hex(binary) != p.Get("sha256")) failures.Add($"{p.Get("key")}: the binary's SHA-256 changed after it was checked");
                else inputs[p] = binary;
            }
            var sw = Stopwatch.StartNew();
            var loaded = new List<(WorkerMessage Spec, ClProgram Program)>();
            var steps = new List<string>();
            foreach (var p in programs.Where(inputs.ContainsKey))
            {
                string key = p.Get("key");
                double start = sw.Elapsed.TotalMilliseconds;
                ClProgram program;
                if (inputs[p] is string source) program = runner.CreateFromSource(source);
                else
                {
                    try { program = runner.CreateFromBinary((byte[])inputs[p]); }
                    catch (ClException e) { failures.Add($"{key}: {e.Message}"); continue; }
                }
                double created = sw.Elapsed.TotalMilliseconds;
                var built = program.Build(p.Get("options"));
                steps.Add(new WorkerMessage("program").Set("key", key).Set("createMs", created - start).Set("buildMs", sw.Elapsed.TotalMilliseconds - created).Format());
                if (!built.Succeeded)
                {
                    program.Dispose();
                    failures.Add($"{key}: clBuildProgram {built.StatusName}");
                    continue;
                }
                runner.Adopt(key, program);
                loaded.Add((p, program));
            }
            double loadMs = sw.Elapsed.TotalMilliseconds;
            var usable = launches.Where(l => loaded.Any(x => x.Spec.Get("key") == l.Launch.ProgramKey)).ToList();
            // The first inference as MACE's runtime makes it: every launch queued (kernel creation and MACE's local-size
            // query included), one wait at the end; then the same again for the steady state.
            var prepared = new Dictionary<Compilation.WarmupLaunch, Kernels.PreparedLaunch>();
            List<Compilation.Warmup.Made> first, steady;
            double firstMs, steadyMs;
            try
            {
                first = Compilation.Warmup.Queue(runner, usable, prepared, failures, _parentGone.Token, out firstMs);
                steady = Compilation.Warmup.Queue(runner, usable, prepared, new List<string>(), _parentGone.Token, out steadyMs);
            }
            finally
            {
                foreach (var p in prepared.Values) p.Dispose();
            }
            var reply = new WorkerMessage("result").Set("status", 0).Set("loadMs", loadMs).Set("firstMs", firstMs).Set("steadyMs", steadyMs)
                .Set("loads", Tuning.TuningMessages.List(steps))
                .Set("programs", loaded.Count).Set("failures", Tuning.TuningMessages.List(failures));
            // Per launch: its share of the first and of the steady run (a first launch far above its steady state compiled).
            var perLaunch = first.Select(m =>
            {
                var again = steady.FirstOrDefault(s => ReferenceEquals(s.Launch, m.Launch));
                return new WorkerMessage("launch").Set("key", m.Launch.Launch.ProgramKey).Set("kernel", m.Launch.Launch.Kernel)
                    .Set("global", string.Join(",", m.Launch.Launch.GlobalSize)).Set("local", string.Join(",", m.Local))
                    .Set("firstMs", m.Milliseconds).Set("steadyMs", again?.Milliseconds ?? 0).Format();
            });
            reply.Set("launches", Tuning.TuningMessages.List(perLaunch));
            if (r["capture"] == "1")
                foreach (var (spec, program) in loaded)
                {
                    byte[] binary = program.Binary();
                    File.WriteAllBytes(spec.Get("out"), binary);
                    spec.Set("sha256", Hashing.Sha256Hex(binary));
                }
            if (r["capture"] == "1")
                reply.Set("captured", Tuning.TuningMessages.List(loaded.Select(x => new WorkerMessage("binary").Set("key", x.Spec.Get("key")).Set("sha256", x.Spec.Get("sha256")).Format())));
            foreach (var (spec, _) in loaded) runner.Release(spec.Get("key"));
            return reply;
        }

        /// <summary>Program keys the runner holds from a program file's binaries, with that file's SHA-256.</summary>
        private readonly Dictionary<string, string> _fromFile = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>
        /// A model run. With a program file, each program the run needs is first created from its binary there and built
        /// (as MACE's runtime starts from its cache), and kept for the next run from the same file; programs from another
        /// file, or from a file when this run has none, are released, so each run uses exactly the programs it asked for.
        /// </summary>
        private WorkerMessage RunModel(WorkerMessage r)
        {
            var runner = Runner(r);
            string? file = r["file"];
            var keys = file == null ? new List<string>() : Tuning.TuningMessages.ReadList(r.Get("keys"));
            string sha = file == null ? "" : r.Get("sha256");
            foreach (var key in _fromFile.Where(kv => kv.Value != sha || !keys.Contains(kv.Key)).Select(kv => kv.Key).ToList())
            {
                runner.Release(key);
                _fromFile.Remove(key);
            }
            foreach (var key in keys.Where(k => !_fromFile.ContainsKey(k)))
            {
                var binary = Binary(new WorkerMessage("load").Set("file", file).Set("sha256", sha).Set("key", key), out var mismatch);
                if (mismatch != null) return RunError(ErrorIds.ChecksumMismatch, MaceErrorCategory.InvalidData, $"{file}: {mismatch["log"]}", file!);
                ClProgram program;
                try { program = runner.CreateFromBinary(binary); }
                catch (ClException e) { return RunError(ErrorIds.BuildFailed, MaceErrorCategory.InvalidData, $"{file}: program '{key}': the driver refused its binary ({e.StatusName})", key); }
                var built = program.Build(Formats.ProgramKey.CompilerFlags(key));
                if (!built.Succeeded)
                {
                    program.Dispose();
                    return RunError(ErrorIds.BuildFailed, MaceErrorCategory.InvalidData, $"{file}: program '{key}': clBuildProgram from its binary: {built.StatusName} {built.Log}".Trim(), key);
                }
                runner.Adopt(key, program);
                _fromFile[key] = sha;
            }
            var reply = Runtime.ModelRunMessages.Serve(r, runner, _parentGone.Token);
            return reply.Op == "result" ? reply.Set("fromFile", keys.Count) : reply;
        }

        private static WorkerMessage RunError(string id, MaceErrorCategory category, string message, string target) =>
            new WorkerMessage("error").Set("error", message).Set("errorId", id).Set("category", category).Set("target", target);

        /// <summary>Binary → program: the hash is checked before the driver sees a byte, then create and build as MACE does.</summary>
        private WorkerMessage Load(WorkerMessage r)
        {
            var ctx = Context(r);
            var binary = Binary(r, out var mismatch);
            if (mismatch != null) return mismatch;
            var sw = Stopwatch.StartNew();
            ClProgram program;
            try { program = ctx.FromBinary(binary); }
            catch (ClException e)
            {
                return new WorkerMessage("result").Set("stage", "create").Set("status", e.Status).Set("statusName", e.StatusName).Set("log", e.Message);
            }
            WorkerMessage reply;
            try
            {
                double createMs = sw.Elapsed.TotalMilliseconds;
                var built = program.Build(r.Get("options"));
                double buildMs = sw.Elapsed.TotalMilliseconds - createMs;
                reply = Reply(built).Set("stage", built.Succeeded ? "ok" : "build").Set("createMs", createMs).Set("buildMs", buildMs);
                if (built.Succeeded) reply.Set("kernels", string.Join(";", program.KernelNames()));
            }
            finally
            {
                // Released at once: pocl keys unpacked binaries by a hash in their header, so a live good twin would let a
                // damaged binary "load". The release (pocl removes a directory) is timed: a bare load-and-discard pays it too.
                sw.Restart();
                program.Dispose();
            }
            return reply.Set("releaseMs", sw.Elapsed.TotalMilliseconds);
        }

        /// <summary>
        /// Start-up cost of one program: <c>repeat</c> builds from source and from binary, alternating, each a fresh program
        /// object. One build from source comes first and is reported apart: it pays the compiler's own start-up.
        /// </summary>
        private WorkerMessage Time(WorkerMessage r)
        {
            var ctx = Context(r);
            string source = InputGate.ReadText(r.Get("source"), InputKind.KernelSource);
            var binary = Binary(r, out var mismatch);
            if (mismatch != null) return mismatch;
            string options = r.Get("options");
            int repeat = Math.Max(1, r.GetInt("repeat"));
            double first = BuildOnce(() => ctx.FromSource(source), options);
            var fromSource = new List<double>();
            var fromBinary = new List<double>();
            for (int i = 0; i < repeat; i++)
            {
                fromSource.Add(BuildOnce(() => ctx.FromSource(source), options));
                fromBinary.Add(BuildOnce(() => ctx.FromBinary(binary), options));
            }
            return new WorkerMessage("result").Set("status", 0).Set("firstMs", first)
                .Set("sourceMs", string.Join(",", fromSource.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))
                .Set("binaryMs", string.Join(",", fromBinary.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        }

        private string? _filePath, _fileSha;
        private MaceProgram? _file;

        /// <summary>
        /// The binary a request names: an entry (by key) of a MACE file, or a file of raw bytes. Either way its SHA-256 must
        /// be the one the parent computed (of the whole MACE file, checked once per file; or of the raw bytes) before any
        /// driver sees a byte.
        /// </summary>
        private byte[] Binary(WorkerMessage r, out WorkerMessage? mismatch)
        {
            mismatch = null;
            string sha = r["sha256"] ?? throw new FormatException($"worker request '{r.Op}' lacks the sha256 of its binary");
            string? file = r["file"];
            if (file == null)
            {
                byte[] raw = InputGate.ReadAll(r.Get("binary"), InputKind.ProgramBinary);
                mismatch = Mismatch(Hashing.Sha256Hex(raw), sha);
                return raw;
            }
            if (_filePath != file || _fileSha != sha)
            {
                var bytes = InputGate.ReadAll(file, InputKind.MaceFile);
                mismatch = Mismatch(Hashing.Sha256Hex(bytes), sha);
                if (mismatch != null) return new byte[0];
                _file = MaceProgram.FromBytes(bytes, file);
                _filePath = file;
                _fileSha = sha;
            }
            string? key = r["key"];
            if (key == null) return new byte[0];
            var entry = _file!.Entries.FirstOrDefault(e => e.Key == key) ?? throw new FormatException($"{file} has no entry '{key}'");
            return entry.GetValue();
        }

        private static WorkerMessage? Mismatch(string actual, string expected) => actual == expected ? null
            : new WorkerMessage("result").Set("stage", "hash").Set("status", ClErrors.InvalidBinary).Set("statusName", "hash mismatch")
                .Set("log", $"the SHA-256 is {actual}, expected {expected}: the bytes changed after they were checked");

        private static double BuildOnce(Func<ClProgram> create, string options)
        {
            // Start-up is create + build; the release afterwards is not part of it (MACE keeps its programs).
            var sw = Stopwatch.StartNew();
            using var p = create();
            var b = p.Build(options);
            double ms = sw.Elapsed.TotalMilliseconds;
            if (!b.Succeeded) throw new ClException("clBuildProgram", b.Status, buildLog: b.Log);
            return ms;
        }

        private static WorkerMessage Reply(ClBuildResult b) =>
            new WorkerMessage("result").Set("status", b.Status).Set("statusName", b.StatusName).Set("log", b.Log);

        public void Dispose()
        {
            foreach (var k in _runners.Values) k.Dispose();
            _runners.Clear();
            foreach (var c in _contexts.Values) c.Dispose();
            _contexts.Clear();
        }
    }
}
