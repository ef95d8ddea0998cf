using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;

namespace MaceTools.Remote
{
    /// <summary>
    /// Android devices through the real adb client (and the adb server it starts). Every call names its device by
    /// serial; remote commands are built only by <see cref="RemoteQuote"/>. <see cref="ServerPort"/> and
    /// <see cref="Home"/> give a private adb server and key store, so tests never touch a user's server.
    /// </summary>
    public sealed class AdbClient
    {
        public AdbClient() : this("adb") { }

        public AdbClient(string adbPath)
        {
            AdbPath = adbPath ?? throw new ArgumentNullException(nameof(adbPath));
        }

        /// <summary>The adb program: a path, or a name looked up on PATH.</summary>
        public string AdbPath { get; }
        /// <summary>The adb server's port (ANDROID_ADB_SERVER_PORT); null uses the inherited setting, normally 5037.</summary>
        public int? ServerPort { get; set; }
        /// <summary>HOME for adb: where the server keeps .android/adbkey; null inherits it.</summary>
        public string? Home { get; set; }
        /// <summary>The longest any one adb command may run (pushes of large files included).</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);
        /// <summary>How long <see cref="Connect"/> waits for a connected device to finish its handshake.</summary>
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

        private bool serverStarted;

        /// <summary>Starts the adb server if it is not running; the first command does this on its own.</summary>
        public void StartServer()
        {
            var r = Run(new[] { "start-server" });
            if (r.ExitCode != 0) throw Failed(ErrorIds.RemoteCommandFailed, "adb start-server failed: " + r.Text, null);
            serverStarted = true;
        }

        /// <summary>Stops the adb server this client talks to (the one on <see cref="ServerPort"/>).</summary>
        public void KillServer()
        {
            Run(new[] { "kill-server" });
            serverStarted = false;
        }

        /// <summary>
        /// <c>adb connect HOST:PORT</c>, then waits until the device is online. adb exits 0 even when the connection is
        /// refused, so its answer is read: only "connected to" and "already connected to" count as success.
        /// </summary>
        public AdbDevice Connect(string address)
        {
            RequireText(address, nameof(address));
            var r = RunWithServer(new[] { "connect", address });
            var m = Connected.Match(r.Text);
            if (r.ExitCode != 0 || !m.Success)
            {
                // "failed to authenticate to" leaves the transport listed as unauthorized: that is the clearer error.
                var auth = Unauthenticated.Match(r.Text);
                var listed = auth.Success ? Devices().FirstOrDefault(d => d.Serial == auth.Groups[1].Value) : null;
                if (listed != null && !listed.IsOnline) throw Unavailable(listed);
                throw new MaceNotReachedException(ErrorIds.RemoteUnreachable, MaceErrorCategory.ConnectionError, $"adb connect {address} failed: {r.Text}", address);
            }
            // adb may complete the address (a default port), so the serial is the one it reports.
            string serial = m.Groups[1].Value.Trim();
            var deadline = DateTime.UtcNow + ConnectTimeout;
            while (true)
            {
                var device = Devices().FirstOrDefault(d => d.Serial == serial);
                if (device != null && device.IsOnline) return device;
                // "connecting"/"authorizing" settle within the handshake; offline or unauthorized at the deadline are final.
                if (DateTime.UtcNow >= deadline)
                {
                    if (device == null) throw Failed(ErrorIds.RemoteUnreachable, $"adb connect {address}: the device at {serial} went away after connecting.", address, MaceErrorCategory.ConnectionError);
                    throw Unavailable(device);
                }
                Thread.Sleep(50);
            }
        }

        private static readonly Regex Connected = new Regex(@"^(?:already )?connected to (\S+)", RegexOptions.CultureInvariant | RegexOptions.Multiline);
        private static readonly Regex Unauthenticated = new Regex(@"^failed to authenticate to (\S+)", RegexOptions.CultureInvariant | RegexOptions.Multiline);

        /// <summary><c>adb disconnect HOST:PORT</c>; an address that is not connected is not an error.</summary>
        public void Disconnect(string address)
        {
            RequireText(address, nameof(address));
            RunWithServer(new[] { "disconnect", address });
        }

        /// <summary>Every device the adb server knows, in any state (<c>adb devices -l</c>).</summary>
        public IReadOnlyList<AdbDevice> Devices()
        {
            var r = RunWithServer(new[] { "devices", "-l" });
            if (r.ExitCode != 0) throw Failed(ErrorIds.RemoteCommandFailed, "adb devices failed: " + r.Text, null);
            return AdbDevice.ParseList(r.Output);
        }

        /// <summary>The device with this serial, online; otherwise an error that names the serial and what is wrong.</summary>
        public AdbDevice Device(string serial)
        {
            RequireText(serial, nameof(serial));
            var all = Devices();
            var device = all.FirstOrDefault(d => d.Serial == serial);
            if (device == null)
            {
                string known = all.Count == 0 ? "adb lists no devices" : "adb lists " + string.Join(", ", all.Select(d => d.Serial));
                throw Failed(ErrorIds.DeviceNotFound, $"No adb device with serial '{serial}' ({known}).", serial, MaceErrorCategory.ObjectNotFound);
            }
            if (!device.IsOnline) throw Unavailable(device);
            return device;
        }

        /// <summary>The device's adb features (<c>adb features</c>): shell_v2, cmd, stat_v2, …</summary>
        public IReadOnlyList<string> Features(string serial)
        {
            var r = RunOn(serial, "features");
            if (r.ExitCode != 0)
            {
                Device(serial);
                throw Failed(ErrorIds.RemoteCommandFailed, $"adb features of {serial} failed: {r.Text}", serial);
            }
            return r.Output.Split(new[] { '\n', '\r', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(f => f.Trim()).Where(f => f.Length > 0).ToArray();
        }

        private readonly ConcurrentDictionary<string, bool> shellV2 = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        /// <summary>
        /// Runs argv on the device: argv[0] is the program, every element is quoted by <see cref="RemoteQuote.Command(System.Collections.Generic.IEnumerable{string})"/>,
        /// so no argument is ever parsed by the device's shell. The exit code is the remote one: shell protocol v2 carries
        /// it; without v2 (Android before 7) a marker line with $? is appended and cut off again, and stderr arrives mixed
        /// into stdout.
        /// </summary>
        public AdbShellResult Shell(string serial, IEnumerable<string> argv)
        {
            string command = RemoteQuote.Command(argv);
            if (!shellV2.GetOrAdd(serial, s => Features(s).Contains("shell_v2"))) return ShellWithoutV2(serial, command);
            var r = RunOn(serial, "shell", command);
            // adb reports a missing or offline device as a failed command with nothing on stdout; tell the two apart.
            if (r.ExitCode != 0 && r.Output.Length == 0) Device(serial);
            return new AdbShellResult(r.ExitCode, r.Output, r.Error);
        }

        private AdbShellResult ShellWithoutV2(string serial, string command)
        {
            // The subshell keeps an 'exit' in argv from skipping the marker; $? is read before printf runs.
            string marker = "macetools-exit-" + Guid.NewGuid().ToString("N");
            var r = RunOn(serial, "shell", "(" + command + "); printf '\\n" + marker + "%d\\n' \"$?\"");
            // Without v2, stderr shares the stream and may land after the marker line: find it anywhere, keep the rest.
            var m = new Regex(@"\r?\n" + marker + @"(\d+)\r?\n?").Match(r.Output);
            if (!m.Success)
            {
                Device(serial);
                throw Failed(ErrorIds.RemoteCommandFailed, $"{serial}: the command ended without reporting its exit code: {r.Text}", serial);
            }
            return new AdbShellResult(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), r.Output.Remove(m.Index, m.Length), r.Error);
        }

        public AdbShellResult Shell(string serial, params string[] argv) => Shell(serial, (IEnumerable<string>)argv);

        /// <summary>All system properties (<c>getprop</c>).</summary>
        public IReadOnlyDictionary<string, string> GetProps(string serial)
        {
            var r = ShellChecked(serial, "getprop");
            var props = AdbIdentity.ParseGetprop(r.StandardOutput);
            if (props.Count == 0) throw Failed(ErrorIds.RemoteCommandFailed, $"{serial}: getprop printed no properties.", serial);
            return props;
        }

        /// <summary>Model, board platform, SoC model, ABIs (getprop) and the GPU string (dumpsys SurfaceFlinger's GLES line).</summary>
        public AdbIdentity Identity(string serial)
        {
            var props = GetProps(serial);
            // Not every build lets the shell user dump SurfaceFlinger; the GPU is then unknown, not an error.
            var sf = Shell(serial, "dumpsys", "SurfaceFlinger");
            string? gpu = sf.ExitCode == 0 ? AdbIdentity.ParseGles(sf.StandardOutput) : null;
            return new AdbIdentity(serial, props, gpu);
        }

        /// <summary><c>adb push</c> of a local file or folder to an absolute device path (parent folders are created).</summary>
        public void Push(string serial, string localPath, string remotePath)
        {
            RequireRemotePath(remotePath);
            // A full path cannot start with '-', so adb never reads a local name as an option.
            string local = Path.GetFullPath(localPath);
            if (!File.Exists(local) && !Directory.Exists(local))
                throw Failed(ErrorIds.FileNotFound, $"Cannot push {local} to {serial}: no such file.", local, MaceErrorCategory.ObjectNotFound);
            var r = RunOn(serial, "push", local, remotePath);
            if (r.ExitCode != 0)
            {
                Device(serial);
                throw Failed(ErrorIds.TransferFailed, $"adb push {local} to {serial}:{remotePath} failed: {r.Text}", remotePath, MaceErrorCategory.WriteError);
            }
        }

        /// <summary><c>adb pull</c> of an absolute device path to a local path.</summary>
        public void Pull(string serial, string remotePath, string localPath)
        {
            RequireRemotePath(remotePath);
            string local = Path.GetFullPath(localPath);
            var r = RunOn(serial, "pull", remotePath, local);
            if (r.ExitCode != 0)
            {
                Device(serial);
                if (r.Text.IndexOf("No such file or directory", StringComparison.Ordinal) >= 0)
                    throw Failed(ErrorIds.FileNotFound, $"{serial}: no such file {remotePath}", remotePath, MaceErrorCategory.ObjectNotFound);
                throw Failed(ErrorIds.TransferFailed, $"adb pull {serial}:{remotePath} to {local} failed: {r.Text}", remotePath, MaceErrorCategory.ReadError);
            }
        }

        /// <summary>The SHA-256 of a device file, lower-case hex, computed on the device (<c>sha256sum</c>).</summary>
        public string Sha256(string serial, string remotePath)
        {
            RequireRemotePath(remotePath);
            var r = Shell(serial, "sha256sum", "--", remotePath);
            if (r.ExitCode != 0)
            {
                if (r.StandardError.IndexOf("No such file", StringComparison.Ordinal) >= 0)
                    throw Failed(ErrorIds.FileNotFound, $"{serial}: no such file {remotePath}", remotePath, MaceErrorCategory.ObjectNotFound);
                throw Failed(ErrorIds.RemoteCommandFailed, $"{serial}: sha256sum {remotePath} failed (exit {r.ExitCode}): {r.StandardError.Trim()}", remotePath);
            }
            // coreutils writes "\hash  name" when the name holds a newline or backslash.
            string line = r.StandardOutput.TrimStart('\\');
            if (line.Length < 64 || !line.Take(64).All(Uri.IsHexDigit))
                throw Failed(ErrorIds.RemoteCommandFailed, $"{serial}: sha256sum {remotePath} printed no hash: {r.StandardOutput.Trim()}", remotePath);
            return line.Substring(0, 64).ToLowerInvariant();
        }

        private AdbShellResult ShellChecked(string serial, params string[] argv)
        {
            var r = Shell(serial, argv);
            if (r.ExitCode != 0)
                throw Failed(ErrorIds.RemoteCommandFailed, $"{serial}: {string.Join(" ", argv)} failed (exit {r.ExitCode}): {r.StandardError.Trim()}", serial);
            return r;
        }

        private static void RequireText(string value, string name)
        {
            if (string.IsNullOrEmpty(value))
                throw Failed(ErrorIds.InvalidArgument, $"The {name} is empty.", value, MaceErrorCategory.InvalidArgument);
        }

        // Relative device paths depend on adbd's working folder, and one starting with '-' would read as an adb option.
        private static void RequireRemotePath(string path)
        {
            RequireText(path, "remote path");
            if (path[0] != '/' || path.IndexOf('\0') >= 0)
                throw Failed(ErrorIds.InvalidArgument, $"A device path must be absolute and free of NUL: '{path}'.", path, MaceErrorCategory.InvalidArgument);
        }

        private static MaceException Unavailable(AdbDevice device)
        {
            string hint = device.State switch
            {
                "unauthorized" => " Accept the USB debugging prompt on the device for this computer's adb key.",
                "no permissions" => " The user cannot open the USB device (udev rules).",
                "offline" => " Reconnect the device or restart adbd.",
                _ => "",
            };
            return Failed(ErrorIds.DeviceUnavailable, $"adb device '{device.Serial}' is {device.StateDetail}.{hint}", device.Serial, MaceErrorCategory.InvalidOperation);
        }

        private static MaceException Failed(string id, string message, object? target, MaceErrorCategory category = MaceErrorCategory.InvalidOperation) =>
            new MaceException(id, category, message, target);

        private ProcessResult RunOn(string serial, params string[] args)
        {
            RequireText(serial, nameof(serial));
            return RunWithServer(new[] { "-s", serial }.Concat(args).ToArray());
        }

        // The server is started once on its own, so its start-up notes never mix into a command's output.
        private ProcessResult RunWithServer(IReadOnlyList<string> args)
        {
            if (!serverStarted) StartServer();
            return Run(args);
        }

        private ProcessResult Run(IReadOnlyList<string> args)
        {
            var environment = new Dictionary<string, string>();
            if (ServerPort is int port) environment["ANDROID_ADB_SERVER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
            if (Home != null) environment["HOME"] = Home;
            CommandResult? r;
            try
            {
                // No input: adb shell forwards its stdin to the remote command, and an immediate end keeps it from waiting.
                r = LocalProcess.Run(AdbPath, args, null, Timeout, environment: environment);
            }
            catch (MaceException e) when (e.ErrorId == ErrorIds.ToolNotFound)
            {
                throw new MaceException(ErrorIds.ToolNotFound, MaceErrorCategory.InvalidOperation,
                    $"Cannot run {AdbPath} ({e.InnerException?.Message}). Install the Android platform tools (Debian: apt-get install adb).", AdbPath, e);
            }
            if (r == null)
                throw Failed(ErrorIds.RemoteCommandFailed, $"adb {string.Join(" ", args)} did not finish within {Timeout}.", null, MaceErrorCategory.OperationStopped);
            return new ProcessResult(r.ExitCode, r.Stdout, r.Stderr);
        }

        private sealed class ProcessResult
        {
            public ProcessResult(int exitCode, string output, string error)
            {
                ExitCode = exitCode;
                Output = output;
                Error = error;
            }

            public int ExitCode { get; }
            public string Output { get; }
            public string Error { get; }
            /// <summary>Both streams, trimmed: adb writes its answers to either.</summary>
            public string Text => (Output + Error).Trim();
        }
    }
}
