using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MaceTools.Report;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Report
{
    /// <summary>A fact that needs Chromium: skipped where it is missing, unless the test command installed it (then a failure).</summary>
    public sealed class ChromiumFactAttribute : FactAttribute
    {
        public ChromiumFactAttribute() => Skip = Chromium.SkipReason;
    }

    /// <summary>The report as a browser shows it: headless Chromium loads it from the file, lays it out and draws it.</summary>
    public class ReportViewerTests
    {
        /// <summary>
        /// Added to a copy of the page only (the report itself has no script): the browser's own layout boxes of the charts,
        /// written into the DOM that --dump-dom prints.
        /// </summary>
        private const string Probe = "<script>document.body.insertAdjacentHTML('beforeend','<pre id=\"probe\">'+" +
            "Array.from(document.querySelectorAll('svg.chart')).map(function(s){var b=s.getBoundingClientRect();" +
            "return s.id+' '+Math.round(b.width)+'x'+Math.round(b.height)}).join('\\n')+'</pre>')</script>";

        [ChromiumFact]
        public void The_report_loads_in_Chromium_without_console_errors_with_every_chart_drawn()
        {
            using var dir = new TempDir();
            var op = new ExportReportOperation { Destination = dir.File("report.html") };
            foreach (var i in ReportSamples.All()) op.Add(i);
            op.Data.Latency.Add(new LatencySeries { Group = "cls on pocl", Name = "default sizes", Ms = new[] { 10.0, 12, 11, 30, 10.5 } });
            op.Data.Latency.Add(new LatencySeries { Group = "cls on pocl", Name = "tuned sizes", Ms = new[] { 8.0, 9, 8.5, 8.25 } });
            op.Data.Validation.Add(new ValidationRow { Group = "cls", Output = "softmax", Metric = "max abs error", Value = 2e-6, Threshold = 1e-4 });
            op.Run(new RecordingHost(dir.Path));
            var charts = AssertDrawnInChromium(dir, dir.File("report.html"));
            Assert.Equal(6, charts.Count);
        }

        /// <summary>
        /// The demo's report, from the --json lines a real `./build.sh demo` run collected on pocl (test, measure with
        /// the first inference, tune, model validate and model measure; kept beside this file as demo-results.jsonl),
        /// rendered as the demo renders it: the page users open after the demo.
        /// </summary>
        [ChromiumFact]
        public void The_demo_report_loads_in_Chromium_without_console_errors_with_every_chart_drawn()
        {
            using var dir = new TempDir();
            var host = new RecordingHost(dir.Path);
            var op = new ExportReportOperation { Destination = dir.File("demo-report.html"), Title = "MaceTools demo" };
            op.AddJsonLines(host, Path.Combine(Fixtures.RepoRoot, "tests", "MaceTools.Tests", "Report", "demo-results.jsonl"));
            op.Run(host);
            Assert.Empty(host.Errors);
            var charts = AssertDrawnInChromium(dir, dir.File("demo-report.html"));
            Assert.Equal(new[] { "chart-startup-1", "chart-first-inference-1", "chart-tuning-1", "chart-latency-1", "chart-validation-1", "chart-loads-1" }, charts);
        }

        /// <summary>Opens the page in headless Chromium: no console message, a screenshot that is not blank, every chart laid out with a real size. Returns the chart ids.</summary>
        private static List<string> AssertDrawnInChromium(TempDir dir, string page)
        {
            string html = File.ReadAllText(page);
            var charts = HtmlReport.ChartIds(html).ToList();
            string shot = dir.File("report.png");
            var (_, log) = Chromium.Run(page, dir.Path, "--screenshot=" + shot, "--window-size=1200,3000", "--hide-scrollbars");
            Assert.Empty(Chromium.ConsoleMessages(log));
            Assert.True(File.Exists(shot), "chromium wrote no screenshot:\n" + log);
            var (width, height, pixels) = Png.Decode(File.ReadAllBytes(shot));
            Assert.Equal((1200, 3000), (width, height));
            // Not blank: many colours (text, bars in several colours, tinted table cells) and ink on a good part of the page.
            Assert.True(pixels.Distinct().Count() > 50, $"{pixels.Distinct().Count()} colours in the screenshot");
            double ink = pixels.Count(p => p != 0xFFFFFF) / (double)pixels.Length;
            Assert.InRange(ink, 0.03, 0.9);

            File.WriteAllText(dir.File("probe.html"), html.Replace("</body>", Probe + "</body>"));
            var (dom, probeLog) = Chromium.Run(dir.File("probe.html"), dir.Path, "--dump-dom");
            Assert.Empty(Chromium.ConsoleMessages(probeLog));
            var boxes = Regex.Match(dom, "<pre id=\"probe\">([^<']*)</pre>");
            Assert.True(boxes.Success, "the probe found no layout:\n" + probeLog);
            var laidOut = boxes.Groups[1].Value.Split('\n').Select(l => l.Split(' ')).ToList();
            Assert.Equal(charts, laidOut.Select(b => b[0]));
            foreach (var b in laidOut)
            {
                var wh = b[1].Split('x').Select(int.Parse).ToArray();
                Assert.True(wh[0] > 400 && wh[1] > 100, $"{b[0]} is laid out {b[1]}");
            }
            return charts;
        }

        [ChromiumFact]
        public void The_console_check_sees_a_page_that_logs_an_error()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("bad.html"), "<!DOCTYPE html><html><body><p>x</p><script>console.error('boom'); missing();</script></body></html>");
            var (_, log) = Chromium.Run(dir.File("bad.html"), dir.Path, "--dump-dom");
            var messages = Chromium.ConsoleMessages(log);
            Assert.Contains(messages, m => m.Contains("\"boom\""));
            Assert.Contains(messages, m => m.Contains("missing is not defined"));
        }
    }
}
