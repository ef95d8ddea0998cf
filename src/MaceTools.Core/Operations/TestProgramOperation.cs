using System.Collections.Generic;
using System.Linq;
using MaceTools.Config;
using MaceTools.Conversion;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.OpenCL;
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
        protected override string Activity => "Testing MACE files";

        protected override void ProcessFile(IOperationHost host, string path)
        {
            var result = Device == null ? Test(path, Target) : TestOnDevice(path, Target, Device, Worker ?? WorkerCommand.Locate(), host);
            if (Config != null && result.Kind == MaceFileKind.Tuning) result = WithCoverage(result, host);
            host.WriteObject(Quiet ? (object)result.Passed : result);
        }

        /// <summary>
        /// The device-free checks against the runtime MACE of the file's version (or the given one) would be on this device,
        /// then a load of every program entry on the device.
        /// </summary>
        public static MaceTestResult TestOnDevice(string path, MaceTarget target, MaceDevice device, WorkerCommand worker, IOperationHost host)
        {
            if (!TryLoad(path, out var file, out var undecodable)) return undecodable!;
            var onDevice = device.TargetFor(target.Version ?? RuntimeRules.WriterVersion(file!), target.ReusePolicy);
            onDevice.PlatformInfo = target.PlatformInfo ?? onDevice.PlatformInfo;
            onDevice.DeviceName = target.DeviceName ?? onDevice.DeviceName;
            var basic = Check(file!, onDevice);
            if (file!.Kind != MaceFileKind.Programs)
                return new MaceTestResult(path, basic.Generation, basic.Kind, basic.Findings, basic.Verdicts, device.Name);
            var loads = DeviceLoader.LoadAll(file, device, worker, host);
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
            using var fetcher = new ModelFetcher(ModelCache == null ? null : PathResolver.FullPath(ModelCache, host.CurrentDirectory)) { Log = host.WriteVerbose };
            var kernels = ConfigConversion.Convert(config, device, version, fetcher, host).SelectMany(s => s.Kernels);
            var findings = result.Findings.Concat(TuningCoverage.Check(file, kernels, $"{config.Path} on {device.Name} (MACE {version})")).ToArray();
            return new MaceTestResult(result.Path, result.Generation, result.Kind, findings, result.Verdicts, result.Device, result.Loads);
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
        }

        private static MaceTestResult Check(MaceProgram file, MaceTarget target)
        {
            var findings = FileChecks.Check(file);
            var verdicts = RuntimeRules.Evaluate(file, target);
            foreach (var v in verdicts.Where(v => v.Outcome == RuntimeOutcome.Crashes))
                findings.Add(new MaceFinding(FindingSeverity.Error, "RuntimeCrashes", $"MACE {v.MaceVersion} ({v.Usage}): {v.Message}", v.Symptom));
            if (target.Version != null || target.PlatformInfo != null || target.DeviceName != null)
                foreach (var v in verdicts.Where(v => v.Outcome == RuntimeOutcome.Rebuilt || v.Outcome == RuntimeOutcome.Ignored))
                    findings.Add(new MaceFinding(FindingSeverity.Error, "NotUsedByTarget", $"MACE {v.MaceVersion} ({v.Usage}): {v.Message}", v.Symptom));
            return new MaceTestResult(file.Path, file.Generation, file.Kind, findings.ToArray(), verdicts.ToArray());
        }
    }
}
