using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.IO;
using System.Linq;
using System.Text.Json;
using MaceTools.Operations;

namespace MaceTools.Cli
{
    /// <summary>
    /// `macetools`: the command line over the same Core operations as the cmdlets. Exit codes: 0 ok, 1 checks found
    /// problems, 2 bad input or usage, 3 other failure.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

        /// <summary>
        /// Runs one command line with the given writers (the tests call this in-process). The one error boundary of the
        /// command line: whatever fails, parsing, an operation, writing its output, becomes one error line with an id and
        /// the documented exit code; a .NET stack trace only with --debug.
        /// </summary>
        public static int Run(string[] args, TextWriter stdout, TextWriter stderr, string? currentDirectory = null)
        {
            var ctx = new CommandContext(new StandardStream(stdout, "standard output"), stderr, currentDirectory, args) { Protocol = stdout };
            try
            {
                var root = Commands.Build(ctx, args);
                var parse = root.Parse(args);
                ctx.Bind(parse);
                var usage = UsageErrors(parse, args);
                if (usage.Count > 0)
                {
                    foreach (var (message, token) in usage)
                        ctx.Report(new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, message, token));
                    if (!ctx.Json) stderr.WriteLine("Run 'macetools --help' for usage.");
                    return ExitCodes.BadInput;
                }
                int code = parse.Invoke(new InvocationConfiguration { Output = ctx.Out, Error = ctx.Err, EnableDefaultExceptionHandler = false });
                ctx.Out.Flush(); // a full disk shows here at the latest, inside the boundary
                return code;
            }
            catch (Exception e)
            {
                return ctx.Fail(e);
            }
        }

        /// <summary>
        /// The parser's errors, and one "unknown option" per token that looks like an option and is none: a verb whose
        /// files are variadic would otherwise take "--force" for a file name. Tokens after "--" are files.
        /// </summary>
        private static List<(string Message, string? Token)> UsageErrors(ParseResult parse, string[] args)
        {
            int separator = Array.IndexOf(args, "--");
            var files = new HashSet<string>(separator < 0 ? Array.Empty<string>() : args.Skip(separator + 1), StringComparer.Ordinal);
            // A verb that takes any token (a bench placeholder in a build without the bench assembly) says why itself.
            if (!parse.CommandResult.Command.TreatUnmatchedTokensAsErrors) return parse.Errors.Select(e => (e.Message, (string?)null)).ToList();
            var unknown = parse.UnmatchedTokens.Where(LooksLikeOption)
                .Concat(parse.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value).Where(LooksLikeOption))
                .Where(t => !files.Contains(t)).Distinct().ToList();
            var errors = unknown.Select(t => ($"unknown option '{t}'", (string?)t)).ToList();
            // One line each: the parser lists its suggestions on lines of their own.
            errors.AddRange(parse.Errors.Select(e => e.Message).Where(m => !unknown.Any(t => m.Contains($"'{t}'")))
                .Select(m => (string.Join(" ", m.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)), (string?)null)));
            return errors;
        }

        private static bool LooksLikeOption(string token) => token.Length > 2 && token.StartsWith("--", StringComparison.Ordinal);

        /// <summary>Whether the command line asks for JSON: known before parsing, so that usage errors are JSON lines too.</summary>
        internal static bool WantsJson(string[] args) => Before(args, "--json");

        /// <summary>Whether <paramref name="option"/> is on the command line before any "--".</summary>
        internal static bool Before(string[] args, string option)
        {
            int separator = Array.IndexOf(args, "--");
            return (separator < 0 ? args : args.Take(separator)).Contains(option);
        }
    }

    /// <summary>
    /// Standard output as the commands see it: a failed write (a full disk, a closed pipe) is the error WriteFailed naming
    /// the stream, which the boundary reports with exit 3, instead of an IOException.
    /// </summary>
    internal sealed class StandardStream : TextWriter
    {
        private readonly TextWriter _inner;
        private readonly string _name;

        public StandardStream(TextWriter inner, string name)
        {
            _inner = inner;
            _name = name;
        }

        public override System.Text.Encoding Encoding => _inner.Encoding;
        public override void Write(char value) => Guard(() => _inner.Write(value));
        public override void Write(string? value) => Guard(() => _inner.Write(value));
        public override void Write(char[] buffer, int index, int count) => Guard(() => _inner.Write(buffer, index, count));
        public override void WriteLine(string? value) => Guard(() => _inner.WriteLine(value));
        public override void WriteLine() => Guard(() => _inner.WriteLine());
        public override void Flush() => Guard(() => _inner.Flush());
        public override string ToString() => _inner.ToString() ?? "";

        private void Guard(Action write)
        {
            try { write(); }
            catch (IOException e)
            {
                throw new MaceException(ErrorIds.WriteFailed, MaceErrorCategory.WriteError, $"cannot write {_name}: {e.Message}", _name, e);
            }
        }
    }

    internal sealed class CommandContext
    {
        public CommandContext(TextWriter stdout, TextWriter stderr, string? currentDirectory, string[]? args = null)
        {
            Out = stdout;
            Err = stderr;
            CurrentDirectory = currentDirectory;
            Json = Program.WantsJson(args ?? Array.Empty<string>());
            Debug = Program.Before(args ?? Array.Empty<string>(), "--debug") || Environment.GetEnvironmentVariable("MACETOOLS_DEBUG") == "1";
            Verbose = Program.Before(args ?? Array.Empty<string>(), "--verbose");
        }

        public TextWriter Out { get; }
        public TextWriter Err { get; }
        /// <summary>Standard output as it is, for the worker and agent protocols: their own code ends quietly when the parent is gone.</summary>
        public TextWriter Protocol { get; init; } = TextWriter.Null;
        public string? CurrentDirectory { get; }
        /// <summary>--json on the command line: every stderr line is JSON, usage errors included.</summary>
        public bool Json { get; }
        /// <summary>--debug: debug messages and the stack trace behind each error.</summary>
        public bool Debug { get; }
        /// <summary>--verbose: what -Verbose shows in PowerShell, for every verb.</summary>
        public bool Verbose { get; }
        /// <summary>Core's messages in the spelling of the verb that runs.</summary>
        public CliSpelling Spelling { get; private set; } = new CliSpelling(Array.Empty<string>());

        /// <summary>Takes the option spellings from the parsed verb and its parents.</summary>
        public void Bind(ParseResult parse)
        {
            var names = new List<string>();
            for (SymbolResult? r = parse.CommandResult; r != null; r = r.Parent)
                if (r is CommandResult c) names.AddRange(c.Command.Options.Select(o => o.Name));
            Spelling = new CliSpelling(names);
        }

        /// <summary>Writes one error in the stream's form (a JSON line with --json).</summary>
        public void Report(MaceException e) => CliHost.Report(Err, Json, Spelling, e);

        /// <summary>The boundary's last resort: the error line (and with --debug the stack trace), and its exit code.</summary>
        public int Fail(Exception e)
        {
            var error = MaceException.From(e);
            try
            {
                Report(error);
                if (Debug) Err.WriteLine(Json ? JsonSerializer.Serialize(new { debug = error.ToString() }, CliHost.JsonOptions) : "macetools: debug: " + error);
                Err.Flush();
            }
            catch (IOException) { } // stderr itself is gone: the exit code still says it
            return CliHost.ExitCodeFor(error);
        }

        /// <summary>
        /// Runs an operation with a CLI host and prints what it produced: with --json one compact JSON object per line,
        /// tables without. Any failure of the operation or of the printing is an error with an id (exit 2 or 3), the
        /// output before it still printed. Returns the exit code.
        /// </summary>
        /// <param name="resultErrors">Errors that a result in the output already reports (a device that failed to publish): they
        /// leave the exit code to <paramref name="exitCode"/>, as documented per verb, instead of failing the run.</param>
        public int Execute(bool json, Action<CliHost> run, bool whatIf = false, bool verbose = false, Func<CliHost, int>? exitCode = null,
            Func<CliHost, MaceException, bool>? resultErrors = null)
        {
            var host = new CliHost(Err, json, whatIf, verbose || Verbose, CurrentDirectory) { Debug = Debug, Spelling = Spelling };
            // Ctrl+C (SIGINT) and SIGTERM cancel the operation, so a write keeps the old file and removes its temporary;
            // a second signal, when cancelling hangs, ends the process as it would without us.
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = !host.CancellationToken.IsCancellationRequested; host.Cancel(); };
            Console.CancelKeyPress += onCancel;
            using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM,
                c => { c.Cancel = !host.CancellationToken.IsCancellationRequested; host.Cancel(); });
            int code = ExitCodes.Ok;
            try
            {
                run(host);
            }
            catch (Exception e)
            {
                host.WriteError(MaceException.From(e));
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            try
            {
                Print(host, json);
                Out.Flush();
            }
            catch (Exception e)
            {
                host.WriteError(MaceException.From(e));
            }
            var failures = host.Errors.Where(e => resultErrors == null || !resultErrors(host, e)).ToList();
            if (failures.Count > 0) code = failures.Select(CliHost.ExitCodeFor).Max();
            else if (exitCode != null) code = Math.Max(code, exitCode(host));
            return code;
        }

        private void Print(CliHost host, bool json)
        {
            if (host.Output.Count == 0) return;
            if (!json)
            {
                TextOutput.Write(Out, host.Output);
                return;
            }
            foreach (var item in host.Output) Out.WriteLine(JsonSerializer.Serialize(item, item.GetType(), CliHost.JsonOptions));
        }
    }
}
