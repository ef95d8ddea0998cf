using System;
using System.Text;

namespace MaceTools.Formats
{
    /// <summary>
    /// One stored key/value pair, exactly as the file holds it. Values are slices of the file's bytes (no copy).
    /// </summary>
    public sealed class KvRecord
    {
        public KvRecord(byte[] keyBytes, ReadOnlyMemory<byte> value, uint[]? words = null, long offset = -1, long valueOffset = -1)
        {
            KeyBytes = keyBytes ?? throw new ArgumentNullException(nameof(keyBytes));
            Value = value;
            Words = words;
            Offset = offset;
            ValueOffset = valueOffset;
            int nul = Array.IndexOf(keyBytes, (byte)0);
            Key = Keys.Decode(nul < 0 ? keyBytes : keyBytes.AsSpan(0, nul).ToArray());
            KeyHadNul = nul >= 0;
        }

        public static KvRecord Bytes(string key, ReadOnlyMemory<byte> value) => new KvRecord(Keys.Encode(key), value);
        public static KvRecord Tuning(string key, uint[] words) => new KvRecord(Keys.Encode(key), ReadOnlyMemory<byte>.Empty, words);

        /// <summary>The key bytes as stored (writers use these, so a re-encode is byte-exact).</summary>
        public byte[] KeyBytes { get; }
        /// <summary>The key as MACE sees it: cut at the first NUL (MACE reads it as a C string).</summary>
        public string Key { get; }
        public bool KeyHadNul { get; }
        /// <summary>Program binaries and string values; for a raw tuned-parameter file the little-endian words.</summary>
        public ReadOnlyMemory<byte> Value { get; }
        /// <summary>Tuned work-group values (<c>uint32s_value</c>, or a raw file's value read as uint32 words).</summary>
        public uint[]? Words { get; }
        /// <summary>Where the record starts in the file, or -1 for a record not read from a file.</summary>
        public long Offset { get; }
        public long ValueOffset { get; }
    }

    /// <summary>Key text: MACE keys are byte strings; we decode UTF-8 for display and keep the bytes for writing.</summary>
    public static class Keys
    {
        public const string PlatformInfo = "mace_opencl_precompiled_platform_info_key";
        public const string DeviceName = "mace_opencl_precompiled_device_name_key";
        /// <summary>Note the space: MACE's <c>program_key_hash_prefix_</c> is "program_hash_ ".</summary>
        public const string ProgramHashPrefix = "program_hash_ ";
        public const string QueueWindowSize = "MACE_OPENCL_QUEUE_WINDOW_SIZE";

        private static readonly Encoding Utf8 = new UTF8Encoding(false, false);

        public static string Decode(byte[] bytes) => Utf8.GetString(bytes);
        public static byte[] Encode(string key) => Utf8.GetBytes(key);

        /// <summary>What a key is for in a file of the given kind.</summary>
        public static MaceEntryKind Classify(string key, MaceFileKind fileKind)
        {
            if (fileKind == MaceFileKind.Tuning)
                return key == QueueWindowSize ? MaceEntryKind.QueueWindowSize : MaceEntryKind.TuningParameter;
            if (key == PlatformInfo) return MaceEntryKind.PlatformInfo;
            if (key == DeviceName) return MaceEntryKind.DeviceName;
            if (key.StartsWith(ProgramHashPrefix, StringComparison.Ordinal)) return MaceEntryKind.ProgramHash;
            return MaceEntryKind.Program;
        }

        /// <summary>std::string operator&lt; : unsigned byte-wise comparison.</summary>
        public static int CompareBytes(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);
    }
}
