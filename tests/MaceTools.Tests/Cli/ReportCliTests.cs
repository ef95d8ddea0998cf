using System.IO;
using System.Linq;
using MaceTools.Cli;
using MaceTools.Report;
using MaceTools.Tests.Operations;
using MaceTools.Tests.Report;

namespace MaceTools.Tests.Cli
{
    public class ReportCliTests
    {
        [Fact]
        public void Every_json_result_line_names_its_type_first()
        {
            var (code, stdout, _) = CliRunner.Run(null, "program", "test", Fixtures.Path(Fixtures.Adreno), "--json");
            Assert.Equal(0, code);
            Assert.StartsWith("{\"$type\":\"MaceTestResult\",\"path\":", stdout);
            Assert.Equal("MaceTestResult", CliRunner.JsonLine(stdout).GetProperty("$type").GetString());
        }

        [Fact]
        public void The_report_of_json_lines_is_the_report_of_the_objects()
        {
            using var dir = new TempDir();
            var results = ReportSamples.All();
            File.WriteAllLines(dir.File("results.jsonl"), results.Select(CliHost.ResultJson));
            var (code, stdout, stderr) = CliRunner.Run(dir.Path, "report", "--in", "results.jsonl", "--out", "report.html");
            Assert.Equal(0, code);
            Assert.Equal("", stderr);
            Assert.Contains("report.html", stdout);
            var fromObjects = new ExportReportOperation();
            foreach (var r in results) fromObjects.Add(r);
            Assert.Equal(HtmlReport.Render(fromObjects.Data, "MaceTools report"), File.ReadAllText(dir.File("report.html")));
        }

        [Fact]
        public void A_ci_run_collects_json_from_other_verbs_errors_included_and_renders_them()
        {
            using var dir = new TempDir();
            var test = CliRunner.Run(dir.Path, "program", "test", Fixtures.Path(Fixtures.Adreno), "no-such.bin", "--json");
            File.WriteAllText(dir.File("results.jsonl"), test.Out + test.Err);
            var (code, stdout, _) = CliRunner.Run(dir.Path, "report", "--in", "results.jsonl", "--out", "r.html", "--json");
            Assert.Equal(0, code);
            var written = CliRunner.JsonLine(stdout);
            Assert.Equal("MaceReport", written.GetProperty("$type").GetString());
            Assert.Equal(2, written.GetProperty("results").GetInt32());
            string html = File.ReadAllText(dir.File("r.html"));
            Assert.Contains(Fixtures.Adreno, html);
            Assert.Contains("<td>FileNotFound</td>", html);
        }

        [Fact]
        public void What_if_writes_nothing_and_no_clobber_keeps_the_file()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("in.jsonl"), CliHost.ResultJson(ReportSamples.Measurement()) + "\n");
            var (code, _, stderr) = CliRunner.Run(dir.Path, "report", "--in", "in.jsonl", "--out", "r.html", "--what-if");
            Assert.Equal(0, code);
            Assert.Contains("What if:", stderr);
            Assert.False(File.Exists(dir.File("r.html")));
            File.WriteAllText(dir.File("r.html"), "mine");
            var refused = CliRunner.Run(dir.Path, "report", "--in", "in.jsonl", "--out", "r.html", "--no-clobber");
            Assert.Equal(2, refused.Code);
            Assert.Contains("[OutputExists]", refused.Err);
            Assert.Equal("mine", File.ReadAllText(dir.File("r.html")));
        }
    }
}
