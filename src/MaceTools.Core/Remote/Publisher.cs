using System;
using System.Diagnostics;

namespace MaceTools.Remote
{
    /// <summary>One file to put on one device: what the identity check picked.</summary>
    public sealed class PublishPlan
    {
        public PublishPlan(InventoryDevice device, PublishKind kind, string? file, string? sha256, string? refusal = null)
        {
            Device = device;
            Kind = kind;
            File = file;
            Sha256 = sha256;
            Refusal = refusal;
        }

        public InventoryDevice Device { get; }
        public PublishKind Kind { get; }
        public string? File { get; }
        public string? Sha256 { get; }
        /// <summary>Why no file may go to this device (identity mismatch, ambiguity); null when <see cref="File"/> is set.</summary>
        public string? Refusal { get; }
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
    /// Replaces one device file so that readers see the old file or the new one, never a partial one: upload under a temporary
    /// name in the destination's folder, check its SHA-256 there, keep the old file as <c>dest.bak</c> (a hard link, so the old
    /// file stays whole until the rename), rename over the destination, check again; any failure after the rename puts the old
    /// file back. The temporary file is removed on every path.
    /// </summary>
    public static class Publisher
    {
        public const string BackupSuffix = ".bak";

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
            bool tempMade = false;
            try
            {
                status?.Invoke("checking " + dest);
                result.PreviousSha256 = remote.Prepare(dest);
                if (result.PreviousSha256 == plan.Sha256)
                {
                    result.Status = PublishStatus.Unchanged;
                    return result;
                }

                status?.Invoke("uploading to " + temp);
                tempMade = true;
                Verify(remote, remote.UploadAndHash(plan.File, temp), temp, plan.Sha256, "the uploaded copy", renamed: false);

                status?.Invoke("renaming into place");
                string? backup = result.PreviousSha256 != null ? dest + BackupSuffix : null;
                string published = remote.Commit(temp, dest, backup);
                tempMade = false;
                result.Backup = backup;
                Verify(remote, published, dest, plan.Sha256, "the published file", renamed: true);
                result.Status = PublishStatus.Published;
            }
            catch (MaceException e)
            {
                result.Error = e.Message;
                result.ErrorId = e.ErrorId;
                if (e is RemoteStepException step && step.Renamed)
                {
                    tempMade = false;
                    result.Backup = result.PreviousSha256 != null ? dest + BackupSuffix : null;
                    RollBack(remote, result, dest);
                }
            }
            finally
            {
                if (tempMade) TryRemove(remote, temp, result);
                result.Seconds = watch.Elapsed.TotalSeconds;
            }
            return result;
        }

        private static void Verify(IRemoteFiles remote, string actual, string path, string expected, string what, bool renamed)
        {
            if (actual != expected)
                throw new RemoteStepException($"{remote.Device.Display}: {what} {path} has SHA-256 {actual}, expected {expected}", remote.Device.Name, renamed, ErrorIds.ChecksumMismatch);
        }

        /// <summary>After a failed rename or check: the backup goes back in one rename; with no previous file, the new one goes.</summary>
        private static void RollBack(IRemoteFiles remote, PublishResult result, string dest)
        {
            try
            {
                if (result.Backup != null)
                {
                    remote.Rename(result.Backup, dest);
                    result.Backup = null;
                }
                else remote.Remove(dest);
                result.Status = PublishStatus.RolledBack;
            }
            catch (MaceException e)
            {
                result.Error += $"; rolling back failed too: {e.Message}";
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
