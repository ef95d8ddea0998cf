using System.Collections.Generic;
using System.Linq;
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
        protected override string Activity => "Testing MACE files";

        protected override void ProcessFile(IOperationHost host, string path)
        {
            var result = Device == null ? Test(path, Target) : TestOnDevice(path, Target, Device, Worker ?? WorkerCommand.Locate(), host);
            host.WriteObject(Quiet ? (object)result.Passed : result);
        }

        /// <summary>
        /// The device-free checks against the runtime MACE of the file's version (or the given one) would be on this device,
        /// then a load of every program entry on the device.
        /// </summary>
        public static MaceTestResult TestOnDevice(string path, MaceTarget target, MaceDevice device, WorkerCommand worker, IOperationHost host)
        {
            MaceProgram file;
            try { file = MaceProgram.Load(path); }
            catch (MaceFormatException) { return Test(path, target); }
            var version = target.Version ?? RuntimeRules.WriterVersion(file);
            var onDevice = new MaceTarget
            {
                Version = version,
                PlatformInfo = target.PlatformInfo ?? device.PlatformInfoFor(version),
                DeviceName = target.DeviceName ?? device.MaceDeviceName,
                ReusePolicy = target.ReusePolicy,
            };
            var basic = Test(path, onDevice);
            if (file.Kind != MaceFileKind.Programs)
                return new MaceTestResult(path, basic.Generation, basic.Kind, basic.Findings, basic.Verdicts, device.Name);
            var loads = DeviceLoader.LoadAll(file, device, worker, host);
            var findings = basic.Findings.Concat(DeviceLoader.Findings(loads, device)).ToArray();
            return new MaceTestResult(path, basic.Generation, basic.Kind, findings, basic.Verdicts, device.Name, loads.ToArray());
        }

        /// <summary>Tests one file. A file that does not decode is a failed result, not an exception: that is what a test reports.</summary>
        public static MaceTestResult Test(string path, MaceTarget target)
        {
            MaceProgram file;
            try
            {
                file = MaceProgram.Load(path);
            }
            catch (MaceFormatException e)
            {
                var finding = new MaceFinding(FindingSeverity.Error, e.ErrorId,
                    e.Detail + " - MACE v1.1.1 rejects such a file by its CRC and rebuilds from source; v0.11-v1.0.4 abort with \"Paring storage data out of range\" when a record runs past the end; older versions read out of bounds",
                    MaceSymptom.CorruptedFile, offset: e.Offset);
                return new MaceTestResult(path, null, null, new[] { finding }, new MaceRuntimeVerdict[0]);
            }
            var findings = FileChecks.Check(file);
            var verdicts = RuntimeRules.Evaluate(file, target);
            foreach (var v in verdicts.Where(v => v.Outcome == RuntimeOutcome.Crashes))
                findings.Add(new MaceFinding(FindingSeverity.Error, "RuntimeCrashes", $"MACE {v.MaceVersion} ({v.Usage}): {v.Message}", v.Symptom));
            if (target.Version != null || target.PlatformInfo != null || target.DeviceName != null)
                foreach (var v in verdicts.Where(v => v.Outcome == RuntimeOutcome.Rebuilt || v.Outcome == RuntimeOutcome.Ignored))
                    findings.Add(new MaceFinding(FindingSeverity.Error, "NotUsedByTarget", $"MACE {v.MaceVersion} ({v.Usage}): {v.Message}", v.Symptom));
            return new MaceTestResult(path, file.Generation, file.Kind, findings.ToArray(), verdicts.ToArray());
        }
    }
}
