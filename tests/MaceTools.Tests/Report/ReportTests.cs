using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using MaceTools.Report;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Report
{
    public class ReportTests
    {
        private static string Render(params object[] items)
        {
            var op = new ExportReportOperation();
            foreach (var i in items) op.Add(i);
            return HtmlReport.Render(op.Data, "MaceTools report");
        }

        [Fact]
        public void Hostile_device_and_file_names_are_escaped_and_the_page_has_no_script()
        {
            string html = Render(ReportSamples.All().ToArray());
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<b>", html);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;pi&#39;s&quot; &lt;b&gt;", html);
            Assert.Contains("&lt;img src=x onerror=alert(1)&gt;.bin", html);
            // Nothing that leaves the page: no link, stylesheet, font or image from elsewhere.
            Assert.DoesNotMatch(new Regex(@"\b(href|src)\s*=\s*""(?!#)", RegexOptions.IgnoreCase), html);
            Assert.DoesNotContain("@import", html);
            Assert.DoesNotContain("url(http", html);
        }

        [Fact]
        public void A_control_character_in_a_name_does_not_break_the_charts()
        {
            var m = ReportSamples.Measurement();
            typeof(MaceTools.Operations.MaceMeasurement).GetProperty("Device")!.SetValue(m, "dev\u0001\u0000ice");
            string html = Render(m);
            Assert.Contains("dev\uFFFD\uFFFDice", html);
            Assert.Contains("id=\"chart-startup-1\"", html);
        }

        [Fact]
        public void A_failed_fleet_device_shows_with_its_error_id()
        {
            string html = Render(ReportSamples.Fleet().ToArray());
            var row = Regex.Match(html, "<tr><th scope=\"row\">" + Regex.Escape(Html.Escape(ReportSamples.HostileDevice)) + "</th>(.*?)</tr>", RegexOptions.Singleline);
            Assert.True(row.Success, "the failed device has its row in the fleet grid");
            Assert.Contains("<td class=\"bad\"", row.Groups[1].Value);
            Assert.Contains("Failed", row.Groups[1].Value);
            Assert.Contains("<code class=\"error-id\">RemoteUnreachable</code>", row.Groups[1].Value);
            Assert.Contains("connection refused", row.Groups[1].Value);
            // The other devices and their drift verdicts.
            Assert.Matches("<th scope=\"row\">pi-1</th>.*Published.*Kept", html.Replace("\n", " "));
            Assert.Matches("<th scope=\"row\">pi-2</th>.*Unchanged.*PartlyRebuilt", html.Replace("\n", " "));
            Assert.Contains("3 devices, 1 with a failure.", html);
        }

        [Fact]
        public void Each_chart_is_an_inline_svg_with_title_axes_and_its_numbers_as_text()
        {
            string html = Render(ReportSamples.All().ToArray());
            Assert.Equal(new[] { "chart-startup-1", "chart-first-inference-1", "chart-tuning-1", "chart-loads-1" }, HtmlReport.ChartIds(html));
            foreach (var id in HtmlReport.ChartIds(html))
            {
                var svg = Regex.Match(html, $"<svg [^>]*id=\"{id}\"[^>]*width=\"(\\d+)\" height=\"(\\d+)\" viewBox=\"0 0 \\d+ \\d+\"[^>]*><title id=\"{id}-title\">[^<]+</title>");
                Assert.True(svg.Success, id);
                Assert.True(int.Parse(svg.Groups[2].Value, CultureInfo.InvariantCulture) >= 200, id);
            }
            // Axis titles with units, and each chart's title inside its SVG.
            Assert.Contains(">time per program (ms)</text>", html);
            Assert.Contains(">time to first inference (ms)</text>", html);
            Assert.Contains(">gain against MACE's default local size (%)</text>", html);
            Assert.Contains(">Tuning gain per kernel</text>", html);
            Assert.Contains("<h3>cpu-haswell</h3>", html);
            // The numbers as text: start-up per program, the total, the first inference, the tuning gains sorted with their total.
            Assert.Contains("<td>conv_2d_1x1</td><td class=\"num\">120</td><td class=\"num\">2.5</td><td class=\"num\">48.1×</td>", html);
            Assert.Contains("without the file 275 ms (compiler start 41.5 ms), with it 5.5 ms: 50.0× faster", html);
            Assert.Contains("<td>File</td><td class=\"num\">3</td><td class=\"num\">12</td><td class=\"num\">6.0</td><td class=\"num\">35.0</td><td class=\"num\">41.0</td>", html);
            var gains = Regex.Matches(html, "<tr><td>(\\w+)_opencl_kernel[^<]*</td>(?:<td>[^<]*</td>){2}(?:<td class=\"num\">[^<]*</td>){2}<td class=\"num\">([^<]*)</td>").Select(m => (m.Groups[1].Value, m.Groups[2].Value));
            Assert.Equal(new[] { ("eltwise", "50.0"), ("conv_2d_1x1", "25.0"), ("pooling", "-4.0") }, gains);
            Assert.Contains("<tr class=\"total\"><td>total</td><td></td><td></td><td class=\"num\">210</td><td class=\"num\">157</td><td class=\"num\">25.2</td><td></td><td class=\"num\"></td></tr>", html);
            Assert.Contains("<td>pooling</td><td>Rejected</td><td>CL_INVALID_BINARY</td>", html);
        }

        [Fact]
        public void A_program_built_with_several_option_sets_is_told_apart_by_its_options()
        {
            var m = ReportSamples.Measurement();
            typeof(MaceTools.Operations.MaceMeasurement).GetProperty("Entries")!.SetValue(m, new[]
            {
                new MaceTools.Operations.MaceEntryMeasurement { Key = "buffer_to_image -DCMD_DATA_TYPE=f -Darg_buffer_to_image=a7xhuD", FromSourceMs = 20, FromBinaryMs = 1 },
                new MaceTools.Operations.MaceEntryMeasurement { Key = "buffer_to_image -DCMD_DATA_TYPE=f -Dfilter_buffer_to_image=dBgx15", FromSourceMs = 10, FromBinaryMs = 1 },
                new MaceTools.Operations.MaceEntryMeasurement { Key = "pooling -DCMD_DATA_TYPE=f", FromSourceMs = 5, FromBinaryMs = 1 },
            });
            string html = Render(m);
            Assert.Contains("<td>buffer_to_image (arg_buffer_to_image)</td>", html);
            Assert.Contains("<td>buffer_to_image (filter_buffer_to_image)</td>", html);
            Assert.Contains("<td>pooling</td>", html);
            Assert.Contains(">buffer_to_image (arg_buffer_to_image)</text>", html);
        }

        [Fact]
        public void The_same_results_give_the_same_bytes_in_any_culture()
        {
            string first = Render(ReportSamples.All().ToArray());
            var culture = CultureInfo.CurrentCulture;
            try
            {
                CultureInfo.CurrentCulture = new CultureInfo("de-DE");
                Assert.Equal(first, Render(ReportSamples.All().ToArray()));
            }
            finally { CultureInfo.CurrentCulture = culture; }
        }

        [Fact]
        public void Latency_and_validation_sections_render_when_such_results_exist()
        {
            var op = new ExportReportOperation();
            Assert.DoesNotContain("id=\"latency\"", HtmlReport.Render(op.Data, "r"));
            op.Data.Latency.Add(new LatencySeries { Group = "cls on pocl", Name = "default sizes", Ms = new[] { 10.0, 12, 11, 30, 10.5 } });
            op.Data.Latency.Add(new LatencySeries { Group = "cls on pocl", Name = "tuned sizes", Ms = new[] { 8.0, 9, 8.5, 8.25 } });
            op.Data.Validation.Add(new ValidationRow { Group = "cls", Output = "softmax_0.tmp_0", Metric = "max abs error", Value = 2e-6, Threshold = 1e-4 });
            op.Data.Validation.Add(new ValidationRow { Group = "cls", Output = "logits", Metric = "max abs error", Value = 3e-3, Threshold = 1e-4 });
            string html = HtmlReport.Render(op.Data, "r");
            Assert.Equal(new[] { "chart-latency-1", "chart-validation-1" }, HtmlReport.ChartIds(html));
            Assert.Contains(">latency per round (ms)</text>", html);
            Assert.Contains("<td>default sizes</td><td class=\"num\">5</td><td class=\"num\">10.0</td><td class=\"num\">11.0</td>", html);
            Assert.Contains("<td>logits</td><td>max abs error</td><td class=\"num\">0.003</td><td class=\"num\">0.0001</td><td>failed</td>", html);
        }

        [Fact]
        public void Measure_and_Test_MaceModel_results_fill_the_latency_and_validation_sections_as_objects_and_as_json_lines()
        {
            using var dir = new TempDir();
            var op = new ExportReportOperation();
            op.Add(new MaceTools.Operations.MaceLatencyResult { Model = "cls", Device = "pocl", Way = "default sizes", WallMs = new[] { 10.0, 12, 11 } });
            op.Add(new MaceTools.Runtime.MaceValidationResult { Model = "cls", Device = "pocl", Output = "softmax_0.tmp_0", Cosine = 0.9999999, Threshold = 0.995, Passed = true });
            // As `macetools model measure|validate --json` write them.
            File.WriteAllText(dir.File("r.jsonl"),
                "{\"$type\":\"MaceLatencyResult\",\"model\":\"cls\",\"device\":\"pocl\",\"way\":\"tuned: t.bin\",\"wallMs\":[8,9,8.5,8.25]}\n" +
                "{\"$type\":\"MaceValidationResult\",\"model\":\"cls\",\"device\":\"pocl\",\"output\":\"logits\",\"cosine\":0.75,\"threshold\":0.995,\"passed\":false}\n");
            var host = new RecordingHost(dir.Path);
            op.AddJsonLines(host, "r.jsonl");
            Assert.Empty(host.Errors);
            Assert.Equal(new[] { "default sizes", "tuned: t.bin" }, op.Data.Latency.Select(l => l.Name));
            Assert.All(op.Data.Latency, l => Assert.Equal("cls on pocl", l.Group));
            Assert.Equal(new[] { true, false }, op.Data.Validation.Select(v => v.Passed));
            string html = HtmlReport.Render(op.Data, "r");
            Assert.Equal(new[] { "chart-latency-1", "chart-validation-1" }, HtmlReport.ChartIds(html));
            Assert.Contains("<td>tuned: t.bin</td><td class=\"num\">4</td><td class=\"num\">8.0</td>", html);
            Assert.Contains("<td>logits</td><td>1 − cosine</td><td class=\"num\">0.25</td>", html);
            Assert.Empty(op.Data.NotShown);
        }

        [Fact]
        public void Export_writes_the_page_atomically_and_says_what_it_wrote()
        {
            using var dir = new TempDir();
            var host = new RecordingHost(dir.Path);
            var op = new ExportReportOperation { Destination = "report.html" };
            foreach (var i in ReportSamples.All()) op.Add(i);
            op.Run(host);
            var written = Assert.Single(host.Of<MaceReport>());
            Assert.Equal(dir.File("report.html"), written.Path);
            Assert.Equal(new FileInfo(written.Path).Length, written.Size);
            Assert.Equal(4, written.Charts.Length);
            Assert.Equal(ReportSamples.All().Count, written.Results);
            Assert.Equal(new[] { "report.html" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
            Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(written.Path));
        }

        [Fact]
        public void WhatIf_writes_nothing_and_NoClobber_keeps_an_existing_file()
        {
            using var dir = new TempDir();
            var op = new ExportReportOperation { Destination = "r.html" };
            op.Add(ReportSamples.Measurement());
            var host = new RecordingHost(dir.Path, shouldProcess: false);
            op.Run(host);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
            Assert.Single(host.ShouldProcessCalls);
            File.WriteAllText(dir.File("r.html"), "mine");
            op.NoClobber = true;
            var e = Assert.Throws<MaceException>(() => op.Run(new RecordingHost(dir.Path)));
            Assert.Equal(ErrorIds.OutputExists, e.ErrorId);
            Assert.Equal("mine", File.ReadAllText(dir.File("r.html")));
        }

        [Fact]
        public void Results_of_other_kinds_are_counted_not_shown()
        {
            var data = new ExportReportOperation();
            data.Add(ReportSamples.Measurement());
            data.Add("a string");
            data.Add(new Uri("http://x"));
            data.Add("another");
            Assert.Contains("Not shown: 2 × String, 1 × Uri.", HtmlReport.Render(data.Data, "r"));
        }

        [Fact]
        public void A_bad_line_of_a_results_file_is_an_error_naming_file_and_line_and_the_rest_is_read()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("r.jsonl"), "{\"warning\":\"x\"}\n{\"$type\":\"MaceTuningResult\",\"device\":\"d\",\"tuningKey\":\"k\",\"micros\":5,\"defaultMicros\":10}\nnot json\n\n{\"error\":{\"id\":\"RemoteTimeout\",\"category\":\"ConnectionError\",\"target\":\"pi-9\",\"message\":\"pi-9: timed out\"}}\n");
            var host = new RecordingHost(dir.Path);
            var op = new ExportReportOperation();
            op.AddJsonLines(host, "r.jsonl");
            var e = Assert.Single(host.Errors);
            Assert.Equal(ErrorIds.ResultLineInvalid, e.ErrorId);
            Assert.StartsWith("r.jsonl:3: not a JSON object", e.Message);
            Assert.Equal(50, Assert.Single(op.Data.Tuning).GainPercent);
            Assert.Equal(("RemoteTimeout", "pi-9"), (Assert.Single(op.Data.Errors).Id, op.Data.Errors[0].Target));
        }
    }
}
