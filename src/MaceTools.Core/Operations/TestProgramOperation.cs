using System.Collections.Generic;
using System.Linq;
using MaceTools.Formats;
using MaceTools.Verification;

namespace MaceTools.Operations
{
    /// <summary>Test-MaceProgram / macetools program test: device-free checks and what the target MACE runtime would do.</summary>
    public sealed class TestProgramOperation : FileOperation
    {
        public MaceTarget Target { get; set; } = new MaceTarget();
        /// <summary>Emit only whether each file passed.</summary>
        public bool Quiet { get; set; }
        protected override string Activity => "Testing MACE files";

        protected override void ProcessFile(IOperationHost host, string path)
        {
            var result = Test(path, Target);
            host.WriteObject(Quiet ? (object)result.Passed : result);
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
