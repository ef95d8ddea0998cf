using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using MaceTools.Remote;

namespace MaceTools.Operations
{
    /// <summary>
    /// Publish-MaceProgram / macetools program publish: puts program and tuned-parameter files on the devices of an inventory,
    /// each the file named for that device, atomically and in parallel (<see cref="Publisher"/>). One
    /// <see cref="PublishResult"/> per target and file kind; a failed target is a result and a non-terminating error, so the
    /// others go on. Host calls stay on the calling thread: workers hand their progress and results back through a queue.
    /// </summary>
    public sealed class PublishProgramOperation : InventoryFileOperation
    {
        /// <summary>Devices already read (the benchmark's); when set, <see cref="InventoryFileOperation.Inventory"/> is not read.</summary>
        public IReadOnlyList<InventoryDevice>? Devices { get; set; }
        /// <summary>Publish a file even when its name says it is for another device, or names none.</summary>
        public bool Force { get; set; }
        public int ThrottleLimit { get; set; } = 8;
        /// <summary>Also emit the local files published (<see cref="MaceProgram"/>), after the results.</summary>
        public bool PassThru { get; set; }
        public void Run(IOperationHost host)
        {
            var files = LoadFiles(host);
            if (files.Count == 0)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, "no file to publish", null);
            var devices = SelectDevices(host, Devices);

            var plans = devices.SelectMany(d => PlanFor(d, files, host)).ToList();
            var toRun = new List<(int Id, PublishPlan Plan)>();
            var results = new List<PublishResult>();
            foreach (var plan in plans)
            {
                if (plan.File == null)
                    Report(host, results, plan.NewResult(PublishStatus.Failed, plan.Refusal, plan.RefusalId));
                else if (!host.ShouldProcess($"{plan.Device.Name}:{plan.Destination}", $"Publish {plan.File}"))
                    Report(host, results, plan.NewResult(PublishStatus.Skipped));
                else
                {
                    host.WriteDebug($"{plan.Device.Display}: {plan.File} -> {plan.Destination} (sha256 {plan.Sha256})");
                    toRun.Add((toRun.Count + 1, plan));
                }
            }
            RunParallel(host, toRun, results);
            if (PassThru)
                foreach (var f in files.Where(f => results.Any(r => r.File == f.Path && (r.Status == PublishStatus.Published || r.Status == PublishStatus.Unchanged))))
                    host.WriteObject(f);
            host.CancellationToken.ThrowIfCancellationRequested();
        }

        private void RunParallel(IOperationHost host, List<(int Id, PublishPlan Plan)> work, List<PublishResult> results)
        {
            const string Activity = "Publishing MACE files";
            var cancel = host.CancellationToken;
            using var queue = new BlockingCollection<Action>();
            int done = 0;
            var workers = Task.Run(() =>
            {
                try
                {
                    Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, ThrottleLimit) }, item =>
                    {
                        var (id, plan) = item;
                        string target = $"{plan.Device.Name}:{plan.Destination}";
                        // Cancelled: no new target starts; those already running finish or roll back (their commands are not killed).
                        if (cancel.IsCancellationRequested)
                        {
                            var skipped = plan.NewResult(PublishStatus.Skipped, "cancelled before it started", ErrorIds.Cancelled);
                            queue.Add(() => Report(host, results, skipped));
                            return;
                        }
                        var result = PublishOne(plan, s => queue.Add(() => host.WriteProgress(new OperationProgress(id, target, s, 0, parentActivityId: 0))));
                        queue.Add(() =>
                        {
                            host.WriteProgress(new OperationProgress(id, target, result.Status.ToString(), 100, parentActivityId: 0, completed: true));
                            host.WriteProgress(new OperationProgress(0, Activity, $"{++done} of {work.Count} done", 100 * done / work.Count));
                            Report(host, results, result);
                        });
                    });
                }
                finally { queue.CompleteAdding(); }
            });
            if (work.Count > 0) host.WriteProgress(new OperationProgress(0, Activity, $"0 of {work.Count} done", 0));
            foreach (var action in queue.GetConsumingEnumerable()) action();
            workers.GetAwaiter().GetResult();
            if (work.Count > 0) host.WriteProgress(new OperationProgress(0, Activity, "done", 100, completed: true));
        }

        private PublishResult PublishOne(PublishPlan plan, Action<string> status)
        {
            IRemoteFiles remote;
            try { remote = Open(plan.Device, reuseConnection: false); } // one command per target: no master
            catch (MaceException e) { return plan.NewResult(PublishStatus.Failed, e.Message, e.ErrorId); }
            using (remote) return Publisher.Publish(remote, plan, status);
        }

        private static void Report(IOperationHost host, List<PublishResult> results, PublishResult r)
        {
            results.Add(r);
            host.WriteObject(r);
            // A failed target is a non-terminating error (with the id the CLI prints), so -ErrorAction, $? and try/catch see it;
            // the result still says what happened on the device.
            if (r.Status == PublishStatus.Failed || r.Status == PublishStatus.RolledBack)
                host.WriteError(new MaceException(r.ErrorId ?? ErrorIds.RemoteCommandFailed, MaceErrorCategory.WriteError,
                    $"{r.Device}: {r.Kind} {r.Path}: {r.Status}: {r.Error}", r.Device));
            else host.WriteVerbose($"{r.Device}: {r.Kind} {r.Path}: {r.Status}");
        }

        /// <summary>MACE's names: <c>&lt;library&gt;_compiled_opencl_kernel.&lt;device_name&gt;.&lt;soc&gt;.bin</c> and <c>…_tuned_opencl_parameter…</c>.</summary>
        private static readonly Regex MaceName = new Regex(@"^(?<lib>.+)_(compiled_opencl_kernel|tuned_opencl_parameter)\.(?<device>.+)\.(?<soc>[^.]+)\.bin$", RegexOptions.IgnoreCase);

        /// <summary>The device name and soc a MACE-style file name is for; null when the name is not MACE's.</summary>
        public static (string Device, string Soc)? IdentityOf(string path)
        {
            var m = MaceName.Match(Path.GetFileName(path));
            return m.Success ? (m.Groups["device"].Value, m.Groups["soc"].Value) : ((string, string)?)null;
        }

        /// <summary>Whether a file's name says it is for this device: its device_name and one of its socs (MACE lower-cases socs).</summary>
        public static bool IsFor(string path, InventoryDevice device) =>
            IdentityOf(path) is var (name, soc) && string.Equals(name, device.DeviceName, StringComparison.OrdinalIgnoreCase)
            && device.TargetSocs.Any(s => string.Equals(s, soc, StringComparison.OrdinalIgnoreCase));

        /// <summary>For each kind among the files, the one file for this device, or why there is none.</summary>
        private IEnumerable<PublishPlan> PlanFor(InventoryDevice device, List<MaceProgram> files, IOperationHost host)
        {
            if (FindFiles)
            {
                // Files found in the folder, not given: each device takes those named for it, and lacks none of the others.
                files = files.Where(f => IsFor(f.Path, device)).ToList();
                if (files.Count == 0)
                {
                    yield return new PublishPlan(device, PublishKind.Program, null, null, LookedFor(device, host), ErrorIds.NoFileForDevice);
                    yield break;
                }
            }
            foreach (var group in files.GroupBy(f => f.Kind == MaceFileKind.Tuning ? PublishKind.Tuning : PublishKind.Program))
            {
                var kind = group.Key;
                var all = group.GroupBy(f => f.Path).Select(g => g.First()).ToList();
                var matching = all.Where(f => IsFor(f.Path, device)).ToList();
                var chosen = matching.Count == 1 ? matching[0] : matching.Count == 0 && Force && all.Count == 1 ? all[0] : null;
                if (chosen != null) { yield return new PublishPlan(device, kind, chosen.Path, chosen.Sha256); continue; }
                string what = kind == PublishKind.Program ? "program" : "tuned-parameter";
                string refusal = matching.Count > 1
                    ? $"several {what} files are for {device.Name}: {string.Join(", ", matching.Select(f => f.Path))}; give one"
                    : all.Count > 1
                        ? $"none of the {what} files is for {device.Name} ({Identity(device)}): " + string.Join("; ", all.Select(Describe))
                        : $"{Describe(all[0])}; target {device.Name} is {Identity(device)}; use -Force to publish it anyway";
                yield return new PublishPlan(device, kind, null, null, refusal);
            }
        }

        private static string Identity(InventoryDevice d) => $"{d.DeviceName}/{string.Join(",", d.TargetSocs)}";

        private static string Describe(MaceProgram f) => IdentityOf(f.Path) is var (name, soc)
            ? $"file {f.Path} is for device {name} soc {soc}"
            : $"file {f.Path} has no MACE device name (<library>_compiled_opencl_kernel.<device>.<soc>.bin)";
    }
}
