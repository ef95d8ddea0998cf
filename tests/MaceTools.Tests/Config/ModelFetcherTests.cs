using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using MaceTools.Config;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Config
{
    /// <summary>ModelFetcher against a loopback HTTP server of the test's own: cache, checksums, failures.</summary>
    public class ModelFetcherTests
    {
        private static readonly byte[] Model = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7 + i / 251)).ToArray();
        private static readonly byte[] Weights = Enumerable.Range(0, 5_000).Select(i => (byte)(i * 13)).ToArray();

        internal static string Sha(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

        internal static ModelFetcher NewFetcher(string cache, List<string>? log = null) =>
            new ModelFetcher(cache, new HttpClientHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30), Log = log == null ? null : log.Add };

        private static string[] CacheFiles(string cache) => Directory.Exists(cache) ? Directory.GetFiles(cache).Select(Path.GetFileName).Select(f => f!).OrderBy(f => f).ToArray() : Array.Empty<string>();

        [Fact]
        public void A_URL_is_downloaded_once_into_the_cache_named_by_its_checksum()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Serve("/models/net.onnx", Model);
            string url = server.Url("/models/net.onnx");
            string cache = dir.File("cache");
            var log = new List<string>();
            using (var fetcher = NewFetcher(cache, log))
            {
                string path = fetcher.Resolve(url, Sha(Model), dir.Path);
                Assert.Equal(Path.Combine(cache, Sha(Model) + ".onnx"), path);
                Assert.Equal(Model, File.ReadAllBytes(path));
                Assert.Equal(1, server.Requests("/models/net.onnx"));
                Assert.Contains(log, l => l == $"{url}: downloaded 200,000 bytes, SHA-256 verified");

                Assert.Equal(path, fetcher.Resolve(url, Sha(Model), dir.Path));
                Assert.Equal(1, server.Requests("/models/net.onnx"));
                Assert.Equal($"{url}: cached as {path}, SHA-256 verified", log.Last());
            }
            // Another fetcher over the same cache (a later run) makes no request either; no temporary file is left.
            using (var again = NewFetcher(cache))
                again.Resolve(url, Sha(Model), dir.Path);
            Assert.Equal(1, server.Requests("/models/net.onnx"));
            Assert.Equal(new[] { Sha(Model) + ".onnx" }, CacheFiles(cache));
        }

        [Fact]
        public void Progress_reports_the_bytes_received_and_the_total()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Serve("/net.pb", Model);
            var reports = new List<(long Received, long? Total)>();
            using var fetcher = NewFetcher(dir.File("cache"));
            fetcher.Progress = (url, received, total) => reports.Add((received, total));
            fetcher.Resolve(server.Url("/net.pb"), Sha(Model), dir.Path);
            Assert.NotEmpty(reports);
            Assert.Equal((200_000L, (long?)200_000), reports.Last());
            Assert.Equal(reports.Select(r => r.Received).OrderBy(r => r), reports.Select(r => r.Received));
        }

        [Fact]
        public void A_checksum_mismatch_shows_both_hashes_and_the_URL_and_the_download_is_deleted()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Serve("/net.onnx", Model);
            string url = server.Url("/net.onnx");
            using var fetcher = NewFetcher(dir.File("cache"));
            var e = Assert.Throws<MaceException>(() => fetcher.Resolve(url, Sha(Weights), dir.Path));
            Assert.Equal(ErrorIds.ChecksumMismatch, e.ErrorId);
            Assert.Equal(MaceErrorCategory.InvalidData, e.Category);
            Assert.Equal($"{url}: the download's SHA-256 is {Sha(Model)}, but the deployment file expects {Sha(Weights)}; the download was deleted", e.Message);
            Assert.Equal(url, e.Target);
            Assert.Empty(CacheFiles(dir.File("cache")));
        }

        [Fact]
        public void A_refused_connection_is_DownloadFailed_naming_the_URL()
        {
            using var dir = new TempDir();
            string url = TinyHttpServer.RefusedUrl("/net.onnx");
            using var fetcher = NewFetcher(dir.File("cache"));
            var e = Assert.Throws<MaceException>(() => fetcher.Resolve(url, Sha(Model), dir.Path));
            Assert.Equal(ErrorIds.DownloadFailed, e.ErrorId);
            Assert.Equal(MaceErrorCategory.ReadError, e.Category);
            Assert.StartsWith($"{url}: cannot download: ", e.Message);
            Assert.EndsWith("(offline, or the host refuses connections?)", e.Message);
            Assert.Equal(url, e.Target);
            Assert.Empty(CacheFiles(dir.File("cache")));
        }

        [Fact]
        public void An_HTTP_error_status_is_DownloadFailed_with_the_status()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Fail("/gone.onnx", 404);
            string url = server.Url("/gone.onnx");
            using var fetcher = NewFetcher(dir.File("cache"));
            var e = Assert.Throws<MaceException>(() => fetcher.Resolve(url, Sha(Model), dir.Path));
            Assert.Equal(ErrorIds.DownloadFailed, e.ErrorId);
            Assert.Equal($"{url}: cannot download: HTTP 404 Not Found", e.Message);
            Assert.Empty(CacheFiles(dir.File("cache")));
        }

        [Fact]
        public void A_connection_that_breaks_mid_body_is_DownloadFailed_and_leaves_nothing_cached()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Cut("/cut.onnx", Model, 70_000);
            string url = server.Url("/cut.onnx");
            using var fetcher = NewFetcher(dir.File("cache"));
            var e = Assert.Throws<MaceException>(() => fetcher.Resolve(url, Sha(Model), dir.Path));
            Assert.Equal(ErrorIds.DownloadFailed, e.ErrorId);
            Assert.StartsWith($"{url}: cannot download: ", e.Message);
            Assert.Contains("70,000", e.Message);
            Assert.Empty(CacheFiles(dir.File("cache")));
        }

        [Fact]
        public void A_damaged_cached_file_is_verified_before_use_and_downloaded_again()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Serve("/net.onnx", Model);
            string url = server.Url("/net.onnx");
            var log = new List<string>();
            using var fetcher = NewFetcher(dir.File("cache"), log);
            string path = fetcher.Resolve(url, Sha(Model), dir.Path);
            var damaged = (byte[])Model.Clone();
            damaged[12345] ^= 0xFF;
            File.WriteAllBytes(path, damaged);

            Assert.Equal(path, fetcher.Resolve(url, Sha(Model), dir.Path));
            Assert.Equal(2, server.Requests("/net.onnx"));
            Assert.Equal(Model, File.ReadAllBytes(path));
            Assert.Contains(log, l => l == $"{url}: the cached {path} is damaged (SHA-256 {Sha(damaged)}, expected {Sha(Model)}); downloading it again");
        }

        [Fact]
        public void Without_a_checksum_the_cache_file_is_named_by_the_URL_and_reused_unverified()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Serve("/w/net.caffemodel", Weights);
            string url = server.Url("/w/net.caffemodel");
            using var fetcher = NewFetcher(dir.File("cache"));
            string path = fetcher.Resolve(url, null, dir.Path);
            Assert.Equal(fetcher.CachePathFor(url, null), path);
            Assert.Matches("^url-[0-9a-f]{32}\\.caffemodel$", Path.GetFileName(path));
            fetcher.Resolve(url, null, dir.Path);
            Assert.Equal(1, server.Requests("/w/net.caffemodel"));
        }

        [Fact]
        public void Local_paths_are_taken_from_the_deployment_files_directory_and_verified()
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(dir.File("models"));
            File.WriteAllBytes(dir.File("models/net.onnx"), Model);
            string yml = dir.File("mace.yml");
            File.WriteAllText(yml, ConfigFixtures.Valid.Replace("model_file_path: net.onnx", "model_file_path: models/net.onnx").Replace(ConfigFixtures.Sha, Sha(Model)));
            var model = MaceConfigReader.Read(yml).Models[0];
            using var fetcher = NewFetcher(dir.File("cache"));
            var files = fetcher.Fetch(model);
            Assert.Equal(Path.GetFullPath(dir.File("models/net.onnx")), files.ModelFile);
            Assert.Null(files.WeightFile);
            Assert.Empty(CacheFiles(dir.File("cache")));

            var e = Assert.Throws<MaceException>(() => fetcher.Resolve("models/net.onnx", Sha(Weights), dir.Path));
            Assert.Equal(ErrorIds.ChecksumMismatch, e.ErrorId);
            Assert.Equal($"{Path.GetFullPath(dir.File("models/net.onnx"))}: SHA-256 is {Sha(Model)}, but the deployment file expects {Sha(Weights)}", e.Message);

            var missing = Assert.Throws<MaceException>(() => fetcher.Resolve("models/other.onnx", Sha(Model), dir.Path));
            Assert.Equal(ErrorIds.FileNotFound, missing.ErrorId);
            Assert.StartsWith("models/other.onnx: model file not found (", missing.Message);
        }

        [Fact]
        public void Fetch_gives_the_model_and_weight_files_of_a_config()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Serve("/vgg/vgg16.prototxt", Model);
            server.Serve("/vgg/vgg16.caffemodel", Weights);
            string yml = dir.File("mace.yml");
            File.WriteAllText(yml, ConfigFixtures.Valid
                .Replace("platform: onnx", "platform: caffe")
                .Replace("model_file_path: net.onnx", "model_file_path: " + server.Url("/vgg/vgg16.prototxt"))
                .Replace("    model_sha256_checksum: " + ConfigFixtures.Sha + "\n",
                    $"    model_sha256_checksum: {Sha(Model)}\n    weight_file_path: {server.Url("/vgg/vgg16.caffemodel")}\n    weight_sha256_checksum: {Sha(Weights)}\n"));
            var model = MaceConfigReader.Read(yml).Models[0];
            Assert.True(model.IsRemote);
            using var fetcher = NewFetcher(dir.File("cache"));
            var files = fetcher.Fetch(model);
            Assert.Equal(Weights, File.ReadAllBytes(files.WeightFile!));
            Assert.Equal(Model, File.ReadAllBytes(files.ModelFile));
            Assert.Equal(new[] { Sha(Weights) + ".caffemodel", Sha(Model) + ".prototxt" }.OrderBy(f => f), CacheFiles(dir.File("cache")));
        }

        [Fact]
        public void Cancellation_stops_a_download()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Serve("/net.onnx", Model);
            using var fetcher = NewFetcher(dir.File("cache"));
            using var cts = new System.Threading.CancellationTokenSource();
            cts.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => fetcher.Resolve(server.Url("/net.onnx"), Sha(Model), dir.Path, cts.Token));
            Assert.Empty(CacheFiles(dir.File("cache")));
        }

        private static string[] AllCacheFiles(string cache) =>
            Directory.Exists(cache) ? Directory.GetFiles(cache, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Select(f => f!).ToArray() : Array.Empty<string>();

        [Fact]
        public void A_302_redirect_is_followed_relative_or_absolute()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Serve("/models/net.onnx", Model);
            server.Redirect("/old/net.onnx", "/models/net.onnx");
            server.Redirect("/older/net.onnx", server.Url("/old/net.onnx"), 301);
            using var fetcher = NewFetcher(dir.File("cache"));
            string path = fetcher.Resolve(server.Url("/older/net.onnx"), Sha(Model), dir.Path);
            Assert.Equal(Model, File.ReadAllBytes(path));
            Assert.Equal(1, server.Requests("/models/net.onnx"));
        }

        [Fact]
        public void A_redirect_loop_ends_after_the_redirect_limit_with_nothing_cached()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Redirect("/a", "/b");
            server.Redirect("/b", "/a");
            using var fetcher = NewFetcher(dir.File("cache"));
            var e = Assert.Throws<MaceException>(() => fetcher.Resolve(server.Url("/a"), Sha(Model), dir.Path));
            Assert.Equal(ErrorIds.DownloadFailed, e.ErrorId);
            Assert.Equal($"{server.Url("/a")}: cannot download: more than 10 redirects (the last to {server.Url("/b")})", e.Message);
            Assert.Equal(11, server.Requests("/a") + server.Requests("/b"));
            Assert.Empty(AllCacheFiles(dir.File("cache")));
        }

        [Fact]
        public void A_server_that_streams_forever_is_cut_at_the_download_cap_and_its_partial_file_deleted()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Endless("/forever.onnx");
            using var fetcher = NewFetcher(dir.File("cache"));
            fetcher.MaxDownloadBytes = 5 << 20;
            long most = 0;
            fetcher.Progress = (_, received, _) => most = Math.Max(most, received);
            var e = Assert.Throws<MaceException>(() => fetcher.Resolve(server.Url("/forever.onnx"), null, dir.Path));
            Assert.Equal(ErrorIds.DownloadFailed, e.ErrorId);
            Assert.EndsWith("cannot download: more than the download cap of 5,242,880 bytes (MACETOOLS_MAX_DOWNLOAD raises it); the download was deleted", e.Message);
            Assert.True(most <= 5 << 20, $"{most} bytes stored");
            Assert.Empty(AllCacheFiles(dir.File("cache")));
        }

        [Fact]
        public void A_declared_length_over_the_cap_is_refused_before_any_byte_is_stored()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Lie("/huge.onnx", Model, 3L << 30);
            using var fetcher = NewFetcher(dir.File("cache"));
            var e = Assert.Throws<MaceException>(() => fetcher.Resolve(server.Url("/huge.onnx"), null, dir.Path));
            Assert.EndsWith("cannot download: the server declares 3,221,225,472 bytes, more than the download cap of 2,147,483,648 bytes (MACETOOLS_MAX_DOWNLOAD raises it)", e.Message);
            Assert.Empty(AllCacheFiles(dir.File("cache")));
        }

        [Fact]
        public void A_server_that_sends_more_than_it_declares_gets_no_more_than_the_declared_bytes_stored()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Lie("/liar.onnx", Model, 100_000);
            using var fetcher = NewFetcher(dir.File("cache"));
            // With a checksum the short file is refused; without one, what is kept is what was declared.
            Assert.Equal(ErrorIds.ChecksumMismatch, Assert.Throws<MaceException>(() => fetcher.Resolve(server.Url("/liar.onnx"), Sha(Model), dir.Path)).ErrorId);
            Assert.Empty(AllCacheFiles(dir.File("cache")));
            string path = fetcher.Resolve(server.Url("/liar.onnx"), null, dir.Path);
            Assert.Equal(Model.Take(100_000), File.ReadAllBytes(path));
        }

        [Fact]
        public void Cancelling_in_the_middle_of_a_download_deletes_the_partial_file()
        {
            using var dir = new TempDir();
            using var server = new TinyHttpServer();
            server.Endless("/forever.onnx");
            using var fetcher = NewFetcher(dir.File("cache"));
            using var cts = new System.Threading.CancellationTokenSource();
            fetcher.Progress = (_, received, _) => { if (received > 1 << 20) cts.Cancel(); }; // as Ctrl+C would, with bytes on disk
            Assert.ThrowsAny<OperationCanceledException>(() => fetcher.Resolve(server.Url("/forever.onnx"), null, dir.Path, cts.Token));
            Assert.True(Directory.Exists(dir.File("cache")));
            Assert.Empty(AllCacheFiles(dir.File("cache")));
        }

        [Theory]
        [InlineData("https://cnbj1.fds.api.xiaomi.com/mace/net.pb", true)]
        [InlineData("HTTP://host/net.pb", true)]
        [InlineData("models/net.pb", false)]
        [InlineData("/abs/net.pb", false)]
        [InlineData("ftp://host/net.pb", false)]
        public void IsUrl_is_MACEs_http_prefix_test(string path, bool url) => Assert.Equal(url, ModelFetcher.IsUrl(path));
    }
}
