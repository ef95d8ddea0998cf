using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MaceTools.Formats;

namespace MaceTools.Remote
{
    /// <summary>What MACE did with the program file we published, as its own cache file on the device tells after the app ran.</summary>
    public enum DriftVerdict
    {
        /// <summary>Every program of ours is still there with our binary, and MACE built nothing of its own.</summary>
        Kept,
        /// <summary>Some programs kept, some rebuilt, dropped, or built because our file lacked them.</summary>
        PartlyRebuilt,
        /// <summary>None of our programs survived: MACE dropped or ignored the file and built what it needed from source.</summary>
        Rebuilt,
        /// <summary>The device has no MACE cache file at the path: the app has not run, has no storage folder, or built nothing.</summary>
        NoDeviceCache,
    }

    /// <summary>One target's drift check: our program file against the cache file MACE left on the device.</summary>
    public sealed class MaceDriftResult
    {
        public string Device { get; set; } = "";
        /// <summary>Our program file (local path).</summary>
        public string OurFile { get; set; } = "";
        public string OurSha256 { get; set; } = "";
        /// <summary>The device path of MACE's cache file that was read.</summary>
        public string DeviceFile { get; set; } = "";
        /// <summary>Null when the device has no file there.</summary>
        public string? DeviceFileSha256 { get; set; }
        /// <summary>True when the device file is the inventory's program_path: MACE used our file as its runtime cache and wrote over it.
        /// False: our file is MACE's precompiled file, and the cache holds only what MACE built itself.</summary>
        public bool UsedAsCache { get; set; }
        public DriftVerdict Verdict { get; set; }
        public int Kept => KeptKeys.Length;
        public int Rebuilt => RebuiltKeys.Length;
        public int Missing => MissingKeys.Length;
        public int Added => AddedKeys.Length;
        /// <summary>Our program keys with the same binary (SHA-256) in the device's file.</summary>
        public string[] KeptKeys { get; set; } = Array.Empty<string>();
        /// <summary>Our program keys whose binary in the device's file is another one: MACE rebuilt them.</summary>
        public string[] RebuiltKeys { get; set; } = Array.Empty<string>();
        /// <summary>Our program keys not in the device's file.</summary>
        public string[] MissingKeys { get; set; } = Array.Empty<string>();
        /// <summary>Program keys in the device's file that our file lacked: MACE built them from source.</summary>
        public string[] AddedKeys { get; set; } = Array.Empty<string>();
        public string? OurPlatformInfo { get; set; }
        public string? DevicePlatformInfo { get; set; }
        public string? OurDeviceName { get; set; }
        public string? DeviceDeviceName { get; set; }
        public List<MaceFinding> Findings { get; set; } = new List<MaceFinding>();

        public override string ToString() => $"{Device}: {Verdict} ({Kept} kept, {Rebuilt} rebuilt, {Missing} missing, {Added} added) {DeviceFile}";
    }

    /// <summary>
    /// The drift check: reads MACE's runtime cache file from a device and compares it, program key by program key, with the file
    /// we published. MACE's v1.1.1 write-back (mace-formats.md §3.4) inserts only the programs it built from source, and never
    /// removes an entry unless the load-time identity check cleared the cache (§2.4); so a key with another binary was rebuilt, a
    /// key that is gone was cleared, and a key we did not ship was built because our file lacked it.
    /// </summary>
    public static class DriftCheck
    {
        /// <summary>Where MACE writes its cache for this device: the program_path's folder and MACE's fixed cache name (§2.6, §5.2).</summary>
        public static string DefaultDeviceFile(InventoryDevice device) => Publisher.Split(device.ProgramPath).Dir + "/" + MaceInventory.ProgramFileName;

        /// <summary>
        /// Reads <paramref name="remotePath"/> through <paramref name="remote"/> into a temporary file (deleted afterwards) and compares it
        /// with <paramref name="ours"/>. Transport failures throw; a missing file is the <see cref="DriftVerdict.NoDeviceCache"/> verdict.
        /// </summary>
        public static MaceDriftResult Check(IRemoteFiles remote, MaceProgram ours, string remotePath)
        {
            var device = remote.Device;
            bool usedAsCache = remotePath == device.ProgramPath;
            string? sha = remote.Sha256(remotePath);
            if (sha == null) return Compare(ours, null, device.Name, remotePath, usedAsCache);
            string temp = Path.Combine(Path.GetTempPath(), "macetools-drift-" + Guid.NewGuid().ToString("N") + ".bin");
            try
            {
                remote.Download(remotePath, temp);
                byte[] bytes = InputGate.ReadAll(temp, InputKind.MaceFile);
                // MACE flushing while we read would give a torn copy: the device's own checksum says whether we have the file it hashed.
                string got = Hashing.Sha256Hex(bytes);
                if (got != sha)
                    throw new MaceException(ErrorIds.ChecksumMismatch, MaceErrorCategory.ReadError,
                        $"{device.Display}: the copy of {remotePath} has SHA-256 {got}, the device said {sha}; the file changed while it was read (is the app running?)", device.Name);
                // Decoded under its device path, so a decode error names the device's file, not the temporary copy.
                var theirs = MaceProgram.FromBytes(bytes, remotePath, MaceFileKind.Programs);
                return Compare(ours, theirs, device.Name, remotePath, usedAsCache);
            }
            finally
            {
                try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        /// <summary>The comparison itself; <paramref name="theirs"/> null means the device has no cache file.</summary>
        public static MaceDriftResult Compare(MaceProgram ours, MaceProgram? theirs, string device, string remotePath, bool usedAsCache)
        {
            var r = new MaceDriftResult
            {
                Device = device,
                OurFile = ours.Path,
                OurSha256 = ours.Sha256,
                DeviceFile = remotePath,
                DeviceFileSha256 = theirs?.Sha256,
                UsedAsCache = usedAsCache,
                OurPlatformInfo = ours.PlatformInfo,
                OurDeviceName = ours.DeviceName,
                DevicePlatformInfo = theirs?.PlatformInfo,
                DeviceDeviceName = theirs?.DeviceName,
            };
            var f = r.Findings;
            if (theirs == null)
            {
                r.Verdict = DriftVerdict.NoDeviceCache;
                f.Add(new MaceFinding(FindingSeverity.Warning, "NoDeviceCache", usedAsCache
                    ? $"{device} has no file {remotePath}: our published file is gone, or the app has not run since it was published"
                    : $"{device} has no MACE cache file {remotePath}: the app has not run, its storage folder is another one (give the path), " +
                      "or MACE built nothing from source (v1.1.1 writes its cache only after building a program, §3.4)"));
                return r;
            }

            var mine = Programs(ours);
            var found = Programs(theirs);
            var myHashes = Hashes(ours);
            var foundHashes = Hashes(theirs);
            var kept = new List<string>();
            var rebuilt = new List<string>();
            var missing = new List<string>();
            bool platformChanged = theirs.PlatformInfo != null && theirs.PlatformInfo != ours.PlatformInfo;
            bool deviceChanged = theirs.DeviceName != null && theirs.DeviceName != ours.DeviceName;

            foreach (var entry in Distinct(ours))
            {
                if (!found.TryGetValue(entry.Key, out var other)) missing.Add(entry.Key);
                else if (other.Sha256 == entry.Sha256) kept.Add(entry.Key);
                else rebuilt.Add(entry.Key);
            }
            r.KeptKeys = kept.ToArray();
            r.RebuiltKeys = rebuilt.ToArray();
            r.MissingKeys = missing.ToArray();
            r.AddedKeys = Distinct(theirs).Where(e => !mine.ContainsKey(e.Key)).Select(e => e.Key).ToArray();

            if (theirs.Sha256 == ours.Sha256)
                f.Add(new MaceFinding(FindingSeverity.Information, "DeviceCacheUnchanged",
                    $"{remotePath} on {device} is our file byte for byte: MACE found every program it needed and wrote nothing"));
            if (platformChanged)
                f.Add(new MaceFinding(FindingSeverity.Warning, "PlatformChanged",
                    $"the device's file has platform info '{theirs.PlatformInfo}', ours '{ours.PlatformInfo ?? "(none)"}': the runtime's driver or MACE build differs from the one our file was made for"));
            if (deviceChanged)
                f.Add(new MaceFinding(FindingSeverity.Warning, "DeviceNameChanged",
                    $"the device's file has device name '{theirs.DeviceName}', ours '{ours.DeviceName ?? "(none)"}': MACE v1.1.1 clears a cache written for another GPU (§2.4)"));

            foreach (var key in rebuilt)
            {
                // A changed program_hash_ means the runtime's kernel source differs, which alone makes MACE skip our binary (§3.4).
                string why = myHashes.TryGetValue(key, out var h) && foundHashes.TryGetValue(key, out var h2) && h != h2
                    ? "its program_hash_ changed too: the runtime's kernel source is not the one our binary was built from"
                    : platformChanged || deviceChanged ? "the file's identity did not match the runtime's"
                    : "the driver did not build our binary, or MACE did not look it up";
                f.Add(new MaceFinding(FindingSeverity.Warning, "EntryRebuilt", $"program '{key}' has another binary in {remotePath}: MACE rebuilt it ({why})",
                    MaceSymptom.SlowStart, key));
            }
            foreach (var key in missing)
                f.Add(usedAsCache
                    ? new MaceFinding(FindingSeverity.Warning, "EntryMissing",
                        $"program '{key}' is gone from {remotePath}: MACE removes entries only when it clears the whole cache (§3.4)", MaceSymptom.SlowStart, key)
                    // As a precompiled file our programs are not copied into the cache (v1.1.1): absent means not rebuilt.
                    : new MaceFinding(FindingSeverity.Information, "EntryMissing",
                        $"program '{key}' is not in MACE's cache: it was taken from our precompiled file, or the app did not need it", key: key));
            foreach (var key in r.AddedKeys)
                f.Add(new MaceFinding(FindingSeverity.Warning, "EntryAdded",
                    $"program '{key}' is in {remotePath} but not in our file: MACE built it from source because our file lacked it", MaceSymptom.SlowStart, key));

            // As the cache, our file survives only entry by entry; as the precompiled file, MACE takes none of it when the platform differs (§2.5).
            bool noneUsed = mine.Count > 0 && (usedAsCache ? kept.Count == 0 : platformChanged || rebuilt.Count == mine.Count);
            bool allUsed = rebuilt.Count == 0 && r.AddedKeys.Length == 0 && (!usedAsCache || missing.Count == 0) && !(platformChanged && !usedAsCache);
            r.Verdict = allUsed ? DriftVerdict.Kept : noneUsed ? DriftVerdict.Rebuilt : DriftVerdict.PartlyRebuilt;
            if (r.Verdict == DriftVerdict.Rebuilt && (platformChanged || deviceChanged))
                f.Add(new MaceFinding(FindingSeverity.Error, "FileDropped", usedAsCache
                    ? $"MACE dropped our file as a whole: its identity (platform info / device name) is not the runtime's, so MACE cleared the cache and rebuilt every program it needed (§2.4)"
                    : $"MACE ignored our precompiled file: it uses one only when the platform info is exactly the runtime's (§2.5)", MaceSymptom.VersionMismatch));
            return r;
        }

        // MACE keeps the first value of a duplicated key, so the first entry stands for the key. File order is kept for the reports.
        private static Dictionary<string, MaceProgramEntry> Programs(MaceProgram file) => Distinct(file).ToDictionary(e => e.Key, StringComparer.Ordinal);

        private static IEnumerable<MaceProgramEntry> Distinct(MaceProgram file) =>
            file.Entries.Where(e => e.Kind == MaceEntryKind.Program).GroupBy(e => e.Key, StringComparer.Ordinal).Select(g => g.First());

        private static Dictionary<string, string?> Hashes(MaceProgram file)
        {
            var d = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var e in file.Entries.Where(e => e.Kind == MaceEntryKind.ProgramHash))
            {
                string key = e.Key.Substring(Keys.ProgramHashPrefix.Length);
                if (!d.ContainsKey(key)) d[key] = e.Text;
            }
            return d;
        }
    }
}
