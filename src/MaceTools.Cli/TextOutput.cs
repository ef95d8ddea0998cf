using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MaceTools.Cli
{
    /// <summary>Human-readable views of the Core objects: a header of facts and aligned tables.</summary>
    internal static class TextOutput
    {
        /// <summary>Tables for row types of assemblies loaded beside the CLI (MaceTools.Bench adds its benchmark rows).</summary>
        public static readonly List<(Type Row, Action<TextWriter, IReadOnlyList<object>> Write)> Views = new List<(Type, Action<TextWriter, IReadOnlyList<object>>)>();

        public static void Write(TextWriter w, IReadOnlyList<object> items)
        {
            var tuning = items.OfType<MaceTuningParameter>().ToList();
            if (tuning.Count > 0)
                Table(w, new[] { "Name", "LocalWorkSize", "Block", "Key" },
                    tuning.Select(t => new[] { t.Name, t.IsQueueWindow ? $"window={Join(t.Values)}" : Join(t.LocalWorkSize), t.BlockSize?.ToString() ?? "", t.Key }));
            var devices = items.OfType<Devices.MaceDevice>().ToList();
            // Remote devices (from an inventory) also say where they are: transport, address, and MACE's model and soc.
            bool remote = devices.Any(d => d.Target.Length > 0);
            if (devices.Count > 0)
                Table(w, (remote ? new[] { "Id", "Transport", "Address", "Model", "Soc" } : new string[0])
                        .Concat(new[] { "Type", "Name", "Platform", "Driver", "CL", "fp16", "MACE device name", "MACE pick", "Class" }).ToArray(),
                    devices.Select(d => (remote ? new[] { d.Id, d.Transport, d.Address, d.Model, d.Soc } : new[] { d.Id }).Concat(new[]
                    {
                        d.Type, d.Name, d.PlatformName, d.DriverVersion, d.OpenCLVersion ?? "?", d.SupportsFp16 ? "yes" : "no",
                        d.MaceDeviceName.Length == 0 ? "\"\" (unknown GPU)" : d.MaceDeviceName, d.IsMaceDefault ? "yes" : "", d.Class.Id,
                    }).ToArray()));
            var entries = items.OfType<MaceProgramEntry>().ToList();
            if (entries.Count > 0) EntryTable(w, entries);
            var kernels = items.OfType<Kernels.MaceKernelDefinition>().ToList();
            if (kernels.Count > 0)
                Table(w, new[] { "Program", "Kernel", "Op", "Symbol", "ProgramHash", "Options" },
                    kernels.Select(k => new[] { k.Program, k.Kernel, k.Op, k.Symbol, k.ProgramHash, string.Join(" ", k.Options) }));
            var launches = items.OfType<Conversion.MaceKernel>().ToList();
            if (launches.Count > 0)
                Table(w, new[] { "Model", "Node", "Kernel", "Global size", "Tuning key", "Program key" },
                    launches.Select(k => new[] { k.Model, k.Node, k.Kernel, string.Join(",", k.GlobalSize), k.TuningKey ?? "(not tuned)", k.ProgramKey }));
            var placements = items.OfType<Conversion.MaceNodePlacement>().ToList();
            if (placements.Count > 0)
                Table(w, new[] { "Model", "Node", "Op", "Device", "Why" }, placements.Select(p => new[] { p.Model, p.Node, p.Op, p.Device, p.Reason }));
            foreach (var view in Views)
            {
                var rows = items.Where(view.Row.IsInstanceOfType).ToList();
                if (rows.Count > 0) view.Write(w, rows);
            }
            var tuned = items.OfType<Tuning.MaceTuningResult>().ToList();
            if (tuned.Count > 0)
                Table(w, new[] { "Tuning key", "Global", "Stored", "Block", "Default", "Default µs", "Searched", "Searched µs", "Gain [95% interval]", "Verdict", "Launches" },
                    tuned.Select(t => new[]
                    {
                        t.TuningKey, Join(t.GlobalSize), Join(t.LocalSize), t.Block.ToString(), Join(t.DefaultLocalSize), t.DefaultMicros.ToString("0.0"),
                        Join(t.SearchedLocalSize), t.SearchedMicros.ToString("0.0"), Gain(t.GainPercent, t.GainLowPercent, t.GainHighPercent), t.Verdict.ToString(), (t.Trials + t.RetimeLaunches).ToString(),
                    }));
            foreach (var s in items.OfType<Tuning.MaceTuningSummary>())
            {
                string who = $"{s.Device} ({s.Strategy.ToString().ToLowerInvariant()} search)";
                w.WriteLine($"{who}: {s.Kernels} kernels re-timed alone against MACE's default sizes in {s.Rounds} interleaved rounds: {s.TunedMicros:0} µs tuned vs {s.DefaultMicros:0} µs, " +
                    $"gain {Gain(s.GainPercent, s.GainLowPercent, s.GainHighPercent)}; {s.Faster} faster, {s.NoMeasurableGain} no measurable gain ({(s.Strategy == Tuning.TuningStrategy.Mace ? "MACE's pick" : "MACE's default")} kept), " +
                    $"{s.Slower} slower, {s.DefaultChosen} chose the default; {s.Launches:N0} launches in {s.Seconds:0.0} s" + (s.InContext ? $"{Environment.NewLine}{who}: {s.ModelLine}" : ""));
            }
            var published = items.OfType<Remote.PublishResult>().ToList();
            if (published.Count > 0)
                Table(w, new[] { "Device", "Kind", "Status", "Path", "SHA-256", "Previous", "Seconds", "Error" },
                    published.Select(p => new[]
                    {
                        p.Device, p.Kind.ToString(), p.Status.ToString(), p.Path, Short(p.Sha256), Short(p.PreviousSha256), p.Seconds.ToString("0.00"), p.Error ?? "",
                    }));
            var drifts = items.OfType<Remote.MaceDriftResult>().ToList();
            if (drifts.Count > 0)
            {
                Table(w, new[] { "Device", "Verdict", "Kept", "Rebuilt", "Missing", "Added", "Device file", "SHA-256" },
                    drifts.Select(d => new[]
                    {
                        d.Device, d.Verdict.ToString(), d.Kept.ToString(), d.Rebuilt.ToString(), d.Missing.ToString(), d.Added.ToString(), d.DeviceFile, Short(d.DeviceFileSha256),
                    }));
                foreach (var d in drifts)
                    foreach (var f in d.Findings)
                        w.WriteLine($"{d.Device}: {f.Severity}: {f.Code}: {f.Message}");
            }
            var latency = items.OfType<Operations.MaceLatencyResult>().ToList();
            if (latency.Count > 0)
            {
                Table(w, new[] { "Model", "Device", "Way", "Rounds", "Min ms", "Median ms [95%]", "P90 ms", "Max ms", "Kernel ms", "CPU ms", "Overhead", "First inference ms", "Gain over default [95%]", "Verdict" },
                    latency.Select(l => new[]
                    {
                        l.Model, l.Device, l.Way, l.Latency.Count.ToString(), l.Latency.Min.ToString("0.00"),
                        $"{l.Latency.Median:0.00} [{l.Latency.MedianLow:0.00}, {l.Latency.MedianHigh:0.00}]", l.Latency.P90.ToString("0.00"), l.Latency.Max.ToString("0.00"),
                        l.Profile.Length == 0 ? "" : l.KernelMs.ToString("0.00"), l.Profile.Length == 0 ? "" : l.CpuMs.ToString("0.00"), l.Profile.Length == 0 ? "" : (100 * l.HostOverhead).ToString("0.0") + "%", l.FirstInferenceMs.ToString("0.0"),
                        l.Gain == null ? "" : Gain(l.Gain.GainPercent, l.Gain.GainLowPercent, l.Gain.GainHighPercent), l.Gain?.Verdict.ToString() ?? "",
                    }));
                if (latency.Any(l => l.Profile.Length > 0))
                    w.WriteLine("Wall time = GPU kernels (OpenCL profiling events) + CPU-placed nodes (host stopwatch, cpu: entries) + overhead (the rest: enqueue, waits, the runner's host work).");
                foreach (var l in latency.Where(l => l.Profile.Length > 0))
                    w.WriteLine($"{l.Model} on {l.Device}, {l.Way}: " + string.Join(", ", l.Profile.Select(o => o.ToString())) +
                        $"; host overhead {100 * l.HostOverhead:0.0}% of wall: {100 * l.GapShare:0.0}% between kernels (the driver's per-command cost), the rest before the first kernel and after the last");
            }
            foreach (var item in items)
            {
                switch (item)
                {
                    case MaceProgram p: Program(w, p); break;
                    case MaceTestResult r: TestResult(w, r); break;
                    case Operations.MaceMeasurement m: Measurement(w, m); break;
                    case Config.MaceConfig c: DeploymentConfig(w, c); break;
                    case Config.MaceConfigTestResult t: ConfigTestResult(w, t); break;
                    case string s: w.Write(s); break;
                    case bool b: w.WriteLine(b ? "True" : "False"); break;
                    case Devices.MaceDevice _:
                    case MaceTuningParameter _:
                    case MaceProgramEntry _:
                    case Kernels.MaceKernelDefinition _:
                    case Conversion.MaceKernel _:
                    case Tuning.MaceTuningResult _:
                    case Tuning.MaceTuningSummary _:
                    case Remote.PublishResult _:
                    case Remote.MaceDriftResult _:
                    case Operations.MaceLatencyResult _:
                        break; // tabulated above
                    default: if (!Views.Any(v => v.Row.IsInstanceOfType(item))) w.WriteLine(item); break;
                }
            }
        }

        public static void Program(TextWriter w, MaceProgram p)
        {
            w.WriteLine(p.Path);
            Facts(w, new (string, string?)[]
            {
                ("Generation", $"{p.Generation} ({p.Kind})"),
                ("Size", $"{p.Size:N0} bytes"),
                ("SHA-256", p.Sha256),
                ("Entries", p.Kind == MaceFileKind.Programs ? $"{p.EntryCount} ({p.ProgramCount} programs)" : p.EntryCount.ToString()),
                ("Vendor", p.Vendor?.ToString()),
                ("Code for", p.Machine),
                ("Platform", p.Platform?.PlatformName),
                ("Profile", p.Platform?.Profile),
                ("OpenCL", p.Platform?.OpenCLVersion),
                ("Driver", p.Platform?.DriverBuild),
                ("Qualcomm date", NullIfEmpty(p.Platform?.QualcommDate)),
                ("Remote branch", NullIfEmpty(p.Platform?.RemoteBranch)),
                ("MACE version", p.MaceVersion),
                ("Device name", p.DeviceName == null ? null : p.DeviceName.Length == 0 ? "\"\" (a GPU MACE does not know)" : p.DeviceName),
                ("Trailing bytes", p.TrailingBytes > 0 ? p.TrailingBytes.ToString() : null),
            });
            w.WriteLine();
            if (p.Kind == MaceFileKind.Tuning)
                Table(w, new[] { "Tuning key", "Values", "Stored key" }, p.Entries.Select(e => new[] { e.TuningKey ?? e.Key, Join(e.Words), e.Key }));
            else EntryTable(w, p.Entries);
            w.WriteLine();
        }

        private static void EntryTable(TextWriter w, IEnumerable<MaceProgramEntry> entries) =>
            Table(w, new[] { "Kind", "Program", "Kernel", "Size", "Vendor", "Key / value" }, entries.Select(e => new[]
            {
                e.Kind.ToString(), e.Program ?? "", e.KernelName ?? "", e.Size.ToString("N0"), e.Vendor?.ToString() ?? "",
                e.Kind == MaceEntryKind.Program ? e.Key : e.Kind == MaceEntryKind.ProgramHash ? $"{e.Key.Substring(Formats.Keys.ProgramHashPrefix.Length)} = {e.Text}"
                    : e.Words != null ? $"{e.TuningKey} = [{Join(e.Words)}]" : e.Text ?? "",
            }));

        public static void TestResult(TextWriter w, MaceTestResult r)
        {
            w.WriteLine($"{r.Path}: {(r.Passed ? "PASS" : "FAIL")} ({r.Generation?.ToString() ?? "undecodable"}, {r.ErrorCount} errors, {r.WarningCount} warnings)");
            foreach (var f in r.Findings.OrderByDescending(f => f.Severity))
                w.WriteLine($"  {f.Severity.ToString().ToLowerInvariant()} {f.Code}{(f.Symptom != MaceSymptom.None ? $" [{f.Symptom}]" : "")}{(f.Offset.HasValue ? $" @{f.Offset}" : "")}: {f.Message}");
            foreach (var v in r.Verdicts.Where(v => !r.Findings.Any(f => f.Message.EndsWith(v.Message, StringComparison.Ordinal))))
                w.WriteLine($"  MACE {v.MaceVersion} as {v.Usage}: {v.Outcome}: {v.Message}");
        }

        public static void Measurement(TextWriter w, Operations.MaceMeasurement m)
        {
            w.WriteLine($"{m.Path} on {m.Device} (medians of {m.Repeat}, driver cache off)");
            Table(w, new[] { "From source ms", "From binary ms", "Speed-up", "Key" }, m.Entries.Select(e => new[]
            {
                e.FromSourceMs.ToString("F1"), e.FromBinaryMs.ToString("F2"), e.Speedup.ToString("F0") + "x", e.Key,
            }));
            w.WriteLine($"  start-up without the file: {m.WithoutFileMs:F0} ms (compiler start {m.CompilerStartMs:F0} ms + {m.Entries.Length} programs from source)");
            w.WriteLine($"  start-up with the file:    {m.WithFileMs:F0} ms ({m.Speedup:F0}x faster){(m.Skipped > 0 ? $"; {m.Skipped} entries not measured" : "")}");
            if (m.Startup.Length == 0) return;
            // With a deployment file: what users feel, the first launches at the model's sizes included.
            w.WriteLine();
            Table(w, new[] { "Started from", "Programs", "Launches", "Load ms", "First launches ms", "First inference ms", "Steady ms", "Compiled at 1st launch" },
                m.Startup.Select(s => new[]
                {
                    s.Way, s.Programs.ToString(), s.Launches.ToString(), s.LoadMs.ToString("F0"), s.FirstLaunchesMs.ToString("F0"),
                    s.FirstInferenceMs.ToString("F0"), s.SteadyMs.ToString("F1"), s.CompiledAtFirstLaunch.ToString(),
                }));
            foreach (var s in m.Startup)
                foreach (var f in s.Failures) w.WriteLine($"  {s.Way}: {f}");
        }

        // ---- deployment files (config show / config test) ----

        public static void DeploymentConfig(TextWriter w, Config.MaceConfig c)
        {
            w.WriteLine(c.Path);
            IndentedFacts(w, "  ", new (string, string?)[]
            {
                ("Generation", c.Generation),
                ("Library", c.LibraryName),
                ("Target ABIs", c.TargetAbis.Length == 0 ? null : string.Join(", ", c.TargetAbis)),
                ("Target SoCs", c.TargetSocs.Length == 0 ? null : string.Join(", ", c.TargetSocs)),
                ("Graph format", c.ModelGraphFormat),
                ("Data format", c.ModelDataFormat),
                ("Other keys", OtherKeysText(c.OtherKeys)),
            });
            foreach (var m in c.Models)
            {
                w.WriteLine();
                w.WriteLine($"  Model {m.Name}");
                IndentedFacts(w, "    ", new (string, string?)[]
                {
                    ("Platform", m.Platform),
                    ("Model file", m.ModelFilePath),
                    ("Model SHA-256", m.ModelSha256),
                    ("Weight file", m.WeightFilePath),
                    ("Weight SHA-256", m.WeightSha256),
                    ("Runtime", m.DeclaredRuntime == m.Runtime ? m.Runtime : $"{m.Runtime} (declared {m.DeclaredRuntime})"),
                    ("Data type", m.DataType),
                    ("Winograd", m.Winograd.ToString()),
                    ("Obfuscate", m.Obfuscate ? "yes" : "no"),
                    ("OpenCL memory", m.ClMemType),
                    ("Limit kernel time", m.LimitOpenclKernelTime.ToString()),
                    ("Queue window size", m.OpenclQueueWindowSize.ToString()),
                    ("Quantize", m.Quantize ? (m.QuantizeLargeWeights ? "yes (large weights)" : "yes") : m.QuantizeLargeWeights ? "large weights" : "no"),
                    ("Quantize ranges", m.QuantizeRangeFile),
                    ("Other keys", OtherKeysText(m.OtherKeys)),
                });
                var rows = new List<string[]>();
                foreach (var g in m.Subgraphs)
                {
                    string name = g.Name + (g.Runtime != m.Runtime ? $" ({g.Runtime})" : "");
                    bool first = true;
                    void Row(string role, string tensor, string shape, string type, string format, string range)
                    {
                        rows.Add(new[] { first ? name : "", role, tensor, shape, type, format, range });
                        first = false;
                    }
                    for (int i = 0; i < g.InputTensors.Length; i++)
                        Row("input", g.InputTensors[i], Shape(g.InputShapes, i), At(g.InputDataTypes, i), At(g.InputDataFormats, i),
                            g.InputRanges.Length > i ? string.Join(",", g.InputRanges[i].Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) : "");
                    for (int i = 0; i < g.OutputTensors.Length; i++)
                        Row("output", g.OutputTensors[i], Shape(g.OutputShapes, i), At(g.OutputDataTypes, i), At(g.OutputDataFormats, i), "");
                    for (int i = 0; i < g.CheckTensors.Length; i++)
                        Row("check", g.CheckTensors[i], Shape(g.CheckShapes, i), "", "", "");
                }
                if (rows.Count == 0) continue;
                w.WriteLine();
                var table = new StringWriter();
                Table(table, new[] { "Graph", "Role", "Tensor", "Shape", "Type", "Format", "Range" }, rows);
                foreach (var line in table.ToString().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)) w.WriteLine("    " + line);
                foreach (var g in m.Subgraphs)
                {
                    var validation = new List<string>();
                    if (g.Backend != "tensorflow") validation.Add("backend " + g.Backend);
                    if (g.ValidationInputsData.Length > 0) validation.Add("inputs " + string.Join(", ", g.ValidationInputsData));
                    if (g.ValidationOutputsData.Length > 0) validation.Add("outputs " + string.Join(", ", g.ValidationOutputsData));
                    if (g.ValidationThreshold.Count > 0) validation.Add("threshold " + string.Join(", ", g.ValidationThreshold.Select(t => $"{t.Key} {t.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}")));
                    if (validation.Count > 0) w.WriteLine($"    {g.Name} validation: {string.Join("; ", validation)}");
                }
            }
            w.WriteLine();
        }

        public static void ConfigTestResult(TextWriter w, Config.MaceConfigTestResult r)
        {
            w.WriteLine($"{r.Path}: {(r.Passed ? "PASS" : "FAIL")} ({r.Generation ?? "unreadable"}, {r.ErrorCount} errors, {r.WarningCount} warnings)");
            foreach (var f in r.Findings)
                w.WriteLine($"  {f.Severity.ToString().ToLowerInvariant()} {f.Line}:{f.Column} {f.Code}: {(f.Key == null ? "" : f.Key + ": ")}{f.Message}");
        }

        private static void IndentedFacts(TextWriter w, string indent, IEnumerable<(string Name, string? Value)> facts)
        {
            var shown = facts.Where(f => f.Value != null).ToList();
            int width = shown.Count == 0 ? 0 : shown.Max(f => f.Name.Length);
            foreach (var (name, value) in shown) w.WriteLine($"{indent}{name.PadRight(width)}  {value}");
        }

        private static string Shape(int[][] shapes, int i) => i < shapes.Length ? string.Join(",", shapes[i]) : "";
        private static string At(string[] values, int i) => i < values.Length ? values[i] : "";

        private static string? OtherKeysText(IReadOnlyDictionary<string, object?> keys) =>
            keys.Count == 0 ? null : string.Join(", ", keys.Select(k => $"{k.Key}={ValueText(k.Value)}"));

        private static string ValueText(object? value) => value switch
        {
            null => "~",
            string s => s,
            object?[] list => "[" + string.Join(", ", list.Select(ValueText)) + "]",
            IDictionary<string, object?> map => "{" + string.Join(", ", map.Select(kv => $"{kv.Key}: {ValueText(kv.Value)}")) + "}",
            _ => value.ToString() ?? "",
        };

        private static void Facts(TextWriter w, IEnumerable<(string Name, string? Value)> facts)
        {
            var shown = facts.Where(f => f.Value != null).ToList();
            int width = shown.Max(f => f.Name.Length);
            foreach (var (name, value) in shown) w.WriteLine($"  {name.PadRight(width)}  {value}");
        }

        public static void Table(TextWriter w, string[] headers, IEnumerable<string[]> rows)
        {
            var all = rows.ToList();
            var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
            string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
            w.WriteLine(Line(headers));
            w.WriteLine(Line(widths.Select(n => new string('-', n)).ToArray()));
            foreach (var r in all) w.WriteLine(Line(r));
        }

        private static string Join(uint[]? values) => values == null ? "" : string.Join(",", values);
        private static string Join(long[] values) => string.Join(",", values);
        /// <summary>A gain with its interval: "6.4% [2.1%, 9.0%]".</summary>
        private static string Gain(double gain, double low, double high) => $"{gain:0.0}% [{low:0.0}%, {high:0.0}%]";
        private static string Short(string? sha) => sha == null ? "" : sha.Substring(0, Math.Min(12, sha.Length));
        private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
    }
}
