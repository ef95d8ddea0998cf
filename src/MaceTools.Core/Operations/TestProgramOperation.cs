using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Config;
using MaceTools.Conversion;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.OpenCL;
using MaceTools.Remote;
using MaceTools.Verification;

namespace MaceTools.Operations
{
    /// <summary>Test-MaceProgram / macetools program test: device-free checks and what the target MACE runtime would do.</summary>
    public sealed class TestProgramOperation : FileOperation
    {
        public MaceTarget Target { get; set; } = new MaceTarget();
        /// <summary>Also load every entry on this device (in a driver worker) and judge the file by its identity.</summary>
        public MaceDevice? Device { get; set; }
        public WorkerCommand? Worker { get; set; }
        /// <summary>Emit only whether each file passed.</summary>
        public bool Quiet { get; set; }
        /// <summary>A deployment file: a tuned-parameter file is checked against the keys its GPU models' kernels look up.</summary>
        public string? Config { get; set; }
        public string? ModelCache { get; set; }
        /// <summary>A devices.yml: with <see cref="Targets"/>, the entry whose device the files are loaded on (instead of <see cref="Device"/>).</summary>
        public string? Inventory { get; set; }
        /// <summary>The inventory entry (a name or wildcard) to load on; it must come to one device.</summary>
        public IReadOnlyList<string> Targets { get; set; } = Array.Empty<string>();
        /// <summary>Makes the remote side (tests point its clients at their own servers).</summary>
        public Func<IOperationHost, RemoteDevices> RemoteFactory { get; set; } = h => new RemoteDevices(h);
        protected override string Activity => "Testing MACE files";

        private MaceException? _noTarget;
        private bool _resolved;

        protected override void ProcessFile(IOperationHost host, string path)
        {
            ResolveTarget(host);
            MaceTestResult result;
            if (Device == null) result = Test(path, Target);
            else
            {
                using var backend = DeviceBackends.For(Device, () => new LocalBackend(Worker ?? WorkerCommand.Locate()), RemoteFactory, host);
                result = TestOnDevice(path, Target, Device, backend, host);
            }
            if (Config != null && result.Kind == MaceFileKind.Tuning) result = WithCoverage(result, host);
            if (Config != null && Device != null && result.Kind == MaceFileKind.Programs && result.Loads.Length > 0) result = WithFirstLaunches(result, host);
            host.WriteObject(Quiet ? (object)result.Passed : result);
        }

        /// <summary>-Inventory/-Target: the one device they name, resolved on the first file (a failure is repeated for every file, not retried).</summary>
        private void ResolveTarget(IOperationHost host)
        {
            if (_noTarget != null) throw _noTarget;
            if (_resolved || Inventory == null && Targets.Count == 0) return;
            if (Device != null)
                throw _noTarget = new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, "give either -Device or -Target, not both", Device.Name);
            if (Targets.Count == 0)
                throw _noTarget = new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, $"{Inventory}: name the entry to test on with -Target / --target", Inventory);
            string inventory;
            try { inventory = MaceInventory.Locate(Inventory, host.CurrentDirectory); }
            catch (MaceException e) { throw _noTarget = e; }
            var devices = RemoteFactory(host).DiscoverTargets(inventory, Targets, Array.Empty<string>());
            if (devices.Count != 1)
                throw _noTarget = new MaceException(devices.Count == 0 ? ErrorIds.DeviceNotFound : ErrorIds.InvalidArgument,
                    devices.Count == 0 ? MaceErrorCategory.ObjectNotFound : MaceErrorCategory.InvalidArgument,
                    devices.Count == 0 ? $"{string.Join(", ", Targets)}: no device to load on (the entry could not be reached); nothing tested"
                        : $"{string.Join(", ", Targets)}: names {devices.Count} devices ({string.Join(", ", devices.Select(d => d.Id))}); -Target must come to one device", string.Join(", ", Targets));
            Device = devices[0];
            _resolved = true;
        }

        /// <summary>
        /// The device-free checks against the runtime MACE of the file's version (or the given one) would be on this device,
        /// then a load of every program entry on the device.
        /// </summary>
        public static MaceTestResult TestOnDevice(string path, MaceTarget target, MaceDevice device, WorkerCommand worker, IOperationHost host)
        {
            using var local = new LocalBackend(worker);
            return TestOnDevice(path, target, device, local, host);
        }

        /// <summary><see cref="TestOnDevice(string, MaceTarget, MaceDevice, WorkerCommand, IOperationHost)"/> with the loads run by <paramref name="backend"/> (here, or on the device's ssh host).</summary>
        public static MaceTestResult TestOnDevice(string path, MaceTarget target, MaceDevice device, IDeviceBackend backend, IOperationHost host)
        {
            if (!TryLoad(path, out var file, out var undecodable)) return undecodable!;
            var onDevice = device.TargetFor(target.Version ?? RuntimeRules.WriterVersion(file!), target.ReusePolicy);
            onDevice.PlatformInfo = target.PlatformInfo ?? onDevice.PlatformInfo;
            onDevice.DeviceName = target.DeviceName ?? onDevice.DeviceName;
            var basic = Check(file!, onDevice);
            if (file!.Kind != MaceFileKind.Programs)
                return new MaceTestResult(path, basic.Generation, basic.Kind, basic.Findings, basic.Verdicts, device.Name);
            var loads = backend.LoadAll(file, device, host);
            var findings = basic.Findings.Concat(DeviceLoader.Findings(loads, device)).ToArray();
            return new MaceTestResult(path, basic.Generation, basic.Kind, findings, basic.Verdicts, device.Name, loads.ToArray());
        }

        /// <summary>Adds what the deployment file's kernels (converted for the device and the file's MACE version) would look up and not find.</summary>
        private MaceTestResult WithCoverage(MaceTestResult result, IOperationHost host)
        {
            var file = MaceProgram.Load(result.Path);
            var device = Device ?? LocalDevices.Select(null);
            var version = Target.Version ?? RuntimeRules.WriterVersion(file);
            var config = MaceConfigReader.Read(PathResolver.FullPath(Config!, host.CurrentDirectory));
            using var fetcher = ConfigConversion.Fetcher(ModelCache, host);
            var kernels = ConfigConversion.Convert(config, device, version, fetcher, host).SelectMany(s => s.Kernels);
            var findings = result.Findings.Concat(TuningCoverage.Check(file, kernels, $"{config.Path} on {device.Name} (MACE {version})")).ToArray();
            return new MaceTestResult(result.Path, result.Generation, result.Kind, findings, result.Verdicts, result.Device, result.Loads);
        }

        /// <summary>
        /// Starts the deployment file's kernel set from this file on the device, in a fresh worker, and reports each kernel
        /// instance whose first launch compiled (far above its steady state): the binary lacks that work-group size's
        /// specialisation, so MACE's first inference would compile it too.
        /// </summary>
        private MaceTestResult WithFirstLaunches(MaceTestResult result, IOperationHost host)
        {
            var device = Device!;
            if (DeviceBackends.Key(device) != "local")
            {
                host.WriteVerbose($"{device.Name}: first launches are timed on local devices only");
                return result;
            }
            var file = MaceProgram.Load(result.Path);
            var version = Target.Version ?? RuntimeRules.WriterVersion(file);
            var config = MaceConfigReader.Read(PathResolver.FullPath(Config!, host.CurrentDirectory));
            using var fetcher = ConfigConversion.Fetcher(ModelCache, host);
            var sets = ConfigConversion.Convert(config, device, version, fetcher, host);
            var sources = Kernels.KernelSourceSet.Builtin;
            var inFile = file.Entries.Where(e => e.Kind == MaceEntryKind.Program).ToDictionary(e => e.Key, e => e.GetValue(), StringComparer.Ordinal);
            var keys = sets.SelectMany(s => s.ProgramKeys).Distinct(StringComparer.Ordinal)
                .Where(k => inFile.ContainsKey(k) || Compilation.BuildJob.Refusal(k, device, sources) == null).ToList();
            var programs = Compilation.StartupProbe.Programs(keys, inFile, sources, version);
            var launches = Compilation.Warmup.Launches(sets).Where(l => keys.Contains(l.Launch.ProgramKey)).ToList();
            var startup = Compilation.StartupProbe.Run("File", device, Worker ?? WorkerCommand.Locate(), programs, launches, host.CancellationToken);
            host.WriteVerbose($"{result.Path}: {startup}");
            var findings = result.Findings.ToList();
            foreach (var f in startup.Failures)
                findings.Add(new MaceFinding(FindingSeverity.Warning, "LaunchFailed", $"{config.Path} on {device.Name}: {f}", MaceSymptom.None));
            // One finding per kernel and local size: later instances of the same specialisation do not compile again.
            foreach (var t in startup.Timings.Where(t => t.Compiled))
                findings.Add(new MaceFinding(FindingSeverity.Warning, "FirstLaunchCompiles",
                    FormattableString.Invariant($"{t}: the driver compiled this kernel for its work-group size at the first launch; MACE's first inference from this file pays it too. ") +
                    "Build the file with New-MaceProgram -Config (program new --config), which launches the model's kernels before reading the binaries",
                    MaceSymptom.SlowStart, t.ProgramKey));
            int compiled = startup.CompiledAtFirstLaunch;
            findings.Add(new MaceFinding(FindingSeverity.Information, "FirstInference",
                FormattableString.Invariant($"{config.Path} on {device.Name}: first inference from this file {startup.FirstInferenceMs:0} ms (load {startup.LoadMs:0} ms + first launches {startup.FirstLaunchesMs:0} ms), steady {startup.SteadyMs:0.0} ms; {compiled} of {startup.Launches} first launches compiled") +
                (keys.Count > inFile.Keys.Intersect(keys).Count() ? $"; {keys.Count - inFile.Keys.Intersect(keys).Count()} program(s) not in the file were built from source" : "")));
            return new MaceTestResult(result.Path, result.Generation, result.Kind, findings.ToArray(), result.Verdicts, result.Device, result.Loads) { FirstLaunches = startup.Timings };
        }

        /// <summary>Tests one file. A file that does not decode is a failed result, not an exception: that is what a test reports.</summary>
        public static MaceTestResult Test(string path, MaceTarget target) =>
            TryLoad(path, out var file, out var undecodable) ? Check(file!, target) : undecodable!;

        private static bool TryLoad(string path, out MaceProgram? file, out MaceTestResult? undecodable)
        {
            undecodable = null;
            try
            {
                file = MaceProgram.Load(path);
                return true;
            }
            catch (MaceFormatException e)
            {
                var finding = new MaceFinding(FindingSeverity.Error, e.ErrorId,
                    e.Detail + " - MACE v1.1.1 rejects such a file by its CRC and rebuilds from source; v0.11-v1.0.4 abort with \"Paring storage data out of range\" when a record runs past the end; older versions read out of bounds",
                    MaceSymptom.CorruptedFile, offset: e.Offset);
                undecodable = new MaceTestResult(path, null, null, new[] { finding }, new MaceRuntimeVerdict[0]);
                file = null;
                return false;
            }
            catch (MaceException e) when (e.ErrorId == ErrorIds.InputTooLarge)
            {
                // Far larger than any MACE file: a failed test as well (its bytes are not read at all).
                undecodable = new MaceTestResult(path, null, null,
                    new[] { new MaceFinding(FindingSeverity.Error, e.ErrorId, e.Message, MaceSymptom.CorruptedFile, offset: 0) }, new MaceRuntimeVerdict[0]);
                file = null;
                return false;
            }
        }

        private static MaceTestResult Check(MaceProgram file, MaceTarget target)
        {
            var findings = FileChecks.Check(file);
            var verdicts = RuntimeRules.Evaluate(file, target);
            foreach (var v in verdicts.Where(v => v.Outcome == RuntimeOutcome.Crashes))
                findings.Add(new MaceFinding(FindingSeverity.Error, "RuntimeCrashes", $"MACE {v.MaceVersion} ({v.Usage}): {v.Message}", v.Symptom));
            if (target.Version != null || target.PlatformInfo != null || target.DeviceName != null)
            {
                // Not used in the role the file is shipped for is an error; not used in another role is only information
                // (a precompiled file that MACE's runtime cache would rebuild is still a good precompiled file).
                var role = UsageByName(file.Path);
                bool usedSomehow = verdicts.Any(v => v.Outcome == RuntimeOutcome.Used);
                foreach (var v in verdicts.Where(v => v.Outcome == RuntimeOutcome.Rebuilt || v.Outcome == RuntimeOutcome.Ignored))
                {
                    bool inItsRole = role == null ? !usedSomehow : v.Usage == role;
                    findings.Add(new MaceFinding(inItsRole ? FindingSeverity.Error : FindingSeverity.Information, "NotUsedByTarget",
                        $"MACE {v.MaceVersion} ({v.Usage}): {v.Message}" + (inItsRole ? "" : $" (the file is used as {(role ?? MaceFileUsage.Precompiled)})"), v.Symptom));
                }
            }
            if (VersionFieldFinding(file, target) is MaceFinding versionField) findings.Add(versionField);
            return new MaceTestResult(file.Path, file.Generation, file.Kind, findings.ToArray(), verdicts.ToArray());
        }

        /// <summary>
        /// The version field alone decides whether MACE uses a precompiled file, and it is whatever string MACE was built
        /// with: said plainly when the file's differs from the target's, with the fix.
        /// </summary>
        private static MaceFinding? VersionFieldFinding(MaceProgram file, MaceTarget target)
        {
            string? field = file.Platform?.MaceVersionText;
            var v = target.Version;
            if (file.Kind != MaceFileKind.Programs || v == null || field == null || !v.PlatformInfoHasVersion || field == v.Text) return null;
            bool precompiled = UsageByName(file.Path) != MaceFileUsage.Cache;
            return new MaceFinding(precompiled ? FindingSeverity.Error : FindingSeverity.Warning, "VersionFieldDiffers",
                $"the file's platform info ends in the MACE version '{field}', but a MACE that reports its version as '{v.Text}' writes '{v.Text}' there: " +
                "MACE uses a precompiled file only when its platform info matches byte for byte, so it ignores this file and builds every program from source. " +
                $"Rebuild it with -MaceVersion '{v.Text}' (--mace-version). A MACE built from a release tarball reports 'unknown'; one built inside another git repository reports that repository's describe string",
                MaceSymptom.VersionMismatch);
        }

        /// <summary>
        /// The role MACE's file names give a file: <c>…_compiled_opencl_kernel.…bin</c> is shipped precompiled,
        /// <c>…mace_cl_compiled_program.bin</c> is the runtime cache, <c>…_tuned_opencl_parameter…</c> and <c>mace_run.config</c>
        /// are tuned parameters; null for any other name.
        /// </summary>
        public static MaceFileUsage? UsageByName(string path)
        {
            string name = System.IO.Path.GetFileName(path);
            if (name.IndexOf("_compiled_opencl_kernel.", StringComparison.OrdinalIgnoreCase) >= 0) return MaceFileUsage.Precompiled;
            if (name.EndsWith(MaceInventory.ProgramFileName, StringComparison.OrdinalIgnoreCase)) return MaceFileUsage.Cache;
            if (name.IndexOf("_tuned_opencl_parameter.", StringComparison.OrdinalIgnoreCase) >= 0
                || name.EndsWith(MaceInventory.TuningFileName, StringComparison.OrdinalIgnoreCase)) return MaceFileUsage.TunedParameters;
            return null;
        }
    }
}
