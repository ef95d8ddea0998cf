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
        /// <summary>Copies a local file to a device path (created or overwritten).</summary>
        void Upload(string localPath, string remotePath);
        /// <summary>Lower-case SHA-256 of a device file; null when there is no such file.</summary>
        string? Sha256(string remotePath);
        /// <summary>Renames over the destination (<c>mv -f</c>; atomic within one file system).</summary>
        void Rename(string fromPath, string toPath);
        /// <summary>Makes <paramref name="toPath"/> another name of the file (hard link), or a copy where links are not possible.</summary>
        void Keep(string fromPath, string toPath);
        /// <summary>Removes a file; a missing one is not an error.</summary>
        void Remove(string remotePath);
        void MakeDirectory(string remotePath);
        /// <summary>Copies a device file to a local path (created or overwritten); a missing device file is <see cref="ErrorIds.FileNotFound"/>.</summary>
        void Download(string remotePath, string localPath);
    }

    /// <summary>
    /// The shell half shared by ssh and adb: both run an argv on the device and get its exit code and streams back.
    /// Subclasses supply that and the upload.
    /// </summary>
    public abstract class ShellRemoteFiles : IRemoteFiles
    {
        // "$1"/"$2" are the positional words after the script, so paths stay data; the script itself is constant.
        private const string HashScript = "[ -e \"$1\" ] || exit 3; sha256sum < \"$1\"";
        private const string KeepScript = "ln -f -- \"$1\" \"$2\" 2>/dev/null || cp -p -- \"$1\" \"$2\"";
        private const int Missing = 3;

        protected ShellRemoteFiles(InventoryDevice device) => Device = device;

        public InventoryDevice Device { get; }

        /// <summary>Runs argv on the device: exit code, stdout, stderr. Transport failures throw.</summary>
        protected abstract (int ExitCode, string Stdout, string Stderr) Run(string[] argv);

        public abstract void Upload(string localPath, string remotePath);

        public abstract void Download(string remotePath, string localPath);

        public string? Sha256(string remotePath)
        {
            var r = Run(new[] { "sh", "-c", HashScript, "sh", remotePath });
            if (r.ExitCode == Missing) return null;
            Check($"sha256sum of {remotePath}", r);
            var m = Regex.Match(r.Stdout, "^[0-9a-fA-F]{64}");
            if (!m.Success)
                throw new MaceException(ErrorIds.RemoteCommandFailed, MaceErrorCategory.InvalidData,
                    $"{Device.Display}: sha256sum of {remotePath} printed no checksum: '{r.Stdout.Trim()}'", Device.Name);
            return m.Value.ToLowerInvariant();
        }

        public void Rename(string fromPath, string toPath) => Checked($"mv {fromPath} {toPath}", "mv", "-f", "--", fromPath, toPath);
        public void Keep(string fromPath, string toPath) => Checked($"keeping {fromPath} as {toPath}", "sh", "-c", KeepScript, "sh", fromPath, toPath);
        public void Remove(string remotePath) => Checked($"rm {remotePath}", "rm", "-f", "--", remotePath);
        public void MakeDirectory(string remotePath) => Checked($"mkdir {remotePath}", "mkdir", "-p", "--", remotePath);

        public virtual void Dispose() { }

        private void Checked(string what, params string[] argv) => Check(what, Run(argv));

        private void Check(string what, (int ExitCode, string Stdout, string Stderr) r)
        {
            if (r.ExitCode == 0) return;
            string err = (r.Stderr.Length > 0 ? r.Stderr : r.Stdout).Trim();
            throw new MaceException(ErrorIds.RemoteCommandFailed, MaceErrorCategory.WriteError,
                $"{Device.Display}: {what} failed with exit code {r.ExitCode}{(err.Length == 0 ? "" : ": " + err)}", Device.Name);
        }

        /// <summary>The transport for a device of an inventory; <paramref name="adb"/> is the client adb devices use.</summary>
        public static IRemoteFiles For(InventoryDevice device, AdbClient? adb = null) =>
            device.Transport == RemoteTransport.Adb ? new AdbRemoteFiles(device, adb ?? new AdbClient()) : new SshRemoteFiles(new SshClient(device));
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

        public override void Upload(string localPath, string remotePath) => Client.Upload(localPath, remotePath);

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

        public override void Upload(string localPath, string remotePath) => Client.Push(Serial, localPath, remotePath);

        public override void Download(string remotePath, string localPath) => Client.Pull(Serial, remotePath, localPath);
    }
}
