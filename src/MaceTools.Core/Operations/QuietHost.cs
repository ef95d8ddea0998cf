using System;
using System.Collections.Generic;
using System.Threading;

namespace MaceTools.Operations
{
    /// <summary>
    /// The host of an operation run inside something else (a benchmark, the agent on a device): keeps the objects, answers
    /// yes to every ShouldProcess, and hands verbose lines and warnings to <c>log</c>. Errors are thrown unless they are
    /// logged too (<c>logErrors</c>), for callers that report them in their own answer.
    /// </summary>
    public sealed class QuietHost : IOperationHost
    {
        private readonly Action<string>? _log;
        private readonly bool _logErrors;

        public QuietHost(Action<string>? log = null, bool logErrors = false, CancellationToken cancel = default, string? currentDirectory = null)
        {
            _log = log;
            _logErrors = logErrors;
            CancellationToken = cancel;
            CurrentDirectory = currentDirectory ?? Environment.CurrentDirectory;
        }

        public List<object> Objects { get; } = new List<object>();

        public void WriteObject(object item) => Objects.Add(item);

        public void WriteError(MaceException error)
        {
            if (!_logErrors) throw error;
            _log?.Invoke("error: " + error.Message);
        }

        public void WriteWarning(string message) => _log?.Invoke("warning: " + message);
        public void WriteVerbose(string message) => _log?.Invoke(message);
        public void WriteDebug(string message) { }
        public void WriteProgress(OperationProgress progress) { }
        public bool ShouldProcess(string target, string action) => true;
        public CancellationToken CancellationToken { get; }
        public string CurrentDirectory { get; }
    }
}
