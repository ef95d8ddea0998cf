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
        /// <summary>Lower-case SHA-256 of a device file; null when there is no such file.</summary>
        string? Sha256(string remotePath);
        /// <summary>Copies a device file to a local path (created or overwritten); a missing device file is <see cref="ErrorIds.FileNotFound"/>.</summary>
        void Download(string remotePath, string localPath);
        /// <summary>Removes a file; a missing one is not an error.</summary>
        void Remove(string remotePath);
        /// <summary>
        /// Runs a command that needs a local file on the device: <paramref name="argv"/> is called with true when the file will
        /// arrive on the command's standard input (one round trip, ssh), or with false when it was first copied to
        /// <paramref name="stagedPath"/> (adb, whose shell has no reliable standard input).
        /// </summary>
        (int ExitCode, string Stdout, string Stderr) RunWithFile(Func<bool, string[]> argv, string localPath, string stagedPath);
    }

    /// <summary>
    /// The shell half shared by ssh and adb: both run an argv on the device and get its exit code and streams back. Every
    /// command is a constant script whose paths are its positional words, so paths stay data.
    /// </summary>
    public abstract class ShellRemoteFiles : IRemoteFiles
    {
        private const string HashScript = "[ -e \"$1\" ] || exit 3; sha256sum < \"$1\"";
        private const int Missing = 3;

        protected ShellRemoteFiles(InventoryDevice device) => Device = device;

        public InventoryDevice Device { get; }

        /// <summary>Runs argv on the device: exit code, stdout, stderr. Transport failures throw.</summary>
        protected abstract (int ExitCode, string Stdout, string Stderr) Run(string[] argv);

        public abstract void Download(string remotePath, string localPath);

        public abstract (int ExitCode, string Stdout, string Stderr) RunWithFile(Func<bool, string[]> argv, string localPath, string stagedPath);

        public string? Sha256(string remotePath)
        {
            var r = Run(new[] { "sh", "-c", HashScript, "sh", remotePath });
            if (r.ExitCode == Missing) return null;
            Check($"sha256sum of {remotePath}", r);
            var m = Regex.Match(r.Stdout, "^[0-9a-fA-F]{64}");
            if (!m.Success)
                throw new MaceException(ErrorIds.RemoteCommandFailed, MaceErrorCategory.InvalidData, $"{Device.Display}: sha256sum of {remotePath} printed no checksum: '{r.Stdout.Trim()}'", Device.Name);
            return m.Value.ToLowerInvariant();
        }

        public void Remove(string remotePath) => Check($"rm {remotePath}", Run(new[] { "rm", "-f", "--", remotePath }));

        public virtual void Dispose() { }

        private void Check(string what, (int ExitCode, string Stdout, string Stderr) r)
        {
            if (r.ExitCode == 0) return;
            string err = (r.Stderr.Length > 0 ? r.Stderr : r.Stdout).Trim();
            throw new MaceException(ErrorIds.RemoteCommandFailed, MaceErrorCategory.WriteError,
                $"{Device.Display}: {what} failed with exit code {r.ExitCode}{(err.Length == 0 ? "" : ": " + err)}", Device.Name);
        }

        /// <summary>
        /// The transport for a device of an inventory; <paramref name="adb"/> is the client adb devices use. With
        /// <paramref name="reuseConnection"/> false an ssh device gets one login per command: cheaper for a single command.
        /// </summary>
        public static IRemoteFiles For(InventoryDevice device, AdbClient? adb = null, bool reuseConnection = true) =>
            device.Transport == RemoteTransport.Adb ? new AdbRemoteFiles(device, adb ?? new AdbClient())
                : new SshRemoteFiles(new SshClient(device) { ReuseConnection = reuseConnection && SshClient.CanReuseConnections });
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

        public override (int, string, string) RunWithFile(Func<bool, string[]> argv, string localPath, string stagedPath)
        {
            var r = Client.Run(argv(true), localPath);
            return (r.ExitCode, r.Stdout, r.Stderr);
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

        public override (int, string, string) RunWithFile(Func<bool, string[]> argv, string localPath, string stagedPath)
        {
            Client.Push(Serial, localPath, stagedPath);
            return Run(argv(false));
        }

        public override void Download(string remotePath, string localPath) => Client.Pull(Serial, remotePath, localPath);
    }
}
