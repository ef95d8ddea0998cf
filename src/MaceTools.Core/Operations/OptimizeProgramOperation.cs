using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using MaceTools.Compilation;
using MaceTools.Config;
using MaceTools.Conversion;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Kernels;
using MaceTools.OpenCL;
using MaceTools.Runtime;
using MaceTools.Tuning;

namespace MaceTools.Operations
{
    /// <summary>
    /// Optimize-MaceProgram / macetools tune: converts a deployment file's GPU models to their kernel instances on each
    /// device class, searches every tuning key's local size on the device, and writes the tuned-parameter file MACE
    /// loads plus our sidecar record. The launches run in a worker process. An interruption (or the worker dying) keeps
    /// what was tuned: those keys are written under the partial name (<see cref="TunedParameterFile.PartialPath"/>).
    /// Each key's result is emitted as it is tuned, then a <see cref="MaceTuningSummary"/>: the re-timed total. Our
    /// strategies then time each key's candidates inside the model (<see cref="ContextTuning"/>): the file stores what wins
    /// there, and the summary carries that set's end-to-end gain over MACE's default sizes.
    /// </summary>
    public sealed class OptimizeProgramOperation
    {
        public IList<MaceDevice> Devices { get; set; } = new List<MaceDevice>();
        /// <summary>The deployment file (mace.yml).</summary>
        public string Config { get; set; } = "";
        /// <summary>Only the models whose name matches one of these wildcard patterns (default: every GPU model); a pattern that matches none is an error.</summary>
        public IList<string>? Model { get; set; }
        public string? ModelCache { get; set; }
        public TuningStrategy Strategy { get; set; } = TuningStrategy.Auto;
        public MaceVersion Version { get; set; } = MaceVersion.Latest;
        /// <summary>The output file; only with a single device class.</summary>
        public string? OutFile { get; set; }
        /// <summary>Where MACE-named files go (default: the current directory).</summary>
        public string? Destination { get; set; }
        public bool NoClobber { get; set; }
        /// <summary>Seeds the search's sampling, so a run can be repeated.</summary>
        public int Seed { get; set; } = 1;
        /// <summary>Also emit the written file (a MaceProgram) after the results.</summary>
        public bool PassThru { get; set; }
        /// <summary>How to start the worker process the launches run in (default: <see cref="WorkerCommand.Locate()"/>).</summary>
        public WorkerCommand? Worker { get; set; }

        private const int ProgressId = 6;

        public void Run(IOperationHost host)
        {
            string cwd = host.CurrentDirectory;
            var config = MaceConfigReader.Read(PathResolver.FullPath(Config, cwd)).RequireModels(Model);
            foreach (var d in Devices) Remote.DeviceBackends.RequireLocal(d, "tuning");
            var devices = Devices.Count > 0 ? Devices.ToList() : new List<MaceDevice> { LocalDevices.Select(null) };
            var classes = DeviceClass.OnePerClass(devices);
            foreach (var skipped in devices.Except(classes))
                host.WriteVerbose($"{skipped}: same device class as another device ({skipped.Class}); tuned once");
            if (OutFile != null && classes.Count > 1)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument,
                    $"-OutFile names one file but the devices fall into {classes.Count} device classes; use -Destination");
            var gpuModels = config.Models.Where(m => m.Runtime == "gpu").ToList();
            bool limit = gpuModels.Any(m => m.LimitOpenclKernelTime != 0);
            int window = gpuModels.Select(m => m.OpenclQueueWindowSize).FirstOrDefault();
            if (gpuModels.Select(m => m.OpenclQueueWindowSize).Distinct().Count() > 1)
                host.WriteWarning($"{config.Path}: the models ask for different opencl_queue_window_size values; the file stores one: {window}");
            using var fetcher = ConfigConversion.Fetcher(ModelCache, host);
            foreach (var device in classes)
            {
                var sets = ConfigConversion.Convert(config, device, Version, fetcher, host);
                var launches = KernelSet.TuningInstances(sets);
                foreach (var (launch, count) in launches.Where(l => l.Count > 1))
                    host.WriteVerbose($"{launch.TuningKey}: {count} kernel instances share this key; tuned on the first");
                // The compiler's own refusals (no source, half precision without cl_khr_fp16), as one error before any launch.
                var refused = launches.Select(l => l.Launch.ProgramKey).Distinct(StringComparer.Ordinal)
                    .Select(k => BuildJob.Refusal(k, device, KernelSourceSet.Builtin)).Where(r => r != null).Distinct().ToList();
                if (refused.Count > 0)
                    throw new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidArgument, $"{config.Path}: cannot tune on {device.Name}: {string.Join("; ", refused)}", device.Name);
                if (launches.Count == 0)
                {
                    host.WriteWarning($"{config.Path}: no kernel to tune on {device.Name}");
                    continue;
                }
                string path = Path.GetFullPath(OutFile != null ? PathResolver.FullPath(OutFile, cwd)
                    : Path.Combine(PathResolver.FullPath(Destination ?? ".", cwd), TunedParameterFile.FileName(config.LibraryName ?? "mace", device)));
                if (!host.ShouldProcess(path, $"Tune {launches.Count} kernel(s) on {device.Name} ({Strategy}) and write MACE {Version} tuned parameters ({Version.TuningFormat})")) continue;
                if (NoClobber) FileIO.RefuseExisting(path); // before the launches, not only at the write
                var record = new TuningRecord
                {
                    Strategy = Strategy.ToString(), Seed = Seed, MaceVersion = Version.Text, Config = config.Path, ConfigSha256 = Hashing.Sha256File(config.Path, InputKind.DeploymentFile),
                    LimitOpenclKernelTime = limit, QueueWindowSize = window, Device = TuningRecord.DeviceIdentityRecord.From(device, Version),
                    KernelSourceOrigin = KernelSourceSet.Builtin.Origin,
                    KernelSourceSha256 = TuningRecord.SourceHash(KernelSourceSet.Builtin, launches.Select(l => l.Launch.Program), Version),
                };
                Tune(device, launches, limit, path, record, host, sets, config.Models.Where(m => m.Runtime == "gpu").SelectMany(m => m.Subgraphs).ToList());
            }
        }

        private void Tune(MaceDevice device, List<(KernelLaunch Launch, int Count)> launches, bool limit, string path, TuningRecord record, IOperationHost host,
            List<KernelSet> sets, List<MaceSubgraphConfig> graphs)
        {
            var results = new List<MaceTuningResult>();
            var sw = Stopwatch.StartNew();
            string activity = $"Tuning {launches.Count} kernel(s) on {device.Name} ({Strategy})";
            string partial = TunedParameterFile.PartialPath(path);
            TuningWorkerCrashedException? crash = null;
            try
            {
                // The launches run in a worker process: a driver abort, a kill or a Ctrl+C there never takes this process
                // (or the results it holds) with it.
                using var worker = new TuningWorker(device, Worker ?? WorkerCommand.Locate());
                foreach (var (launch, count) in launches)
                {
                    host.CancellationToken.ThrowIfCancellationRequested();
                    host.WriteProgress(new OperationProgress(ProgressId, activity, $"{results.Count + 1}/{launches.Count} {launch.TuningKey} [{string.Join(",", launch.GlobalSize)}]",
                        100 * results.Count / launches.Count));
                    MaceTuningResult result;
                    try
                    {
                        result = worker.Tune(launch, Strategy, limit, Seed, host.CancellationToken);
                    }
                    catch (TuningWorkerCrashedException e)
                    {
                        crash = e;
                        break;
                    }
                    catch (MaceException e) when (e.ErrorId != ErrorIds.WorkerFailed) // a worker that cannot start ends the run
                    {
                        host.WriteError(new MaceException(ErrorIds.TuningFailed, e.Category, $"{launch.TuningKey} on {device.Name}: not tuned (MACE uses its default size): {e.Message}", launch.TuningKey, e));
                        continue;
                    }
                    result.SharedBy = count - 1;
                    results.Add(result);
                    host.WriteVerbose($"{result} in {result.Trials} launches");
                    host.WriteObject(result);
                }
            }
            catch (Exception) when (results.Count > 0)
            {
                // Ctrl+C, [powershell]::Stop(), a cancelled token or a failure: the file is written first, since a stopped
                // pipeline refuses warnings; under the partial name, so a complete file of an earlier run stays as it was.
                WritePartial(partial, record, results, device, sw);
                host.WriteWarning(PartialMessage(partial, path, results.Count, launches.Count, "interrupted"));
                throw;
            }
            finally
            {
                host.WriteProgress(new OperationProgress(ProgressId, activity, "done", 100, completed: true));
            }
            if (crash != null)
            {
                if (results.Count > 0) WritePartial(partial, record, results, device, sw);
                host.WriteError(new MaceException(crash.ErrorId, crash.Category,
                    crash.Message + "; " + (results.Count > 0 ? PartialMessage(partial, path, results.Count, launches.Count, "stopped") : "nothing was tuned, no file written"), crash.Target, crash));
                return;
            }
            if (results.Count == 0)
            {
                host.WriteError(new MaceException(ErrorIds.TuningFailed, MaceErrorCategory.InvalidOperation, $"no kernel could be tuned on {device.Name}; no file written", device.Name));
                return;
            }
            ContextOutcome? context;
            try
            {
                context = InContext(device, sets, graphs, results, launches, limit, host);
            }
            catch (Exception)
            {
                // Stopped while timing inside the model: every key was searched, so the per-kernel choices go to the partial file.
                WritePartial(partial, record, results, device, sw);
                host.WriteWarning(PartialMessage(partial, path, results.Count, launches.Count, "interrupted while timing candidates inside the model"));
                throw;
            }
            record.Complete = true;
            var summary = record.Summary = MaceTuningSummary.Of(results, device.Name, Strategy, path, sw.Elapsed.TotalSeconds);
            if (context != null) summary.SetContext(results.Count(r => r.Context != null && !r.Context.KeptDefault), context);
            TunedParameterFile.Write(path, record, results, Version, overwrite: !NoClobber);
            foreach (var stale in new[] { partial, partial + TunedParameterFile.SidecarSuffix })
                if (File.Exists(stale))
                {
                    File.Delete(stale);
                    host.WriteVerbose($"{stale}: removed; the complete file replaces it");
                }
            host.WriteVerbose($"{path}: {results.Count} tuned key(s) in {summary.Seconds:F1} s, {summary.Launches} launches");
            host.WriteObject(summary);
            if (PassThru) host.WriteObject(MaceProgram.Load(path));
        }

        /// <summary>
        /// Our strategies' last stage: each key's candidates (the search's finalists, the device-shaped sizes) timed inside the
        /// model, every key at once, in one worker; a key keeps a candidate only when it is measurably faster there than
        /// MACE's default, and the kept set is re-timed end to end against the default. MACE's strategy keeps MACE's picks.
        /// A model that cannot run here (no model file, an op the runner lacks) keeps the per-kernel choices, with a warning.
        /// </summary>
        private ContextOutcome? InContext(MaceDevice device, List<KernelSet> sets, List<MaceSubgraphConfig> graphs, List<MaceTuningResult> results,
            List<(KernelLaunch Launch, int Count)> launches, bool limit, IOperationHost host)
        {
            if (Strategy == TuningStrategy.Mace || sets.Count == 0) return null;
            var candidates = results.GroupBy(r => r.FileKey, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<long[]>)g.Last().ContextCandidates, StringComparer.Ordinal);
            ContextOutcome? last = null;
            try
            {
                using var runner = new ModelRunner(device, Worker ?? WorkerCommand.Locate());
                for (int i = 0; i < sets.Count; i++)
                {
                    host.CancellationToken.ThrowIfCancellationRequested();
                    var set = sets[i];
                    var sample = ModelData.RandomSample(set.Inputs, i < graphs.Count ? graphs[i].InputRanges : null, Seed);
                    host.WriteProgress(new OperationProgress(ProgressId, $"Timing candidates inside {set.Model} on {device.Name}", "whole-model inferences", 100 * i / sets.Count));
                    var o = ContextTuning.Run(ContextTuning.Runner(runner, set, sample, host.CancellationToken),
                        set.Kernels.Where(k => !k.IsWeight).Select(k => k.TuningFileKey).ToList(), candidates, Seed);
                    foreach (var c in o.Keys)
                        foreach (var r in results.Where(r => r.FileKey == c.Key))
                        {
                            host.WriteVerbose(FormattableString.Invariant($"{r.TuningKey} [{string.Join(",", r.GlobalSize)}] ×{c.Instances} in context, default [{string.Join(",", r.DefaultLocalSize)}]: ") +
                                string.Join("; ", c.Candidates.Select((l, n) => FormattableString.Invariant($"[{string.Join(",", l)}] {c.Comparisons[n].GainPercent:0.0}% [{c.Comparisons[n].GainLowPercent:0.0}%, {c.Comparisons[n].GainHighPercent:0.0}%]"))) +
                                (c.Chosen == null ? " -> default kept" : $" -> [{string.Join(",", c.Chosen)}]"));
                            var launch = launches.First(l => l.Launch.TuningFileKey == c.Key).Launch;
                            r.LocalSize = c.Chosen ?? r.DefaultLocalSize;
                            r.Block = KernelTuner.Block(launch.Dimensions, launch.GlobalSize, r.LocalSize, r.Micros, limit, launch.Target.NonUniformWorkGroup, Version);
                            r.Parameters = r.LocalSize.Append(r.Block).Select(v => (uint)v).ToArray();
                            r.Context = new ContextVerdict
                            {
                                LocalSize = r.LocalSize, KeptDefault = c.Chosen == null, Candidates = c.Candidates.Length,
                                GainPercent = c.Gain?.GainPercent ?? 0, GainLowPercent = c.Gain?.GainLowPercent ?? 0, GainHighPercent = c.Gain?.GainHighPercent ?? 0,
                            };
                        }
                    host.WriteVerbose($"{set.Model} on {device.Name}: {o.Keys.Count} keys timed in context ({o.Slots} slots, {o.Cycles} cycles), {o.Chosen.Count} keep a candidate; " +
                        (o.Chosen.Count == 0 ? "nothing to confirm" : $"end to end {o.Model}"));
                    last = o;
                }
            }
            catch (Exception e) when ((e is MaceException || e is ArgumentException || e is IOException) && !host.CancellationToken.IsCancellationRequested)
            {
                host.WriteWarning($"{device.Name}: the candidates could not be timed inside the model, so the per-kernel choices are stored for its keys: {e.Message}");
            }
            finally
            {
                host.WriteProgress(new OperationProgress(ProgressId, $"Timing candidates inside the model on {device.Name}", "done", 100, completed: true));
            }
            return last;
        }

        private void WritePartial(string partial, TuningRecord record, List<MaceTuningResult> results, MaceDevice device, Stopwatch sw)
        {
            record.Complete = false;
            record.Summary = MaceTuningSummary.Of(results, device.Name, Strategy, partial, sw.Elapsed.TotalSeconds);
            TunedParameterFile.Write(partial, record, results, Version, overwrite: true);
        }

        private static string PartialMessage(string partial, string path, int tuned, int total, string how) =>
            $"{partial}: {how}; partial: {tuned} of {total} keys tuned (the others run with MACE's default sizes). " +
            $"MACE loads it once renamed to {Path.GetFileName(path)}";
    }
}
