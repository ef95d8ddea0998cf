using System.IO;
using System.Linq;
using MaceTools.Config;
using MaceTools.Operations;
using MaceTools.Tests.Config;

namespace MaceTools.Tests.Operations
{
    /// <summary>Get-MaceConfig's and Test-MaceConfig's operations: objects, errors, warnings, the model filter and -Fetch.</summary>
    public class ConfigOperationTests
    {
        private static RecordingHost Run(FileOperation op, string? cwd = null)
        {
            var host = new RecordingHost(cwd);
            op.Run(host);
            return host;
        }

        private static string BadRuntime => ConfigFixtures.Valid.Replace("runtime: gpu", "runtime: gpuu");

        [Fact]
        public void GetConfig_writes_one_MaceConfig_per_file_with_progress()
        {
            var host = Run(new GetConfigOperation { Paths = ConfigFixtures.All.Select(ConfigFixtures.Path).ToList() });
            var configs = host.Of<MaceConfig>().ToList();
            Assert.Equal(4, configs.Count);
            Assert.Equal(ConfigFixtures.All.Select(ConfigFixtures.Path), configs.Select(c => c.Path));
            Assert.Empty(host.Errors);
            Assert.Empty(host.Warnings);
            Assert.True(host.Progress.Last().Completed);
            Assert.Contains(host.Verbose, v => v.EndsWith("mobilenet-v1.yml: schema generation v0.9+, 1 model(s)"));
        }

        [Fact]
        public void GetConfig_resolves_wildcards_relative_to_the_current_directory()
        {
            using var dir = new TempDir();
            foreach (var name in ConfigFixtures.All) File.Copy(ConfigFixtures.Path(name), dir.File(name));
            var host = Run(new GetConfigOperation { Paths = new[] { "*-v1*.yml" } }, dir.Path);
            Assert.Equal(new[] { "mobilenet-v1.yml" }, host.Of<MaceConfig>().Select(c => c.Name));
        }

        [Fact]
        public void GetConfig_filters_models_by_wildcard_and_a_pattern_without_a_model_is_ModelNotFound()
        {
            var host = Run(new GetConfigOperation { Paths = new[] { ConfigFixtures.Path(ConfigFixtures.Vgg16) }, Model = new[] { "VGG*", "resnet*" } });
            var config = Assert.Single(host.Of<MaceConfig>());
            Assert.Equal("vgg16_caffe_gpu", Assert.Single(config.Models).Name);
            var e = Assert.Single(host.Errors);
            Assert.Equal(ErrorIds.ModelNotFound, e.ErrorId);
            Assert.Equal(MaceErrorCategory.ObjectNotFound, e.Category);
            Assert.Equal($"{ConfigFixtures.Path(ConfigFixtures.Vgg16)}: no model matches 'resnet*' (models: vgg16_caffe_gpu)", e.Message);

            var none = Run(new GetConfigOperation { Paths = new[] { ConfigFixtures.Path(ConfigFixtures.Vgg16) }, Model = new[] { "resnet*" } });
            Assert.Empty(none.Objects);
            Assert.Single(none.Errors);
        }

        [Fact]
        public void GetConfig_reports_a_broken_file_as_one_error_and_goes_on_with_the_next()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("bad.yml"), BadRuntime);
            var host = Run(new GetConfigOperation { Paths = new[] { dir.File("bad.yml"), ConfigFixtures.Path(ConfigFixtures.MobileNet), dir.File("missing.yml") } });
            Assert.Single(host.Of<MaceConfig>());
            // Paths are resolved first (the missing one), then each file is read.
            Assert.Equal(new[] { ErrorIds.FileNotFound, ErrorIds.ConfigInvalid }, host.Errors.Select(e => e.ErrorId));
            var invalid = Assert.IsType<MaceConfigException>(host.Errors[1]);
            Assert.Equal($"{dir.File("bad.yml")}:15:14: models.net.runtime: 'gpuu' is not one of cpu, gpu, dsp, hta, apu, htp, cpu+gpu", invalid.Message);
            Assert.Equal(dir.File("bad.yml"), invalid.Target);
        }

        [Fact]
        public void GetConfig_writes_the_warnings_of_a_file_and_still_returns_it()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("mace.yml"), ConfigFixtures.Valid + "    winnograd: 2\n");
            var host = Run(new GetConfigOperation { Paths = new[] { "mace.yml" } }, dir.Path);
            Assert.Single(host.Of<MaceConfig>());
            Assert.Equal($"{dir.File("mace.yml")}:16:5: models.net.winnograd: unknown model key, ignored by MACE (did you mean 'winograd'?)", Assert.Single(host.Warnings));
        }

        [Fact]
        public void TestConfig_reports_every_finding_per_file_and_never_throws_for_content()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("bad.yml"), BadRuntime + "    winograd: 3\n    colour: red\n");
            File.WriteAllText(dir.File("broken.yml"), "models: [\n");
            var host = Run(new TestConfigOperation { Paths = new[] { dir.File("bad.yml"), dir.File("broken.yml"), ConfigFixtures.Path(ConfigFixtures.Inception) } });
            Assert.Empty(host.Errors);
            var results = host.Of<MaceConfigTestResult>().ToList();
            Assert.Equal(3, results.Count);

            Assert.False(results[0].Passed);
            Assert.Equal((2, 1), (results[0].ErrorCount, results[0].WarningCount));
            Assert.Equal(MaceConfigGeneration.V0_9, results[0].Generation);
            Assert.Empty(results[0].Models);
            Assert.Equal(new[] { "15:14", "16:15", "17:5" }, results[0].Findings.Select(f => $"{f.Line}:{f.Column}"));

            Assert.False(results[1].Passed);
            Assert.Null(results[1].Generation);
            Assert.Equal(ConfigFindingCodes.YamlSyntax, Assert.Single(results[1].Findings).Code);

            Assert.True(results[2].Passed);
            Assert.Equal(new[] { "inception_v3_quantize_retrain_dsp" }, results[2].Models);
            Assert.Equal(MaceConfigGeneration.V0_9, results[2].Generation);
        }

        [Fact]
        public void TestConfig_Quiet_writes_only_whether_each_file_passed()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("bad.yml"), BadRuntime);
            var host = Run(new TestConfigOperation { Paths = new[] { ConfigFixtures.Path(ConfigFixtures.MobileNet), dir.File("bad.yml") }, Quiet = true });
            Assert.Equal(new object[] { true, false }, host.Objects);
        }

        [Fact]
        public void TestConfig_Fetch_finds_local_models_and_reports_checksum_mismatches_at_the_key()
        {
            using var dir = new TempDir();
            byte[] model = { 1, 2, 3, 4 };
            File.WriteAllBytes(dir.File("net.onnx"), model);
            File.WriteAllText(dir.File("good.yml"), ConfigFixtures.Valid.Replace(ConfigFixtures.Sha, ModelFetcherTests.Sha(model)));
            File.WriteAllText(dir.File("wrong.yml"), ConfigFixtures.Valid);
            using var fetcher = ModelFetcherTests.NewFetcher(dir.File("cache"));
            var host = Run(new TestConfigOperation { Paths = new[] { dir.File("good.yml"), dir.File("wrong.yml") }, Fetch = true, Fetcher = fetcher });
            var results = host.Of<MaceConfigTestResult>().ToList();
            Assert.True(results[0].Passed);
            Assert.False(results[1].Passed);
            var f = Assert.Single(results[1].Findings);
            Assert.Equal(ErrorIds.ChecksumMismatch, f.Code);
            Assert.Equal("models.net.model_file_path", f.Key);
            Assert.Equal((8, 22), (f.Line, f.Column));
            Assert.Equal($"{dir.File("wrong.yml")}:8:22: models.net.model_file_path: {dir.File("net.onnx")}: SHA-256 is {ModelFetcherTests.Sha(model)}, but the deployment file expects {ConfigFixtures.Sha}", f.ToString());
            Assert.Contains(host.Verbose, v => v == $"net.onnx: {dir.File("net.onnx")}, SHA-256 verified");
        }

        [Fact]
        public void TestConfig_Fetch_reports_an_unreachable_model_URL_as_a_finding_naming_it()
        {
            using var dir = new TempDir();
            string url = TinyHttpServer.RefusedUrl("/vgg16.prototxt");
            string weightUrl = url.Replace("prototxt", "caffemodel");
            File.WriteAllText(dir.File("vgg16.yml"), File.ReadAllText(ConfigFixtures.Path(ConfigFixtures.Vgg16))
                .Replace("https://cnbj1.fds.api.xiaomi.com/mace/miai-models/vgg16/vgg16.prototxt", url)
                .Replace("https://cnbj1.fds.api.xiaomi.com/mace/miai-models/vgg16/vgg16.caffemodel", weightUrl));
            using var fetcher = ModelFetcherTests.NewFetcher(dir.File("cache"));
            var host = Run(new TestConfigOperation { Paths = new[] { dir.File("vgg16.yml") }, Fetch = true, Fetcher = fetcher });
            var result = Assert.Single(host.Of<MaceConfigTestResult>());
            Assert.Equal(new[] { ErrorIds.DownloadFailed, ErrorIds.DownloadFailed }, result.Findings.Select(f => f.Code));
            Assert.Equal(new[] { "models.vgg16_caffe_gpu.model_file_path", "models.vgg16_caffe_gpu.weight_file_path" }, result.Findings.Select(f => f.Key));
            Assert.Equal(new[] { 8, 10 }, result.Findings.Select(f => f.Line));
            Assert.StartsWith($"{url}: cannot download: ", result.Findings[0].Message);
            Assert.StartsWith($"{weightUrl}: cannot download: ", result.Findings[1].Message);
            Assert.Empty(host.Errors);
        }

        [Fact]
        public void TestConfig_Fetch_downloads_through_the_fetcher_with_progress()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            byte[] model = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
            server.Serve("/net.onnx", model);
            File.WriteAllText(dir.File("mace.yml"), ConfigFixtures.Valid.Replace("model_file_path: net.onnx", "model_file_path: " + server.Url("/net.onnx"))
                .Replace(ConfigFixtures.Sha, ModelFetcherTests.Sha(model)));
            using var fetcher = ModelFetcherTests.NewFetcher(dir.File("cache"));
            var host = Run(new TestConfigOperation { Paths = new[] { dir.File("mace.yml") }, Fetch = true, Fetcher = fetcher });
            Assert.True(Assert.Single(host.Of<MaceConfigTestResult>()).Passed);
            Assert.Contains(host.Progress, p => p.ActivityId == 2 && p.Status.EndsWith("100,000 of 100,000 bytes"));
            Assert.True(host.Progress.Last().Completed);
            Assert.Equal(1, server.Requests("/net.onnx"));
        }
    }
}
