using System;
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
            string html = File.ReadAllText(dir.File("report.html"));
            var charts = HtmlReport.ChartIds(html).ToList();
            Assert.Equal(6, charts.Count);

            string shot = dir.File("report.png");
            var (_, log) = Chromium.Run(dir.File("report.html"), dir.Path, "--screenshot=" + shot, "--window-size=1200,3000", "--hide-scrollbars");
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
