using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace MaceTools.Formats
{
    /// <summary>
    /// G2 and T2 (mace.proto@v1.1.1): <c>PairContainer { repeated KVPair pairs = 1; }</c>,
    /// <c>KVPair { string key = 1; bytes bytes_value = 2; repeated uint32 uint32s_value = 3; }</c>,
    /// followed by the CRC-32 of the message, little-endian.
    /// </summary>
    internal static class ProtoKvCodec
    {
        public const int CrcSize = 4;

        public static bool CrcMatches(ReadOnlySpan<byte> data, out uint stored, out uint computed)
        {
            stored = computed = 0;
            if (data.Length < CrcSize) return false;
            stored = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(data.Length - CrcSize));
            computed = Crc32.Compute(data.Slice(0, data.Length - CrcSize));
            return stored == computed;
        }

        /// <summary>Parses the message part (the CRC must have been checked). Offsets in errors are file offsets.</summary>
        public static List<KvRecord> Read(ReadOnlyMemory<byte> memory, string path, out bool packed)
        {
            ReadOnlySpan<byte> data = memory.Span;
            int end = data.Length - CrcSize;
            var records = new List<KvRecord>();
            packed = false;
            int pos = 0;
            while (pos < end)
            {
                int tagOffset = pos;
                ulong tag = ReadVarint(data, ref pos, end, path, "a field tag of PairContainer");
                int field = (int)(tag >> 3), wire = (int)(tag & 7);
                if (field == 1 && wire == 2)
                {
                    if (records.Count == MaceFileCodec.MaxRecords) throw MaceFileCodec.TooManyRecords(path, tagOffset, records.Count + 1L);
                    int len = ReadLength(data, ref pos, end, path, "KVPair");
                    records.Add(ReadPair(memory, pos, pos + len, tagOffset, path, ref packed));
                    pos += len;
                }
                else Skip(data, ref pos, end, field, wire, tagOffset, path, "PairContainer");
            }
            return records;
        }

        private static KvRecord ReadPair(ReadOnlyMemory<byte> memory, int start, int end, int recordOffset, string path, ref bool packed)
        {
            ReadOnlySpan<byte> data = memory.Span;
            byte[] key = Array.Empty<byte>();
            ReadOnlyMemory<byte> value = ReadOnlyMemory<byte>.Empty;
            long valueOffset = -1;
            List<uint>? words = null;
            int pos = start;
            while (pos < end)
            {
                int tagOffset = pos;
                ulong tag = ReadVarint(data, ref pos, end, path, "a field tag of KVPair");
                int field = (int)(tag >> 3), wire = (int)(tag & 7);
                if (field == 1 && wire == 2)
                {
                    int len = ReadLength(data, ref pos, end, path, "key");
                    key = data.Slice(pos, len).ToArray(); // proto2 optional: the last occurrence wins
                    pos += len;
                }
                else if (field == 2 && wire == 2)
                {
                    int len = ReadLength(data, ref pos, end, path, "bytes_value");
                    value = memory.Slice(pos, len);
                    valueOffset = pos;
                    pos += len;
                }
                else if (field == 3 && wire == 0)
                {
                    (words ??= new List<uint>()).Add(ReadWord(data, ref pos, end, path));
                }
                else if (field == 3 && wire == 2)
                {
                    int len = ReadLength(data, ref pos, end, path, "packed uint32s_value");
                    int stop = pos + len;
                    words ??= new List<uint>();
                    while (pos < stop) words.Add(ReadWord(data, ref pos, stop, path));
                    packed = true;
                }
                else Skip(data, ref pos, end, field, wire, tagOffset, path, "KVPair");
            }
            return new KvRecord(key, value, words?.ToArray(), recordOffset, valueOffset);
        }

        private static uint ReadWord(ReadOnlySpan<byte> data, ref int pos, int end, string path)
        {
            int at = pos;
            ulong v = ReadVarint(data, ref pos, end, path, "a uint32s_value element");
            if (v > uint.MaxValue)
                throw new MaceFormatException(ErrorIds.BadTuningValue, path, at, $"uint32s_value element {v} does not fit in 32 bits");
            return (uint)v;
        }

        private static int ReadLength(ReadOnlySpan<byte> data, ref int pos, int end, string path, string what)
        {
            int at = pos;
            ulong len = ReadVarint(data, ref pos, end, path, $"the length of {what}");
            if (len > (ulong)(end - pos))
                throw new MaceFormatException(ErrorIds.Truncated, path, at,
                    $"{what} claims {len} bytes but only {end - pos} remain before {(end == data.Length - CrcSize ? "the CRC trailer" : "the end of its parent")}");
            return (int)len;
        }

        private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos, int end, string path, string what)
        {
            int at = pos;
            ulong result = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                if (pos >= end)
                    throw new MaceFormatException(ErrorIds.Truncated, path, at, $"{what} (a varint) is cut off at offset {pos}");
                byte b = data[pos++];
                if (shift == 63 && b > 1)
                    throw new MaceFormatException(ErrorIds.MalformedProtobuf, path, at, $"{what} is a varint longer than 64 bits");
                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return result;
            }
            throw new MaceFormatException(ErrorIds.MalformedProtobuf, path, at, $"{what} is a varint longer than 10 bytes");
        }

        private static void Skip(ReadOnlySpan<byte> data, ref int pos, int end, int field, int wire, int tagOffset, string path, string message)
        {
            if (field == 0)
                throw new MaceFormatException(ErrorIds.MalformedProtobuf, path, tagOffset, $"{message} has a field number 0, which protobuf forbids");
            switch (wire)
            {
                case 0: ReadVarint(data, ref pos, end, path, $"unknown field {field} of {message}"); return;
                case 1: SkipFixed(ref pos, end, 8, tagOffset, path, field, message); return;
                case 2:
                    // not `pos += ReadLength(ref pos)`: that adds to the value pos had before the length varint was read
                    int len = ReadLength(data, ref pos, end, path, $"unknown field {field} of {message}");
                    pos += len;
                    return;
                case 5: SkipFixed(ref pos, end, 4, tagOffset, path, field, message); return;
                default:
                    throw new MaceFormatException(ErrorIds.MalformedProtobuf, path, tagOffset,
                        $"{message} field {field} has wire type {wire}, which a PairContainer cannot hold");
            }
        }

        private static void SkipFixed(ref int pos, int end, int size, int tagOffset, string path, int field, string message)
        {
            if (end - pos < size)
                throw new MaceFormatException(ErrorIds.Truncated, path, tagOffset, $"unknown field {field} of {message} needs {size} bytes, {end - pos} remain");
            pos += size;
        }

        public static void Write(IReadOnlyList<KvRecord> records, bool tuning, EncodingWriter w)
        {
            foreach (var r in records)
            {
                long keyPart = 1 + VarintSize((ulong)r.KeyBytes.Length) + r.KeyBytes.Length;
                long valuePart;
                uint[]? words = tuning ? (r.Words ?? RawKvCodec.Words(r.Value.Span)) : null;
                if (words != null)
                {
                    valuePart = 0;
                    foreach (uint x in words) valuePart += 1 + VarintSize(x);
                }
                else valuePart = 1 + VarintSize((ulong)r.Value.Length) + r.Value.Length; // bytes_value always present, as MACE writes it

                w.WriteByte(0x0A);
                w.WriteVarint((ulong)(keyPart + valuePart));
                w.WriteByte(0x0A);
                w.WriteVarint((ulong)r.KeyBytes.Length);
                w.Write(r.KeyBytes);
                if (words != null)
                {
                    foreach (uint x in words) { w.WriteByte(0x18); w.WriteVarint(x); }
                }
                else
                {
                    w.WriteByte(0x12);
                    w.WriteVarint((ulong)r.Value.Length);
                    w.Write(r.Value.Span);
                }
            }
            w.WriteUInt32Raw(w.Crc);
        }

        public static int VarintSize(ulong v)
        {
            int n = 1;
            while (v >= 0x80) { v >>= 7; n++; }
            return n;
        }
    }
}
