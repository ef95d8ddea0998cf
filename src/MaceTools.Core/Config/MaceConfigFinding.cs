using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Config
{
    /// <summary>Stable codes of <see cref="MaceConfigFinding"/>.</summary>
    public static class ConfigFindingCodes
    {
        /// <summary>The text is not valid YAML (the position is the YAML parser's).</summary>
        public const string YamlSyntax = "YamlSyntax";
        /// <summary>A required key is missing or empty.</summary>
        public const string MissingKey = "MissingKey";
        /// <summary>A value of the wrong kind: a mapping where a list is expected, a list where a value is expected …</summary>
        public const string WrongType = "WrongType";
        /// <summary>A value that is not allowed: not in MACE's list, not an integer, not a shape, not a C++ identifier …</summary>
        public const string BadValue = "BadValue";
        /// <summary>Counts that must agree do not (tensors and shapes, data types and tensors).</summary>
        public const string CountMismatch = "CountMismatch";
        /// <summary>Two values that MACE rejects together (model_graph_format file with model_data_format code …).</summary>
        public const string Conflict = "Conflict";
        /// <summary>A <c>${VAR}</c> whose environment variable is not set.</summary>
        public const string UnsetVariable = "UnsetVariable";
        /// <summary>Warning: a key MACE does not read.</summary>
        public const string UnknownKey = "UnknownKey";
        /// <summary>Warning: a key of an older schema that this generation ignores.</summary>
        public const string ObsoleteKey = "ObsoleteKey";
        /// <summary>Warning: a value MACE reads but ignores (subgraphs after the first of a list).</summary>
        public const string Ignored = "Ignored";
    }

    /// <summary>
    /// One problem of a deployment file, with where it is: the file, the 1-based line and column of the offending value (or of
    /// the mapping that lacks a key) and the key path (<c>models.mobilenet.subgraphs[0].input_shapes</c>).
    /// </summary>
    public sealed class MaceConfigFinding
    {
        public MaceConfigFinding(FindingSeverity severity, string code, string path, string? key, int line, int column, string message)
        {
            Severity = severity;
            Code = code;
            Path = path;
            Key = key;
            Line = line;
            Column = column;
            Message = message;
        }

        public FindingSeverity Severity { get; }
        /// <summary>A stable code from <see cref="ConfigFindingCodes"/>.</summary>
        public string Code { get; }
        /// <summary>The deployment file.</summary>
        public string Path { get; }
        /// <summary>The key path, or null for a problem of the YAML text itself.</summary>
        public string? Key { get; }
        public int Line { get; }
        public int Column { get; }
        /// <summary>What is wrong, without the position and key.</summary>
        public string Message { get; }

        /// <summary><c>file:line:column: key: message</c>, the form compilers use.</summary>
        public override string ToString() => $"{Path}:{Line}:{Column}: {(Key == null ? "" : Key + ": ")}{Message}";
    }

    /// <summary>A deployment file that cannot be used: the message is the first error's full text.</summary>
    public sealed class MaceConfigException : MaceException
    {
        public MaceConfigException(MaceConfigFinding finding)
            : base(ErrorIds.ConfigInvalid, MaceErrorCategory.InvalidData, finding.ToString(), finding.Path)
        {
            Finding = finding;
        }

        public MaceConfigFinding Finding { get; }
        public int Line => Finding.Line;
        public int Column => Finding.Column;
        public string? Key => Finding.Key;
    }

    /// <summary>What reading one file gave: the config when it has no errors, and every finding.</summary>
    public sealed class MaceConfigReadResult
    {
        internal MaceConfigReadResult(string path, string? generation, MaceConfig? config, IReadOnlyList<MaceConfigFinding> findings)
        {
            Path = path;
            Generation = generation;
            Config = config;
            Findings = findings;
        }

        public string Path { get; }
        /// <summary>The generation the file looks like; null when it is not YAML or not a mapping.</summary>
        public string? Generation { get; }
        /// <summary>The config; null when any finding is an error.</summary>
        public MaceConfig? Config { get; }
        /// <summary>Every error and warning, in file order.</summary>
        public IReadOnlyList<MaceConfigFinding> Findings { get; }
        public bool HasErrors => Findings.Any(f => f.Severity == FindingSeverity.Error);

        /// <summary>The config, or a <see cref="MaceConfigException"/> for the first error.</summary>
        public MaceConfig GetConfigOrThrow() =>
            Config ?? throw new MaceConfigException(Findings.First(f => f.Severity == FindingSeverity.Error));
    }

    /// <summary>Test-MaceConfig / macetools config test: every problem of one file.</summary>
    public sealed class MaceConfigTestResult
    {
        public MaceConfigTestResult(string path, string? generation, IReadOnlyList<MaceConfigFinding> findings, string[]? models = null)
        {
            Path = path;
            Generation = generation;
            Findings = findings.ToArray();
            Models = models ?? Array.Empty<string>();
        }

        public string Path { get; }
        public string Name => System.IO.Path.GetFileName(Path);
        public string? Generation { get; }
        /// <summary>The names of the file's models.</summary>
        public string[] Models { get; }
        /// <summary>True when no finding is an error (warnings do not fail a file).</summary>
        public bool Passed => ErrorCount == 0;
        public int ErrorCount => Findings.Count(f => f.Severity == FindingSeverity.Error);
        public int WarningCount => Findings.Count(f => f.Severity == FindingSeverity.Warning);
        public MaceConfigFinding[] Findings { get; }

        public override string ToString() => $"{Path}: {(Passed ? "PASS" : "FAIL")} ({ErrorCount} errors, {WarningCount} warnings)";
    }
}
