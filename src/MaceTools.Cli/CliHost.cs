using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using MaceTools.Operations;

namespace MaceTools.Cli
{
    /// <summary>
    /// The command line's <see cref="IOperationHost"/>: collects output objects, prints errors and warnings on stderr
    /// (as JSON lines with --json), answers ShouldProcess from --what-if, and turns Ctrl+C into cancellation.
    /// </summary>
    internal sealed class CliHost : IOperationHost
    {
        private readonly TextWriter _err;
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        public CliHost(TextWriter error, bool json, bool whatIf, bool verbose, string? currentDirectory = null)
        {
            _err = error;
            Json = json;
            WhatIf = whatIf;
            Verbose = verbose;
            CurrentDirectory = currentDirectory ?? Environment.CurrentDirectory;
            ShowProgress = !Console.IsErrorRedirected && !json;
        }

        public bool Json { get; }
        public bool WhatIf { get; }
        public bool Verbose { get; }
        public bool ShowProgress { get; set; }
        public List<object> Output { get; } = new List<object>();
        public List<MaceException> Errors { get; } = new List<MaceException>();
        public CancellationToken CancellationToken => _cancel.Token;
        public string CurrentDirectory { get; }

        public void Cancel() => _cancel.Cancel();

        public void WriteObject(object item) => Output.Add(item);

        public void WriteError(MaceException error)
        {
            Errors.Add(error);
            if (Json) _err.WriteLine(JsonSerializer.Serialize(new { error = ErrorJson(error) }, JsonOptions));
            else _err.WriteLine($"macetools: error: {error.Message} [{error.ErrorId}]");
        }

        public void WriteWarning(string message)
        {
            if (Json) _err.WriteLine(JsonSerializer.Serialize(new { warning = message }, JsonOptions));
            else _err.WriteLine($"macetools: warning: {message}");
        }

        public void WriteVerbose(string message)
        {
            if (Verbose) _err.WriteLine($"macetools: {message}");
        }

        /// <summary>MACETOOLS_DEBUG=1 shows what -Debug shows in PowerShell.</summary>
        public void WriteDebug(string message)
        {
            if (Environment.GetEnvironmentVariable("MACETOOLS_DEBUG") == "1") _err.WriteLine($"macetools: debug: {message}");
        }

        public void WriteProgress(OperationProgress p)
        {
            if (!ShowProgress) return;
            _err.Write(p.Completed ? "\r\u001b[K" : $"\r\u001b[K{p.Activity}: {(p.PercentComplete >= 0 ? p.PercentComplete + "% " : "")}{p.Status}");
        }

        public bool ShouldProcess(string target, string action)
        {
            if (!WhatIf) return true;
            _err.WriteLine($"What if: {action} -> {target}");
            return false;
        }

        public static object ErrorJson(MaceException e) => new
        {
            id = e.ErrorId,
            category = e.Category.ToString(),
            target = e.Target?.ToString(),
            offset = (e as MaceFormatException)?.Offset,
            message = e.Message,
        };

        /// <summary>The documented exit code for an error: 2 for bad input or usage, 3 for any other failure.</summary>
        public static int ExitCodeFor(MaceException e) => e.Category switch
        {
            MaceErrorCategory.InvalidArgument or MaceErrorCategory.InvalidData or MaceErrorCategory.ObjectNotFound or MaceErrorCategory.ResourceExists => ExitCodes.BadInput,
            _ => ExitCodes.Failure,
        };

        public static readonly JsonSerializerOptions JsonOptions = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Converters = { new JsonStringEnumConverter() },
        };
    }

    /// <summary>Exit codes, documented in the README and `macetools --help`.</summary>
    internal static class ExitCodes
    {
        public const int Ok = 0;
        public const int ProblemsFound = 1;
        public const int BadInput = 2;
        public const int Failure = 3;
    }
}
