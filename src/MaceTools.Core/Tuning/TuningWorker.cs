using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using MaceTools.Devices;
using MaceTools.Kernels;
using MaceTools.OpenCL;

namespace MaceTools.Tuning
{
    /// <summary>
    /// Tuning in a driver worker process (<see cref="DriverProcess"/>): the parent sends one <c>tune</c> request per tuning
    /// key and gets its <see cref="MaceTuningResult"/> back, so a driver that aborts mid-launch, or a worker killed from
    /// outside, costs the key being tuned and never the calling process or the keys tuned before it.
    /// </summary>
    internal sealed class TuningWorker : IDisposable
    {
        private readonly DriverProcess _driver;
        private readonly MaceDevice _device;

        public TuningWorker(MaceDevice device, WorkerCommand command)
        {
            _device = device;
            // A key's search on a slow device can take minutes (exhaustive: hundreds of sizes, each compiled once by pocl).
            // Only our own sources are built here, as in-process tuning did, so the driver's cache is kept (no damaged binaries to fear).
            _driver = new DriverProcess(command) { RequestTimeout = TimeSpan.FromMinutes(30), FreshDriverCache = false, ReportDeathBetweenRequests = true };
        }

        /// <summary>
        /// Tunes one launch in the worker. A failure of this key (the driver refused the build, every size…) is a
        /// <see cref="MaceException"/>; a dead or hung worker is a <see cref="TuningWorkerCrashedException"/>; a cancelled
        /// token stops the worker (it is told by its input closing, then killed after a grace period) and throws.
        /// </summary>
        public MaceTuningResult Tune(KernelLaunch launch, TuningStrategy strategy, bool limitKernelTime, int seed, CancellationToken cancel)
        {
            var reply = _driver.Send(TuningMessages.Request(launch, _device, strategy, limitKernelTime, seed), cancel);
            switch (reply.Op)
            {
                case "result": return TuningMessages.ReadResult(reply);
                case "crashed": throw new TuningWorkerCrashedException(_device, launch, reply);
                default:
                    string id = reply["errorId"] ?? ErrorIds.TuningFailed; // any other failure of the worker on this key
                    var category = Enum.TryParse<MaceErrorCategory>(reply["category"], out var c) ? c : MaceErrorCategory.InvalidOperation;
                    throw new MaceException(id, category, reply["error"] ?? reply.Format(), reply["target"] ?? launch.TuningKey);
            }
        }

        public void Dispose() => _driver.Dispose();
    }

    /// <summary>The tuning worker died (a driver abort or segfault, a kill) or hung while tuning one kernel.</summary>
    internal sealed class TuningWorkerCrashedException : MaceException
    {
        internal TuningWorkerCrashedException(MaceDevice device, KernelLaunch launch, WorkerMessage crash)
            : base(ErrorIds.WorkerFailed, MaceErrorCategory.InvalidOperation, Describe(device, launch, crash), launch.TuningKey)
        {
            Signal = crash["hung"] != null ? "hung" : crash["signal"] ?? "unknown";
        }

        /// <summary>SIGABRT, SIGSEGV, SIGKILL …, "exit N", or "hung".</summary>
        public string Signal { get; }

        private static string Describe(MaceDevice device, KernelLaunch launch, WorkerMessage crash)
        {
            string how = crash["hung"] != null ? crash["log"] ?? "it hung"
                : $"it died ({crash["signal"]}, exit code {crash["exitCode"]})";
            string log = crash["hung"] == null && !string.IsNullOrWhiteSpace(crash["log"]) ? ": " + crash["log"]!.Trim() : "";
            return crash["idle"] != null
                ? $"{device.Name}: the tuning worker died before {launch.TuningKey} ({launch.Kernel}) was sent: {how}{log}"
                : $"{device.Name}: the tuning worker stopped while tuning {launch.TuningKey} ({launch.Kernel}): {how}{log}";
        }
    }

    /// <summary>
    /// The <c>tune</c> request and its reply as <see cref="WorkerMessage"/> fields: the launch itself travels (program,
    /// options, target, arguments, global size, rule), so the worker needs neither the deployment file nor the model.
    /// </summary>
    internal static class TuningMessages
    {
        private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

        public static WorkerMessage Request(KernelLaunch launch, MaceDevice device, TuningStrategy strategy, bool limitKernelTime, int seed) =>
            new WorkerMessage("tune").Set("device", device.Index).Set("name", device.Name).Set("launch", Launch(launch).Format())
                .Set("strategy", strategy).Set("limit", limitKernelTime ? 1 : 0).Set("seed", seed);

        /// <summary>The worker's side: tunes the request's launch on <paramref name="runner"/> (its device) and forms the reply.</summary>
        public static WorkerMessage Serve(WorkerMessage request, KernelRunner runner, CancellationToken cancel)
        {
            var launch = ReadLaunch(WorkerMessage.Parse(request.Get("launch")));
            var strategy = (TuningStrategy)Enum.Parse(typeof(TuningStrategy), request.Get("strategy"));
            try
            {
                return Result(KernelTuner.Tune(runner, launch, strategy, request.GetInt("limit") != 0, request.GetInt("seed"), cancel));
            }
            catch (MaceException e)
            {
                return new WorkerMessage("error").Set("error", e.Message).Set("errorId", e.ErrorId).Set("category", e.Category).Set("target", e.Target?.ToString());
            }
        }

        public static WorkerMessage Launch(KernelLaunch l)
        {
            var m = new WorkerMessage("launch").Set("opName", l.Op).Set("program", l.Program).Set("kernel", l.Kernel)
                .Set("version", l.Target.Version.Text).Set("nonUniform", l.Target.NonUniformWorkGroup ? 1 : 0)
                .Set("adreno", l.Target.Adreno ? 1 : 0).Set("obfuscate", l.Target.Obfuscate ? 1 : 0)
                .Set("options", List(l.Options)).Set("global", Longs(l.GlobalSize)).Set("rule", l.Rule).Set("ruleParameter", l.RuleParameter)
                .Set("tuningKey", l.TuningKey).Set("flops", l.Flops);
            // The constructor adds the global_size_dim arguments itself where work-groups are uniform.
            var own = l.Arguments.Skip(l.Target.NonUniformWorkGroup ? 0 : l.GlobalSize.Length).ToList();
            return m.Set("args", List(own.Select(a => Argument(a).Format())));
        }

        public static KernelLaunch ReadLaunch(WorkerMessage m)
        {
            var target = new KernelTarget(MaceVersion.Parse(m.Get("version")), m.GetInt("nonUniform") != 0, m.GetInt("adreno") != 0, m.GetInt("obfuscate") != 0);
            var args = ReadList(m.Get("args")).Select(a => ReadArgument(WorkerMessage.Parse(a)));
            return new KernelLaunch(m.Get("opName"), m.Get("program"), m.Get("kernel"), target, ReadList(m.Get("options")), ReadLongs(m.Get("global")),
                (LocalSizeRule)Enum.Parse(typeof(LocalSizeRule), m.Get("rule")), m["tuningKey"], args, m.GetDouble("flops"), m.GetInt("ruleParameter"));
        }

        private static WorkerMessage Argument(KernelArg a)
        {
            var m = new WorkerMessage("arg").Set("kind", a.Kind).Set("name", a.Name);
            switch (a.Kind)
            {
                case KernelArgKind.Image: return m.Set("tensor", a.Tensor).Set("layout", a.Layout).Set("shape", Ints(a.Shape)).Set("output", a.IsOutput ? 1 : 0);
                case KernelArgKind.Buffer: return m.Set("tensor", a.Tensor).Set("count", a.Shape[0]).Set("output", a.IsOutput ? 1 : 0);
                case KernelArgKind.Int: return m.Set("value", a.IntValue);
                case KernelArgKind.Float: return m.Set("value", ((double)a.FloatValue).ToString("R", Invariant));
                default: return m.Set("value", a.LocalBytesPerItem);
            }
        }

        private static KernelArg ReadArgument(WorkerMessage m)
        {
            string name = m.Get("name");
            switch ((KernelArgKind)Enum.Parse(typeof(KernelArgKind), m.Get("kind")))
            {
                case KernelArgKind.Image:
                    return KernelArg.Image(name, m.Get("tensor"), (ImageKind)Enum.Parse(typeof(ImageKind), m.Get("layout")),
                        ReadLongs(m.Get("shape")).Select(v => (int)v).ToArray(), m.GetInt("output") != 0);
                case KernelArgKind.Buffer: return KernelArg.Buffer(name, m.Get("tensor"), m.GetInt("count"), m.GetInt("output") != 0);
                case KernelArgKind.Int: return KernelArg.Int(name, m.GetInt("value"));
                case KernelArgKind.Float: return KernelArg.Float(name, (float)m.GetDouble("value"));
                default: return KernelArg.Local(name, m.GetInt("value"));
            }
        }

        /// <summary>The result as the sidecar stores it (one JSON form of <see cref="MaceTuningResult"/>), in one field.</summary>
        public static WorkerMessage Result(MaceTuningResult r) => new WorkerMessage("result").Set("result", TunedParameterFile.ToJson(r));

        public static MaceTuningResult ReadResult(WorkerMessage m) => TunedParameterFile.FromJson<MaceTuningResult>(m.Get("result"));

        private static string Longs(IEnumerable<long> values) => string.Join(",", values.Select(v => v.ToString(Invariant)));
        private static string Ints(IEnumerable<int> values) => string.Join(",", values.Select(v => v.ToString(Invariant)));
        private static long[] ReadLongs(string text) => text.Length == 0 ? Array.Empty<long>() : text.Split(',').Select(s => long.Parse(s, Invariant)).ToArray();

        /// <summary>A list of strings (any of them possibly empty) as one field: a count, then each item as a field of a nested message.</summary>
        internal static string List(IEnumerable<string> items)
        {
            var m = new WorkerMessage();
            int n = 0;
            foreach (var item in items) m.Set("i" + n++.ToString(Invariant), item);
            return m.Set("n", n).Format();
        }

        internal static List<string> ReadList(string text)
        {
            var m = WorkerMessage.Parse(text);
            return Enumerable.Range(0, m.GetInt("n")).Select(i => m["i" + i.ToString(Invariant)] ?? "").ToList();
        }
    }
}
