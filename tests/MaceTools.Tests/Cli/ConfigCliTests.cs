using System.IO;
using System.Linq;
using System.Text.Json;
using MaceTools.Tests.Config;
using static MaceTools.Tests.Cli.CliRunner;

namespace MaceTools.Tests.Cli
{
    /// <summary>macetools config show / config test: text, JSON, exit codes.</summary>
    public class ConfigCliTests
    {
        private static string[] Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        [Fact]
        public void Config_show_prints_the_file_its_models_and_a_table_of_tensors()
        {
            string path = ConfigFixtures.Path(ConfigFixtures.MobileNet);
            var (code, stdout, stderr) = Run(null, "config", "show", path);
            Assert.True(code == 0, stderr);
            Assert.Equal("", stderr);
            var lines = Lines(stdout);
            Assert.Equal(path, lines[0]);
            Assert.Contains("  Generation    v0.9+", lines);
            Assert.Contains("  Library       mobilenet-v1", lines);
            Assert.Contains("  Target ABIs   armeabi-v7a, arm64-v8a", lines);
            Assert.Contains("  Model mobilenet_v1", lines);
            Assert.Contains(lines, l => l.StartsWith("    Runtime ") && l.EndsWith("gpu (declared cpu+gpu)"));
            Assert.Contains(lines, l => l.StartsWith("    Data type ") && l.EndsWith("fp16_fp32"));
            Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^    Graph\s+Role\s+Tensor\s+Shape\s+Type\s+Format\s+Range$"));
            Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^    default_graph\s+input\s+input\s+1,224,224,3\s+float32\s+NHWC$"));
            Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+output\s+MobilenetV1/Predictions/Reshape_1\s+1,1001\s+float32\s+NHWC$"));
            Assert.Contains("    default_graph validation: inputs https://cnbj1.fds.api.xiaomi.com/mace/inputs/dog.npy", lines);
        }

        [Fact]
        public void Config_show_json_is_the_objects_properties_in_camelCase()
        {
            var (code, stdout, stderr) = Run(null, "config", "show", ConfigFixtures.Path(ConfigFixtures.Vgg16), "--json");
            Assert.True(code == 0, stderr);
            var c = JsonLine(stdout);
            Assert.Equal("v0.9+", c.GetProperty("generation").GetString());
            Assert.Equal("vgg16-caffe-gpu", c.GetProperty("libraryName").GetString());
            var m = c.GetProperty("models").EnumerateArray().Single();
            Assert.Equal("vgg16_caffe_gpu", m.GetProperty("name").GetString());
            Assert.Equal(4, m.GetProperty("winograd").GetInt32());
            Assert.Equal("fp16_fp32", m.GetProperty("dataType").GetString());
            Assert.False(m.GetProperty("obfuscate").GetBoolean());
            Assert.Equal("b2cc45ad0d75d38ac25fabaf120637af5277b2dea149db197bf52c02d49bc219", m.GetProperty("weightSha256").GetString());
            var g = m.GetProperty("subgraphs").EnumerateArray().Single();
            Assert.Equal(new[] { 1, 1, 1, 1000 }, g.GetProperty("outputShapes")[0].EnumerateArray().Select(d => d.GetInt32()));
            Assert.False(c.TryGetProperty("positions", out _));

            var two = Run(null, "config", "show", ConfigFixtures.Path(ConfigFixtures.Vgg16), ConfigFixtures.Path(ConfigFixtures.Inception), "--json");
            Assert.Equal(2, JsonLines(two.Out).Count);
        }

        [Fact]
        public void Config_show_model_filters_and_a_broken_file_exits_2_with_its_position()
        {
            var filtered = Run(null, "config", "show", ConfigFixtures.Path(ConfigFixtures.SqueezeNet), "--model", "squeeze*", "--json");
            Assert.Equal(0, filtered.Code);
            Assert.Equal("squeezenet_v1_1", JsonLine(filtered.Out).GetProperty("models")[0].GetProperty("name").GetString());
            var none = Run(null, "config", "show", ConfigFixtures.Path(ConfigFixtures.SqueezeNet), "--model", "resnet");
            Assert.Equal(2, none.Code);
            Assert.Contains("no model matches 'resnet' (models: squeezenet_v1_1) [ModelNotFound]", none.Err);

            using var dir = new Operations.TempDir();
            File.WriteAllText(dir.File("mace.yml"), ConfigFixtures.Valid.Replace("runtime: gpu", "runtime: gpuu"));
            var (code, stdout, stderr) = Run(dir.Path, "config", "show", "mace.yml");
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Equal($"macetools: error: {dir.File("mace.yml")}:15:14: models.net.runtime: 'gpuu' is not one of cpu, gpu, dsp, hta, apu, htp, cpu+gpu [ConfigInvalid]", stderr.Trim());

            var json = Run(dir.Path, "config", "show", "mace.yml", "--json");
            var error = JsonLine(json.Err).GetProperty("error");
            Assert.Equal("ConfigInvalid", error.GetProperty("id").GetString());
            Assert.Equal("InvalidData", error.GetProperty("category").GetString());

            var missing = Run(dir.Path, "config", "show", "nothing.yml");
            Assert.Equal(2, missing.Code);
            Assert.Contains("[FileNotFound]", missing.Err);
        }

        [Fact]
        public void Config_show_writes_warnings_on_stderr_and_exits_0()
        {
            using var dir = new Operations.TempDir();
            File.WriteAllText(dir.File("mace.yml"), ConfigFixtures.Valid + "    gpu_perf_hint: 3\n");
            var (code, stdout, stderr) = Run(dir.Path, "config", "show", "mace.yml");
            Assert.Equal(0, code);
            Assert.Contains("    Other keys ", stdout);
            Assert.Contains("gpu_perf_hint=3", stdout);
            Assert.Equal($"macetools: warning: {dir.File("mace.yml")}:16:5: models.net.gpu_perf_hint: unknown model key, ignored by MACE", stderr.Trim());
        }

        [Fact]
        public void Config_test_passes_the_real_files_and_exits_0()
        {
            var (code, stdout, stderr) = Run(null, new[] { "config", "test" }.Concat(ConfigFixtures.All.Select(ConfigFixtures.Path)).ToArray());
            Assert.True(code == 0, stderr);
            var lines = Lines(stdout).Where(l => l.Length > 0).ToList();
            Assert.Equal(4, lines.Count);
            Assert.All(lines, l => Assert.EndsWith(": PASS (v0.9+, 0 errors, 0 warnings)", l));
        }

        [Fact]
        public void Config_test_lists_every_finding_and_exits_1_when_a_file_has_errors()
        {
            using var dir = new Operations.TempDir();
            File.WriteAllText(dir.File("bad.yml"), ConfigFixtures.Valid.Replace("runtime: gpu", "runtime: gpuu") + "    winograd: 3\n    colour: red\n");
            File.WriteAllText(dir.File("warn.yml"), ConfigFixtures.Valid + "    colour: red\n");
            var (code, stdout, stderr) = Run(dir.Path, "config", "test", "bad.yml", "warn.yml");
            Assert.Equal(1, code);
            Assert.Equal("", stderr);
            Assert.Equal(new[]
            {
                $"{dir.File("bad.yml")}: FAIL (v0.9+, 2 errors, 1 warnings)",
                "  error 15:14 BadValue: models.net.runtime: 'gpuu' is not one of cpu, gpu, dsp, hta, apu, htp, cpu+gpu",
                "  error 16:15 BadValue: models.net.winograd: '3' is not one of 0, 2, 4",
                "  warning 17:5 UnknownKey: models.net.colour: unknown model key, ignored by MACE",
                $"{dir.File("warn.yml")}: PASS (v0.9+, 0 errors, 1 warnings)",
                "  warning 16:5 UnknownKey: models.net.colour: unknown model key, ignored by MACE",
            }, Lines(stdout).Where(l => l.Length > 0));

            // Warnings alone do not fail a file.
            Assert.Equal(0, Run(dir.Path, "config", "test", "warn.yml").Code);
        }

        [Fact]
        public void Config_test_json_holds_the_findings_with_positions()
        {
            using var dir = new Operations.TempDir();
            File.WriteAllText(dir.File("bad.yml"), ConfigFixtures.Valid.Replace("input_shapes: 1,3,224,224", "input_shapes: 1,a,3"));
            var (code, stdout, _) = Run(dir.Path, "config", "test", "bad.yml", "--json");
            Assert.Equal(1, code);
            var r = JsonLine(stdout);
            Assert.False(r.GetProperty("passed").GetBoolean());
            Assert.Equal(1, r.GetProperty("errorCount").GetInt32());
            var f = r.GetProperty("findings")[0];
            Assert.Equal("Error", f.GetProperty("severity").GetString());
            Assert.Equal("BadValue", f.GetProperty("code").GetString());
            Assert.Equal("models.net.subgraphs[0].input_shapes", f.GetProperty("key").GetString());
            Assert.Equal(12, f.GetProperty("line").GetInt32());
            Assert.Equal(23, f.GetProperty("column").GetInt32());
            Assert.Equal("'1,a,3' is not a shape: 'a' is not an integer (a shape is comma-separated integers such as 1,224,224,3)", f.GetProperty("message").GetString());
        }

        [Fact]
        public void Config_test_fetch_reports_an_unreachable_URL_and_exits_1()
        {
            using var dir = new Operations.TempDir();
            string url = TinyHttpServer.RefusedUrl("/net.onnx");
            File.WriteAllText(dir.File("mace.yml"), ConfigFixtures.Valid.Replace("model_file_path: net.onnx", "model_file_path: " + url));
            var (code, stdout, stderr) = Run(dir.Path, "config", "test", "mace.yml", "--fetch");
            Assert.Equal(1, code);
            Assert.Contains($"  error 8:22 DownloadFailed: models.net.model_file_path: {url}: cannot download: ", stdout);
            Assert.Contains($"macetools: {url}: downloading to ", stderr);
        }

        [Fact]
        public void Config_test_of_a_missing_file_exits_2()
        {
            var (code, _, stderr) = Run(null, "config", "test", "/nonexistent/mace.yml");
            Assert.Equal(2, code);
            Assert.Contains("[FileNotFound]", stderr);
        }
    }
}
