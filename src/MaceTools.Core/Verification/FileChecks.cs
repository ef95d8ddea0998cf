using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Formats;

namespace MaceTools.Verification
{
    /// <summary>Checks that need no device: structure, identity keys, consistency (issue: "Checks that need no device").</summary>
    public static class FileChecks
    {
        public static List<MaceFinding> Check(MaceProgram file)
        {
            var f = new List<MaceFinding>();
            if (file.TrailingBytes > 0)
                f.Add(new MaceFinding(FindingSeverity.Warning, "TrailingBytes",
                    $"{file.TrailingBytes} bytes follow the last record; MACE ignores them (v0.6.1-v0.11 rewrote the file without truncating it)",
                    offset: file.Size - file.TrailingBytes));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in file.Entries)
            {
                if (!seen.Add(e.Key))
                    f.Add(new MaceFinding(FindingSeverity.Warning, "DuplicateKey", $"key '{e.Key}' appears again; MACE keeps the first value", key: e.Key, offset: e.Offset));
                if (e.Record.KeyHadNul)
                    f.Add(new MaceFinding(FindingSeverity.Warning, "KeyContainsNul", $"a key holds a NUL byte; MACE reads keys as C strings and sees '{e.Key}'", key: e.Key, offset: e.Offset));
            }
            if (file.Kind == MaceFileKind.Programs) CheckPrograms(file, f);
            else CheckTuning(file, f);
            return f;
        }

        private static void CheckPrograms(MaceProgram file, List<MaceFinding> f)
        {
            var programs = file.Entries.Where(e => e.Kind == MaceEntryKind.Program).ToList();
            foreach (var e in programs)
            {
                if (e.Size == 0)
                    f.Add(new MaceFinding(FindingSeverity.Error, "EmptyBinary", $"program '{e.Key}' has an empty binary; the driver rejects it (CL_INVALID_VALUE)",
                        MaceSymptom.CorruptedFile, e.Key, e.Offset));
                else if (e.Vendor == BinaryVendor.Unknown)
                    f.Add(new MaceFinding(FindingSeverity.Information, "UnknownVendor", $"program '{e.Key}': the binary's compiler is not recognised", key: e.Key, offset: e.Offset));
                if (e.KernelName == null)
                    f.Add(new MaceFinding(FindingSeverity.Information, "NoKernelDefine", $"program '{e.Key}' has no -D<kernel>=<symbol> option", key: e.Key, offset: e.Offset));
            }
            var vendors = programs.Where(e => e.Size > 0).Select(e => e.Vendor ?? BinaryVendor.Unknown).Distinct().ToList();
            if (vendors.Count > 1)
                f.Add(new MaceFinding(FindingSeverity.Error, "MixedVendors",
                    $"the binaries come from different compilers ({string.Join(", ", vendors)}); one device cannot load them all (CL_INVALID_BINARY)", MaceSymptom.WrongDevice));

            if (file.PlatformInfo == null)
            {
                if (programs.Count > 0)
                    f.Add(new MaceFinding(FindingSeverity.Warning, "NoPlatformInfo",
                        $"no {Keys.PlatformInfo}: MACE v0.8+ never uses it as a precompiled binary, and no runtime can tell which device it is for", MaceSymptom.VersionMismatch));
            }
            else if (file.Platform!.Problem != null)
            {
                bool crashes = file.Generation == MaceFileFormat.G2 && file.DeviceName != null && file.PlatformInfo.Split(',').Length < 3;
                f.Add(new MaceFinding(FindingSeverity.Error, "BadPlatformInfo",
                    $"the platform-info string '{file.PlatformInfo}' does not parse: {file.Platform.Problem}" +
                    (crashes ? "; MACE v1.1.1 indexes its third comma field and reads out of range" : ""),
                    MaceSymptom.CorruptedFile, Keys.PlatformInfo));
            }

            if (file.Generation == MaceFileFormat.G2)
            {
                var hashes = file.Entries.Where(e => e.Kind == MaceEntryKind.ProgramHash).ToDictionary(e => e.Key.Substring(Keys.ProgramHashPrefix.Length), e => e, StringComparer.Ordinal);
                var keys = new HashSet<string>(programs.Select(p => p.Key), StringComparer.Ordinal);
                foreach (var h in hashes.Where(h => !keys.Contains(h.Key)))
                    f.Add(new MaceFinding(FindingSeverity.Warning, "OrphanProgramHash", $"'{h.Value.Key}' has no program '{h.Key}'", key: h.Value.Key, offset: h.Value.Offset));
                int missing = programs.Count(p => !hashes.ContainsKey(p.Key));
                if (missing > 0)
                    f.Add(new MaceFinding(FindingSeverity.Warning, "MissingProgramHash",
                        $"{missing} of {programs.Count} programs have no '{Keys.ProgramHashPrefix}<key>' entry; as a v1.1.1 runtime cache they are rebuilt from source (fine as a precompiled binary)",
                        MaceSymptom.SlowStart));
                if (file.DeviceName == null)
                    f.Add(new MaceFinding(FindingSeverity.Warning, "NoDeviceName",
                        $"no {Keys.DeviceName}: MACE v1.1.1 clears such a runtime cache on load", MaceSymptom.SlowStart, Keys.DeviceName));
                else if (file.DeviceName.Length == 0)
                    f.Add(new MaceFinding(FindingSeverity.Information, "UnknownGpu",
                        "the device name is empty (a GPU MACE does not know): v1.1.1 clears this runtime cache on every load; ship it as a precompiled binary instead",
                        MaceSymptom.SlowStart, Keys.DeviceName));
            }
            else if (file.Entries.Any(e => e.Kind == MaceEntryKind.ProgramHash || e.Kind == MaceEntryKind.DeviceName))
                f.Add(new MaceFinding(FindingSeverity.Information, "G2KeysInG1", "device-name or program-hash keys in a G1 file: MACE v1.0.x and older ignore them"));
        }

        private static void CheckTuning(MaceProgram file, List<MaceFinding> f)
        {
            foreach (var e in file.Entries)
            {
                if (file.Generation == MaceFileFormat.T1 && e.Size % 4 != 0)
                    f.Add(new MaceFinding(FindingSeverity.Error, "BadTuningValue",
                        $"'{e.Key}': value of {e.Size} bytes is not a whole number of uint32 words; MACE drops the last {e.Size % 4} bytes", MaceSymptom.CorruptedFile, e.Key, e.Offset));
                int n = e.Words?.Length ?? 0;
                if (e.Kind == MaceEntryKind.QueueWindowSize ? n != 1 : n != 3 && n != 4)
                    f.Add(new MaceFinding(FindingSeverity.Warning, "TuningVectorLength",
                        $"'{e.TuningKey ?? e.Key}' holds {n} values; MACE expects {(e.Kind == MaceEntryKind.QueueWindowSize ? "1" : "3 ([l0,l1,block]) or 4 ([l0,l1,l2,block])")}", key: e.Key, offset: e.Offset));
                else if (e.Kind == MaceEntryKind.TuningParameter && e.Words!.Take(n - 1).Any(w => w == 0))
                    f.Add(new MaceFinding(FindingSeverity.Error, "ZeroLocalSize", $"'{e.TuningKey}' has a zero local work size; the enqueue fails (CL_INVALID_WORK_GROUP_SIZE)",
                        MaceSymptom.OutOfResources, e.Key, e.Offset));
                if (e.Kind == MaceEntryKind.TuningParameter && !SymbolObfuscation.HasPlainPreimage(e.Key))
                    f.Add(new MaceFinding(FindingSeverity.Information, "UnreadableTuningKey", $"'{e.Key}' is not an obfuscated lower-case key; shown as stored", key: e.Key, offset: e.Offset));
            }
        }
    }
}
