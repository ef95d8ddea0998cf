using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace MaceTools.Formats
{
    /// <summary>
    /// G1 and T1: <c>int64 count</c>, then per pair <c>int32 key_len, key, int32 value_len, value</c>, little-endian
    /// (kv_storage.cc@v1.0.4, tuner.h@v1.0.4). The two share the layout; a T1 value is uint32 words.
    /// </summary>
    internal static class RawKvCodec
    {
        public const int HeaderSize = 8;

        /// <summary>Reads every record; throws <see cref="MaceFormatException"/> naming the offset of the first problem.</summary>
        public static List<KvRecord> Read(ReadOnlyMemory<byte> memory, string path, out long trailingBytes)
        {
            ReadOnlySpan<byte> data = memory.Span;
            if (data.Length < HeaderSize)
                throw new MaceFormatException(ErrorIds.Truncated, path, 0,
                    $"a raw MACE file starts with an 8-byte record count, but the file has only {data.Length} bytes");
            long count = BinaryPrimitives.ReadInt64LittleEndian(data);
            if (count < 0)
                throw new MaceFormatException(ErrorIds.NegativeCount, path, 0, $"record count is {count}; it must not be negative");
            // Each record needs at least 8 bytes (two lengths): a count beyond that is refused here, before anything is allocated.
            long maxRecords = (data.Length - HeaderSize) / 8;
            if (count > maxRecords)
                throw new MaceFormatException(ErrorIds.Truncated, path, 0,
                    $"record count is {count}, but the {data.Length - HeaderSize} bytes after the count hold at most {maxRecords} records of 8 bytes or more");
            if (count > MaceFileCodec.MaxRecords) throw MaceFileCodec.TooManyRecords(path, 0, count);
            var records = new List<KvRecord>((int)count);
            long pos = HeaderSize;
            for (long i = 0; i < count; i++)
            {
                long recordStart = pos;
                int keyLen = ReadLength(data, ref pos, path, i, count, "key");
                byte[] key = data.Slice((int)pos, keyLen).ToArray();
                pos += keyLen;
                int valueLen = ReadLength(data, ref pos, path, i, count, "value");
                long valueOffset = pos;
                records.Add(new KvRecord(key, memory.Slice((int)pos, valueLen), null, recordStart, valueOffset));
                pos += valueLen;
            }
            trailingBytes = data.Length - pos;
            // MACE never writes a file without records over a longer one, so "0 records, then bytes" is not a MACE file
            // (a file of zeros reads so); trailing bytes after real records are the tail of an older, longer file (FileChecks).
            if (count == 0 && trailingBytes > 0)
                throw new MaceFormatException(ErrorIds.UnknownFormat, path, HeaderSize,
                    $"record count is 0, but {trailingBytes} more bytes follow the 8-byte count: not a MACE file");
            return records;
        }

        private static int ReadLength(ReadOnlySpan<byte> data, ref long pos, string path, long index, long count, string what)
        {
            if (data.Length - pos < 4)
                throw new MaceFormatException(ErrorIds.Truncated, path, pos,
                    $"record {index + 1} of {count}: expected a 4-byte {what} length, but the file ends at {data.Length} (MACE: Paring storage data out of range)");
            int len = BinaryPrimitives.ReadInt32LittleEndian(data.Slice((int)pos));
            if (len < 0)
                throw new MaceFormatException(ErrorIds.NegativeLength, path, pos, $"record {index + 1} of {count}: {what} length is {len}; it must not be negative");
            if (len > data.Length - pos - 4)
                throw new MaceFormatException(ErrorIds.Truncated, path, pos,
                    $"record {index + 1} of {count}: {what} length {len} runs past the end of the file (ends at {pos + 4 + (long)len}, file size {data.Length}; MACE: Paring storage data out of range)");
            pos += 4;
            return len;
        }

        /// <summary>The words of a T1 value: <c>len/4</c> little-endian uint32 (MACE ignores a remainder).</summary>
        public static uint[] Words(ReadOnlySpan<byte> value)
        {
            var words = new uint[value.Length / 4];
            for (int i = 0; i < words.Length; i++) words[i] = BinaryPrimitives.ReadUInt32LittleEndian(value.Slice(i * 4));
            return words;
        }

        public static void Write(IReadOnlyList<KvRecord> records, bool tuning, EncodingWriter w)
        {
            w.WriteInt64(records.Count);
            foreach (var r in records)
            {
                w.WriteInt32(r.KeyBytes.Length);
                w.Write(r.KeyBytes);
                // A T1 record read from a raw file keeps its exact bytes; otherwise the words are laid out.
                if (tuning && r.Value.IsEmpty && r.Words != null)
                {
                    w.WriteInt32(checked(r.Words.Length * 4));
                    foreach (uint word in r.Words) w.WriteUInt32(word);
                }
                else
                {
                    w.WriteInt32(r.Value.Length);
                    w.Write(r.Value.Span);
                }
            }
        }
    }
}
