using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using OxyPlot;

namespace MaceTools.Report
{
    /// <summary>HTML text escaping: every string that comes from an input (device, file and program names) goes through here.</summary>
    public static class Html
    {
        public static string Escape(string? s)
        {
            if (string.IsNullOrEmpty(s)) return "";
            s = ReportCharts.Clean(s!);
            var sb = new StringBuilder(s.Length + 16);
            foreach (char c in s)
            {
                switch (c)
                {
                    case '&': sb.Append("&amp;"); break;
                    case '<': sb.Append("&lt;"); break;
                    case '>': sb.Append("&gt;"); break;
                    case '"': sb.Append("&quot;"); break;
                    case '\'': sb.Append("&#39;"); break;
                    default: sb.Append(c); break;
                }
            }
            return sb.ToString();
        }
    }

    /// <summary>
    /// Writes a report as one self-contained HTML page: inline CSS and SVG, no script, no link, font or image from elsewhere,
    /// so it reads offline, attaches to a ticket and prints. Every chart has a title, axis titles with units, and its numbers
    /// in a table beside it. The same data gives the same bytes (no clock, invariant culture, stable order).
    /// </summary>
    public static class HtmlReport
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        public static string Render(ReportData data, string title)
        {
            var w = new Page();
            w.Line("<!DOCTYPE html>");
            w.Line("<html lang=\"en\"><head><meta charset=\"utf-8\">");
            w.Line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
            w.Line("<meta name=\"generator\" content=\"MaceTools " + Html.Escape(Version) + "\">");
            w.Line($"<title>{Html.Escape(title)}</title>");
            w.Line("<style>" + Css + "</style>");
            w.Line("</head><body>");
            w.Line($"<header><h1>{Html.Escape(title)}</h1>");
            w.Line($"<p class=\"summary\">{Html.Escape(Summary(data))}</p>");
            w.Line("<nav><ul>");
            foreach (var (id, name, present) in Sections(data))
                if (present) w.Line($"<li><a href=\"#{id}\">{name}</a></li>");
            w.Line("</ul></nav></header><main>");
            if (data.IsEmpty) w.Line("<p class=\"empty\">No results that this report shows were given.</p>");
            Startup(w, data);
            Tuning(w, data);
            Latency(w, data);
            Validation(w, data);
            Tests(w, data);
            Fleet(w, data);
            Errors(w, data);
            if (data.NotShown.Count > 0)
                w.Line("<p class=\"note\">Not shown: " + Html.Escape(string.Join(", ", data.NotShown.Select(kv => $"{kv.Value} × {kv.Key}"))) + ".</p>");
            w.Line("</main>");
            w.Line($"<footer>Written by MaceTools {Html.Escape(Version)} from {data.Results} result{(data.Results == 1 ? "" : "s")}.</footer>");
            w.Line("</body></html>");
            return w.ToString();
        }

        /// <summary>The chart ids of a report, in page order: what a viewer test looks for.</summary>
        public static IEnumerable<string> ChartIds(string html)
        {
            const string open = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"";
            int i = 0;
            while ((i = html.IndexOf(open, i, StringComparison.Ordinal)) >= 0)
            {
                i += open.Length;
                yield return html.Substring(i, html.IndexOf('"', i) - i);
            }
        }

        private static string Version => typeof(HtmlReport).Assembly.GetName().Version?.ToString(3) ?? "";

        private static IEnumerable<(string Id, string Name, bool Present)> Sections(ReportData d) => new[]
        {
            ("startup", "Start-up", d.Startup.Count > 0),
            ("tuning", "Tuning", d.Tuning.Count > 0),
            ("latency", "Latency", d.Latency.Count > 0),
            ("validation", "Validation", d.Validation.Count > 0),
            ("tests", "Tests", d.Tests.Count > 0),
            ("fleet", "Fleet", d.Fleet.Count > 0),
            ("errors", "Errors", d.Errors.Count > 0),
        };

        private static string Summary(ReportData d)
        {
            var parts = new List<string>();
            void Part(int n, string one, string many) { if (n > 0) parts.Add($"{n} {(n == 1 ? one : many)}"); }
            Part(d.Startup.Count, "start-up measurement", "start-up measurements");
            Part(d.Tuning.Count, "tuned kernel", "tuned kernels");
            Part(d.Latency.Select(l => l.Group).Distinct().Count(), "latency group", "latency groups");
            Part(d.Validation.Count, "validated output", "validated outputs");
            Part(d.Tests.Count, "tested file", "tested files");
            Part(d.Fleet.Select(f => f.Device).Distinct().Count(), "fleet device", "fleet devices");
            Part(d.Errors.Count, "error", "errors");
            return parts.Count == 0 ? "Nothing to show." : string.Join(", ", parts) + ".";
        }

        private static void Startup(Page w, ReportData data)
        {
            if (data.Startup.Count == 0) return;
            w.Line("<section id=\"startup\"><h2>Start-up</h2>");
            w.Line("<p>Each program built from its source (what a start without the file pays) against created from the file's binary; medians of the repeats, driver cache off.</p>");
            int n = 0;
            foreach (var s in data.Startup)
            {
                n++;
                string name = FileName(s.File);
                var programs = s.Programs.OrderByDescending(p => p.FromSourceMs).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
                var labels = Labels(programs.Select(p => (p.Program, p.Key)));
                string total = $"without the file {Ms(s.WithoutFileMs)} ms (compiler start {Ms(s.CompilerStartMs)} ms), with it {Ms(s.WithFileMs)} ms"
                               + (s.WithFileMs > 0 ? $": {(s.WithoutFileMs / s.WithFileMs).ToString("0.0", Inv)}× faster" : "");
                w.Line($"<h3>{Html.Escape(name)} on {Html.Escape(s.Device)}</h3>");
                if (programs.Count > 0)
                {
                    var model = ReportCharts.HorizontalBars("Start-up per program", "Total " + total, "time per program (ms)", labels,
                        new[]
                        {
                            new ReportCharts.Bars("from source", ReportCharts.Source, programs.Select(p => p.FromSourceMs).ToList()),
                            new ReportCharts.Bars("from the file", ReportCharts.File, programs.Select(p => p.FromFileMs).ToList()),
                        });
                    w.Figure(model, ReportCharts.BarsHeight(programs.Count, 2), $"startup-{n}", $"Start-up per program of {name} on {s.Device}: from source against from the file, in milliseconds");
                }
                w.Line($"<p class=\"total\">Total: {Html.Escape(total)}.</p>");
                w.Table(new[] { "program", "from source (ms)", "from the file (ms)", "speed-up" }, new[] { false, true, true, true },
                    programs.Select((p, i) => new[] { labels[i], Ms(p.FromSourceMs), Ms(p.FromFileMs), p.FromFileMs > 0 ? (p.FromSourceMs / p.FromFileMs).ToString("0.0", Inv) + "×" : "" }),
                    $"Start-up per program of {name} on {s.Device}");
                if (s.FirstInference.Count > 0)
                {
                    var ways = s.FirstInference;
                    var model = ReportCharts.HorizontalBars("Time to first inference per way of starting", s.Scope, "time to first inference (ms)",
                        ways.Select(f => f.Way).ToList(),
                        new[]
                        {
                            new ReportCharts.Bars("load (create and build)", ReportCharts.File, ways.Select(f => f.LoadMs).ToList()),
                            new ReportCharts.Bars("first launches", ReportCharts.Source, ways.Select(f => f.FirstLaunchesMs).ToList()),
                        }, stacked: true);
                    w.Figure(model, ReportCharts.BarsHeight(ways.Count), $"first-inference-{n}", $"Time to first inference of {name} on {s.Device} per way of starting: load plus first launches, in milliseconds");
                    w.Table(new[] { "way", "programs", "launches", "load (ms)", "first launches (ms)", "first inference (ms)", "steady (ms)", "compiled at first launch" },
                        new[] { false, true, true, true, true, true, true, true },
                        ways.Select(f => new[] { f.Way, N(f.Programs), N(f.Launches), Ms(f.LoadMs), Ms(f.FirstLaunchesMs), Ms(f.FirstInferenceMs), Ms(f.SteadyMs), N(f.CompiledAtFirstLaunch) }),
                        $"Time to first inference of {name} on {s.Device}");
                }
                else if (s.Scope.Length > 0) w.Line($"<p class=\"note\">Time to first inference not measured: {Html.Escape(s.Scope)}.</p>");
            }
            w.Line("</section>");
        }

        private static void Tuning(Page w, ReportData data)
        {
            if (data.Tuning.Count == 0) return;
            w.Line("<section id=\"tuning\"><h2>Tuning</h2>");
            w.Line("<p>Each kernel instance's time with its stored local size against MACE's default size, both re-timed side by side in fresh interleaved rounds; " +
                "gain = (default − tuned) / default. The verdict is on the searched size: its gain with a 95% interval, and a tie (the interval holds 0) keeps MACE's default.</p>");
            int n = 0;
            foreach (var group in data.Tuning.GroupBy(t => t.Device).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                n++;
                var rows = group.OrderByDescending(t => t.GainPercent).ThenBy(t => t.Key, StringComparer.Ordinal).ToList();
                double def = rows.Sum(t => t.DefaultMicros), tuned = rows.Sum(t => t.Micros);
                string total = $"{rows.Count} kernels: {Us(def)} µs with MACE's defaults, {Us(tuned)} µs tuned, gain {Pct(def > 0 ? 100 * (def - tuned) / def : 0)} %";
                w.Line($"<h3>{Html.Escape(group.Key)}</h3>");
                var model = ReportCharts.HorizontalBars("Tuning gain per kernel", "Total: " + total, "gain against MACE's default local size (%)",
                    rows.Select(t => t.Key).ToList(),
                    new[] { new ReportCharts.Bars("gain", ReportCharts.Good, rows.Select(t => t.GainPercent).ToList(), rows.Select(t => t.GainPercent >= 0 ? ReportCharts.Good : ReportCharts.Bad).ToList()) });
                w.Figure(model, ReportCharts.BarsHeight(rows.Count), $"tuning-{n}", $"Tuning gain per kernel on {group.Key} against MACE's default local size, in percent, sorted");
                w.Line($"<p class=\"total\">Total: {Html.Escape(total)}.</p>");
                w.Table(new[] { "tuning key", "tuned local size", "default local size", "default (µs)", "tuned (µs)", "gain (%)", "verdict", "searched gain (%) [95%]" },
                    new[] { false, false, false, true, true, true, false, true },
                    rows.Select(t => new[] { t.Key, t.LocalSize, t.DefaultLocalSize, Us(t.DefaultMicros), Us(t.Micros), Pct(t.GainPercent), t.Verdict, t.SearchedGain })
                        .Append(new[] { "total", "", "", Us(def), Us(tuned), Pct(def > 0 ? 100 * (def - tuned) / def : 0), "", "" }),
                    $"Tuning gain per kernel on {group.Key}", lastIsTotal: true);
            }
            w.Line("</section>");
        }

        private static void Latency(Page w, ReportData data)
        {
            if (data.Latency.Count == 0) return;
            w.Line("<section id=\"latency\"><h2>Latency</h2>");
            w.Line("<p>Latency over the rounds: the box spans the middle half (first to third quartile) with the median inside, the whiskers reach the fastest and slowest round.</p>");
            int n = 0;
            foreach (var group in data.Latency.GroupBy(l => l.Group).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                n++;
                var sets = group.Select(l => (l.Name, l.Ms)).ToList();
                w.Line($"<h3>{Html.Escape(group.Key)}</h3>");
                w.Figure(ReportCharts.Boxes("Latency over the rounds", group.Key, "latency per round (ms)", sets), 360, $"latency-{n}",
                    $"Latency distribution over the rounds of {group.Key}, in milliseconds");
                w.Table(new[] { "way", "rounds", "min (ms)", "median (ms)", "p90 (ms)", "max (ms)", "mean (ms)" }, new[] { false, true, true, true, true, true, true },
                    sets.Select(s => { var st = Stats.Of(s.Ms); return new[] { s.Name, N(st.Count), Ms(st.Min), Ms(st.Median), Ms(st.P90), Ms(st.Max), Ms(st.Mean) }; }),
                    $"Latency over the rounds of {group.Key}");
            }
            w.Line("</section>");
        }

        private static void Validation(Page w, ReportData data)
        {
            if (data.Validation.Count == 0) return;
            w.Line("<section id=\"validation\"><h2>Validation</h2>");
            int n = 0;
            foreach (var group in data.Validation.GroupBy(v => v.Group).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                n++;
                var rows = group.ToList();
                string metric = string.Join(", ", rows.Select(r => r.Metric).Distinct());
                w.Line($"<h3>{Html.Escape(group.Key)}</h3>");
                var model = ReportCharts.HorizontalBars("Validation per output", $"{group.Key}: {rows.Count(r => r.Passed)} of {rows.Count} outputs within the threshold", metric,
                    rows.Select(r => r.Output).ToList(),
                    new[] { new ReportCharts.Bars(metric, ReportCharts.Good, rows.Select(r => r.Value).ToList(), rows.Select(r => r.Passed ? ReportCharts.Good : ReportCharts.Bad).ToList()) },
                    markers: rows.Select(r => r.Threshold).ToList(), markerName: "threshold");
                w.Figure(model, ReportCharts.BarsHeight(rows.Count), $"validation-{n}", $"Validation metric per output of {group.Key} against its threshold");
                w.Table(new[] { "output", "metric", "value", "threshold", "result" }, new[] { false, false, true, true, false },
                    rows.Select(r => new[] { r.Output, r.Metric, G(r.Value), G(r.Threshold), r.Passed ? "passed" : "failed" }),
                    $"Validation per output of {group.Key}");
            }
            w.Line("</section>");
        }

        private static void Tests(Page w, ReportData data)
        {
            if (data.Tests.Count == 0) return;
            w.Line("<section id=\"tests\"><h2>Tests</h2>");
            w.Table(new[] { "file", "device", "result", "errors", "warnings", "loaded" }, new[] { false, false, false, true, true, true },
                data.Tests.Select(t => new[]
                {
                    t.File, t.Device ?? "", t.Passed ? "passed" : "failed",
                    N(t.Findings.Count(f => f.Severity == "Error")), N(t.Findings.Count(f => f.Severity == "Warning")),
                    t.Loads.Count == 0 ? "" : $"{t.Loads.Count(l => l.Loaded)} of {t.Loads.Count}",
                }), "Test results");
            int n = 0;
            foreach (var t in data.Tests)
            {
                n++;
                var problems = t.Findings.Where(f => f.Severity != "Information").ToList();
                if (problems.Count == 0 && t.Loads.Count == 0) continue;
                w.Line($"<h3>{Html.Escape(FileName(t.File))}{(t.Device == null ? "" : " on " + Html.Escape(t.Device))}</h3>");
                if (t.Loads.Count > 0)
                {
                    var loads = t.Loads.OrderByDescending(l => l.Ms).ThenBy(l => l.Key, StringComparer.Ordinal).ToList();
                    var labels = Labels(loads.Select(l => (l.Program, l.Key)));
                    var model = ReportCharts.HorizontalBars("Load of each program", $"{t.Loads.Count(l => l.Loaded)} of {t.Loads.Count} loaded on {t.Device}",
                        "load time, worker round trip included (ms)", labels,
                        new[] { new ReportCharts.Bars("load", ReportCharts.File, loads.Select(l => l.Ms).ToList(), loads.Select(l => l.Loaded ? ReportCharts.File : ReportCharts.Bad).ToList()) });
                    w.Figure(model, ReportCharts.BarsHeight(loads.Count), $"loads-{n}", $"Load time of each program of {FileName(t.File)} on {t.Device}, in milliseconds; refused loads in red");
                    w.Table(new[] { "program", "status", "OpenCL status", "load (ms)" }, new[] { false, false, false, true },
                        loads.Select((l, i) => new[] { labels[i], l.Status, l.StatusName, Ms(l.Ms) }), $"Loads of {FileName(t.File)}");
                }
                if (problems.Count > 0)
                    w.Table(new[] { "severity", "code", "message" }, new[] { false, false, false }, problems.Select(f => new[] { f.Severity, f.Code, f.Message }),
                        $"Findings of {FileName(t.File)}");
            }
            w.Line("</section>");
        }

        private static readonly string[] FleetColumns = { "publish: program file", "publish: tuning file", "drift", "load test" };

        private static void Fleet(Page w, ReportData data)
        {
            if (data.Fleet.Count == 0) return;
            w.Line("<section id=\"fleet\"><h2>Fleet</h2>");
            var columns = FleetColumns.Where(c => data.Fleet.Any(f => f.Column == c)).ToList();
            var devices = data.Fleet.Select(f => f.Device).Distinct().OrderBy(d => d, StringComparer.Ordinal).ToList();
            int bad = devices.Count(d => data.Fleet.Any(f => f.Device == d && f.Tone == FleetTone.Bad));
            w.Line($"<p>{devices.Count} device{(devices.Count == 1 ? "" : "s")}, {bad} with a failure.</p>");
            w.Line("<table class=\"fleet\"><caption>Fleet: device × status</caption><thead><tr><th scope=\"col\">device</th>");
            foreach (var c in columns) w.Line($"<th scope=\"col\">{Html.Escape(c)}</th>");
            w.Line("</tr></thead><tbody>");
            foreach (var d in devices)
            {
                w.Line($"<tr><th scope=\"row\">{Html.Escape(d)}</th>");
                foreach (var c in columns)
                {
                    // The last result of a kind for a device is its state (a publish retried after a failure).
                    var cell = data.Fleet.LastOrDefault(f => f.Device == d && f.Column == c);
                    if (cell == null) { w.Line("<td class=\"none\">—</td>"); continue; }
                    string tone = cell.Tone.ToString().ToLowerInvariant();
                    w.Line($"<td class=\"{tone}\" title=\"{Html.Escape(cell.Detail)}\"><span class=\"status\">{Html.Escape(cell.Status)}</span>"
                           + (cell.ErrorId == null ? "" : $" <code class=\"error-id\">{Html.Escape(cell.ErrorId)}</code>")
                           + (cell.Tone == FleetTone.Bad || cell.Tone == FleetTone.Warning ? $"<div class=\"detail\">{Html.Escape(cell.Detail)}</div>" : "")
                           + "</td>");
                }
                w.Line("</tr>");
            }
            w.Line("</tbody></table></section>");
        }

        private static void Errors(Page w, ReportData data)
        {
            if (data.Errors.Count == 0) return;
            w.Line("<section id=\"errors\"><h2>Errors</h2>");
            w.Table(new[] { "error id", "category", "target", "message" }, new[] { false, false, false, false },
                data.Errors.Select(e => new[] { e.Id, e.Category, e.Target, e.Message }), "Errors reported by the runs");
            w.Line("</section>");
        }

        /// <summary>
        /// Row labels for programs: the program name, and where one program is built with several option sets, the options
        /// that tell them apart (define names without their values, which are obfuscated symbols): "buffer_to_image
        /// (arg_buffer_to_image)".
        /// </summary>
        private static List<string> Labels(IEnumerable<(string Program, string Key)> rows)
        {
            var list = rows.ToList();
            var options = list.Select(r => Formats.ProgramKey.Parse(r.Key).Options.Where(o => o.Length > 0).ToList()).ToList();
            return list.Select((r, i) =>
            {
                var same = Enumerable.Range(0, list.Count).Where(j => list[j].Program == r.Program).ToList();
                if (same.Count < 2) return r.Program;
                var distinct = options[i].Where(o => !same.All(j => options[j].Contains(o))).Select(o =>
                {
                    string name = o.StartsWith("-D", StringComparison.Ordinal) ? o.Substring(2) : o;
                    int eq = name.IndexOf('=');
                    return eq > 0 ? name.Substring(0, eq) : name;
                }).Distinct().ToList();
                return distinct.Count == 0 ? r.Program : $"{r.Program} ({string.Join(", ", distinct)})";
            }).ToList();
        }

        private static string FileName(string path) => path.Length == 0 ? "(no file)" : Path.GetFileName(path.TrimEnd('/', '\\')) is string f && f.Length > 0 ? f : path;
        private static string Ms(double v) => v.ToString(v >= 100 ? "0" : "0.0", Inv);
        private static string Us(double v) => v.ToString("0", Inv);
        private static string Pct(double v) => v.ToString("0.0", Inv);
        private static string N(int v) => v.ToString(Inv);
        private static string G(double v) => v.ToString("G4", Inv);

        private const string Css =
            "body{font-family:Arial,Helvetica,sans-serif;color:#222;background:#fff;margin:0 auto;max-width:940px;padding:16px;line-height:1.4}" +
            "h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.3em;border-bottom:2px solid #2a6fb0;padding-bottom:2px;margin-top:1.6em}h3{font-size:1.05em;margin:1.2em 0 .4em}" +
            "nav ul{list-style:none;padding:0;display:flex;gap:1em;flex-wrap:wrap}nav a{color:#2a6fb0}" +
            "figure{margin:.6em 0}svg.chart{display:block;max-width:100%;height:auto;border:1px solid #eee}" +
            "table{border-collapse:collapse;margin:.4em 0 1em;font-size:.86em;width:100%}caption{text-align:left;font-weight:bold;padding:2px 0}" +
            "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}td.num{text-align:right;font-variant-numeric:tabular-nums}" +
            "thead th{background:#f0f3f7}tr.total td{font-weight:bold;border-top:2px solid #888}" +
            "table.fleet td.good{background:#e3f2e5}table.fleet td.bad{background:#fbe3e3}table.fleet td.warning{background:#fff3d6}table.fleet td.neutral{background:#f2f2f2}" +
            "table.fleet td.none{color:#999;text-align:center}.detail{font-size:.85em;color:#555}code{font-size:.95em}" +
            ".summary{color:#444}.note{color:#555;font-style:italic}.total{font-weight:bold}footer{margin-top:2em;color:#777;font-size:.85em}" +
            "@media print{body{max-width:none;padding:0}nav{display:none}figure,tr{break-inside:avoid}h2,h3{break-after:avoid}svg.chart{border:none}}";

        /// <summary>The page under construction, with the two things every section writes: a chart figure and a data table.</summary>
        private sealed class Page
        {
            private readonly StringBuilder _sb = new StringBuilder(1 << 16);

            public void Line(string s) => _sb.Append(s).Append('\n');

            public void Figure(PlotModel model, double height, string id, string description) =>
                Line($"<figure>{ReportCharts.Svg(model, height, "chart-" + id, description)}</figure>");

            public void Table(string[] head, bool[] numeric, IEnumerable<string[]> rows, string caption, bool lastIsTotal = false)
            {
                var list = rows.ToList();
                Line($"<table><caption>{Html.Escape(caption)}</caption><thead><tr>" + string.Concat(head.Select(h => $"<th scope=\"col\">{Html.Escape(h)}</th>")) + "</tr></thead><tbody>");
                for (int r = 0; r < list.Count; r++)
                {
                    var row = list[r];
                    _sb.Append(lastIsTotal && r == list.Count - 1 ? "<tr class=\"total\">" : "<tr>");
                    for (int i = 0; i < row.Length; i++) _sb.Append(numeric[i] ? "<td class=\"num\">" : "<td>").Append(Html.Escape(row[i])).Append("</td>");
                    _sb.Append("</tr>\n");
                }
                Line("</tbody></table>");
            }

            public override string ToString() => _sb.ToString();
        }
    }
}
