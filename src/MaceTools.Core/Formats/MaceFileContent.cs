using System;
using System.Collections.Generic;

namespace MaceTools.Formats
{
    /// <summary>A decoded MACE file: its records in file order plus what the decoder noticed.</summary>
    public sealed class MaceFileContent
    {
        public MaceFileContent(MaceFileFormat format, IReadOnlyList<KvRecord> records, long size,
            long trailingBytes = 0, uint? crc = null, bool packedWords = false)
        {
            Format = format;
            Records = records;
            Size = size;
            TrailingBytes = trailingBytes;
            Crc = crc;
            PackedWords = packedWords;
        }

        public MaceFileFormat Format { get; }
        public MaceFileKind Kind => Format.Kind();
        /// <summary>Records in the order the file holds them, duplicates included.</summary>
        public IReadOnlyList<KvRecord> Records { get; }
        public long Size { get; }
        /// <summary>Bytes after the last record of a raw file (MACE ≤ v0.11 rewrote without O_TRUNC); MACE ignores them.</summary>
        public long TrailingBytes { get; }
        /// <summary>The CRC-32 trailer of a protobuf file.</summary>
        public uint? Crc { get; }
        /// <summary>Tuning words were stored packed (MACE writes them unpacked; readers accept both).</summary>
        public bool PackedWords { get; }

        /// <summary>The value MACE would use for a key: the first record wins (std::map::emplace).</summary>
        public KvRecord? Find(string key)
        {
            foreach (var r in Records) if (r.Key == key) return r;
            return null;
        }

        /// <summary>Records as MACE's std::map holds them: first duplicate wins, sorted byte-wise by key.</summary>
        public static List<KvRecord> Canonical(IEnumerable<KvRecord> records)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var list = new List<KvRecord>();
            foreach (var r in records)
                if (seen.Add(r.Key)) list.Add(r.KeyHadNul ? r.WithKey(r.Key) : r);
            list.Sort((a, b) => Keys.CompareBytes(a.KeyBytes, b.KeyBytes));
            return list;
        }
    }

    public static class KvRecordExtensions
    {
        /// <summary>The same value under another key (used to drop bytes after a NUL, or to rename).</summary>
        public static KvRecord WithKey(this KvRecord r, string key) => new KvRecord(Keys.Encode(key), r.Value, r.Words);
    }
}
