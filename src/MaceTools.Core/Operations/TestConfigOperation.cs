using System.Collections.Generic;
using System.Linq;
using MaceTools.Config;

namespace MaceTools.Operations
{
    /// <summary>
    /// Test-MaceConfig / macetools config test: every error and warning of each deployment file against MACE's rules for
    /// its schema generation, as one <see cref="MaceConfigTestResult"/> per file. With <see cref="Fetch"/>, the model files
    /// of a file without errors are also found or downloaded and checked against their checksums.
    /// </summary>
    public sealed class TestConfigOperation : FileOperation
    {
        /// <summary>Emit only whether each file passed.</summary>
        public bool Quiet { get; set; }

        /// <summary>Also resolve every model's files (local, or downloaded into the model cache) and verify their SHA-256.</summary>
        public bool Fetch { get; set; }

        /// <summary>The fetcher used with <see cref="Fetch"/> (default: one over <see cref="ModelFetcher.DefaultCacheDirectory"/>).</summary>
        public ModelFetcher? Fetcher { get; set; }

        /// <summary>Where <c>${VAR}</c> values come from (default: the process environment).</summary>
        public System.Func<string, string?>? Environment { get; set; }

        protected override string Activity => "Testing MACE deployment files";

        protected override void ProcessFile(IOperationHost host, string path)
        {
            var reader = new MaceConfigReader();
            if (Environment != null) reader.Environment = Environment;
            var read = reader.ReadFile(path);
            var findings = read.Findings.ToList();
            if (Fetch && read.Config != null) findings.AddRange(FetchModels(host, read.Config));
            var result = new MaceConfigTestResult(path, read.Generation, findings, read.Config?.Models.Select(m => m.Name).ToArray());
            host.WriteObject(Quiet ? (object)result.Passed : result);
        }

        private IEnumerable<MaceConfigFinding> FetchModels(IOperationHost host, MaceConfig config)
        {
            var fetcher = Fetcher ?? new ModelFetcher();
            var findings = new List<MaceConfigFinding>();
            bool downloading = false;
            try
            {
                fetcher.Log = host.WriteVerbose;
                fetcher.Progress = (url, received, total) =>
                {
                    downloading = true;
                    host.WriteProgress(new OperationProgress(2, "Downloading models",
                        total.HasValue ? $"{url}: {received:N0} of {total.Value:N0} bytes" : $"{url}: {received:N0} bytes",
                        total.HasValue && total.Value > 0 ? (int)(100 * received / total.Value) : -1, parentActivityId: FileCount > 1 ? 1 : -1));
                };
                foreach (var model in config.Models)
                {
                    string baseDirectory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(config.Path)) ?? ".";
                    var files = new List<(string Key, string Path, string? Sha)> { ("model_file_path", model.ModelFilePath, model.ModelSha256) };
                    if (!string.IsNullOrEmpty(model.WeightFilePath)) files.Add(("weight_file_path", model.WeightFilePath!, model.WeightSha256));
                    foreach (var (key, file, sha) in files)
                    {
                        host.CancellationToken.ThrowIfCancellationRequested();
                        string keyPath = $"models.{model.Name}.{key}";
                        try
                        {
                            fetcher.Resolve(file, sha, baseDirectory, host.CancellationToken);
                        }
                        catch (MaceException e)
                        {
                            var (line, column) = config.PositionOf(keyPath);
                            findings.Add(new MaceConfigFinding(FindingSeverity.Error, e.ErrorId, config.Path, keyPath, line, column, e.Message));
                        }
                    }
                }
                if (downloading) host.WriteProgress(new OperationProgress(2, "Downloading models", "done", 100, completed: true));
            }
            finally
            {
                fetcher.Log = null;
                fetcher.Progress = null;
                if (Fetcher == null) fetcher.Dispose();
            }
            return findings;
        }
    }
}
