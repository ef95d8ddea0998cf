using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MaceTools.Remote
{
    /// <summary>What a finished command gave: its exit code and everything it wrote (a local program, or a remote command through ssh).</summary>
    public sealed class CommandResult
    {
        public CommandResult(int exitCode, byte[] stdout, byte[] stderr)
        {
            ExitCode = exitCode;
            StdoutBytes = stdout;
            StderrBytes = stderr;
        }

        public int ExitCode { get; }
        public byte[] StdoutBytes { get; }
        public byte[] StderrBytes { get; }
        public string Stdout => Encoding.UTF8.GetString(StdoutBytes);
        public string Stderr => Encoding.UTF8.GetString(StderrBytes);
    }

    /// <summary>
    /// Starts local programs (ssh, adb) with an argument vector, never through a shell. On .NET Core the vector goes into
    /// <c>ProcessStartInfo.ArgumentList</c> as is; this assembly targets netstandard2.0, which does not declare it, so it is
    /// found at run time. Windows PowerShell's .NET Framework lacks it: there the vector is joined with the quoting rules
    /// of CommandLineToArgvW, which is how the program splits it again.
    /// </summary>
    public static class LocalProcess
    {
        private static readonly System.Reflection.PropertyInfo? ArgumentListProperty = typeof(ProcessStartInfo).GetProperty("ArgumentList");

        /// <summary>A start description with redirected standard streams; <paramref name="arguments"/> reach the program unchanged.</summary>
        public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments)
        {
            var psi = new ProcessStartInfo(fileName)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
            };
            if (ArgumentListProperty?.GetValue(psi) is ICollection<string> list)
                foreach (var a in arguments) list.Add(a);
            else
                psi.Arguments = string.Join(" ", System.Linq.Enumerable.Select(arguments, WindowsQuote));
            return psi;
        }

        /// <summary>
        /// Runs a program to the end: <paramref name="stdin"/> is copied to it (then closed), both outputs are read at the same
        /// time (so neither pipe can fill and stall it). Past <paramref name="timeout"/> the process is killed and null is returned.
        /// A program that cannot be started is <see cref="ErrorIds.ToolNotFound"/>.
        /// </summary>
        public static CommandResult? Run(string fileName, IEnumerable<string> arguments, Stream? stdin, TimeSpan timeout, CancellationToken cancel = default,
            IReadOnlyDictionary<string, string>? environment = null)
        {
            var psi = StartInfo(fileName, arguments);
            if (environment != null)
                foreach (var kv in environment) psi.Environment[kv.Key] = kv.Value;
            Process process;
            try
            {
                process = Process.Start(psi)!;
            }
            catch (Win32Exception e)
            {
                throw new MaceException(ErrorIds.ToolNotFound, MaceErrorCategory.InvalidOperation,
                    $"cannot start '{fileName}': {e.Message} (is it installed and on PATH?)", fileName, e);
            }
            using (process)
            {
                var stdout = new MemoryStream();
                var stderr = new MemoryStream();
                var readOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
                var readErr = process.StandardError.BaseStream.CopyToAsync(stderr);
                var write = Task.Run(() =>
                {
                    try
                    {
                        if (stdin != null) stdin.CopyTo(process.StandardInput.BaseStream, 81920);
                        process.StandardInput.Close();
                    }
                    // The program may exit before reading all of its input (a remote 'cat' that hit a full disk): its exit code tells.
                    catch (IOException) { }
                    catch (ObjectDisposedException) { }
                });
                bool exited = WaitForExit(process, timeout, cancel);
                if (!exited)
                {
                    try { process.Kill(); } catch (InvalidOperationException) { }
                    process.WaitForExit();
                }
                // A killed program's children may hold the pipes open: do not wait on them for ever.
                Task.WaitAll(new[] { readOut, readErr, write }, exited ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(1));
                cancel.ThrowIfCancellationRequested();
                return exited ? new CommandResult(process.ExitCode, stdout.ToArray(), stderr.ToArray()) : null;
            }
        }

        private static bool WaitForExit(Process process, TimeSpan timeout, CancellationToken cancel)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return false;
                if (process.WaitForExit((int)Math.Min(left.TotalMilliseconds, 200) + 1)) return true;
                if (cancel.IsCancellationRequested) return false;
            }
        }

        /// <summary>One argument quoted so that CommandLineToArgvW gives it back unchanged (backslashes double only before a quote).</summary>
        internal static string WindowsQuote(string arg)
        {
            if (arg.Length > 0 && arg.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"' }) < 0) return arg;
            var sb = new StringBuilder("\"");
            int backslashes = 0;
            foreach (char c in arg)
            {
                if (c == '\\') { backslashes++; continue; }
                sb.Append('\\', c == '"' ? backslashes * 2 + 1 : backslashes);
                backslashes = 0;
                sb.Append(c);
            }
            return sb.Append('\\', backslashes * 2).Append('"').ToString();
        }
    }
}
