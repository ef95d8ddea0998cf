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
    /// The command line's <see cref="IOperationHost"/>: collects output objects, prints errors, warnings, verbose and debug
    /// messages and what-if lines on stderr (each as one JSON line with --json, and no progress then), answers
    /// ShouldProcess from --what-if, and turns Ctrl+C into cancellation.
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
        /// <summary>--debug (or MACETOOLS_DEBUG=1, read by <see cref="CommandContext"/>): debug messages, and the stack trace behind each error.</summary>
        public bool Debug { get; set; }
        /// <summary>Core's messages in the running verb's spelling (--to where Core says -To).</summary>
        public CliSpelling Spelling { get; set; } = new CliSpelling(Array.Empty<string>());
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
            Report(_err, Json, Spelling, error);
            if (Debug) WriteDebug(error.ToString()); // the stack trace, and the .NET exception's behind an Internal error
        }

        public void WriteWarning(string message) => Line("warning", Spelling.Translate(message));

        public void WriteVerbose(string message)
        {
            if (Verbose) Line("verbose", Spelling.Translate(message));
        }

        /// <summary>MACETOOLS_DEBUG=1 or --debug shows what -Debug shows in PowerShell.</summary>
        public void WriteDebug(string message)
        {
            if (Debug) Line("debug", message);
        }

        public void WriteProgress(OperationProgress p)
        {
            if (!ShowProgress) return;
            _err.Write(p.Completed ? "\r\u001b[K" : $"\r\u001b[K{p.Activity}: {(p.PercentComplete >= 0 ? p.PercentComplete + "% " : "")}{p.Status}");
        }

        public bool ShouldProcess(string target, string action)
        {
            if (!WhatIf) return true;
            if (Json) _err.WriteLine(JsonSerializer.Serialize(new { whatIf = new { action, target } }, JsonOptions));
            else _err.WriteLine($"What if: {action} -> {target}");
            return false;
        }

        /// <summary>A stderr line of one kind: {"kind":"message"} with --json, "macetools: kind: message" without (verbose has no label).</summary>
        private void Line(string kind, string message)
        {
            if (Json) _err.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string> { [kind] = message }, JsonOptions));
            else _err.WriteLine(kind == "verbose" ? $"macetools: {message}" : $"macetools: {kind}: {message}");
        }

        /// <summary>
        /// Writes one error on stderr: one JSON line {"error":{...}} with --json, "macetools: error: MESSAGE [Id]" without.
        /// Used by the host and by the command line's boundary (usage errors, failures outside an operation).
        /// </summary>
        public static void Report(TextWriter err, bool json, CliSpelling spelling, MaceException e)
        {
            if (json) err.WriteLine(JsonSerializer.Serialize(new { error = ErrorJson(e, spelling) }, JsonOptions));
            else err.WriteLine($"macetools: error: {spelling.Translate(e.Message)} [{e.ErrorId}]");
        }

        public static object ErrorJson(MaceException e, CliSpelling spelling) => new
        {
            id = e.ErrorId,
            category = e.Category.ToString(),
            target = e.Target?.ToString(),
            offset = (e as MaceFormatException)?.Offset,
            message = spelling.Translate(e.Message),
        };

        /// <summary>
        /// The documented exit code for an error: 2 for bad input or usage, 3 for any other failure (a device that cannot be
        /// reached, a failed write, a cancellation, an internal error). 1 is never an error's: it means checks found problems.
        /// </summary>
        public static int ExitCodeFor(MaceException e) => e.Category switch
        {
            MaceErrorCategory.InvalidArgument or MaceErrorCategory.InvalidData or MaceErrorCategory.ObjectNotFound or MaceErrorCategory.ResourceExists => ExitCodes.BadInput,
            _ => ExitCodes.Failure,
        };

        /// <summary>
        /// One result as a --json line, its type name first ({"$type":"MaceMeasurement",...}): what lets `macetools report`
        /// (and jq) tell the kinds apart without guessing from their properties.
        /// </summary>
        public static string ResultJson(object item)
        {
            string json = JsonSerializer.Serialize(item, item.GetType(), JsonOptions);
            if (json.Length < 2 || json[0] != '{') return json;
            string type = "{" + JsonSerializer.Serialize(MaceTools.Report.ResultFields.TypeProperty) + ":" + JsonSerializer.Serialize(item.GetType().Name, JsonOptions);
            return type + (json == "{}" ? "}" : "," + json.Substring(1));
        }

        public static readonly JsonSerializerOptions JsonOptions = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = false, // --json is JSON lines: one object per line on both streams
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
