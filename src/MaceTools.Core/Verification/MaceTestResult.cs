using System.Linq;

namespace MaceTools
{
    public enum FindingSeverity
    {
        Information,
        Warning,
        Error,
    }

    /// <summary>
    /// The words of the error table MACE users know (peers.md §A): what the runtime would show for a finding.
    /// </summary>
    public enum MaceSymptom
    {
        None,
        CorruptedFile,
        VersionMismatch,
        WrongDevice,
        OutOfResources,
        SlowStart,
    }

    /// <summary>One problem or remark about a file; <see cref="Code"/> is stable.</summary>
    public sealed class MaceFinding
    {
        public MaceFinding(FindingSeverity severity, string code, string message, MaceSymptom symptom = MaceSymptom.None, string? key = null, long? offset = null)
        {
            Severity = severity;
            Code = code;
            Message = message;
            Symptom = symptom;
            Key = key;
            Offset = offset;
        }

        public FindingSeverity Severity { get; }
        public string Code { get; }
        public string Message { get; }
        public MaceSymptom Symptom { get; }
        public string? Key { get; }
        public long? Offset { get; }

        public override string ToString() => $"{Severity}: {Code}: {Message}";
    }

    /// <summary>How a MACE runtime uses the file: as its runtime cache, or as a shipped precompiled binary / parameter file.</summary>
    public enum MaceFileUsage
    {
        Cache,
        Precompiled,
        TunedParameters,
    }

    public enum RuntimeOutcome
    {
        /// <summary>The entries are used.</summary>
        Used,
        /// <summary>The file is dropped and every program is rebuilt from source: correct, but a slow first start.</summary>
        Rebuilt,
        /// <summary>The runtime aborts (LOG(FATAL)) or reads out of bounds.</summary>
        Crashes,
        /// <summary>The entries are used without any identity check: a foreign binary fails inside the driver.</summary>
        UsedUnchecked,
        /// <summary>The file is skipped (a tuned-parameter file MACE cannot read): default work-group sizes.</summary>
        Ignored,
    }

    /// <summary>What one MACE version does with the file on the target.</summary>
    public sealed class MaceRuntimeVerdict
    {
        public MaceRuntimeVerdict(string maceVersion, MaceFileUsage usage, RuntimeOutcome outcome, string message, MaceSymptom symptom)
        {
            MaceVersion = maceVersion;
            Usage = usage;
            Outcome = outcome;
            Message = message;
            Symptom = symptom;
        }

        public string MaceVersion { get; }
        public MaceFileUsage Usage { get; }
        public RuntimeOutcome Outcome { get; }
        public string Message { get; }
        public MaceSymptom Symptom { get; }

        /// <summary>What Format-List shows for MaceTestResult.Verdicts: the verdict, not the type name.</summary>
        public override string ToString() => $"{MaceVersion} {Usage}: {Outcome}";
    }

    /// <summary>The result of testing one file.</summary>
    public sealed class MaceTestResult
    {
        public MaceTestResult(string path, MaceFileFormat? generation, MaceFileKind? kind, MaceFinding[] findings, MaceRuntimeVerdict[] verdicts,
            string? device = null, Verification.MaceEntryLoad[]? loads = null)
        {
            Device = device;
            Loads = loads ?? new Verification.MaceEntryLoad[0];
            Path = path;
            Generation = generation;
            Kind = kind;
            Findings = findings;
            Verdicts = verdicts;
        }

        public string Path { get; }
        public MaceFileFormat? Generation { get; }
        public MaceFileKind? Kind { get; }
        /// <summary>True when no finding is an error.</summary>
        public bool Passed => ErrorCount == 0;
        public int ErrorCount => Findings.Count(f => f.Severity == FindingSeverity.Error);
        public int WarningCount => Findings.Count(f => f.Severity == FindingSeverity.Warning);
        public MaceFinding[] Findings { get; }
        public MaceRuntimeVerdict[] Verdicts { get; }
        /// <summary>The device the entries were loaded on (Test-MaceProgram -Device), or null.</summary>
        public string? Device { get; }
        /// <summary>One load per program entry when tested on a device.</summary>
        public Verification.MaceEntryLoad[] Loads { get; }
        /// <summary>
        /// With a device and a deployment file: each kernel instance's first launch at the model's sizes against its steady
        /// state, started from this file in a fresh worker (<see cref="Compilation.MaceLaunchTiming.Compiled"/>: it compiled).
        /// </summary>
        public Compilation.MaceLaunchTiming[] FirstLaunches { get; internal set; } = new Compilation.MaceLaunchTiming[0];
    }
}
