using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Report
{
    /// <summary>
    /// What a report shows, gathered from results of any kind by <see cref="ReportAdapters"/>. Each section renders when it
    /// has rows; a new result type adds rows here through one adapter.
    /// </summary>
    public sealed class ReportData
    {
        public List<StartupSet> Startup { get; } = new List<StartupSet>();
        public List<TuningRow> Tuning { get; } = new List<TuningRow>();
        public List<TestRow> Tests { get; } = new List<TestRow>();
        public List<FleetCell> Fleet { get; } = new List<FleetCell>();
        public List<LatencySeries> Latency { get; } = new List<LatencySeries>();
        public List<ValidationRow> Validation { get; } = new List<ValidationRow>();
        public List<ErrorRow> Errors { get; } = new List<ErrorRow>();
        /// <summary>Results of kinds the report does not show, counted by kind.</summary>
        public SortedDictionary<string, int> NotShown { get; } = new SortedDictionary<string, int>(StringComparer.Ordinal);
        public int Results { get; set; }

        public bool IsEmpty => Startup.Count + Tuning.Count + Tests.Count + Fleet.Count + Latency.Count + Validation.Count + Errors.Count == 0;
    }

    /// <summary>One Measure-MaceProgram result: each program from source and from the file, and time to first inference where measured.</summary>
    public sealed class StartupSet
    {
        public string File { get; set; } = "";
        public string Device { get; set; } = "";
        public string Scope { get; set; } = "";
        public double CompilerStartMs { get; set; }
        public List<StartupProgramRow> Programs { get; } = new List<StartupProgramRow>();
        public List<FirstInferenceRow> FirstInference { get; } = new List<FirstInferenceRow>();
        public double WithoutFileMs => CompilerStartMs + Programs.Sum(p => p.FromSourceMs);
        public double WithFileMs => Programs.Sum(p => p.FromFileMs);
    }

    public sealed class StartupProgramRow
    {
        /// <summary>The program key (program name and build options).</summary>
        public string Key { get; set; } = "";
        public string Program { get; set; } = "";
        public double FromSourceMs { get; set; }
        public double FromFileMs { get; set; }
    }

    public sealed class FirstInferenceRow
    {
        public string Way { get; set; } = "";
        public int Programs { get; set; }
        public int Launches { get; set; }
        public double LoadMs { get; set; }
        public double FirstLaunchesMs { get; set; }
        public double SteadyMs { get; set; }
        public int CompiledAtFirstLaunch { get; set; }
        public double FirstInferenceMs => LoadMs + FirstLaunchesMs;
    }

    /// <summary>One tuned kernel instance against MACE's default local size.</summary>
    public sealed class TuningRow
    {
        public string Device { get; set; } = "";
        public string Key { get; set; } = "";
        public string LocalSize { get; set; } = "";
        public string DefaultLocalSize { get; set; } = "";
        public double Micros { get; set; }
        public double DefaultMicros { get; set; }
        public double GainPercent => DefaultMicros > 0 ? 100 * (DefaultMicros - Micros) / DefaultMicros : 0;
        /// <summary>The tuner's re-timed verdict on the searched size (Faster, NoMeasurableGain, …) and its gain's interval, where given.</summary>
        public string Verdict { get; set; } = "";
        public string SearchedGain { get; set; } = "";
    }

    /// <summary>One Test-MaceProgram result with its findings and, on a device, each program's load.</summary>
    public sealed class TestRow
    {
        public string File { get; set; } = "";
        public string? Device { get; set; }
        public bool Passed { get; set; }
        public List<(string Severity, string Code, string Message)> Findings { get; } = new List<(string, string, string)>();
        public List<LoadRow> Loads { get; } = new List<LoadRow>();
    }

    public sealed class LoadRow
    {
        public string Key { get; set; } = "";
        public string Program { get; set; } = "";
        public string Status { get; set; } = "";
        public string StatusName { get; set; } = "";
        public double Ms { get; set; }
        public bool Loaded => Status == "Loaded";
    }

    /// <summary>The state of one device in one column of the fleet grid (a publish, a drift check, a load test).</summary>
    public sealed class FleetCell
    {
        public string Device { get; set; } = "";
        public string Column { get; set; } = "";
        public string Status { get; set; } = "";
        public string? ErrorId { get; set; }
        /// <summary>The longer story: the error message, the drift counts, the path.</summary>
        public string Detail { get; set; } = "";
        public FleetTone Tone { get; set; }
    }

    public enum FleetTone { Good, Neutral, Warning, Bad }

    /// <summary>Latency over the rounds of one way of running (default sizes, tuned sizes, ONNX Runtime), in one group (a model on a device).</summary>
    public sealed class LatencySeries
    {
        public string Group { get; set; } = "";
        public string Name { get; set; } = "";
        public double[] Ms { get; set; } = Array.Empty<double>();
    }

    /// <summary>One output's validation metric against its threshold (lower is better, e.g. max abs error).</summary>
    public sealed class ValidationRow
    {
        public string Group { get; set; } = "";
        public string Output { get; set; } = "";
        public string Metric { get; set; } = "";
        public double Value { get; set; }
        public double Threshold { get; set; }
        public bool Passed => Value <= Threshold;
    }

    public sealed class ErrorRow
    {
        public string Id { get; set; } = "";
        public string Category { get; set; } = "";
        public string Target { get; set; } = "";
        public string Message { get; set; } = "";
    }
}
