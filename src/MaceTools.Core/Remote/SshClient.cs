using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Threading;

namespace MaceTools.Remote
{
    /// <summary>What ssh does with a host key it has not seen or that changed.</summary>
    public enum HostKeyPolicy
    {
        /// <summary>StrictHostKeyChecking=yes: an unknown or changed key is an error (the default).</summary>
        Strict,
        /// <summary>StrictHostKeyChecking=accept-new: an unknown key is added to known_hosts; a changed key is still an error.</summary>
        AcceptNew,
        /// <summary>StrictHostKeyChecking=no: for throw-away test devices only.</summary>
        Off,
    }

    /// <summary>
    /// Runs commands on a device through the system's OpenSSH client, so the user's ~/.ssh/config, agent, jump hosts and
    /// known_hosts all apply. ssh is started with an argument vector (never a local shell); the remote command line is made
    /// only by <see cref="RemoteQuote"/>. One master connection is shared by all commands (ControlMaster) and closed by Dispose.
    /// ssh's own failures (exit 255) become <see cref="MaceException"/>s that say what happened and name the device.
    /// </summary>
    public sealed class SshClient : IDisposable
    {
        private string? _controlDir;

        public SshClient(InventoryDevice device)
        {
            Device = device ?? throw new ArgumentNullException(nameof(device));
            if (device.Transport != RemoteTransport.Ssh || string.IsNullOrEmpty(device.Address))
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument,
                    $"{device.Display}: not an ssh device (transport {device.Transport}, address '{device.Address}')", device.Name);
        }

        public InventoryDevice Device { get; }
        /// <summary>The ssh program; a name on PATH or a full path.</summary>
        public string SshProgram { get; set; } = "ssh";
        public HostKeyPolicy HostKeys { get; set; } = HostKeyPolicy.Strict;
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
        /// <summary>A dead link is noticed after three unanswered keep-alives this far apart.</summary>
        public TimeSpan ServerAliveInterval { get; set; } = TimeSpan.FromSeconds(15);
        /// <summary>The limit of a command when <see cref="Run(string[], byte[], TimeSpan?)"/> is given none.</summary>
        public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);
        /// <summary>Share one connection between commands (one login costs ~0.3 s on a LAN, more on a board). Windows' OpenSSH has no ControlMaster.</summary>
        public bool ReuseConnection { get; set; } = CanReuseConnections;
        /// <summary>Whether this platform's OpenSSH has ControlMaster (Windows' has not).</summary>
        public static bool CanReuseConnections => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        /// <summary>How long an idle shared connection stays open; it outlives a crashed process by at most this.</summary>
        public TimeSpan ControlPersist { get; set; } = TimeSpan.FromSeconds(60);
        public CancellationToken Cancellation { get; set; }

        /// <summary>The shared connection's socket, once a command ran with <see cref="ReuseConnection"/>.</summary>
        public string? ControlSocket => _controlDir == null ? null : Path.Combine(_controlDir, "c");

        /// <summary>The full ssh argument vector for a remote command line (before <c>--</c>: options; after: destination and command).</summary>
        public IReadOnlyList<string> SshArguments(string? remoteCommand, params string[] extraOptions)
        {
            var a = new List<string> { "-T" };
            void Option(string name, string value) { a.Add("-o"); a.Add(name + "=" + value); }
            Option("BatchMode", "yes");
            Option("StrictHostKeyChecking", HostKeys == HostKeyPolicy.Strict ? "yes" : HostKeys == HostKeyPolicy.AcceptNew ? "accept-new" : "no");
            Option("ConnectTimeout", Seconds(ConnectTimeout));
            Option("ServerAliveInterval", Seconds(ServerAliveInterval));
            Option("ServerAliveCountMax", "3");
            // -o IdentityFile is -i with config-line quoting, so a key path with spaces or quotes reaches ssh intact.
            if (Device.IdentityFile != null)
            {
                Option("IdentityFile", RemoteQuote.SshOptionValue(Device.IdentityFile));
                Option("IdentitiesOnly", "yes");
            }
            if (Device.KnownHostsFile != null) Option("UserKnownHostsFile", RemoteQuote.SshOptionValue(Device.KnownHostsFile));
            if (Device.SshConfig != null) { a.Add("-F"); a.Add(Device.SshConfig); }
            if (Device.Port != null) { a.Add("-p"); a.Add(Device.Port.Value.ToString(CultureInfo.InvariantCulture)); }
            if (ReuseConnection)
            {
                Option("ControlMaster", "auto");
                Option("ControlPath", RemoteQuote.SshOptionValue(EnsureControlSocket()));
                Option("ControlPersist", Seconds(ControlPersist));
            }
            a.AddRange(extraOptions);
            // "--": an address that looks like an option (inventories refuse it; a caller's object might not) stays a destination.
            a.Add("--");
            a.Add(Device.Destination);
            if (remoteCommand != null) a.Add(remoteCommand);
            return a;
        }

        /// <summary>
        /// Runs <paramref name="argv"/> on the device (each word quoted by <see cref="RemoteQuote.Sh"/>) and returns its exit code
        /// and output; a non-zero exit is returned, not thrown. ssh's own failures and the timeout throw.
        /// </summary>
        public CommandResult Run(string[] argv, byte[]? stdin = null, TimeSpan? timeout = null) =>
            RunLine(RemoteQuote.Command(argv), stdin == null ? null : new MemoryStream(stdin, false), timeout);

        /// <summary><see cref="Run(string[], byte[], TimeSpan?)"/>, with a non-zero exit code thrown as <see cref="ErrorIds.RemoteCommandFailed"/>.</summary>
        public CommandResult RunChecked(string[] argv, byte[]? stdin = null, TimeSpan? timeout = null)
        {
            string line = RemoteQuote.Command(argv);
            return Check(line, RunLine(line, stdin == null ? null : new MemoryStream(stdin, false), timeout));
        }

        /// <summary>
        /// Copies a local file to the device by streaming it into <c>cat &gt; path</c> over the ssh connection. Unlike scp and sftp,
        /// this needs nothing on the device but a shell and cat (busybox boards often lack sftp-server), reuses the shared
        /// connection, and the path is quoted by the one quoting function (legacy scp hands the path to the remote shell
        /// unquoted, sftp has quoting rules of its own). A full disk or a missing folder is cat's or the shell's error, with its exit code.
        /// </summary>
        public void Upload(string localPath, string remotePath, TimeSpan? timeout = null) =>
            Check($"upload to {remotePath}", RunWithFile(localPath, RemoteQuote.CommandToFile(new[] { "cat" }, remotePath), timeout));

        /// <summary>Runs <paramref name="argv"/> with a local file streamed to its standard input (not loaded in memory).</summary>
        public CommandResult Run(string[] argv, string stdinFile, TimeSpan? timeout = null) => RunWithFile(stdinFile, RemoteQuote.Command(argv), timeout);

        private CommandResult RunWithFile(string localPath, string line, TimeSpan? timeout)
        {
            Stream file;
            try { file = File.OpenRead(localPath); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new MaceException(e is FileNotFoundException || e is DirectoryNotFoundException ? ErrorIds.FileNotFound : ErrorIds.FileUnreadable,
                    MaceErrorCategory.ReadError, $"{localPath}: cannot read: {e.Message}", localPath, e);
            }
            using (file) return RunLine(line, file, timeout);
        }

        /// <summary>
        /// Copies a device file to a local path: <c>cat &lt; path</c> over the shared connection, the bytes read from ssh's stdout
        /// (the counterpart of <see cref="Upload"/>: nothing needed on the device but a shell and cat).
        /// </summary>
        public void Download(string remotePath, string localPath, TimeSpan? timeout = null)
        {
            string line = RemoteQuote.CommandFromFile(new[] { "cat" }, remotePath);
            var result = RunLine(line, null, timeout);
            if (result.ExitCode != 0 && result.Stderr.IndexOf("No such file", StringComparison.Ordinal) >= 0)
                throw new MaceException(ErrorIds.FileNotFound, MaceErrorCategory.ObjectNotFound, $"{Device.Display}: no such file {remotePath}", Device.Name);
            Check($"download of {remotePath}", result);
            try { File.WriteAllBytes(localPath, result.StdoutBytes); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new MaceException(ErrorIds.WriteFailed, MaceErrorCategory.WriteError, $"{localPath}: cannot write the copy of {Device.Name}:{remotePath}: {e.Message}", localPath, e);
            }
        }

        /// <summary>The lower-case SHA-256 of a device file. The file is sha256sum's standard input, so its name never reaches a command line.</summary>
        public string Sha256(string remotePath)
        {
            string line = RemoteQuote.CommandFromFile(new[] { "sha256sum" }, remotePath);
            var result = Check($"sha256sum of {remotePath}", RunLine(line, null, null));
            var match = Regex.Match(result.Stdout, "^[0-9a-fA-F]{64}");
            if (!match.Success)
                throw new MaceException(ErrorIds.RemoteCommandFailed, MaceErrorCategory.InvalidData,
                    $"{Device.Display}: sha256sum of {remotePath} printed no checksum: '{result.Stdout.Trim()}'", Device.Name);
            return match.Value.ToLowerInvariant();
        }

        /// <summary>Whether a path exists on the device (<c>test -e</c>, which reads its last argument as an operand, never an option).</summary>
        public bool Exists(string remotePath)
        {
            var result = Run(new[] { "test", "-e", remotePath });
            if (result.ExitCode == 0 || result.ExitCode == 1) return result.ExitCode == 0;
            throw Failure($"test -e {remotePath}", result);
        }

        /// <summary>Renames a device file over another (<c>mv -f</c>; atomic within one file system).</summary>
        public void Rename(string fromPath, string toPath) => RunChecked(new[] { "mv", "-f", "--", fromPath, toPath });

        /// <summary>Removes a device file; a missing file is not an error (<c>rm -f</c>).</summary>
        public void Remove(string remotePath) => RunChecked(new[] { "rm", "-f", "--", remotePath });

        /// <summary>Creates a folder and its parents on the device (<c>mkdir -p</c>).</summary>
        public void MakeDirectory(string remotePath) => RunChecked(new[] { "mkdir", "-p", "--", remotePath });

        /// <summary>Whether the shared connection is up (<c>ssh -O check</c>).</summary>
        public bool IsMasterRunning() =>
            ControlSocket != null && File.Exists(ControlSocket) && LocalProcess.Run(SshProgram, SshArguments(null, "-O", "check"), null, ConnectTimeout)?.ExitCode == 0;

        /// <summary>Closes the shared connection (<c>ssh -O exit</c>) and removes its private folder.</summary>
        public void Dispose()
        {
            if (_controlDir == null) return;
            try
            {
                if (File.Exists(ControlSocket)) LocalProcess.Run(SshProgram, SshArguments(null, "-O", "exit"), null, TimeSpan.FromSeconds(10));
            }
            catch (MaceException) { }
            try { Directory.Delete(_controlDir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            _controlDir = null;
        }

        private CommandResult RunLine(string remoteCommand, Stream? stdin, TimeSpan? timeout)
        {
            // The command that starts the master keeps the master holding its output pipes until the command ends (a killed
            // client's command runs on). So the master is started by a command of its own that ends at once.
            if (ReuseConnection && !File.Exists(EnsureControlSocket()))
                RunOnce(RemoteQuote.Command("true"), null, ConnectTimeout + TimeSpan.FromSeconds(30));
            return RunOnce(remoteCommand, stdin, timeout ?? CommandTimeout);
        }

        private CommandResult RunOnce(string remoteCommand, Stream? stdin, TimeSpan limit)
        {
            var result = LocalProcess.Run(SshProgram, SshArguments(remoteCommand), stdin, limit, Cancellation);
            if (result == null)
                throw new MaceException(ErrorIds.RemoteTimeout, MaceErrorCategory.OperationStopped,
                    $"{Device.Display}: {remoteCommand} did not finish in {Seconds(limit)} s; ssh was stopped", Device.Name);
            if (result.ExitCode == 255 && Classify(result) is MaceException e) throw e;
            return result;
        }

        private CommandResult Check(string what, CommandResult result) => result.ExitCode == 0 ? result : throw Failure(what, result);

        private MaceException Failure(string what, CommandResult result)
        {
            string err = result.Stderr.Trim();
            return new MaceException(ErrorIds.RemoteCommandFailed, MaceErrorCategory.WriteError,
                $"{Device.Display}: {what} failed with exit code {result.ExitCode}{(err.Length == 0 ? "" : ": " + err)}", Device.Name);
        }

        /// <summary>ssh exits 255 for its own failures; stderr says which. A remote command that itself exits 255 prints none of these.</summary>
        private MaceException? Classify(CommandResult result)
        {
            string err = result.Stderr;
            string sshSays = string.Join(" ", err.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("@", StringComparison.Ordinal)).Take(4));
            string knownHosts = Device.KnownHostsFile ?? "~/.ssh/known_hosts";
            MaceException Error(string id, MaceErrorCategory category, string message) =>
                new MaceException(id, category, $"{Device.Display}: {message} (ssh: {sshSays})", Device.Name);
            // Failures before a session exists: nothing was sent to the device.
            MaceException NotReached(string id, MaceErrorCategory category, string message) =>
                new MaceNotReachedException(id, category, $"{Device.Display}: {message} (ssh: {sshSays})", Device.Name);
            bool Says(string text) => err.IndexOf(text, StringComparison.OrdinalIgnoreCase) >= 0;

            if (Says("REMOTE HOST IDENTIFICATION HAS CHANGED") || Says("has changed and you have requested strict checking"))
                return NotReached(ErrorIds.RemoteHostKeyChanged, MaceErrorCategory.InvalidOperation,
                    $"the host key has CHANGED since it was recorded in {knownHosts}: the device was reinstalled, or someone is in between. " +
                    $"If the change is expected, remove the old key (ssh-keygen -R) and accept the new one");
            if (Says("Host key verification failed") || Says("host key is known for"))
                return NotReached(ErrorIds.RemoteHostKeyUnknown, MaceErrorCategory.InvalidOperation,
                    $"the host key is unknown: {knownHosts} has no entry for this host and strict host-key checking is on. " +
                    "Connect once with ssh to check and record it, or add it with ssh-keyscan after checking its fingerprint");
            if (Says("Permission denied"))
                return NotReached(ErrorIds.RemoteAuthFailed, MaceErrorCategory.InvalidOperation,
                    $"login refused for user '{Device.Username}': no key that the device accepts" + (Device.IdentityFile == null ? "" : $" (identity file {Device.IdentityFile})"));
            if (Says("Connection refused"))
                return NotReached(ErrorIds.RemoteUnreachable, MaceErrorCategory.ConnectionError, "connection refused: the device is up but no ssh server listens on that port");
            if (Says("timed out"))
                return NotReached(ErrorIds.RemoteUnreachable, MaceErrorCategory.ConnectionError, $"connection timed out after {Seconds(ConnectTimeout)} s: the device is down or unreachable");
            if (Says("No route to host") || Says("Network is unreachable") || Says("Could not resolve hostname") || Says("Name or service not known"))
                return NotReached(ErrorIds.RemoteUnreachable, MaceErrorCategory.ConnectionError, "the device cannot be reached");
            // A connection that was made and then lost: part of what was sent may be there.
            if (Says("Connection closed") || Says("Connection reset") || Says("kex_exchange_identification"))
                return Error(ErrorIds.RemoteUnreachable, MaceErrorCategory.ConnectionError, "the device cannot be reached");
            if (Says("contains invalid characters"))
                return Error(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, "ssh refused the address or user name");
            if (err.StartsWith("ssh:", StringComparison.Ordinal) || err.IndexOf("\nssh:", StringComparison.Ordinal) >= 0)
                return Error(ErrorIds.RemoteUnreachable, MaceErrorCategory.ConnectionError, "ssh failed");
            return null;
        }

        private string EnsureControlSocket()
        {
            if (_controlDir == null)
            {
                // A unix socket path must stay under ~104 bytes, so a short folder in /tmp, not a long TMPDIR. ssh creates the
                // socket itself with mode 0600; the random name keeps other processes' masters apart.
                string root = Path.GetTempPath().Length > 60 ? "/tmp" : Path.GetTempPath();
                string dir = Path.Combine(root, "mt-ssh-" + Guid.NewGuid().ToString("N").Substring(0, 10));
                Directory.CreateDirectory(dir);
                _controlDir = dir;
            }
            return ControlSocket!;
        }

        private static string Seconds(TimeSpan t) => Math.Max(1, (int)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }
}
