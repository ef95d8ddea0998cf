using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using MaceTools.Compilation;
using MaceTools.Conversion;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Kernels;
using MaceTools.OpenCL;
using MaceTools.Tuning;

namespace MaceTools.Runtime
{
    /// <summary>What a model run should do besides computing the outputs.</summary>
    public sealed class ModelRunOptions
    {
        /// <summary>Stored local sizes by tuning-file key (a tuned-parameter file); null: MACE's default formula everywhere.</summary>
        public IReadOnlyDictionary<string, uint[]>? Tuned { get; set; }
        /// <summary>Timed inferences per sample (the outputs are those of the last).</summary>
        public int Rounds { get; set; } = 1;
        /// <summary>Untimed inferences before the first sample (first launches compile on some drivers).</summary>
        public int Warmup { get; set; }
        /// <summary>Device tensors (graph names) and CPU-placed nodes' output buffers to read back after the last sample, for a layer-by-layer comparison.</summary>
        public IReadOnlyCollection<string>? Dump { get; set; }
        /// <summary>
        /// A program file (mace_cl_compiled_program.bin): every program is created from its binary there, as MACE's runtime
        /// starts from it, instead of being built from our sources. Checked first (<see cref="ModelRunner.CheckPrograms"/>).
        /// </summary>
        public MaceProgram? ProgramFile { get; set; }
        /// <summary>
        /// Local sizes that change from inference to inference: inference i of the request (warm-ups included, counted over
        /// all samples) uses entry i modulo the count, a null entry MACE's default everywhere. Overrides <see cref="Tuned"/>.
        /// The in-context tuner (<see cref="ContextTuning"/>) times every candidate inside the model this way, in one request.
        /// </summary>
        public IReadOnlyList<IReadOnlyDictionary<string, uint[]>?>? Schedule { get; set; }
    }

    /// <summary>One timed inference: its wall time in the worker, each inference kernel's device time and each CPU-placed node's host time.</summary>
    public sealed class ModelRound
    {
        internal ModelRound(int sample, int round, double wallMs, double[] kernelUs, double[] cpuUs, double gapUs = 0)
        {
            Sample = sample;
            Round = round;
            WallMs = wallMs;
            KernelUs = kernelUs;
            CpuUs = cpuUs;
            GapUs = gapUs;
        }

        public int Sample { get; }
        public int Round { get; }
        /// <summary>Host wall time of the inference (input upload excluded; every launch enqueued back to back, one wait at the end).</summary>
        public double WallMs { get; }
        /// <summary>Device time of each inference kernel (profiling events), in the order of <see cref="ModelRunResult.Kernels"/>.</summary>
        public double[] KernelUs { get; }
        public double KernelMs => KernelUs.Sum() / 1000;
        /// <summary>
        /// Host time of each CPU-placed node (stopwatch: its inputs read back, the C# op, its outputs written; the wait for the
        /// GPU work queued before it is the kernels' time, not counted here), in the order of <see cref="ModelRunResult.CpuNodes"/>.
        /// </summary>
        public double[] CpuUs { get; }
        public double CpuMs => CpuUs.Sum() / 1000;
        /// <summary>
        /// (wall − summed kernel time − summed CPU-node time) / wall: enqueue, waits and the runner's own host work, as a share
        /// of the inference (0 to 1). CPU-placed nodes are model work, counted in <see cref="CpuMs"/>, not overhead.
        /// </summary>
        public double HostOverhead => WallMs > 0 ? Math.Max(0, WallMs - KernelMs - CpuMs) / WallMs : 0;
        /// <summary>
        /// The part of the overhead spent between kernels on the device's clock (each START minus the previous END, summed;
        /// not across a CPU-placed node, whose time is its own): the driver's per-command cost. The rest is before the first
        /// kernel starts and after the last ends.
        /// </summary>
        public double GapUs { get; }
        /// <summary><see cref="GapUs"/> as a share of the wall time (0 to 1).</summary>
        public double GapShare => WallMs > 0 ? GapUs / 1000 / WallMs : 0;
    }

    /// <summary>What the worker computed and measured for a list of samples.</summary>
    public sealed class ModelRunResult
    {
        internal ModelRunResult(IReadOnlyList<MaceKernel> kernels, IReadOnlyList<CpuNode> cpuNodes, double initMs, List<ModelRound> rounds, List<MaceTensor[]> outputs, Dictionary<string, MaceTensor> dumped, int fromFile)
        {
            ProgramsFromFile = fromFile;
            Kernels = kernels;
            CpuNodes = cpuNodes;
            InitMs = initMs;
            Rounds = rounds;
            Outputs = outputs;
            Dumped = dumped;
        }

        /// <summary>The inference kernels (input transforms, ops, output transforms) in execution order.</summary>
        public IReadOnlyList<MaceKernel> Kernels { get; }
        /// <summary>The CPU-placed nodes in execution order (<see cref="ModelRound.CpuUs"/>'s order).</summary>
        public IReadOnlyList<CpuNode> CpuNodes { get; }
        /// <summary>Weight uploads and their buffer_to_image launches (MACE's init), wall time in the worker.</summary>
        public double InitMs { get; }
        public IReadOnlyList<ModelRound> Rounds { get; }
        /// <summary>Per sample, the model outputs in ONNX order.</summary>
        public IReadOnlyList<MaceTensor[]> Outputs { get; }
        /// <summary>
        /// The dumped tensors after the last sample, in MACE's NHWC order: images with the image's NHWC shape, CPU-placed
        /// nodes' host buffers (<see cref="MaceKernel.HostSuffix"/> names) with their ONNX shape in NHWC (<see cref="ModelData.Nhwc"/>).
        /// </summary>
        public IReadOnlyDictionary<string, MaceTensor> Dumped { get; }
        /// <summary>Programs the worker created from the binaries of <see cref="ModelRunOptions.ProgramFile"/> (0: all built from source).</summary>
        public int ProgramsFromFile { get; }
    }

    /// <summary>
    /// Runs a converted model (<see cref="KernelSet"/>) on a local OpenCL device in a crash-isolated driver worker, as
    /// MACE's runtime does: weights uploaded and transformed once by their buffer_to_image launches, then per inference
    /// the input transform, every op's kernels in order on named tensors, and the output transform, at MACE's default
    /// local sizes or a tuned file's. Large data travels in files; the worker keeps its programs between requests.
    /// </summary>
    public sealed class ModelRunner : IDisposable
    {
        private readonly IModelWorker _worker;

        /// <summary>A runner on a local device, in a driver worker of this machine.</summary>
        public ModelRunner(MaceDevice device, WorkerCommand worker)
            : this(device, new LocalModelWorker(worker))
        {
            if (device.Transport != "local") throw new ArgumentException($"{device.Target}: not a local device", nameof(device));
        }

        /// <summary>A runner whose worker requests go to <paramref name="worker"/> (an ssh host's agent, for a device there).</summary>
        public ModelRunner(MaceDevice device, IModelWorker worker)
        {
            Device = device;
            _worker = worker;
        }

        public MaceDevice Device { get; }
        /// <summary>True when each <see cref="RunAll"/> call is one trip to a remote host (its worker, and the programs it built, do not outlive the call).</summary>
        public bool Remote => _worker.Remote;

        /// <summary>
        /// What -ProgramFile needs before a run: a program file, made for this device's OpenCL platform (and, where the
        /// file names one, MACE's name for this GPU), holding every program the kernel set launches. Otherwise MACE's runtime
        /// would rebuild from source, and so a run "from the file" would time something else.
        /// </summary>
        public static void CheckPrograms(MaceProgram file, KernelSet set, MaceDevice device)
        {
            if (file.Kind != MaceFileKind.Programs)
                throw new MaceException(ErrorIds.KindMismatch, MaceErrorCategory.InvalidArgument, $"{file.Path}: is a tuned-parameter file; -ProgramFile needs a program file (mace_cl_compiled_program.bin)", file.Path);
            var p = file.Platform;
            if (p != null && p.Problem == null && (p.PlatformName != device.PlatformName || p.PlatformVersion != device.PlatformVersion))
                throw new MaceException(ErrorIds.IdentityMismatch, MaceErrorCategory.InvalidArgument,
                    $"{file.Path}: was made for the OpenCL platform '{p.PlatformName}, {p.PlatformVersion}', but {device.Name} is on '{device.PlatformName}, {device.PlatformVersion}': its binaries are for another device or driver", file.Path);
            if (!string.IsNullOrEmpty(file.DeviceName) && file.DeviceName != device.MaceDeviceName)
                throw new MaceException(ErrorIds.IdentityMismatch, MaceErrorCategory.InvalidArgument,
                    $"{file.Path}: was made for the device '{file.DeviceName}', not {device.Name} ('{device.MaceDeviceName}')", file.Path);
            var held = new HashSet<string>(file.Entries.Where(e => e.Kind == MaceEntryKind.Program).Select(e => e.Key), StringComparer.Ordinal);
            var missing = set.ProgramKeys.Where(k => !held.Contains(k)).ToList();
            if (missing.Count > 0)
                throw new MaceException(ErrorIds.ProgramNotInFile, MaceErrorCategory.ObjectNotFound,
                    $"{file.Path}: has no program '{missing[0]}', which {set.Model} needs on {device.Name}" +
                    (missing.Count > 1 ? $" ({missing.Count} of its {set.ProgramKeys.Count} programs are missing)" : ""), missing[0]);
        }

        /// <summary>Runs every sample (one list of inputs each, in <see cref="KernelSet.Inputs"/> order) and returns outputs and timings.</summary>
        public ModelRunResult Run(KernelSet set, IReadOnlyList<IReadOnlyList<MaceTensor>> samples, ModelRunOptions options, CancellationToken cancel = default) =>
            RunAll(set, samples, new[] { options }, cancel)[0];

        /// <summary>
        /// Runs the samples once per element of <paramref name="runs"/>, in order, in one worker (on a remote host: one trip,
        /// so its programs are built once for all), and returns one result per run.
        /// </summary>
        public List<ModelRunResult> RunAll(KernelSet set, IReadOnlyList<IReadOnlyList<MaceTensor>> samples, IReadOnlyList<ModelRunOptions> runs, CancellationToken cancel = default)
        {
            if (samples.Count == 0) throw new ArgumentException("no samples to run", nameof(samples));
            foreach (var file in runs.Select(o => o.ProgramFile).Where(f => f != null).Distinct()) CheckPrograms(file!, set, Device);
            using var scratch = new ScratchDirectory("run");
            // Weights and inputs are the same for every run; the plan differs by its local sizes.
            var weightData = new List<(int Kernel, long Offset)>();
            var cpuLines = new List<(int After, string Line)>();
            using (var weights = File.Create(scratch.File("weights")))
            {
                long offset = 0;
                for (int i = 0; i <= set.Kernels.Count; i++)
                {
                    // CPU-placed nodes sit between kernels (op, buffers, shapes, attributes); their constants go with the weights.
                    foreach (var c in set.CpuNodes.Where(c => c.After == i))
                    {
                        var cm = new WorkerMessage("cpu").Set("cpu", c.Op).Set("node", c.Node)
                            .Set("inputs", TuningMessages.List(c.Inputs)).Set("outputs", TuningMessages.List(c.Outputs))
                            .Set("inShapes", TuningMessages.List(c.InputShapes.Select(Dims))).Set("outShapes", TuningMessages.List(c.OutputShapes.Select(Dims)))
                            .Set("attrs", c.FormatAttributes());
                        foreach (var kv in c.Constants)
                        {
                            ModelData.Write(weights, kv.Value);
                            cm.Set("const" + kv.Key, offset + ":" + kv.Value.Length);
                            offset += kv.Value.Length;
                        }
                        cpuLines.Add((i, cm.Format()));
                    }
                    if (i == set.Kernels.Count) break;
                    var data = set.Kernels[i].Data;
                    if (data == null) continue;
                    ModelData.Write(weights, data);
                    weightData.Add((i, offset));
                    offset += data.Length;
                }
            }
            using (var input = File.Create(scratch.File("inputs")))
                foreach (var sample in samples)
                    for (int i = 0; i < set.Inputs.Count; i++)
                    {
                        var spec = set.Inputs[i];
                        var t = sample.FirstOrDefault(x => x.Name == spec.Name) ?? throw new ArgumentException($"a sample lacks input {spec.Name}", nameof(samples));
                        if (t.Data.LongLength != spec.Count)
                            throw new MaceException(ErrorIds.InvalidInput, MaceErrorCategory.InvalidData,
                                $"input '{spec.Name}' has {t.Data.Length} values; the model needs float32 [{string.Join(", ", spec.Shape)}] ({spec.Count})", spec.Name);
                        ModelData.Write(input, ModelData.ToNhwc(t.Data, spec.Shape));
                    }
            var plans = new Dictionary<object, string>();
            string Plan(IReadOnlyDictionary<string, uint[]>? tuned, IReadOnlyList<IReadOnlyDictionary<string, uint[]>?>? schedule)
            {
                object key = (object?)schedule ?? tuned ?? NoTuning;
                if (plans.TryGetValue(key, out var path)) return path;
                var locals = Warmup.Launches(new[] { set }, schedule?[0] ?? tuned);
                var each = schedule?.Select(t => Warmup.Launches(new[] { set }, t)).ToList();
                var offsets = weightData.ToDictionary(w => w.Kernel, w => w.Offset);
                var lines = new List<string>();
                for (int i = 0; i <= set.Kernels.Count; i++)
                {
                    lines.AddRange(cpuLines.Where(c => c.After == i).Select(c => c.Line));
                    if (i == set.Kernels.Count) break;
                    var k = set.Kernels[i];
                    var bind = new WorkerMessage();
                    foreach (var kv in k.Tensors) bind.Set(kv.Key, kv.Value);
                    var m = Warmup.Format(locals[i]).Set("node", k.Node).Set("bind", bind.Format());
                    if (k.Data != null) m.Set("data", offsets[i]).Set("count", k.Data.Length);
                    if (each != null) m.Set("locals", TuningMessages.List(each.Select(e => e[i].Local == null ? "" : string.Join(",", e[i].Local!))));
                    lines.Add(m.Format());
                }
                path = scratch.File("plan" + plans.Count.ToString(CultureInfo.InvariantCulture));
                File.WriteAllLines(path, lines);
                return plans[key] = path;
            }
            var requests = runs.Select((options, n) =>
            {
                string stem = scratch.File("run" + n.ToString(CultureInfo.InvariantCulture));
                var request = new WorkerMessage("run").Set("device", Device.Index).Set("name", Device.Name)
                    .Set("plan", Plan(options.Tuned, options.Schedule)).Set("weights", scratch.File("weights"))
                    .Set("inputs", TuningMessages.List(set.Inputs.Select(i => i.Name + MaceKernel.HostSuffix)))
                    .Set("inputCounts", string.Join(",", set.Inputs.Select(i => i.Count.ToString(CultureInfo.InvariantCulture))))
                    .Set("outputs", TuningMessages.List(set.Outputs.Select(o => o.Name + MaceKernel.HostSuffix)))
                    .Set("samples", samples.Count).Set("in", scratch.File("inputs")).Set("out", stem + ".out")
                    .Set("rounds", Math.Max(1, options.Rounds)).Set("warmup", Math.Max(0, options.Warmup))
                    .Set("dump", TuningMessages.List(options.Dump ?? Array.Empty<string>())).Set("dumpOut", stem + ".dump");
                if (options.ProgramFile != null)
                    request.Set("file", options.ProgramFile.Path).Set("sha256", options.ProgramFile.Sha256).Set("keys", TuningMessages.List(set.ProgramKeys));
                return request;
            }).ToList();
            var replies = _worker.Send(requests, cancel);
            return replies.Select((reply, n) => Read(set, samples.Count, runs[n], requests[n], reply)).ToList();
        }

        private static readonly IReadOnlyDictionary<string, uint[]> NoTuning = new Dictionary<string, uint[]>();

        private ModelRunResult Read(KernelSet set, int samples, ModelRunOptions options, WorkerMessage request, WorkerMessage reply)
        {
            if (reply.Op == "crashed")
                throw new MaceException(ErrorIds.WorkerFailed, MaceErrorCategory.InvalidOperation,
                    $"{Device.Name}: the driver worker stopped while running {set.Model}: " + (reply["hung"] != null ? reply["log"] ?? "it hung" : $"it died ({reply["signal"]}, exit code {reply["exitCode"]})"), Device.Name);
            if (reply.Op != "result")
            {
                var category = Enum.TryParse<MaceErrorCategory>(reply["category"], out var c) ? c : MaceErrorCategory.InvalidOperation;
                throw new MaceException(reply["errorId"] ?? ErrorIds.WorkerFailed, category, $"{Device.Name}: running {set.Model}: {reply["error"] ?? reply.Format()}", reply["target"] ?? Device.Name);
            }
            var kernels = set.Kernels.Where(k => !k.IsWeight).ToList();
            var rounds = TuningMessages.ReadList(reply.Get("rounds")).Select(WorkerMessage.Parse).Select(m => new ModelRound(m.GetInt("sample"), m.GetInt("round"), m.GetDouble("wallMs"),
                Times(m.Get("us")), Times(m["cpuUs"] ?? ""), m["gapUs"] == null ? 0 : m.GetDouble("gapUs"))).ToList();
            var outputs = new List<MaceTensor[]>();
            using (var o = File.OpenRead(request.Get("out")))
                for (int s = 0; s < samples; s++)
                    outputs.Add(set.Outputs.Select(spec => new MaceTensor(spec.Name, spec.Shape, ModelData.ToOnnx(ModelData.Read(o, spec.Count), spec.Shape))).ToArray());
            var dumped = new Dictionary<string, MaceTensor>(StringComparer.Ordinal);
            if (options.Dump != null && options.Dump.Count > 0)
                using (var d = File.OpenRead(request.Get("dumpOut")))
                    foreach (var m in TuningMessages.ReadList(reply.Get("dumped")).Select(WorkerMessage.Parse))
                    {
                        var shape = m.Get("shape").Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
                        dumped[m.Get("tensor")] = new MaceTensor(m.Get("tensor"), shape, ModelData.Read(d, shape.Aggregate(1L, (a, b) => a * b)));
                    }
            return new ModelRunResult(kernels, set.CpuNodes.OrderBy(c => c.After).ToList(), reply.GetDouble("initMs"), rounds, outputs, dumped, reply["fromFile"] == null ? 0 : reply.GetInt("fromFile"));
        }

        private static string Dims(int[] shape) => string.Join(",", shape);
        private static double[] Times(string list) => list.Split(',').Where(s => s.Length > 0).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();

        public void Dispose() => _worker.Dispose();
    }

    /// <summary>
    /// Where a model run's worker requests go. Each request names its files (plan, weights, inputs, program file; outputs and
    /// dumps to write) by path on this machine: a worker elsewhere carries them there and back (<see cref="RunFiles"/>).
    /// </summary>
    public interface IModelWorker : IDisposable
    {
        /// <summary>One reply per request, in order.</summary>
        List<WorkerMessage> Send(IReadOnlyList<WorkerMessage> requests, CancellationToken cancel);
        /// <summary>Each <see cref="Send"/> is one trip to another machine, with a worker of its own.</summary>
        bool Remote { get; }
    }

    /// <summary>The file fields of a <c>run</c> request: read by the worker, and written by it.</summary>
    public static class RunFiles
    {
        public static readonly string[] Read = { "plan", "weights", "in", "file" };
        public static readonly string[] Written = { "out", "dumpOut" };
    }

    /// <summary>A driver worker on this machine, kept between requests: programs are built once, as in one process.</summary>
    public sealed class LocalModelWorker : IModelWorker
    {
        private readonly DriverProcess _driver;

        // Our own sources only: the driver's cache is kept, as for tuning.
        public LocalModelWorker(WorkerCommand worker, IDictionary<string, string>? environment = null) =>
            _driver = new DriverProcess(worker, environment) { RequestTimeout = TimeSpan.FromMinutes(30), FreshDriverCache = false };

        public bool Remote => false;

        public List<WorkerMessage> Send(IReadOnlyList<WorkerMessage> requests, CancellationToken cancel) => requests.Select(r => _driver.Send(r, cancel)).ToList();

        public void Dispose() => _driver.Dispose();
    }

    /// <summary>The worker's side of the <c>run</c> request (<see cref="DriverWorker"/>).</summary>
    internal static class ModelRunMessages
    {
        private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

        private sealed class Step
        {
            public Step(WorkerMessage m, byte[] weights)
            {
                Node = m.Get("node");
                if (m["cpu"] != null)
                {
                    Cpu = m.Get("cpu");
                    var ins = TuningMessages.ReadList(m.Get("inputs"));
                    var outs = TuningMessages.ReadList(m.Get("outputs"));
                    CpuIn = ins.ToArray();
                    CpuOut = outs.ToArray();
                    CpuInShapes = TuningMessages.ReadList(m.Get("inShapes")).Select(ParseDims).ToArray();
                    CpuOutShapes = TuningMessages.ReadList(m.Get("outShapes")).Select(ParseDims).ToArray();
                    Attributes = CpuNode.ParseAttributes(m["attrs"] ?? "");
                    Constants = new float[CpuIn.Length][];
                    for (int i = 0; i < CpuIn.Length; i++)
                        if (m["const" + i] is string at)
                        {
                            var parts = at.Split(':');
                            Constants[i] = ModelData.FromBytes(weights, checked((int)(long.Parse(parts[0], Invariant) * 4)), int.Parse(parts[1], Invariant));
                        }
                    Tensors = CpuIn.Concat(CpuOut).Where(t => t.Length > 0).Distinct().ToDictionary(t => t, t => t, StringComparer.Ordinal);
                    return;
                }
                var w = Warmup.Read(m);
                Launch = w.Launch;
                Local = w.Local;
                if (m["locals"] != null)
                    Locals = TuningMessages.ReadList(m.Get("locals")).Select(l => l.Length == 0 ? null : l.Split(',').Select(v => long.Parse(v, Invariant)).ToArray()).ToArray();
                var bind = WorkerMessage.Parse(m.Get("bind"));
                Tensors = Launch.Arguments.Where(a => a.Tensor != null).Select(a => a.Tensor!).Distinct()
                    .ToDictionary(t => t, t => bind[t] ?? throw new FormatException($"{Node}: the plan binds no tensor to '{t}'"), StringComparer.Ordinal);
                if (m["data"] != null)
                {
                    long offset = long.Parse(m.Get("data"), Invariant);
                    Data = ModelData.FromBytes(weights, checked((int)(offset * 4)), m.GetInt("count"));
                }
            }

            public KernelLaunch Launch { get; } = null!;
            public long[]? Local { get; }
            /// <summary>A schedule's local sizes, one per entry (null: MACE's default); null when the plan has one.</summary>
            public long[]?[]? Locals { get; }
            /// <summary>A CPU-placed node's op (null for a kernel launch), with its host buffers, shapes, attributes and constants.</summary>
            public string? Cpu { get; }
            public string[] CpuIn { get; } = Array.Empty<string>();
            public string[] CpuOut { get; } = Array.Empty<string>();
            public int[][] CpuInShapes { get; } = Array.Empty<int[]>();
            public int[][] CpuOutShapes { get; } = Array.Empty<int[]>();
            public Dictionary<string, float[]> Attributes { get; } = new Dictionary<string, float[]>();
            public float[]?[] Constants { get; } = Array.Empty<float[]?>();

            private static int[] ParseDims(string s) => s.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(d => int.Parse(d, Invariant)).ToArray();

            /// <summary>
            /// Runs a CPU step: waits for the queued GPU work, reads its host buffers (NHWC order for 3-D and 4-D tensors, as
            /// image_to_buffer writes them) into ONNX order, runs the C# op and writes its outputs back as host buffers.
            /// Returns the node's host time in microseconds, the wait for the queued GPU work left out (that is kernel time).
            /// </summary>
            public double RunCpu(KernelRunner runner)
            {
                runner.Finish();
                var sw = Stopwatch.StartNew();
                var x = new List<(int[], float[])>();
                for (int i = 0; i < CpuIn.Length; i++)
                    x.Add((CpuInShapes[i], Constants[i] ?? ModelData.ToOnnx(runner.Download(CpuIn[i]), CpuInShapes[i])));
                var y = CpuOps.Run(Cpu!, Attributes, x);
                for (int o = 0; o < CpuOut.Length; o++) runner.UploadBuffer(CpuOut[o], ModelData.ToNhwc(y[o].Data, CpuOutShapes[o]));
                return sw.Elapsed.TotalMilliseconds * 1000;
            }
            public string Node { get; }
            public Dictionary<string, string> Tensors { get; }
            public float[]? Data { get; }
        }

        public static WorkerMessage Serve(WorkerMessage r, KernelRunner runner, CancellationToken cancel)
        {
            var weights = File.ReadAllBytes(r.Get("weights"));
            var steps = File.ReadAllLines(r.Get("plan")).Where(l => l.Length > 0).Select(l => new Step(WorkerMessage.Parse(l), weights)).ToList();
            var inputs = TuningMessages.ReadList(r.Get("inputs"));
            var counts = r.Get("inputCounts").Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s, Invariant)).ToList();
            var outputs = TuningMessages.ReadList(r.Get("outputs"));
            var dump = TuningMessages.ReadList(r.Get("dump"));
            int samples = r.GetInt("samples"), rounds = r.GetInt("rounds"), warmup = r.GetInt("warmup");
            var created = new HashSet<string>(steps.SelectMany(s => s.Tensors.Values), StringComparer.Ordinal);
            var local = new Dictionary<Step, long[]>();
            var prepared = new Dictionary<Step, PreparedLaunch>();
            try
            {
                // MACE's init: each weight's host buffer uploaded and transformed into its image; the buffer is freed.
                var sw = Stopwatch.StartNew();
                foreach (var s in steps.Where(s => s.Data != null && s.Cpu == null))
                {
                    cancel.ThrowIfCancellationRequested();
                    string buffer = s.Tensors["buffer"];
                    runner.UploadBuffer(buffer, s.Data!);
                    runner.Time(s.Launch, Local(runner, s, local, 0), s.Tensors);
                    runner.Free(buffer);
                }
                double initMs = sw.Elapsed.TotalMilliseconds;
                var run = steps.Where(s => s.Data == null).ToList();
                int launches = run.Count(s => s.Cpu == null);
                var timings = new List<string>();
                int inference = 0;
                using var input = File.OpenRead(r.Get("in"));
                using var output = File.Create(r.Get("out"));
                for (int sample = 0; sample < samples; sample++)
                {
                    for (int i = 0; i < inputs.Count; i++) runner.UploadBuffer(inputs[i], ModelData.Read(input, counts[i]));
                    int total = rounds + (sample == 0 ? warmup : 0);
                    for (int round = 0; round < total; round++)
                    {
                        cancel.ThrowIfCancellationRequested();
                        // Every launch queued back to back and one wait, as MACE's runtime runs an inference, each op on its
                        // own kernel object with its arguments set once; the profiling events are read after the clock stops.
                        var events = new List<IntPtr>(launches);
                        var us = new double[launches];
                        var cpuUs = new List<double>();
                        var afterCpu = new HashSet<int>(); // launches queued right after a CPU-placed node: the device waited for it
                        double wall, gap = 0;
                        sw.Restart();
                        try
                        {
                            foreach (var step in run)
                                if (step.Cpu != null)
                                {
                                    cpuUs.Add(step.RunCpu(runner));
                                    afterCpu.Add(events.Count);
                                }
                                else events.Add(runner.Enqueue(Prepared(runner, step, prepared), Local(runner, step, local, inference)));
                            runner.Finish();
                            wall = sw.Elapsed.TotalMilliseconds;
                        }
                        finally
                        {
                            if (events.Count < launches) runner.Finish(); // a failed enqueue: let the queued ones end before their events go
                            ulong lastEnd = 0;
                            for (int k = 0; k < events.Count; k++)
                            {
                                var (_, _, start, end) = runner.Timeline(events[k]);
                                us[k] = (end >= start ? end - start : 0) / 1000.0;
                                if (k > 0 && start > lastEnd && !afterCpu.Contains(k)) gap += (start - lastEnd) / 1000.0;
                                lastEnd = end;
                            }
                        }
                        inference++;
                        int timed = round - (sample == 0 ? warmup : 0);
                        if (timed >= 0)
                            timings.Add(new WorkerMessage("round").Set("sample", sample).Set("round", timed).Set("wallMs", wall).Set("gapUs", gap)
                                .Set("us", string.Join(",", us.Select(u => u.ToString("R", Invariant))))
                                .Set("cpuUs", string.Join(",", cpuUs.Select(u => u.ToString("R", Invariant)))).Format());
                    }
                    foreach (var o in outputs) ModelData.Write(output, runner.Download(o));
                }
                var dumped = new List<string>();
                if (dump.Count > 0)
                {
                    var specs = steps.Where(s => s.Cpu == null).SelectMany(s => s.Launch.Arguments.Where(a => a.Tensor != null && a.Kind == KernelArgKind.Image).Select(a => (Name: s.Tensors[a.Tensor!], a.Shape)))
                        .GroupBy(x => x.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Shape, StringComparer.Ordinal);
                    // A CPU-placed node's outputs are host buffers in MACE's NHWC order (as RunCpu writes them).
                    foreach (var s in steps.Where(s => s.Cpu != null))
                        for (int o = 0; o < s.CpuOut.Length; o++) specs[s.CpuOut[o]] = ModelData.Nhwc(s.CpuOutShapes[o]);
                    using var d = File.Create(r.Get("dumpOut"));
                    foreach (var name in dump.Where(n => specs.ContainsKey(n) && runner.TensorNames.Contains(n)))
                    {
                        ModelData.Write(d, runner.Download(name));
                        dumped.Add(new WorkerMessage("tensor").Set("tensor", name).Set("shape", string.Join(",", specs[name])).Format());
                    }
                }
                return new WorkerMessage("result").Set("status", 0).Set("initMs", initMs).Set("rounds", TuningMessages.List(timings)).Set("dumped", TuningMessages.List(dumped));
            }
            catch (MaceException e)
            {
                return new WorkerMessage("error").Set("error", e.Message).Set("errorId", e.ErrorId).Set("category", e.Category).Set("target", e.Target?.ToString());
            }
            finally
            {
                foreach (var p in prepared.Values) p.Dispose();
                foreach (var t in created) runner.Free(t);
            }
        }

        /// <summary>The step's kernel object with its arguments kept set (made at its first launch).</summary>
        private static PreparedLaunch Prepared(KernelRunner runner, Step s, Dictionary<Step, PreparedLaunch> cache)
        {
            if (!cache.TryGetValue(s, out var p)) cache[s] = p = runner.Prepare(s.Launch, s.Tensors);
            return p;
        }

        /// <summary>The local size of inference <paramref name="inference"/>: the schedule's or the tuned one, else MACE's default on this device (computed once per launch).</summary>
        private static long[] Local(KernelRunner runner, Step s, Dictionary<Step, long[]> cache, int inference)
        {
            if (s.Locals != null && s.Locals[inference % s.Locals.Length] is long[] scheduled) return scheduled;
            if (s.Locals == null && s.Local != null) return s.Local;
            if (!cache.TryGetValue(s, out var l)) cache[s] = l = runner.DefaultLocalSize(s.Launch);
            return l;
        }
    }
}
