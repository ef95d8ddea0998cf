using System;
using System.CommandLine;
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

        /// <summary>Runs one command line with the given writers (the tests call this in-process).</summary>
        public static int Run(string[] args, TextWriter stdout, TextWriter stderr, string? currentDirectory = null)
        {
            var root = Commands.Build(new CommandContext(stdout, stderr, currentDirectory), args);
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var e in parse.Errors) stderr.WriteLine($"macetools: {e.Message}");
                stderr.WriteLine("Run 'macetools --help' for usage.");
                return ExitCodes.BadInput;
            }
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        }
    }

    internal sealed class CommandContext
    {
        public CommandContext(TextWriter stdout, TextWriter stderr, string? currentDirectory)
        {
            Out = stdout;
            Err = stderr;
            CurrentDirectory = currentDirectory;
        }

        public TextWriter Out { get; }
        public TextWriter Err { get; }
        public string? CurrentDirectory { get; }

        /// <summary>
        /// Runs an operation with a CLI host and prints what it produced: JSON with --json (one object for a single
        /// result, an array otherwise), tables without. Returns the exit code.
        /// </summary>
        /// <param name="resultErrors">Errors that a result in the output already reports (a device that failed to publish): they
        /// leave the exit code to <paramref name="exitCode"/>, as documented per verb, instead of failing the run.</param>
        public int Execute(bool json, Action<CliHost> run, bool whatIf = false, bool verbose = false, Func<CliHost, int>? exitCode = null, bool alwaysArray = false,
            Func<CliHost, MaceException, bool>? resultErrors = null)
        {
            var host = new CliHost(Err, json, whatIf, verbose, CurrentDirectory);
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
            catch (MaceException e)
            {
                host.WriteError(e);
            }
            catch (OperationCanceledException)
            {
                Err.WriteLine("macetools: cancelled");
                code = ExitCodes.Failure;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            Print(host, json, alwaysArray);
            var failures = host.Errors.Where(e => resultErrors == null || !resultErrors(host, e)).ToList();
            if (failures.Count > 0) code = failures.Select(CliHost.ExitCodeFor).Max();
            else if (exitCode != null) code = Math.Max(code, exitCode(host));
            return code;
        }

        private void Print(CliHost host, bool json, bool alwaysArray)
        {
            if (host.Output.Count == 0) return;
            if (!json)
            {
                TextOutput.Write(Out, host.Output);
                return;
            }
            object payload = host.Output.Count == 1 && !alwaysArray ? host.Output[0] : host.Output;
            Out.WriteLine(JsonSerializer.Serialize(payload, CliHost.JsonOptions));
        }
    }
}
