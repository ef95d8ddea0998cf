using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace MaceTools.OpenCL
{
    /// <summary>
    /// A driver worker in a child process (crash isolation, and parallel builds past pocl's in-process compiler lock).
    /// Each start gets a fresh driver cache directory (pocl: POCL_CACHE_DIR), because after a crash a driver's cache can
    /// make even good binaries crash. If the worker dies mid-request, <see cref="Send"/> returns a <c>crashed</c> reply
    /// naming the signal, and the next request starts a new worker.
    /// </summary>
    public sealed class DriverProcess : IDisposable
    {
        private readonly WorkerCommand _command;
        private readonly IDictionary<string, string> _environment;
        private Process? _process;
        private Formats.ScratchDirectory? _cacheDir;
        private readonly Queue<string> _stderr = new Queue<string>();
        private int _nextId;

        /// <param name="command">How to start a worker.</param>
        /// <param name="environment">Extra variables for the worker (e.g. POCL_KERNEL_CACHE=0 for honest timing).</param>
        public DriverProcess(WorkerCommand command, IDictionary<string, string>? environment = null)
        {
            _command = command;
            _environment = environment ?? new Dictionary<string, string>();
        }

        /// <summary>
        /// A fresh driver cache per worker start (the default: binaries of unknown health are loaded). Off, the worker
        /// keeps the driver's own cache, where only our sources are built (tuning): pocl then compiles each program and
        /// local size once per machine, not once per run.
        /// </summary>
        public bool FreshDriverCache { get; set; } = true;

        /// <summary>Where the fresh driver cache is made (default: the temporary folder); see <see cref="Compilation.StartupProbe"/>.</summary>
        public string? DriverCacheParent { get; set; }

        /// <summary>
        /// A worker that died since the last request (killed from outside: the user, the OOM killer) is reported on the next
        /// request, as a <c>crashed</c> reply marked <c>idle</c>, instead of being restarted silently. The tuner asks for it:
        /// its run must stop and keep its partial file as for a death mid-request. Loads and builds keep the restart, since a
        /// fresh worker runs their next request as well as the dead one would have.
        /// </summary>
        public bool ReportDeathBetweenRequests { get; set; }

        /// <summary>How long one request may take before the worker is killed and the request reported as hung.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>One request, one reply (a <c>crashed</c> reply if the worker died on it; see <see cref="ReportDeathBetweenRequests"/>).</summary>
        public WorkerMessage Send(WorkerMessage request, CancellationToken cancel = default) => Pipeline(new[] { request }, null, cancel)[0];

        /// <summary>
        /// Sends many requests without waiting for each reply (the worker answers in order), so the per-request round trip
        /// is not paid per entry. Returns the replies received; if the worker died, the last element is the <c>crashed</c>
        /// reply for the request it died on, and the requests after it were not run.
        /// </summary>
        public List<WorkerMessage> Pipeline(IReadOnlyList<WorkerMessage> requests, Action<int, WorkerMessage>? onReply = null, CancellationToken cancel = default)
        {
            if (ReportDeathBetweenRequests && _process != null && _process.HasExited)
            {
                // Said on this request, marked idle since it never reached the worker, rather than hidden by a restart.
                requests[0]["id"] = (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new List<WorkerMessage> { Crashed(requests[0]).Set("idle", 1) };
            }
            EnsureStarted();
            var p = _process!;
            var lines = new List<string>();
            foreach (var r in requests)
            {
                r["id"] = (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
                lines.Add(r.Format());
            }
            // Written from another thread: replies must be read while requests are still going in, or both pipes fill up.
            var writer = Task.Run(() =>
            {
                try
                {
                    foreach (var l in lines) p.StandardInput.WriteLine(l);
                    p.StandardInput.Flush();
                }
                catch (Exception e) when (e is IOException || e is ObjectDisposedException || e is InvalidOperationException) { }
            });
            var replies = new List<WorkerMessage>();
            for (int i = 0; i < requests.Count; i++)
            {
                var read = p.StandardOutput.ReadLineAsync();
                bool answered;
                try
                {
                    cancel.ThrowIfCancellationRequested();
                    answered = read.Wait((int)RequestTimeout.TotalMilliseconds, cancel);
                }
                catch (OperationCanceledException)
                {
                    // The caller stops: so does the worker (its input closes, it ends the request in flight), killed if it lingers.
                    Stop();
                    throw;
                }
                if (!answered)
                {
                    Kill();
                    replies.Add(new WorkerMessage("crashed").Set("id", requests[i]["id"]).Set("hung", 1)
                        .Set("log", $"the driver did not answer within {RequestTimeout.TotalSeconds:0} s; the worker was killed"));
                    Stop();
                    break;
                }
                if (read.Result == null)
                {
                    replies.Add(Crashed(requests[i]));
                    break;
                }
                var reply = WorkerMessage.Parse(read.Result);
                if (reply["id"] != requests[i]["id"])
                    throw new MaceException(ErrorIds.WorkerFailed, MaceErrorCategory.InvalidOperation, $"worker protocol error: reply {reply["id"]} to request {requests[i]["id"]}", _command.ToString());
                replies.Add(reply);
                onReply?.Invoke(i, reply);
            }
            writer.Wait(5000);
            return replies;
        }

        private WorkerMessage Crashed(WorkerMessage request)
        {
            var p = _process!;
            if (!p.WaitForExit(10000)) Kill();
            int code = p.HasExited ? p.ExitCode : -1;
            string tail;
            lock (_stderr) tail = string.Join("\n", _stderr);
            Stop();
            return new WorkerMessage("crashed").Set("id", request["id"]).Set("exitCode", code).Set("signal", SignalName(code))
                .Set("log", tail);
        }

        /// <summary>.NET reports a child killed by signal N as exit code 128+N.</summary>
        public static string SignalName(int exitCode)
        {
            switch (exitCode - 128)
            {
                case 4: return "SIGILL";
                case 6: return "SIGABRT";
                case 7: return "SIGBUS";
                case 8: return "SIGFPE";
                case 9: return "SIGKILL";
                case 11: return "SIGSEGV";
                case 15: return "SIGTERM";
                default: return exitCode < 0 ? "unknown" : $"exit {exitCode}";
            }
        }

        /// <summary>How long a started worker may take to say it is ready (a .NET start on a busy machine takes seconds).</summary>
        public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

        private void EnsureStarted()
        {
            if (_process != null && !_process.HasExited) return;
            Stop();
            if (_command.Problem != null)
                throw new MaceException(ErrorIds.WorkerFailed, MaceErrorCategory.ObjectNotFound, $"cannot start the driver worker: {_command.Problem}", _command.ToString());
            if (FreshDriverCache) _cacheDir = new Formats.ScratchDirectory("driver", DriverCacheParent);
            var psi = _command.StartInfo("worker");
            psi.RedirectStandardInput = true;
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            psi.UseShellExecute = false;
            psi.CreateNoWindow = true;
            if (_cacheDir != null) psi.Environment["POCL_CACHE_DIR"] = _cacheDir.Path;
            psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
            foreach (var kv in _environment) psi.Environment[kv.Key] = kv.Value;
            var p = new Process { StartInfo = psi };
            p.ErrorDataReceived += (_, e) =>
            {
                if (e.Data == null) return;
                lock (_stderr) { _stderr.Enqueue(e.Data); while (_stderr.Count > 20) _stderr.Dequeue(); }
            };
            try { p.Start(); }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is IOException)
            {
                throw new MaceException(ErrorIds.WorkerFailed, MaceErrorCategory.InvalidOperation, $"cannot start the driver worker '{_command}': {e.Message}", _command.ToString(), e);
            }
            p.BeginErrorReadLine();
            _process = p;
            // A program that is not our worker (or one that never gets going) must not hold the caller forever.
            var read = p.StandardOutput.ReadLineAsync();
            bool answered = read.Wait(StartTimeout);
            string? hello = answered ? read.Result : null;
            WorkerMessage? ready = null;
            try { ready = hello == null ? null : WorkerMessage.Parse(hello); }
            catch (FormatException) { }
            if (ready?.Op != "ready")
            {
                if (!answered) Kill();
                else p.WaitForExit(5000);
                if (!answered) hello = $"no answer within {StartTimeout.TotalSeconds:0} s";
                string tail;
                lock (_stderr) tail = string.Join("\n", _stderr);
                Stop();
                throw new MaceException(ErrorIds.WorkerFailed, MaceErrorCategory.InvalidOperation,
                    $"the driver worker '{_command}' did not start: {(ready?["error"] ?? hello ?? "no output")}{(tail.Length > 0 ? "\n" + tail : "")}", _command.ToString());
            }
        }

        private void Kill()
        {
            try { if (_process != null && !_process.HasExited) _process.Kill(); } catch (InvalidOperationException) { }
            _process?.WaitForExit(5000);
        }

        private void Stop()
        {
            if (_process != null)
            {
                try { if (!_process.HasExited) _process.StandardInput.Close(); } catch (IOException) { }
                if (!_process.WaitForExit(5000)) Kill(); // the grace a stopped worker gets to end its request in flight
                _process.Dispose();
                _process = null;
            }
            _cacheDir?.Dispose();
            _cacheDir = null;
            lock (_stderr) _stderr.Clear();
        }

        public void Dispose() => Stop();
    }

    /// <summary>
    /// How to start the worker: <c>MACETOOLS_WORKER</c> (a path to macetools or macetools.dll), else the macetools beside
    /// MaceTools.Core.dll, in the module's worker/ folder (a framework-dependent macetools.dll, run by the dotnet muxer of
    /// the runtime that hosts us, e.g. pwsh's), in cli/ or ../cli (the build's out/cli), else macetools on PATH. Where none
    /// is found, or a dll has no dotnet to run it, the command carries <see cref="Problem"/> and starting it fails at once.
    /// </summary>
    public sealed class WorkerCommand
    {
        public const string Variable = "MACETOOLS_WORKER";
        /// <summary>The module folder's sub-folder that holds the worker (tools/MaceTools.Build lays it out).</summary>
        public const string ModuleFolder = "worker";

        public WorkerCommand(string fileName, params string[] prefixArguments)
        {
            FileName = fileName;
            PrefixArguments = prefixArguments;
        }

        private static WorkerCommand Unusable(string fileName, string problem) => new WorkerCommand(fileName) { Problem = problem };

        public string FileName { get; }
        public string[] PrefixArguments { get; }
        /// <summary>Why this worker cannot start (nothing found, no dotnet for a dll), naming where it looked; null when it can.</summary>
        public string? Problem { get; private set; }

        public ProcessStartInfo StartInfo(params string[] arguments)
        {
            var all = new List<string>(PrefixArguments);
            all.AddRange(arguments);
            return new ProcessStartInfo(FileName, string.Join(" ", all.ConvertAll(Quote)));
        }

        private static string Quote(string a) => a.Length > 0 && a.IndexOfAny(new[] { ' ', '"', '\t' }) < 0 ? a : "\"" + a.Replace("\"", "\\\"") + "\"";

        public override string ToString() => PrefixArguments.Length == 0 ? FileName : FileName + " " + string.Join(" ", PrefixArguments);

        private static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        private static string Exe(string name) => IsWindows ? name + ".exe" : name;

        public static WorkerCommand Locate() =>
            Locate(Environment.GetEnvironmentVariable(Variable), Path.GetDirectoryName(typeof(WorkerCommand).Assembly.Location) ?? "");

        /// <summary><see cref="Locate()"/> with the variable's value and the folder of MaceTools.Core.dll given.</summary>
        public static WorkerCommand Locate(string? env, string here)
        {
            if (!string.IsNullOrEmpty(env))
                return File.Exists(env) ? ForPath(Path.GetFullPath(env!)) : Unusable(env!, $"{Variable} names '{env}', which does not exist");
            var looked = new List<string>();
            foreach (var dir in new[] { here, Path.Combine(here, ModuleFolder), Path.Combine(here, "cli"), Path.Combine(here, "..", "cli") })
            {
                string full = Path.GetFullPath(dir);
                // The module's worker/ is a portable macetools.dll; elsewhere the apphost is preferred (it starts a little faster).
                if (dir != Path.Combine(here, ModuleFolder) && File.Exists(Path.Combine(full, Exe("macetools")))) return new WorkerCommand(Path.Combine(full, Exe("macetools")));
                if (File.Exists(Path.Combine(full, "macetools.dll"))) return ForPath(Path.Combine(full, "macetools.dll"));
                looked.Add(full);
            }
            if (OnPath(Exe("macetools")) is string onPath) return new WorkerCommand(onPath);
            return Unusable(Exe("macetools"), $"no macetools worker found: looked in {string.Join(", ", looked)} and on PATH (set {Variable} to a macetools or macetools.dll)");
        }

        /// <summary>A macetools.dll runs under a dotnet muxer; an executable runs as it is.</summary>
        public static WorkerCommand ForPath(string path)
        {
            if (!path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) return new WorkerCommand(path);
            var muxer = FindMuxer(out var looked);
            return muxer != null ? new WorkerCommand(muxer, path)
                : Unusable(Exe("dotnet"), $"no dotnet to run the worker {path}: looked at {string.Join(", ", looked)} and on PATH (install the .NET runtime, or set {Variable} to a self-contained macetools)");
        }

        /// <summary>
        /// The dotnet muxer: the one that hosts this process (pwsh installed as a .NET tool, the test host), the one of the
        /// runtime we run on (its shared/Microsoft.NETCore.App/&lt;version&gt;/ lies under the dotnet root), DOTNET_ROOT, PATH.
        /// </summary>
        public static string? FindMuxer(out List<string> looked)
        {
            looked = new List<string>();
            var candidates = new List<string?>();
            candidates.Add(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"));
            try { candidates.Add(Process.GetCurrentProcess().MainModule?.FileName); } catch (Exception e) when (e is InvalidOperationException || e is System.ComponentModel.Win32Exception || e is NotSupportedException) { }
            string runtimeDir = RuntimeEnvironment.GetRuntimeDirectory();
            if (runtimeDir.Length > 0) candidates.Add(Path.Combine(runtimeDir, "..", "..", "..", Exe("dotnet")));
            string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
            if (!string.IsNullOrEmpty(root)) candidates.Add(Path.Combine(root, Exe("dotnet")));
            foreach (var c in candidates)
            {
                if (string.IsNullOrEmpty(c)) continue;
                if (!Path.GetFileName(c).Equals(Exe("dotnet"), StringComparison.OrdinalIgnoreCase)) continue;
                string full = Path.GetFullPath(c);
                if (File.Exists(full)) return full;
                looked.Add(full);
            }
            return OnPath(Exe("dotnet"));
        }

        /// <summary>The first file of this name in a folder of PATH, or null.</summary>
        private static string? OnPath(string name) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Where(dir => dir.Length > 0).Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
    }
}
