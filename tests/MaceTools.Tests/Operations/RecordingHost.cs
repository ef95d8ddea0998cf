using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using MaceTools.Operations;

namespace MaceTools.Tests.Operations
{
    /// <summary>An <see cref="IOperationHost"/> that records everything an operation does, and answers ShouldProcess as told.</summary>
    public sealed class RecordingHost : IOperationHost
    {
        public RecordingHost(string? currentDirectory = null, bool shouldProcess = true)
        {
            CurrentDirectory = currentDirectory ?? Directory.GetCurrentDirectory();
            Answer = shouldProcess;
        }

        public bool Answer { get; set; }
        public List<object> Objects { get; } = new List<object>();
        public List<MaceException> Errors { get; } = new List<MaceException>();
        public List<string> Warnings { get; } = new List<string>();
        public List<string> Verbose { get; } = new List<string>();
        public List<string> Debug { get; } = new List<string>();
        public List<OperationProgress> Progress { get; } = new List<OperationProgress>();
        public List<(string Target, string Action)> ShouldProcessCalls { get; } = new List<(string, string)>();
        public CancellationTokenSource Cancellation { get; } = new CancellationTokenSource();

        public IEnumerable<T> Of<T>() => Objects.OfType<T>();

        public void WriteObject(object item) => Objects.Add(item);
        public void WriteError(MaceException error) => Errors.Add(error);
        public void WriteWarning(string message) => Warnings.Add(message);
        public void WriteVerbose(string message) => Verbose.Add(message);
        public void WriteDebug(string message) => Debug.Add(message);
        public void WriteProgress(OperationProgress progress) => Progress.Add(progress);

        public bool ShouldProcess(string target, string action)
        {
            ShouldProcessCalls.Add((target, action));
            return Answer;
        }

        public CancellationToken CancellationToken => Cancellation.Token;
        public string CurrentDirectory { get; }
    }

    /// <summary>A temporary directory per test, removed afterwards.</summary>
    public sealed class TempDir : System.IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "macetools-test-" + System.Guid.NewGuid().ToString("N").Substring(0, 10));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }
        public string File(string name) => System.IO.Path.Combine(Path, name);
        public string Copy(string fixture) { string p = File(fixture); System.IO.File.Copy(Fixtures.Path(fixture), p); return p; }
        public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
    }
}
