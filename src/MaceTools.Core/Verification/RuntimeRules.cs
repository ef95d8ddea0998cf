using System;
using System.Collections.Generic;
using MaceTools.Formats;

namespace MaceTools.Verification
{
    /// <summary>
    /// What a MACE runtime of a given version does with a file on a target (mace-formats.md §1.5, §2.4, §2.5, §3.4).
    /// </summary>
    public static class RuntimeRules
    {
        private static readonly MaceVersion V073 = MaceVersion.Parse("v0.7.3");
        private static readonly MaceVersion V081 = MaceVersion.Parse("v0.8.1");
        private static readonly MaceVersion V111 = MaceVersion.Parse("v1.1.1");

        /// <summary>The version a file was written by, as far as the file tells.</summary>
        public static MaceVersion WriterVersion(MaceProgram file)
        {
            if (file.Platform?.MaceVersion != null) return file.Platform.MaceVersion;
            // Any other version field (unknown, another repository's describe string): that string, with the generation's rules.
            if (file.Platform?.MaceVersionText != null) return MaceVersion.ForRuntime(file.Platform.MaceVersionText, file.Generation);
            if (file.Generation.IsProtobuf()) return V111;
            if (file.Kind == MaceFileKind.Programs) return file.PlatformInfo == null ? V073 : V081;
            return MaceVersion.Parse("v1.0.4");
        }

        public static List<MaceRuntimeVerdict> Evaluate(MaceProgram file, MaceTarget? target)
        {
            target ??= new MaceTarget();
            var v = target.Version ?? (target.PlatformInfo != null ? PlatformInfo.Parse(target.PlatformInfo).MaceVersion : null) ?? WriterVersion(file);
            return file.Kind == MaceFileKind.Tuning
                ? new List<MaceRuntimeVerdict> { Tuning(file, v) }
                : new List<MaceRuntimeVerdict> { Programs(file, v, target, MaceFileUsage.Cache), Programs(file, v, target, MaceFileUsage.Precompiled) };
        }

        private static MaceRuntimeVerdict Tuning(MaceProgram file, MaceVersion v)
        {
            var u = MaceFileUsage.TunedParameters;
            if (file.Generation == MaceFileFormat.T2 && !v.AtLeast(1, 1, 0))
                return v.ChecksRawBounds
                    ? new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Crashes, "a T2 file read by the raw T1 reader: FATAL \"Parsing tuned data out of range\"", MaceSymptom.VersionMismatch)
                    : new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Crashes, "a T2 file read by the raw T1 reader, which has no range check before v0.11: out-of-bounds read", MaceSymptom.VersionMismatch);
            if (file.Generation == MaceFileFormat.T1 && v.AtLeast(1, 1, 0))
                return new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Ignored, $"\"CRC value of {file.Path}is invalid\": no tuned parameters, every kernel runs with the default work-group size", MaceSymptom.VersionMismatch);
            return new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Used, "tuned work-group sizes are looked up by key; keys not in the file use the default size", MaceSymptom.None);
        }

        private static MaceRuntimeVerdict Programs(MaceProgram file, MaceVersion v, MaceTarget target, MaceFileUsage u)
        {
            string targetPlatform = target.PlatformInfo ?? file.Platform?.WithMaceVersion(v) ?? "";
            string? filePlatform = file.PlatformInfo;
            bool samePlatform = filePlatform != null && filePlatform == targetPlatform;
            string differs = filePlatform == null
                ? "the file has no platform-info key"
                : $"the file's platform info '{filePlatform}' differs from the runtime's '{targetPlatform}'";

            if (file.Generation == MaceFileFormat.G2 && !v.AtLeast(1, 1, 0))
                return new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Crashes, v.ChecksRawBounds
                    ? "a G2 (protobuf) file read by the raw G1 reader: FATAL \"Paring storage data out of range\""
                    : "a G2 (protobuf) file read by the raw G1 reader, which has no range check before v0.11: out-of-bounds read", MaceSymptom.VersionMismatch);
            if (file.Generation == MaceFileFormat.G1 && v.AtLeast(1, 1, 0))
                return u == MaceFileUsage.Cache
                    ? new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Rebuilt, $"\"CRC32 value of {file.Path} is invalid, aborting loading file\": every program is rebuilt from source and the file is overwritten in G2", MaceSymptom.VersionMismatch)
                    : new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Rebuilt, "CRC check fails, \"Load OpenCL precompiled kernel file failed\": every program is built from source (convert it to G2)", MaceSymptom.VersionMismatch);

            if (!v.StoresPlatformInfo)
                return u == MaceFileUsage.Cache || samePlatform
                    ? new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.UsedUnchecked, "MACE v0.6.1-v0.7.x use the binaries by key without an identity check; a binary of another device fails in the driver (CL_INVALID_BINARY)", MaceSymptom.WrongDevice)
                    : new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Rebuilt, $"embedded binaries are used only on the platform they were built on: {differs}", MaceSymptom.VersionMismatch);

            if (u == MaceFileUsage.Precompiled || !v.AtLeast(1, 1, 0))
            {
                if (samePlatform) return new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Used, "the platform-info string matches exactly: binaries are loaded", MaceSymptom.None);
                string what = u == MaceFileUsage.Precompiled
                    ? $"\"precompiled OpenCL binary version {filePlatform} is not same with current version\""
                    : v.AtLeast(0, 9, 0) ? "the cache is cleared" : "BuildProgramFromCache declines every program";
                return new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Rebuilt, $"{what}: {differs} (the string includes the MACE version from v0.9); every program is rebuilt from source", MaceSymptom.VersionMismatch);
            }
            return CacheV111(file, v, target, targetPlatform, filePlatform);
        }

        /// <summary>opencl_executor.cc@v1.1.1:503-574 and the per-program hash check of §3.4.</summary>
        private static MaceRuntimeVerdict CacheV111(MaceProgram file, MaceVersion v, MaceTarget target, string targetPlatform, string? filePlatform)
        {
            var u = MaceFileUsage.Cache;
            string targetDevice = target.DeviceName ?? file.DeviceName ?? "";
            string fileDevice = file.DeviceName ?? "";
            if (filePlatform != null)
            {
                bool sameGpu = targetDevice.Length > 0 && fileDevice.Length > 0 && targetDevice == fileDevice;
                if (!sameGpu)
                    return new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Rebuilt, targetDevice.Length == 0 || fileDevice.Length == 0
                        ? "the device name is empty (a GPU MACE does not know): the cache is cleared on every load and rebuilt from source"
                        : $"the file is for device '{fileDevice}', the target is '{targetDevice}': the cache is cleared and rebuilt from source", MaceSymptom.WrongDevice);
                if (filePlatform != targetPlatform)
                {
                    if (target.ReusePolicy == CacheReusePolicy.ReuseNone)
                        return new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Rebuilt, "the platform info differs and the reuse policy is REUSE_NONE: the cache is cleared", MaceSymptom.VersionMismatch);
                    if (!IsCacheCompatible(targetDevice, PlatformInfo.Parse(targetPlatform).PlatformVersion, filePlatform))
                        return new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Rebuilt, "same GPU, but IsCacheCompatible says the driver differs: the cache is cleared", MaceSymptom.VersionMismatch);
                }
            }
            int programs = 0, hashed = 0;
            var hashes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in file.Entries) if (e.Kind == MaceEntryKind.ProgramHash && !string.IsNullOrEmpty(e.Text)) hashes.Add(e.Key.Substring(Keys.ProgramHashPrefix.Length));
            foreach (var e in file.Entries) if (e.Kind == MaceEntryKind.Program) { programs++; if (hashes.Contains(e.Key)) hashed++; }
            return hashed == programs
                ? new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Used, "kept: each program is used when its program_hash_ equals the runtime's kernel source hash", MaceSymptom.None)
                : new MaceRuntimeVerdict(v.Text, u, RuntimeOutcome.Rebuilt, $"kept, but {programs - hashed} of {programs} programs have no program_hash_ and are rebuilt from source", MaceSymptom.SlowStart);
        }

        /// <summary>IsCacheCompatible (opencl_executor.cc@v1.1.1:390-419), including its comparison of the whole target version with only the third comma field of the cached string.</summary>
        public static bool IsCacheCompatible(string deviceName, string targetPlatformVersion, string cachedPlatformInfo)
        {
            string cached = PlatformInfo.Parse(cachedPlatformInfo).CompatibilityVersion; // "" where MACE reads out of range
            if (!deviceName.StartsWith("Adreno", StringComparison.Ordinal))
                return targetPlatformVersion.Length > 0 && cached.Length > 0 && targetPlatformVersion == cached;
            string rb = PlatformInfo.TokenAfter(targetPlatformVersion, "Remote Branch:"), crb = PlatformInfo.TokenAfter(cached, "Remote Branch:");
            if (rb.Length > 0 && crb.Length > 0 && rb == crb) return true;
            int[]? d = PlatformInfo.QcomDate(targetPlatformVersion), cd = PlatformInfo.QcomDate(cached);
            if (d == null || cd == null) return false;
            for (int i = 0; i < 3; i++) if (d[i] != cd[i]) return d[i] > cd[i];
            return true;
        }
    }
}
