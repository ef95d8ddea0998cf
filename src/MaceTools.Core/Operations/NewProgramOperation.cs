using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using MaceTools.Compilation;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Config;
using MaceTools.Conversion;
using MaceTools.Kernels;
using MaceTools.OpenCL;
using MaceTools.Remote;

namespace MaceTools.Operations
{
    /// <summary>
    /// New-MaceProgram / macetools program new: compile a set of MACE programs for devices and write one program file per
    /// device class, in the generation and with the identity keys of the target MACE version.
    /// </summary>
    public sealed class NewProgramOperation
    {
        /// <summary>Devices to build for; empty means the one MACE would pick here.</summary>
        public IList<MaceDevice> Devices { get; set; } = new List<MaceDevice>();
        /// <summary>A program file whose program keys are rebuilt (re-targeted to each device).</summary>
        public string? From { get; set; }
        /// <summary>Program keys to build as given.</summary>
        public IList<string> Kernels { get; set; } = new List<string>();
        /// <summary>A deployment file (mace.yml): its GPU models are fetched and converted to their kernel set per device class.</summary>
        public string? Config { get; set; }
        /// <summary>Where downloaded models are kept (default: <see cref="Config.ModelFetcher.DefaultCacheDirectory"/>).</summary>
        public string? ModelCache { get; set; }
        /// <summary>A directory of .cl files and common.h (a MACE checkout's mace/ops/opencl/cl); default: our library.</summary>
        public string? KernelSource { get; set; }
        /// <summary>
        /// The version string of the MACE that will load the file (<see cref="MaceVersion.ForRuntime"/>: any string, such as
        /// <c>unknown</c>); it goes into the platform info as it is. Default: that of the <see cref="From"/> file, else the newest release.
        /// </summary>
        public MaceVersion? Version { get; set; }
        /// <summary>The file generation (G1 or G2); default: that of <see cref="Version"/> when recognised, else of the <see cref="From"/> file, else G2.</summary>
        public MaceFileFormat? Generation { get; set; }
        /// <summary>What this run writes for: <see cref="Version"/> resolved against <see cref="Generation"/> and the <see cref="From"/> file.</summary>
        private MaceVersion _version = MaceVersion.Latest;
        /// <summary>The output file; only with a single device class.</summary>
        public string? OutFile { get; set; }
        /// <summary>Where MACE-named files go (default: the current directory).</summary>
        public string? Destination { get; set; }
        /// <summary>The library name in MACE's file name &lt;library&gt;_compiled_opencl_kernel.&lt;device&gt;.&lt;soc&gt;.bin.</summary>
        public string Library { get; set; } = DefaultLibrary;
        private const string DefaultLibrary = "mace";
        /// <summary>
        /// Read each binary right after its build, without launching the model's kernels first. By default, with a model
        /// (<see cref="Config"/>), every kernel is launched once at the model's sizes before the binaries are read, so they
        /// hold the driver's per-local-size specialisations and MACE's first inference does not compile again.
        /// </summary>
        public bool NoWarmup { get; set; }
        /// <summary>A tuned-parameter file (or its sidecar): the warm-up launches at its local sizes, as MACE will with it.</summary>
        public string? TunedParameter { get; set; }
        /// <summary>Ignore the build cache.</summary>
        public bool Force { get; set; }
        public bool NoClobber { get; set; }
        public int Parallelism { get; set; } = Environment.ProcessorCount;
        public BuildCache? Cache { get; set; } = BuildCache.Default();
        public WorkerCommand? Worker { get; set; }
        public IDictionary<string, string> WorkerEnvironment { get; } = new Dictionary<string, string>();
        /// <summary>A devices.yml whose entries named by <see cref="Targets"/> are built for (on their hosts), as if their devices were in <see cref="Devices"/>.</summary>
        public string? Inventory { get; set; }
        /// <summary>Inventory entries to build for (wildcards), of <see cref="Inventory"/> or the default inventory (<see cref="MaceInventory.Locate"/>).</summary>
        public IReadOnlyList<string> Targets { get; set; } = Array.Empty<string>();
        /// <summary>Makes the remote side (tests point its clients at their own servers).</summary>
        public Func<IOperationHost, RemoteDevices> RemoteFactory { get; set; } = h => new RemoteDevices(h);

        public void Run(IOperationHost host)
        {
            string cwd = host.CurrentDirectory;
            var sources = KernelSource == null ? KernelSourceSet.Builtin : KernelSourceSet.FromDirectory(PathResolver.FullPath(KernelSource, cwd));
            var fromKeys = new List<string>();
            MaceProgram? fromFile = null;
            if (From != null)
            {
                var file = fromFile = MaceProgram.Load(PathResolver.FullPath(From, cwd));
                if (file.Kind != MaceFileKind.Programs)
                    throw new MaceException(ErrorIds.KindMismatch, MaceErrorCategory.InvalidArgument, $"{file.Path}: is a tuned-parameter file; -From needs a program file", file.Path);
                fromKeys.AddRange(file.Entries.Where(e => e.Kind == MaceEntryKind.Program).Select(e => e.Key));
            }
            _version = ResolveVersion(fromFile, host);
            var config = Config == null ? null : MaceConfigReader.Read(PathResolver.FullPath(Config, cwd));
            // MACE names the file after the deployment file's library_name unless the caller chose a name.
            string library = NameRule.Require(config?.LibraryName != null && Library == DefaultLibrary ? config.LibraryName : Library, "library name");
            if (fromKeys.Count == 0 && Kernels.Count == 0 && config == null)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument,
                    From != null ? $"{From}: has no program entries to build" : "nothing to build: give a program file (-From / --from), program keys (-Kernel / --kernel) or a deployment file (-Config / --config)");

            var devices = Devices.Concat(TargetDevices(host)).ToList();
            if (devices.Count == 0 && (Inventory != null || Targets.Count > 0)) return; // every target failed; each is an error already
            if (devices.Count == 0) devices.Add(LocalDevices.Select(null));
            var classes = DeviceClass.OnePerClass(devices);
            foreach (var skipped in devices.Except(classes))
                host.WriteVerbose($"{skipped}: same device class as another device ({skipped.Class}); built once");
            if (OutFile != null && classes.Count > 1)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument,
                    $"-OutFile names one file but the devices fall into {classes.Count} device classes ({string.Join("; ", classes.Select(c => c.Class.ToString()))}); use -Destination");
            if (_version.ProgramFormat == MaceFileFormat.G1 && !_version.StoresPlatformInfo)
                host.WriteWarning($"MACE {_version} keeps the platform-info string outside the program file: ship it alongside (mace_cl_platform_info.txt)");

            using var fetcher = ConfigConversion.Fetcher(ModelCache, host);
            var tuned = TunedParameter == null || NoWarmup ? null : Compilation.Warmup.ReadTuned(PathResolver.FullPath(TunedParameter, cwd));
            var plans = classes.Select(d =>
            {
                var sets = ConfigSets(config, d, fetcher, host);
                var plan = Plan(d, fromKeys.Concat(sets.SelectMany(x => x.ProgramKeys).Distinct(StringComparer.Ordinal)).ToList(), sources, host);
                PlanWarmup(plan, sets, tuned, config != null, host);
                return plan;
            }).ToList();
            var compiler = new ProgramCompiler(Worker ?? WorkerCommand.Locate()) { Cache = Cache, Force = Force, Parallelism = Parallelism };
            foreach (var kv in WorkerEnvironment) compiler.WorkerEnvironment[kv.Key] = kv.Value;
            var sw = Stopwatch.StartNew();
            // One build per backend: all local classes together (in parallel), each ssh host through its agent.
            var outcomes = new List<BuildOutcome>();
            foreach (var group in plans.GroupBy(p => DeviceBackends.Key(p.Device)).ToList())
            {
                try
                {
                    using var backend = DeviceBackends.For(group.First().Device, () => new LocalBackend(compiler), RemoteFactory, host, Force);
                    outcomes.AddRange(backend.Build(group.SelectMany(p => p.Jobs).ToList(), host));
                }
                catch (MaceException e)
                {
                    // A host that cannot build costs its own files only.
                    host.WriteError(e);
                    plans.RemoveAll(p => group.Contains(p));
                }
            }
            host.WriteVerbose($"compiled {outcomes.Count(o => o.Succeeded && !o.FromCache)} program(s), {outcomes.Count(o => o.FromCache)} from the cache, {outcomes.Count(o => !o.Succeeded)} failed, in {sw.ElapsedMilliseconds} ms");
            foreach (var plan in plans)
            {
                host.CancellationToken.ThrowIfCancellationRequested();
                Write(plan, outcomes.Where(o => o.Job.Device == plan.Device).ToList(), sources, library, host);
            }
        }

        /// <summary>
        /// The version string and the generation, each from what was given: a recognised version brings its generation; a
        /// free-form one (unknown, another repository's describe string) takes -Generation, else the From file's, else G2.
        /// Without a version, the From file's version field is kept (with its generation), so a file made for a MACE built
        /// as "unknown" is rebuilt for that same MACE.
        /// </summary>
        private MaceVersion ResolveVersion(MaceProgram? fromFile, IOperationHost host)
        {
            var generation = Generation ?? (Version == null || !Version.Recognised ? fromFile?.Generation : null);
            if (Version != null) return Version.Recognised && Generation == null ? Version : MaceVersion.ForRuntime(Version.Text, generation);
            string? kept = fromFile?.Platform?.MaceVersionText;
            if (kept == null) return generation == null ? MaceVersion.Latest : MaceVersion.ForGeneration(generation.Value);
            var v = MaceVersion.ForRuntime(kept, generation);
            host.WriteVerbose($"{fromFile!.Path}: keeping its MACE version field '{kept}' ({v.ProgramFormat}); give -MaceVersion to write another");
            return v;
        }

        private List<MaceDevice> TargetDevices(IOperationHost host)
        {
            if (Inventory == null && Targets.Count == 0) return new List<MaceDevice>();
            return RemoteFactory(host).DiscoverTargets(MaceInventory.Locate(Inventory, host.CurrentDirectory), Targets, Array.Empty<string>());
        }

        private List<KernelSet> ConfigSets(MaceConfig? config, MaceDevice device, ModelFetcher fetcher, IOperationHost host)
        {
            if (config == null) return new List<KernelSet>();
            var sets = ConfigConversion.Convert(config, device, _version, fetcher, host);
            if (!sets.SelectMany(s => s.ProgramKeys).Any()) host.WriteWarning($"{config.Path}: no model runs on the GPU: no OpenCL programs to build");
            return sets;
        }

        /// <summary>Gives each job the model's launches of its program (what the worker makes before reading the binary), or says why none.</summary>
        private void PlanWarmup(ClassPlan plan, List<KernelSet> sets, IReadOnlyDictionary<string, uint[]>? tuned, bool haveModel, IOperationHost host)
        {
            if (NoWarmup) { plan.Warmup.Reason = "switched off (-NoWarmup)"; return; }
            if (!haveModel)
            {
                // A program key names no shapes: without the model there is nothing to launch.
                plan.Warmup.Reason = "no model to derive launches from: a program key holds no shapes (give -Config)";
                host.WriteVerbose($"{plan.Device.Name}: the programs are captured right after their builds ({plan.Warmup.Reason}); MACE's first inference compiles each kernel's work-group sizes again");
                return;
            }
            if (DeviceBackends.Key(plan.Device) != "local")
            {
                plan.Warmup.Reason = "the warm-up runs on local devices only";
                host.WriteVerbose($"{plan.Device.Name}: built on its host without a warm-up ({plan.Warmup.Reason})");
                return;
            }
            var launches = Compilation.Warmup.Launches(sets, tuned);
            if (tuned != null)
            {
                int hits = launches.Count(l => l.Local != null);
                host.WriteVerbose($"{plan.Device.Name}: {hits} of {launches.Count(l => l.Launch.TuningKey != null)} tuned launch(es) take their local size from {TunedParameter}; the rest MACE's default");
            }
            foreach (var job in plan.Jobs)
                job.Warmup = launches.Where(l => l.Launch.ProgramKey == job.Key).ToList();
            var missing = plan.Jobs.Where(j => j.Warmup.Count == 0).Select(j => j.Key).ToList();
            if (missing.Count > 0) host.WriteVerbose($"{plan.Device.Name}: {missing.Count} program(s) have no launch in the model and are captured build-only: {string.Join("; ", missing)}");
        }

        private sealed class ClassPlan
        {
            public ClassPlan(MaceDevice device) { Device = device; }
            public MaceDevice Device { get; }
            public List<BuildJob> Jobs { get; } = new List<BuildJob>();
            public List<string> Refused { get; } = new List<string>();
            /// <summary>Errors already written for this class: "no file written" then adds nothing to them.</summary>
            public int Reported { get; set; }
            public MaceWarmup Warmup { get; } = new MaceWarmup();
        }

        private ClassPlan Plan(MaceDevice device, List<string> fromKeys, KernelSourceSet sources, IOperationHost host)
        {
            var plan = new ClassPlan(device);
            var keys = fromKeys.Select(k => KeyRetarget.For(k, device, _version)).Concat(Kernels).Distinct(StringComparer.Ordinal);
            var halfPrecision = new List<string>();
            foreach (var key in keys)
            {
                string? refusal = BuildJob.Refusal(key, device, sources);
                if (refusal == null)
                {
                    var job = new BuildJob(key, device, sources, _version);
                    host.WriteDebug($"{device.Name}: build {key} with options '{job.Options}'");
                    plan.Jobs.Add(job);
                    continue;
                }
                plan.Refused.Add(key);
                // A device without cl_khr_fp16 is an expected limit of the device, not a fault: one warning, the keys under -Verbose.
                if (BuildJob.IsDeviceLimit(key, device, sources))
                {
                    halfPrecision.Add(key);
                    host.WriteVerbose($"{key}: not built for {device.Name}: {refusal}");
                }
                else
                {
                    // A key we cannot build (no source for its program, bad options) is bad input: exit 2, not a failure.
                    host.WriteError(new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidArgument, $"{key}: not built for {device.Name}: {refusal}", key));
                    plan.Reported++;
                }
            }
            if (halfPrecision.Count > 0)
                host.WriteWarning($"{halfPrecision.Count} half-precision program(s) not built: {device.Name} lacks cl_khr_fp16 (-Verbose lists them)");
            return plan;
        }

        private void Write(ClassPlan plan, List<BuildOutcome> outcomes, KernelSourceSet sources, string library, IOperationHost host)
        {
            var device = plan.Device;
            foreach (var failed in outcomes.Where(o => !o.Succeeded))
                host.WriteError(new MaceException(ErrorIds.BuildFailed, MaceErrorCategory.InvalidData,
                    $"{failed.Job.Key}: build failed on {device.Name}: {failed.StatusName}" + (failed.Log.Length > 0 ? "\nbuild log:\n" + failed.Log : ""), failed.Job.Key));
            var built = outcomes.Where(o => o.Succeeded).ToList();
            int total = built.Count + plan.Refused.Count + outcomes.Count(o => !o.Succeeded);
            if (built.Count == 0)
            {
                // One error per mistake: where each program's own error was written, this is only a note.
                string nothing = $"no program could be built for {device.Name}; no file written";
                if (plan.Reported > 0 || outcomes.Any(o => !o.Succeeded)) host.WriteVerbose(nothing);
                else host.WriteError(new MaceException(ErrorIds.BuildFailed, MaceErrorCategory.InvalidOperation, nothing, device.Name));
                return;
            }
            var records = new List<KvRecord>();
            foreach (var o in built)
            {
                records.Add(KvRecord.Bytes(o.Job.Key, o.Binary!));
                if (_version.StoresDeviceName) records.Add(KvRecord.Bytes(Keys.ProgramHashPrefix + o.Job.Key, System.Text.Encoding.ASCII.GetBytes(sources.HashStr(o.Job.Program))));
            }
            if (_version.StoresDeviceName) records.Add(KvRecord.Bytes(Keys.DeviceName, System.Text.Encoding.UTF8.GetBytes(device.MaceDeviceName)));
            if (_version.StoresPlatformInfo) records.Add(KvRecord.Bytes(Keys.PlatformInfo, System.Text.Encoding.UTF8.GetBytes(device.PlatformInfoFor(_version))));

            string path = OutFile != null ? PathResolver.FullPath(OutFile, host.CurrentDirectory)
                : Path.Combine(PathResolver.FullPath(Destination ?? ".", host.CurrentDirectory), NameRule.DeviceFileName(library, "compiled_opencl_kernel", device));
            path = Path.GetFullPath(path);
            if (!host.ShouldProcess(path, $"Write {built.Count} program(s) for {device.Name} ({_version.ProgramFormat}, MACE {_version})")) return;
            MaceFileCodec.WriteFile(path, MaceFileContent.Canonical(records), _version.ProgramFormat, overwrite: !NoClobber, host.CancellationToken);
            if (built.Count < total)
                host.WriteWarning($"{path}: {total - built.Count} of {total} programs are missing for {device.Name} (MACE builds them from source at start-up): " +
                    string.Join("; ", plan.Refused.Concat(outcomes.Where(o => !o.Succeeded).Select(o => o.Job.Key))));
            var warm = plan.Warmup;
            var warmed = built.Where(o => o.Warmed > 0).ToList();
            // A cached binary was warmed when it was built (the warm-up is part of its cache key).
            if (warmed.Count > 0 || built.Any(o => o.FromCache && o.Job.Warmup.Count > 0))
            {
                warm.Applied = true;
                warm.Reason = null;
                warm.Programs = warmed.Count;
                warm.Launches = warmed.Sum(o => o.Warmed);
                warm.Milliseconds = warmed.Sum(o => o.WarmupMs);
            }
            else if (warm.Reason == null) warm.Reason = "no launch could be made";
            warm.Failures = built.SelectMany(o => o.WarmupFailures.Select(f => $"{o.Job.Key}: {f}")).ToArray();
            foreach (var f in warm.Failures) host.WriteWarning($"{path}: warm-up: {f}");
            host.WriteVerbose($"{path}: warm-up {warm}");
            var result = MaceProgram.Load(path);
            result.Warmup = warm;
            host.WriteObject(result);
        }
    }
}
