using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Report
{
    /// <summary>
    /// One adapter per result kind: it reads a result (<see cref="ResultFields"/>: the object or its JSON line) into the
    /// report's rows. A new result type (the model runner's validation and latency results) plugs in with one entry here
    /// that fills <see cref="ReportData.Latency"/> or <see cref="ReportData.Validation"/>.
    /// </summary>
    public static class ReportAdapters
    {
        /// <summary>The kind of an error: a MaceException object, or the CLI's {"error":{...}} line.</summary>
        public const string ErrorKind = "MaceException";

        public static readonly IReadOnlyDictionary<string, Action<ResultFields, ReportData>> ByKind = new Dictionary<string, Action<ResultFields, ReportData>>(StringComparer.Ordinal)
        {
            ["MaceMeasurement"] = Measurement,
            ["MaceTuningResult"] = Tuning,
            ["MaceTestResult"] = Test,
            ["PublishResult"] = Publish,
            ["MaceDriftResult"] = Drift,
            ["MaceLatencyResult"] = Latency,
            ["MaceValidationResult"] = Validation,
            [ErrorKind] = Error,
        };

        /// <summary>Adds one result; a kind without an adapter is counted in <see cref="ReportData.NotShown"/>.</summary>
        public static void Add(ReportData data, ResultFields result)
        {
            data.Results++;
            if (ByKind.TryGetValue(result.Kind, out var adapter)) adapter(result, data);
            else data.NotShown[result.Kind] = data.NotShown.TryGetValue(result.Kind, out int n) ? n + 1 : 1;
        }

        private static void Measurement(ResultFields r, ReportData data)
        {
            var set = new StartupSet
            {
                File = r.Text("Path") ?? "",
                Device = r.Text("Device") ?? "",
                Scope = r.Text("Scope") ?? "",
                CompilerStartMs = r.Number("CompilerStartMs"),
            };
            foreach (var e in r.List("Entries"))
                set.Programs.Add(new StartupProgramRow { Key = e.Text("Key") ?? "", Program = e.Text("Program") ?? "", FromSourceMs = e.Number("FromSourceMs"), FromFileMs = e.Number("FromBinaryMs") });
            foreach (var s in r.List("Startup"))
                set.FirstInference.Add(new FirstInferenceRow
                {
                    Way = s.Text("Way") ?? "",
                    Programs = (int)s.Number("Programs"),
                    Launches = (int)s.Number("Launches"),
                    LoadMs = s.Number("LoadMs"),
                    FirstLaunchesMs = s.Number("FirstLaunchesMs"),
                    SteadyMs = s.Number("SteadyMs"),
                    CompiledAtFirstLaunch = (int)s.Number("CompiledAtFirstLaunch"),
                });
            data.Startup.Add(set);
        }

        private static void Tuning(ResultFields r, ReportData data) => data.Tuning.Add(new TuningRow
        {
            Device = r.Text("Device") ?? "",
            Key = r.Text("TuningKey") ?? "",
            LocalSize = string.Join("×", r.Texts("LocalSize")),
            DefaultLocalSize = string.Join("×", r.Texts("DefaultLocalSize")),
            Micros = r.Number("Micros"),
            DefaultMicros = r.Number("DefaultMicros"),
            Verdict = r.Text("Verdict") ?? "",
            SearchedGain = r.Text("Verdict") == null ? "" : FormattableString.Invariant($"{r.Number("GainPercent"):0.0} [{r.Number("GainLowPercent"):0.0}, {r.Number("GainHighPercent"):0.0}]"),
        });

        private static void Test(ResultFields r, ReportData data)
        {
            var row = new TestRow { File = r.Text("Path") ?? "", Device = r.Text("Device"), Passed = r.Flag("Passed") };
            foreach (var f in r.List("Findings")) row.Findings.Add((f.Text("Severity") ?? "", f.Text("Code") ?? "", f.Text("Message") ?? ""));
            foreach (var l in r.List("Loads"))
                row.Loads.Add(new LoadRow { Key = l.Text("Key") ?? "", Program = l.Text("Program") ?? "", Status = l.Text("Status") ?? "", StatusName = l.Text("StatusName") ?? "", Ms = l.Number("WallMs") });
            data.Tests.Add(row);
            if (row.Device == null || row.Loads.Count == 0) return;
            var failed = row.Loads.Where(l => !l.Loaded).ToList();
            data.Fleet.Add(new FleetCell
            {
                Device = row.Device,
                Column = "load test",
                Status = failed.Count == 0 ? $"{row.Loads.Count} of {row.Loads.Count} loaded" : $"{failed.Count} of {row.Loads.Count} not loaded",
                ErrorId = failed.Select(l => l.StatusName.Length > 0 ? l.StatusName : l.Status).FirstOrDefault(),
                Detail = failed.Count == 0 ? row.File : row.File + ": " + string.Join(", ", failed.Select(l => $"{l.Program} {l.Status} {l.StatusName}".TrimEnd())),
                Tone = failed.Count == 0 ? FleetTone.Good : FleetTone.Bad,
            });
        }

        private static void Publish(ResultFields r, ReportData data)
        {
            string status = r.Text("Status") ?? "";
            string? error = r.Text("Error");
            data.Fleet.Add(new FleetCell
            {
                Device = r.Text("Device") ?? "",
                Column = (r.Text("Kind") ?? "Program") == "Tuning" ? "publish: tuning file" : "publish: program file",
                Status = status,
                ErrorId = r.Text("ErrorId"),
                Detail = error ?? $"{r.Text("File")} -> {r.Text("Path")}",
                Tone = status switch
                {
                    "Published" => FleetTone.Good,
                    "Unchanged" => FleetTone.Good,
                    "Skipped" => FleetTone.Neutral,
                    "RolledBack" => FleetTone.Warning,
                    _ => FleetTone.Bad,
                },
            });
        }

        private static void Drift(ResultFields r, ReportData data)
        {
            string verdict = r.Text("Verdict") ?? "";
            data.Fleet.Add(new FleetCell
            {
                Device = r.Text("Device") ?? "",
                Column = "drift",
                Status = verdict,
                Detail = $"{(int)r.Number("Kept")} kept, {(int)r.Number("Rebuilt")} rebuilt, {(int)r.Number("Missing")} missing, {(int)r.Number("Added")} added: {r.Text("DeviceFile")}",
                Tone = verdict switch
                {
                    "Kept" => FleetTone.Good,
                    "PartlyRebuilt" => FleetTone.Warning,
                    "NoDeviceCache" => FleetTone.Neutral,
                    _ => FleetTone.Bad,
                },
            });
        }

        /// <summary>Measure-MaceModel: one way's latency per round, grouped by model and device.</summary>
        private static void Latency(ResultFields r, ReportData data) => data.Latency.Add(new LatencySeries
        {
            Group = $"{r.Text("Model")} on {r.Text("Device")}",
            Name = r.Text("Way") ?? "",
            Ms = r.Numbers("WallMs"),
        });

        /// <summary>Test-MaceModel: the output's lowest cosine similarity as 1 − cosine, so that lower is better as the section wants.</summary>
        private static void Validation(ResultFields r, ReportData data) => data.Validation.Add(new ValidationRow
        {
            Group = $"{r.Text("Model")} on {r.Text("Device")}",
            Output = r.Text("Output") ?? "",
            Metric = "1 − cosine",
            Value = 1 - r.Number("Cosine"),
            Threshold = 1 - r.Number("Threshold"),
        });

        private static void Error(ResultFields r, ReportData data) => data.Errors.Add(new ErrorRow
        {
            Id = r.Text("Id") ?? "",
            Category = r.Text("Category") ?? "",
            Target = r.Text("Target") ?? "",
            Message = r.Text("Message") ?? "",
        });
    }
}
