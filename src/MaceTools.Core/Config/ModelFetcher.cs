using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using MaceTools.Formats;

namespace MaceTools.Config
{
    /// <summary>The files a model needs, on the local disk.</summary>
    public sealed class MaceModelFiles
    {
        public MaceModelFiles(string modelFile, string? weightFile)
        {
            ModelFile = modelFile;
            WeightFile = weightFile;
        }

        /// <summary>The model file (.pb, .onnx, .prototxt …): the local file or the cached download.</summary>
        public string ModelFile { get; }
        /// <summary>The weight file (Caffe's .caffemodel), or null.</summary>
        public string? WeightFile { get; }
    }

    /// <summary>
    /// Resolves a model's <c>model_file_path</c> and <c>weight_file_path</c> to local files: a local path is taken relative to the
    /// deployment file's directory (MACE's converter takes it relative to its working directory); an http(s) URL is downloaded
    /// once into a cache directory and reused. Every file is checked against its SHA-256 checksum from the deployment file,
    /// a cached file again before each use: a damaged cached file is downloaded again, a download that does not match is
    /// deleted and reported with both hashes.
    /// </summary>
    /// <remarks>
    /// Downloads go to a temporary file in the cache directory that is renamed into place only once complete and verified, so
    /// an interrupted download never leaves a file that looks cached. Callbacks (<see cref="Log"/>, <see cref="Progress"/>) come
    /// on the calling thread.
    /// </remarks>
    public sealed class ModelFetcher : IDisposable
    {
        /// <summary>The environment variable that names the cache directory.</summary>
        public const string CacheVariable = "MACETOOLS_MODEL_CACHE";

        private readonly HttpClient _client;

        /// <param name="cacheDirectory">Where downloads are kept; default <see cref="DefaultCacheDirectory"/>.</param>
        /// <param name="handler">The HTTP handler (tests, proxies); default: the platform's, with the system proxy settings.</param>
        public ModelFetcher(string? cacheDirectory = null, HttpMessageHandler? handler = null)
        {
            CacheDirectory = cacheDirectory ?? DefaultCacheDirectory();
            // Redirects are followed by Get, within MaxRedirects and never from https to http, not by the handler.
            handler ??= new HttpClientHandler();
            if (handler is HttpClientHandler h) h.AllowAutoRedirect = false;
            _client = new HttpClient(handler, disposeHandler: true);
            _client.Timeout = System.Threading.Timeout.InfiniteTimeSpan; // Timeout below covers the headers and every pause of the body
            _client.DefaultRequestHeaders.UserAgent.ParseAdd("MaceTools/" + (typeof(ModelFetcher).Assembly.GetName().Version?.ToString(3) ?? "0"));
        }

        public string CacheDirectory { get; }

        /// <summary>The environment variable that sets <see cref="MaxDownloadBytes"/> (a byte count).</summary>
        public const string MaxDownloadVariable = "MACETOOLS_MAX_DOWNLOAD";

        /// <summary>
        /// The most bytes one download may bring when the server declares no length, and the most it may declare (default
        /// 2 GiB: protobuf, and so an ONNX or TensorFlow model file, cannot be larger; <c>MACETOOLS_MAX_DOWNLOAD</c> changes it).
        /// A server that declares a length may not send more than it declared.
        /// </summary>
        public long MaxDownloadBytes { get; set; } = DefaultMaxDownloadBytes();

        /// <summary>How many redirects a download follows (default 10); a loop ends there with an error.</summary>
        public int MaxRedirects { get; set; } = 10;

        private static long DefaultMaxDownloadBytes()
        {
            string? env = Environment.GetEnvironmentVariable(MaxDownloadVariable);
            if (!string.IsNullOrEmpty(env))
            {
                if (long.TryParse(env, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long bytes) && bytes > 0) return bytes;
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, $"{MaxDownloadVariable}='{env}' is not a positive byte count", MaxDownloadVariable);
            }
            return 2L << 30;
        }

        /// <summary>How long a download may wait for the response headers or for the next bytes of the body (default 2 minutes).</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>Receives one line per action (cache hit, download, re-download).</summary>
        public Action<string>? Log { get; set; }

        /// <summary>Receives the URL, the bytes received so far and the total length when the server gives it.</summary>
        public Action<string, long, long?>? Progress { get; set; }

        /// <summary><c>MACETOOLS_MODEL_CACHE</c>, else $XDG_CACHE_HOME/macetools/models, else ~/.cache/macetools/models (LocalAppData on Windows).</summary>
        public static string DefaultCacheDirectory()
        {
            string? env = Environment.GetEnvironmentVariable(CacheVariable);
            if (!string.IsNullOrEmpty(env)) return env!;
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrEmpty(xdg) ? xdg!
                : Environment.OSVersion.Platform == PlatformID.Win32NT ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "macetools", "models");
        }

        /// <summary>Whether a model path is an http(s) URL (MACE's test: the prefix http:// or https://).</summary>
        public static bool IsUrl(string? path) =>
            path != null && (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase));

        /// <summary>The model file and, if the model has one, the weight file, verified against the model's checksums.</summary>
        public MaceModelFiles Fetch(MaceModelConfig model, CancellationToken cancellationToken = default)
        {
            string baseDirectory = Path.GetDirectoryName(Path.GetFullPath(model.ConfigPath)) ?? ".";
            string modelFile = Resolve(model.ModelFilePath, model.ModelSha256, baseDirectory, cancellationToken);
            string? weightFile = string.IsNullOrEmpty(model.WeightFilePath) ? null : Resolve(model.WeightFilePath!, model.WeightSha256, baseDirectory, cancellationToken);
            return new MaceModelFiles(modelFile, weightFile);
        }

        /// <summary>
        /// A local file (relative to <paramref name="baseDirectory"/>) or a URL, as a verified local file. With a null
        /// <paramref name="sha256"/> nothing is verified (MACE always has one).
        /// </summary>
        public string Resolve(string pathOrUrl, string? sha256, string baseDirectory, CancellationToken cancellationToken = default)
        {
            string? expected = string.IsNullOrEmpty(sha256) ? null : sha256!.ToLowerInvariant();
            if (!IsUrl(pathOrUrl)) return ResolveLocal(pathOrUrl, expected, baseDirectory);

            string cached = CachePathFor(pathOrUrl, expected);
            if (File.Exists(cached))
            {
                if (expected == null)
                {
                    Log?.Invoke($"{pathOrUrl}: cached as {cached} (no checksum to verify)");
                    return cached;
                }
                string actual = Sha256OfFile(cached);
                if (actual == expected)
                {
                    Log?.Invoke($"{pathOrUrl}: cached as {cached}, SHA-256 verified");
                    return cached;
                }
                Log?.Invoke($"{pathOrUrl}: the cached {cached} is damaged (SHA-256 {actual}, expected {expected}); downloading it again");
                TryDelete(cached);
            }
            Download(pathOrUrl, cached, expected, cancellationToken);
            return cached;
        }

        /// <summary>The cache file of a URL: named by its SHA-256 when known (content-addressed), else by the URL's hash; the URL's extension is kept.</summary>
        public string CachePathFor(string url, string? sha256)
        {
            string name = !string.IsNullOrEmpty(sha256) ? sha256!.ToLowerInvariant() : "url-" + HexSha256(Encoding.UTF8.GetBytes(url)).Substring(0, 32);
            return Path.Combine(CacheDirectory, name + Extension(url));
        }

        /// <summary>The lower-case hex SHA-256 of a file.</summary>
        public static string Sha256OfFile(string path) => Hashing.Sha256File(path, Formats.InputKind.Model);

        public void Dispose() => _client.Dispose();

        private string ResolveLocal(string path, string? expected, string baseDirectory)
        {
            string full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path));
            if (!File.Exists(full))
                throw new MaceException(ErrorIds.FileNotFound, MaceErrorCategory.ObjectNotFound,
                    $"{path}: model file not found ({full}; a relative path is taken from the deployment file's directory)", path);
            if (expected != null)
            {
                string actual = Sha256OfFile(full);
                if (actual != expected)
                    throw new MaceException(ErrorIds.ChecksumMismatch, MaceErrorCategory.InvalidData,
                        $"{full}: SHA-256 is {actual}, but the deployment file expects {expected}", path);
            }
            Log?.Invoke($"{path}: {full}{(expected == null ? "" : ", SHA-256 verified")}");
            return full;
        }

        private void Download(string url, string destination, string? expected, CancellationToken cancellationToken)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
                throw new MaceException(ErrorIds.DownloadFailed, MaceErrorCategory.InvalidArgument, $"{url}: not a valid URL", url);
            Log?.Invoke($"{url}: downloading to {destination}");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            HttpResponseMessage? response = null;
            try
            {
                response = Get(url, uri, timeout, cancellationToken);
                long? length = response.Content.Headers.ContentLength;
                if (length > MaxDownloadBytes)
                    throw Failed(url, $"the server declares {length:N0} bytes, more than the download cap of {MaxDownloadBytes:N0} bytes ({MaxDownloadVariable} raises it)");
                // The declared length when there is one (a server that sends more is lying), else the cap.
                long limit = length ?? MaxDownloadBytes;

                // The cache directory is made only once there is something to put in it.
                try { Directory.CreateDirectory(CacheDirectory); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw new MaceException(ErrorIds.WriteFailed, MaceErrorCategory.WriteError, $"{CacheDirectory}: cannot create the model cache: {e.Message}", CacheDirectory, e);
                }
                long received = 0;
                // The download goes to a temporary beside the cached file, which WriteAtomic removes on every way out (an error,
                // a cap exceeded, a bad checksum, Ctrl+C) and which a later download sweeps if this process is killed.
                using (timeout.Token.Register(() => response.Dispose()))
                    FileIO.WriteAtomic(destination, file =>
                    {
                        using var sha = SHA256.Create();
                        using var body = response.Content.ReadAsStreamAsync().GetAwaiter().GetResult();
                        var buffer = new byte[1 << 16];
                        while (true)
                        {
                            int n;
                            try { n = body.Read(buffer, 0, buffer.Length); }
                            catch (Exception e) when (e is IOException || e is ObjectDisposedException || e is HttpRequestException || e is OperationCanceledException)
                            {
                                cancellationToken.ThrowIfCancellationRequested();
                                if (timeout.IsCancellationRequested) throw Failed(url, $"no data for {Timeout.TotalSeconds:0} s after {received:N0} bytes");
                                throw Failed(url, $"the connection broke after {received:N0} bytes: {Innermost(e).Message}", e);
                            }
                            if (n == 0) break;
                            if (received + n > limit)
                                throw Failed(url, length.HasValue
                                    ? $"the server sent more than the {length:N0} bytes it declared; the download was deleted"
                                    : $"more than the download cap of {MaxDownloadBytes:N0} bytes ({MaxDownloadVariable} raises it); the download was deleted");
                            timeout.CancelAfter(Timeout);
                            cancellationToken.ThrowIfCancellationRequested();
                            file.Write(buffer, 0, n);
                            sha.TransformBlock(buffer, 0, n, null, 0);
                            received += n;
                            Progress?.Invoke(url, received, length);
                        }
                        sha.TransformFinalBlock(Array.Empty<byte>(), 0, 0);
                        string actual = Hashing.Hex(sha.Hash!);
                        if (length.HasValue && received != length.Value)
                            throw Failed(url, $"the download is truncated: {received:N0} of {length.Value:N0} bytes");
                        if (expected != null && actual != expected)
                            throw new MaceException(ErrorIds.ChecksumMismatch, MaceErrorCategory.InvalidData,
                                $"{url}: the download's SHA-256 is {actual}, but the deployment file expects {expected}; the download was deleted", url);
                    }, overwrite: true, cancellationToken);
                Log?.Invoke($"{url}: downloaded {received:N0} bytes{(expected == null ? "" : ", SHA-256 verified")}");
            }
            finally
            {
                response?.Dispose();
            }
        }

        /// <summary>The response to a GET of <paramref name="uri"/>, following at most <see cref="MaxRedirects"/> redirects (never from https to http).</summary>
        private HttpResponseMessage Get(string url, Uri uri, CancellationTokenSource timeout, CancellationToken cancellationToken)
        {
            for (int redirects = 0; ; redirects++)
            {
                HttpResponseMessage response;
                try
                {
                    response = _client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw Failed(url, $"no response within {Timeout.TotalSeconds:0} s");
                }
                catch (HttpRequestException e)
                {
                    throw Failed(url, Innermost(e).Message + " (offline, or the host refuses connections?)", e);
                }
                int status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode) return response;
                using (response)
                {
                    if (!(status == 301 || status == 302 || status == 303 || status == 307 || status == 308))
                        throw Failed(url, $"HTTP {status} {response.ReasonPhrase}");
                    var location = response.Headers.Location;
                    if (location == null) throw Failed(url, $"HTTP {status} redirect without a Location");
                    var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    if (redirects == MaxRedirects) throw Failed(url, $"more than {MaxRedirects} redirects (the last to {next})");
                    if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps) throw Failed(url, $"a redirect to {next}, which is not http(s)");
                    if (uri.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp) throw Failed(url, $"a redirect from https to {next} (plain http) is not followed");
                    Log?.Invoke($"{url}: HTTP {status}, redirected to {next}");
                    uri = next;
                }
            }
        }

        private static MaceException Failed(string url, string reason, Exception? inner = null) =>
            new MaceException(ErrorIds.DownloadFailed, MaceErrorCategory.ReadError, $"{url}: cannot download: {reason}", url, inner);

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e;
        }

        private static string Extension(string url)
        {
            string ext = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Path.GetExtension(uri.AbsolutePath) : "";
            return ext.Length > 1 && ext.Length <= 16 && ext.Skip(1).All(char.IsLetterOrDigit) ? ext : "";
        }

        private static string HexSha256(byte[] data)
        {
            using var sha = SHA256.Create();
            return Hashing.Hex(sha.ComputeHash(data));
        }

        private static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
