using System;
using System.Linq;
using System.Text.RegularExpressions;

namespace MaceTools.Remote
{
    /// <summary>
    /// The file operations a publish needs on a device, over one transport. Paths are absolute device paths; every command is
    /// built by <see cref="RemoteQuote"/>, so no path is ever parsed by the device's shell. Not thread-safe: one per target.
    /// </summary>
    public interface IRemoteFiles : IDisposable
    {
        InventoryDevice Device { get; }
        /// <summary>Makes the destination's folder and returns the SHA-256 of the file there, null when there is none.</summary>
        string? Prepare(string destination);
        /// <summary>Copies a local file to a device path (created or overwritten) and returns the SHA-256 the device computes of what arrived.</summary>
        string UploadAndHash(string localPath, string remotePath);
        /// <summary>
        /// Keeps the destination as <paramref name="backupPath"/> when given and present (a hard link, or a copy where links are
        /// not possible), renames <paramref name="tempPath"/> over the destination (<c>mv -f</c>: atomic within one file system)
        /// and returns the destination's SHA-256. A failure before the rename leaves the destination as it was.
        /// </summary>
        string Commit(string tempPath, string destination, string? backupPath);
        /// <summary>Renames over the destination.</summary>
        void Rename(string fromPath, string toPath);
        /// <summary>Removes a file; a missing one is not an error.</summary>
        void Remove(string remotePath);
        /// <summary>Lower-case SHA-256 of a device file; null when there is no such file.</summary>
        string? Sha256(string remotePath);
        /// <summary>Copies a device file to a local path (created or overwritten); a missing device file is <see cref="ErrorIds.FileNotFound"/>.</summary>
        void Download(string remotePath, string localPath);
    }

    /// <summary>
    /// The shell half shared by ssh and adb: both run an argv on the device and get its exit code and streams back. Each
    /// publish step is one constant script (paths are its positional words, so they stay data), so a publish costs three
    /// round trips, which is what keeps a fleet publish bound by the network, not by logins and process starts.
    /// </summary>
    public abstract class ShellRemoteFiles : IRemoteFiles
    {
        private const string PrepareScript = "mkdir -p -- \"$1\" || exit 4; [ -e \"$2\" ] || exit 3; sha256sum < \"$2\"";
        protected const string StoreScript = "cat > \"$1\" && sha256sum < \"$1\"";
        private const string HashScript = "sha256sum < \"$1\"";
        private const string CommitScript =
            "if [ -n \"$3\" ] && [ -e \"$2\" ]; then ln -f -- \"$2\" \"$3\" 2>/dev/null || cp -p -- \"$2\" \"$3\" || { rm -f -- \"$3\"; exit 4; }; fi; " +
            "mv -f -- \"$1\" \"$2\" || exit 5; sha256sum < \"$2\"";
        private const int Missing = 3, NotRenamed = 4, RenameFailed = 5;

        protected ShellRemoteFiles(InventoryDevice device) => Device = device;

        public InventoryDevice Device { get; }

        /// <summary>Runs argv on the device: exit code, stdout, stderr. Transport failures throw.</summary>
        protected abstract (int ExitCode, string Stdout, string Stderr) Run(string[] argv);

        public abstract void Download(string remotePath, string localPath);

        public string? Sha256(string remotePath)
        {
            var r = Run(new[] { "sh", "-c", "[ -e \"$1\" ] || exit 3; " + HashScript, "sh", remotePath });
            return r.ExitCode == Missing ? null : Hash($"sha256sum of {remotePath}", r);
        }

        public string? Prepare(string destination)
        {
            var r = Run(new[] { "sh", "-c", PrepareScript, "sh", Publisher.Split(destination).Dir, destination });
            if (r.ExitCode == Missing) return null;
            return Hash($"checking {destination}", r);
        }

        /// <summary>The default upload: the transport's copy, then the device's hash of it.</summary>
        public virtual string UploadAndHash(string localPath, string remotePath)
        {
            Upload(localPath, remotePath);
            return Hash($"sha256sum of {remotePath}", Run(new[] { "sh", "-c", HashScript, "sh", remotePath }));
        }

        protected abstract void Upload(string localPath, string remotePath);

        public string Commit(string tempPath, string destination, string? backupPath)
        {
            var r = Run(new[] { "sh", "-c", CommitScript, "sh", tempPath, destination, backupPath ?? "" });
            if (r.ExitCode == NotRenamed) throw Failed($"keeping {destination} as {backupPath}", r, renamed: false);
            if (r.ExitCode == RenameFailed) throw Failed($"mv {tempPath} {destination}", r, renamed: false);
            return Hash($"sha256sum of {destination}", r, renamed: true);
        }

        public void Rename(string fromPath, string toPath) => Check($"mv {fromPath} {toPath}", Run(new[] { "mv", "-f", "--", fromPath, toPath }));
        public void Remove(string remotePath) => Check($"rm {remotePath}", Run(new[] { "rm", "-f", "--", remotePath }));

        public virtual void Dispose() { }

        /// <summary>The checksum a step printed, or its failure.</summary>
        protected string Hash(string what, (int ExitCode, string Stdout, string Stderr) r, bool renamed = false)
        {
            Check(what, r, renamed);
            var m = Regex.Match(r.Stdout, "^[0-9a-fA-F]{64}");
            if (!m.Success)
                throw new RemoteStepException($"{Device.Display}: {what} printed no checksum: '{r.Stdout.Trim()}'", Device.Name, renamed, ErrorIds.RemoteCommandFailed);
            return m.Value.ToLowerInvariant();
        }

        private void Check(string what, (int ExitCode, string Stdout, string Stderr) r, bool renamed = false)
        {
            if (r.ExitCode != 0) throw Failed(what, r, renamed);
        }

        private RemoteStepException Failed(string what, (int ExitCode, string Stdout, string Stderr) r, bool renamed)
        {
            string err = (r.Stderr.Length > 0 ? r.Stderr : r.Stdout).Trim();
            return new RemoteStepException($"{Device.Display}: {what} failed with exit code {r.ExitCode}{(err.Length == 0 ? "" : ": " + err)}", Device.Name, renamed);
        }

        /// <summary>The transport for a device of an inventory; <paramref name="adb"/> is the client adb devices use.</summary>
        public static IRemoteFiles For(InventoryDevice device, AdbClient? adb = null) =>
            device.Transport == RemoteTransport.Adb ? new AdbRemoteFiles(device, adb ?? new AdbClient()) : new SshRemoteFiles(new SshClient(device));
    }

    /// <summary>A publish step that failed on the device; <see cref="Renamed"/> says whether the new file had already replaced the old one.</summary>
    public sealed class RemoteStepException : MaceException
    {
        public RemoteStepException(string message, string device, bool renamed, string errorId = ErrorIds.RemoteCommandFailed)
            : base(errorId, MaceErrorCategory.WriteError, message, device) => Renamed = renamed;

        public bool Renamed { get; }
    }

    /// <summary>Over <see cref="SshClient"/>: one shared connection per target, upload streamed into <c>cat</c>.</summary>
    public sealed class SshRemoteFiles : ShellRemoteFiles
    {
        public SshRemoteFiles(SshClient client) : base(client.Device) => Client = client;

        public SshClient Client { get; }

        protected override (int, string, string) Run(string[] argv)
        {
            var r = Client.Run(argv);
            return (r.ExitCode, r.Stdout, r.Stderr);
        }

        protected override void Upload(string localPath, string remotePath) => Client.Upload(localPath, remotePath);

        /// <summary>One round trip: the file streams into cat and the device hashes what it stored.</summary>
        public override string UploadAndHash(string localPath, string remotePath)
        {
            var r = Client.Run(new[] { "sh", "-c", StoreScript, "sh", remotePath }, localPath);
            return Hash($"upload to {remotePath}", (r.ExitCode, r.Stdout, r.Stderr));
        }

        public override void Download(string remotePath, string localPath) => Client.Download(remotePath, localPath);

        public override void Dispose() => Client.Dispose();
    }

    /// <summary>Over <see cref="AdbClient"/>: <c>adb shell</c> and <c>adb push</c> to the inventory's serial.</summary>
    public sealed class AdbRemoteFiles : ShellRemoteFiles
    {
        public AdbRemoteFiles(InventoryDevice device, AdbClient client) : base(device)
        {
            if (string.IsNullOrEmpty(device.Serial))
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, $"{device.Name}: an adb device needs a serial", device.Name);
            Client = client;
        }

        public AdbClient Client { get; }
        private string Serial => Device.Serial!;

        protected override (int, string, string) Run(string[] argv)
        {
            var r = Client.Shell(Serial, argv);
            return (r.ExitCode, r.StandardOutput, r.StandardError);
        }

        protected override void Upload(string localPath, string remotePath) => Client.Push(Serial, localPath, remotePath);

        public override void Download(string remotePath, string localPath) => Client.Pull(Serial, remotePath, localPath);
    }
}
