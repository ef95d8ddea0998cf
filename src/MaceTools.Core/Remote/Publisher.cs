using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace MaceTools.Remote
{
    /// <summary>One file to put on one device: what the identity check picked.</summary>
    public sealed class PublishPlan
    {
        public PublishPlan(InventoryDevice device, PublishKind kind, string? file, string? sha256, string? refusal = null, string refusalId = ErrorIds.IdentityMismatch)
        {
            Device = device;
            Kind = kind;
            File = file;
            Sha256 = sha256;
            Refusal = refusal;
            RefusalId = refusalId;
        }

        public InventoryDevice Device { get; }
        public PublishKind Kind { get; }
        public string? File { get; }
        public string? Sha256 { get; }
        /// <summary>Why no file may go to this device (identity mismatch, ambiguity); null when <see cref="File"/> is set.</summary>
        public string? Refusal { get; }
        /// <summary>The error id of <see cref="Refusal"/>.</summary>
        public string RefusalId { get; }
        public string Destination => Kind == PublishKind.Program ? Device.ProgramPath : Device.TuningPath;

        public PublishResult NewResult(PublishStatus status, string? error = null, string? errorId = null) => new PublishResult
        {
            Device = Device.Name,
            Transport = Device.Transport,
            Address = Device.Transport == RemoteTransport.Adb ? Device.Serial ?? "" : $"{Device.Destination}:{Device.Port ?? 22}",
            File = File,
            Path = Destination,
            Kind = Kind,
            Sha256 = Sha256,
            Status = status,
            Error = error,
            ErrorId = errorId,
        };
    }

    /// <summary>
    /// Replaces one device file so that readers see the old file or the new one, never a partial one. The whole exchange is
    /// one device-side script (one round trip over ssh, the file on its standard input): make the folder; report the old
    /// file's SHA-256 and stop if it is already the new one; store the new file under a temporary name beside it and check
    /// its SHA-256 there; keep the old file as <c>dest.bak</c> (a hard link, so the old file stays whole until the rename);
    /// rename over the destination; check again, and put the old file back if that fails. The temporary file is removed on
    /// every path the script sees; a transport that dies mid-way gets a last <c>rm</c>.
    /// </summary>
    public static class Publisher
    {
        public const string BackupSuffix = ".bak";

        // $1 dir, $2 dest, $3 temp, $4 expected SHA-256, $5 "stdin" when the file arrives on standard input (else it is at $3).
        // Each outcome is one line on stdout; exit codes name the step that failed (stderr says why).
        private const string Script =
            "h() { x=$(sha256sum < \"$1\") || return 1; echo \"${x%% *}\"; }; " +
            "mkdir -p -- \"$1\" || exit 10; " +
            "old=; if [ -e \"$2\" ]; then old=$(h \"$2\") || exit 11; fi; echo \"previous $old\"; " +
            "if [ \"$old\" = \"$4\" ]; then if [ \"$5\" = stdin ]; then cat > /dev/null; fi; rm -f -- \"$3\"; echo unchanged; exit 0; fi; " +
            "if [ \"$5\" = stdin ]; then cat > \"$3\" || { rm -f -- \"$3\"; exit 12; }; fi; " +
            "new=$(h \"$3\") || { rm -f -- \"$3\"; exit 13; }; " +
            "[ \"$new\" = \"$4\" ] || { rm -f -- \"$3\"; echo \"uploaded $new\"; exit 14; }; " +
            "if [ -n \"$old\" ]; then ln -f -- \"$2\" \"$2.bak\" 2>/dev/null || cp -p -- \"$2\" \"$2.bak\" || { rm -f -- \"$2.bak\" \"$3\"; exit 15; }; echo kept; fi; " +
            "mv -f -- \"$3\" \"$2\" || { rm -f -- \"$3\"; exit 16; }; " +
            "pub=$(h \"$2\"); if [ \"$pub\" != \"$4\" ]; then " +
            "if [ -n \"$old\" ]; then mv -f -- \"$2.bak\" \"$2\"; else rm -f -- \"$2\"; fi; echo \"published $pub\"; exit 17; fi; " +
            "echo published";

        private static readonly Dictionary<int, string> Steps = new Dictionary<int, string>
        {
            [10] = "making the folder", [11] = "reading the previous file", [12] = "storing the upload", [13] = "reading the upload back",
            [14] = "checking the upload", [15] = "keeping the previous file", [16] = "renaming into place", [17] = "checking the published file",
        };

        /// <summary>The temporary name next to <paramref name="destination"/>: hidden, and marked as ours for a clean-up by hand.</summary>
        public static string TempPath(string destination)
        {
            var (dir, name) = Split(destination);
            return $"{dir}/.{name}.macetools-{Guid.NewGuid().ToString("N").Substring(0, 10)}.tmp";
        }

        /// <summary>Publishes <paramref name="plan"/> through <paramref name="remote"/>; never throws for the device's failures, it reports them.</summary>
        public static PublishResult Publish(IRemoteFiles remote, PublishPlan plan, Action<string>? status = null)
        {
            if (plan.File == null || plan.Sha256 == null) throw new ArgumentException("the plan has no file", nameof(plan));
            var watch = Stopwatch.StartNew();
            var result = plan.NewResult(PublishStatus.Failed);
            string dest = plan.Destination;
            string temp = TempPath(dest);
            try
            {
                status?.Invoke("publishing to " + dest);
                var (code, stdout, stderr) = remote.RunWithFile(onStdin => new[] { "sh", "-c", Script, "sh", Split(dest).Dir, dest, temp, plan.Sha256, onStdin ? "stdin" : "staged" },
                    plan.File, temp);
                Read(result, code, stdout, stderr, dest, temp, plan.Sha256, remote.Device);
            }
            catch (MaceException e)
            {
                // The transport failed (unreachable, host key, timeout): the script may not have run, or may have stopped mid-way.
                result.Error = e.Message;
                result.ErrorId = e.ErrorId;
                // A device never reached (or no ssh/adb to reach it with) got nothing: no temporary file to remove or mention.
                if (!(e is MaceNotReachedException || e.ErrorId == ErrorIds.ToolNotFound)) TryRemove(remote, temp, result);
            }
            result.Seconds = watch.Elapsed.TotalSeconds;
            return result;
        }

        /// <summary>The script's report: one line per outcome, the exit code naming the failed step.</summary>
        private static void Read(PublishResult result, int code, string stdout, string stderr, string dest, string temp, string expected, InventoryDevice device)
        {
            string? Line(string word) => stdout.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l == word || l.StartsWith(word + " ", StringComparison.Ordinal));
            string? Value(string word) { var l = Line(word); return l == null || l.Length <= word.Length ? null : l.Substring(word.Length + 1); }
            result.PreviousSha256 = Value("previous");
            if (code == 0 && Line("unchanged") != null)
            {
                result.Status = PublishStatus.Unchanged;
                return;
            }
            if (Line("kept") != null) result.Backup = dest + BackupSuffix;
            if (code == 0 && Line("published") != null)
            {
                result.Status = PublishStatus.Published;
                return;
            }
            string err = stderr.Trim();
            string why = code switch
            {
                14 => $"the uploaded copy {temp} has SHA-256 {Value("uploaded")}, expected {expected}",
                17 => $"the published file has SHA-256 {Value("published")}, expected {expected}; " + (result.Backup != null ? "the previous file is back" : "it was removed"),
                _ => Steps.TryGetValue(code, out var step) ? $"{step} failed (exit code {code})" : $"the publish script failed (exit code {code})",
            };
            result.Error = $"{device.Display}: {dest}: {why}{(err.Length == 0 ? "" : ": " + err)}";
            result.ErrorId = code == 14 || code == 17 ? ErrorIds.ChecksumMismatch : ErrorIds.RemoteCommandFailed;
            if (code == 17)
            {
                result.Status = PublishStatus.RolledBack;
                result.Backup = null;
            }
        }

        private static void TryRemove(IRemoteFiles remote, string temp, PublishResult result)
        {
            try { remote.Remove(temp); }
            catch (MaceException e)
            {
                // Only a lost connection gets here; the name says whose it is.
                result.Error = (result.Error == null ? "" : result.Error + "; ") + $"the temporary file {temp} may be left: {e.Message}";
            }
        }

        /// <summary>A POSIX device path split at its last '/'.</summary>
        public static (string Dir, string Name) Split(string devicePath)
        {
            int slash = devicePath.LastIndexOf('/');
            return (slash <= 0 ? "/" : devicePath.Substring(0, slash), devicePath.Substring(slash + 1));
        }
    }
}
