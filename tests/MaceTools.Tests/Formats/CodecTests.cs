using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using MaceTools.Formats;

// Not "MaceTools.Tests.Formats": inside namespace MaceTools.Tests.*, that name would shadow MaceTools.Formats
// (e.g. `Formats.ProgramKey` in Operations tests). "FormatsTests" still matches the filter FullyQualifiedName~Formats.
namespace MaceTools.Tests.FormatsTests
{
    /// <summary>The codec against the real files and the byte strings of mace-formats.md §1.</summary>
    public class CodecTests
    {
        private const string AdrenoPlatform =
            "QUALCOMM Snapdragon(TM), FULL_PROFILE, OpenCL 2.0 QUALCOMM build: commit #c455b9b changeid #Ib7912a5d4e Date: 09/16/19 Mon " +
            "Local Branch: mybranche9d87587-05ad-f10c-aeb4-5cb90179c3d8 Remote Branch: quic/gfx-adreno.lnx.1.0.r48-rel, v0.10.1-rc4-0-gb83487a";
        private const string MaliPlatform =
            "ARM Platform, FULL_PROFILE, OpenCL 2.1 v1.r20p0-01rel0.3c1c24cb7710121ad59f6bdaee909f9f, v0.12.0-28-gc4c1b28";

        internal static byte[] Hex(string hex) =>
            hex.Split(new[] { ' ', '|' }, StringSplitOptions.RemoveEmptyEntries).Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();

        internal static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

        /// <summary>A protobuf body followed by its little-endian CRC-32, as MACE v1.1.1 writes it.</summary>
        internal static byte[] WithCrc(byte[] body)
        {
            var crc = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32.Compute(body));
            return Concat(body, crc);
        }

        private static string Text(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.ToArray());

        private static MaceFormatException DecodeFails(byte[] data)
        {
            var e = Assert.Throws<MaceFormatException>(() => MaceFileCodec.Decode(data, "test.bin"));
            Assert.False(string.IsNullOrEmpty(e.Detail));
            Assert.InRange(e.Offset, 0, data.Length);
            return e;
        }

        // ---------------------------------------------------------------- real G1 program files

        [Theory]
        [InlineData(Fixtures.Adreno, 29, AdrenoPlatform)]
        [InlineData(Fixtures.Mali, 26, MaliPlatform)]
        public void ProgramFixture_DecodesAsG1(string name, int count, string platform)
        {
            byte[] bytes = Fixtures.Bytes(name);
            var c = MaceFileCodec.Decode(bytes, name);

            Assert.Equal(MaceFileFormat.G1, c.Format);
            Assert.Equal(MaceFileKind.Programs, c.Kind);
            Assert.Equal(count, c.Records.Count);
            Assert.Equal(0, c.TrailingBytes);
            Assert.Equal(bytes.Length, c.Size);
            Assert.Null(c.Crc);
            Assert.Equal(8, c.Records[0].Offset);
            for (int i = 1; i < c.Records.Count; i++)
                Assert.True(Keys.CompareBytes(c.Records[i - 1].KeyBytes, c.Records[i].KeyBytes) < 0,
                    $"record {i} key '{c.Records[i].Key}' is not after '{c.Records[i - 1].Key}'");
            foreach (var r in c.Records)
            {
                Assert.Null(r.Words);
                Assert.False(r.KeyHadNul);
                Assert.Equal(r.Offset + 4 + r.KeyBytes.Length + 4, r.ValueOffset);
                Assert.True(bytes.AsSpan((int)r.ValueOffset, r.Value.Length).SequenceEqual(r.Value.Span));
            }

            var info = c.Find(Keys.PlatformInfo);
            Assert.NotNull(info);
            Assert.Equal(platform, Text(info!.Value));
            Assert.Equal(count - 1, c.Records.Count(r => r.Key != Keys.PlatformInfo && r.Value.Length > 1000));
        }

        [Theory]
        [InlineData(Fixtures.Adreno)]
        [InlineData(Fixtures.Mali)]
        public void ProgramFixture_ReEncodesByteExact(string name)
        {
            byte[] bytes = Fixtures.Bytes(name);
            var c = MaceFileCodec.Decode(bytes, name);
            Assert.Equal(bytes, MaceFileCodec.EncodeToArray(c.Records, MaceFileFormat.G1));
        }

        [Theory]
        [InlineData(Fixtures.Adreno)]
        [InlineData(Fixtures.Mali)]
        public void ProgramFixture_G1ToG2ToG1_IsIdentical(string name)
        {
            byte[] g1 = Fixtures.Bytes(name);
            var c1 = MaceFileCodec.Decode(g1, name);

            byte[] g2 = MaceFileCodec.EncodeToArray(c1.Records, MaceFileFormat.G2);
            var c2 = MaceFileCodec.Decode(g2, "converted.bin");
            Assert.Equal(MaceFileFormat.G2, c2.Format);
            Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(g2.AsSpan(g2.Length - 4)), c2.Crc);
            Assert.Equal(Crc32.Compute(g2.AsSpan(0, g2.Length - 4)), c2.Crc);
            Assert.Equal(c1.Records.Count, c2.Records.Count);
            for (int i = 0; i < c1.Records.Count; i++)
            {
                Assert.Equal(c1.Records[i].KeyBytes, c2.Records[i].KeyBytes);
                Assert.True(c1.Records[i].Value.Span.SequenceEqual(c2.Records[i].Value.Span));
                Assert.Null(c2.Records[i].Words);
            }
            Assert.Equal(g2, MaceFileCodec.EncodeToArray(c2.Records, MaceFileFormat.G2));
            Assert.Equal(g1, MaceFileCodec.EncodeToArray(c2.Records, MaceFileFormat.G1));
        }

        // ---------------------------------------------------------------- real T2 tuning file

        [Fact]
        public void TuningFixture_DecodesAsT2AndReEncodesByteExact()
        {
            byte[] bytes = Fixtures.Bytes(Fixtures.PoclTuning);
            var c = MaceFileCodec.Decode(bytes, Fixtures.PoclTuning);

            Assert.Equal(MaceFileFormat.T2, c.Format);
            Assert.Equal(MaceFileKind.Tuning, c.Kind);
            Assert.Equal(16, c.Records.Count);
            Assert.False(c.PackedWords);
            Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)), c.Crc);
            Assert.All(c.Records, r => Assert.NotNull(r.Words));
            Assert.Equal(new uint[] { 0 }, c.Find(Keys.QueueWindowSize)!.Words);

            // unordered_map order: the file order is kept, not sorted
            Assert.Equal(bytes, MaceFileCodec.EncodeToArray(c.Records, MaceFileFormat.T2));
        }

        [Fact]
        public void TuningFixture_T2ToT1ToT2_IsIdentical()
        {
            byte[] t2 = Fixtures.Bytes(Fixtures.PoclTuning);
            var c2 = MaceFileCodec.Decode(t2, Fixtures.PoclTuning);

            byte[] t1 = MaceFileCodec.EncodeToArray(c2.Records, MaceFileFormat.T1);
            var c1 = MaceFileCodec.Decode(t1, "converted.bin");
            Assert.Equal(MaceFileFormat.T1, c1.Format);
            Assert.Equal(c2.Records.Count, c1.Records.Count);
            for (int i = 0; i < c2.Records.Count; i++)
            {
                Assert.Equal(c2.Records[i].Key, c1.Records[i].Key);
                Assert.Equal(c2.Records[i].Words, c1.Records[i].Words);
                Assert.Equal(c2.Records[i].Words!.Length * 4, c1.Records[i].Value.Length);
            }
            Assert.Equal(t1, MaceFileCodec.EncodeToArray(c1.Records, MaceFileFormat.T1));
            Assert.Equal(t2, MaceFileCodec.EncodeToArray(c1.Records, MaceFileFormat.T2));
        }

        // ---------------------------------------------------------------- mace-formats.md §1.7

        [Fact]
        public void Example_G1_SinglePair()
        {
            var records = new[] { KvRecord.Bytes("k", new byte[] { 1, 2 }) };
            byte[] expected = Hex("01 00 00 00 00 00 00 00 | 01 00 00 00 | 6b | 02 00 00 00 | 01 02");
            Assert.Equal(expected, MaceFileCodec.EncodeToArray(records, MaceFileFormat.G1));

            var c = MaceFileCodec.Decode(expected);
            Assert.Equal(MaceFileFormat.G1, c.Format);
            Assert.Equal("k", Assert.Single(c.Records).Key);
            Assert.Equal(new byte[] { 1, 2 }, c.Records[0].Value.ToArray());
        }

        [Fact]
        public void Example_G2_SinglePair()
        {
            var records = new[] { KvRecord.Bytes("k", new byte[] { 1, 2 }) };
            byte[] expected = Hex("0a 07 0a 01 6b 12 02 01 02 | 89 46 ad f6");
            Assert.Equal(expected, MaceFileCodec.EncodeToArray(records, MaceFileFormat.G2));

            var c = MaceFileCodec.Decode(expected);
            Assert.Equal(MaceFileFormat.G2, c.Format);
            Assert.Equal(0xf6ad4689u, c.Crc);
            Assert.Equal("k", Assert.Single(c.Records).Key);
            Assert.Equal(new byte[] { 1, 2 }, c.Records[0].Value.ToArray());
            Assert.Equal(7, c.Records[0].ValueOffset);
        }

        [Fact]
        public void Example_G2_EmptyValueStillWritesBytesField()
        {
            var records = new[] { KvRecord.Bytes("k", ReadOnlyMemory<byte>.Empty) };
            Assert.Equal(WithCrc(Hex("0a 05 0a 01 6b 12 00")), MaceFileCodec.EncodeToArray(records, MaceFileFormat.G2));
        }

        [Fact]
        public void Example_T2_QueueWindow()
        {
            var records = new[] { KvRecord.Tuning(Keys.QueueWindowSize, new uint[] { 0 }) };
            byte[] expected = Concat(Hex("0a 21 0a 1d"), Encoding.ASCII.GetBytes("MACE_OPENCL_QUEUE_WINDOW_SIZE"), Hex("18 00 | 7c 20 95 1a"));
            Assert.Equal(expected, MaceFileCodec.EncodeToArray(records, MaceFileFormat.T2));

            var c = MaceFileCodec.Decode(expected);
            Assert.Equal(MaceFileFormat.T2, c.Format);
            Assert.Equal(new uint[] { 0 }, Assert.Single(c.Records).Words);
        }

        // ---------------------------------------------------------------- CRC-32

        [Fact]
        public void Crc32_CheckValue()
        {
            Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
            Assert.Equal(0u, Crc32.Compute(ReadOnlySpan<byte>.Empty));
            Assert.Equal(0xFFFFFFFFu, Crc32.Compute(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }));
        }

        [Fact]
        public void Crc32_AppendChainingEqualsOneShot()
        {
            var rng = new Random(12345);
            foreach (int size in new[] { 0, 1, 15, 16, 17, 31, 33, 255, 1000, 4096, 65537 })
            {
                var data = new byte[size];
                rng.NextBytes(data);
                uint whole = Crc32.Compute(data);
                uint bitwise = BitwiseCrc(data);
                Assert.Equal(bitwise, whole);
                for (int trial = 0; trial < 20; trial++)
                {
                    uint crc = 0;
                    int pos = 0;
                    while (pos < size)
                    {
                        int n = Math.Min(size - pos, rng.Next(0, 40) == 0 ? rng.Next(0, size + 1) : rng.Next(0, 48));
                        crc = Crc32.Append(crc, data.AsSpan(pos, n));
                        pos += n;
                    }
                    Assert.Equal(whole, crc);
                }
            }
        }

        private static uint BitwiseCrc(byte[] data)
        {
            uint c = 0xFFFFFFFF;
            foreach (byte b in data)
            {
                c ^= b;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            return ~c;
        }

        // ---------------------------------------------------------------- canonical order

        [Fact]
        public void Canonical_SortsByteWiseAndKeepsFirstDuplicate()
        {
            var input = new List<KvRecord>
            {
                KvRecord.Bytes("b", new byte[] { 1 }),
                KvRecord.Bytes("a", new byte[] { 2 }),
                KvRecord.Bytes("b", new byte[] { 3 }),
                new KvRecord(Encoding.UTF8.GetBytes("a\0junk"), new byte[] { 4 }),   // MACE reads "a": a duplicate
                new KvRecord(Encoding.UTF8.GetBytes("c\0junk"), new byte[] { 5 }),   // MACE reads "c"
                KvRecord.Bytes("B", new byte[] { 6 }),
                KvRecord.Bytes("\U0001F600", new byte[] { 7 }),  // F0 9F 98 80 (UTF-16: D83D DE00)
                KvRecord.Bytes("\uFF61", new byte[] { 8 }),       // EF BD A1 (UTF-16: FF61): byte-wise before the emoji
            };
            var canon = MaceFileContent.Canonical(input);

            Assert.Equal(new[] { "B", "a", "b", "c", "\uFF61", "\U0001F600" }, canon.Select(r => r.Key).ToArray());
            Assert.Equal(new byte[] { 6, 2, 1, 5, 8, 7 }, canon.Select(r => r.Value.Span[0]).ToArray());
            Assert.Equal(Encoding.UTF8.GetBytes("c"), canon[3].KeyBytes);
            Assert.All(canon, r => Assert.False(r.KeyHadNul));
        }

        // ---------------------------------------------------------------- protobuf leniency

        [Fact]
        public void PackedUint32s_AreAccepted()
        {
            // KVPair { key "k", uint32s_value packed [1, 128], then one unpacked 5 }
            byte[] pair = Hex("0a 01 6b | 1a 03 01 80 01 | 18 05");
            byte[] file = WithCrc(Concat(new byte[] { 0x0A, (byte)pair.Length }, pair));
            var c = MaceFileCodec.Decode(file);

            Assert.Equal(MaceFileFormat.T2, c.Format);
            Assert.True(c.PackedWords);
            Assert.Equal(new uint[] { 1, 128, 5 }, Assert.Single(c.Records).Words);
            // re-encoded the way MACE writes it: unpacked
            Assert.Equal(WithCrc(Hex("0a 0a 0a 01 6b 18 01 18 80 01 18 05")), MaceFileCodec.EncodeToArray(c.Records, MaceFileFormat.T2));
        }

        [Fact]
        public void UnknownProtobufFields_AreSkipped()
        {
            byte[] pair = Hex(
                "0a 01 6b" +                         // key "k"
                " 20 96 01" +                         // field 4, varint 150
                " 12 02 01 02" +                      // bytes_value 01 02
                " 2d 01 02 03 04" +                   // field 5, fixed32
                " 32 03 61 62 63" +                   // field 6, length-delimited "abc"
                " 39 01 02 03 04 05 06 07 08");       // field 7, fixed64
            byte[] body = Concat(
                Hex("10 05"),                         // PairContainer field 2, varint
                new byte[] { 0x0A, (byte)pair.Length }, pair,
                Hex("1a 02 ff ff"),                   // PairContainer field 3, length-delimited
                Hex("25 00 00 00 00"));               // PairContainer field 4, fixed32
            var c = MaceFileCodec.Decode(WithCrc(body));

            Assert.Equal(MaceFileFormat.G2, c.Format);
            var r = Assert.Single(c.Records);
            Assert.Equal("k", r.Key);
            Assert.Equal(new byte[] { 1, 2 }, r.Value.ToArray());
            Assert.Null(r.Words);
            Assert.Equal(2, r.Offset);
            Assert.Equal(2 + 2 + 3 + 3 + 2, r.ValueOffset);
        }

        // ---------------------------------------------------------------- errors

        [Fact]
        public void EmptyFile_IsFileEmpty()
        {
            var e = Assert.Throws<MaceFormatException>(() => MaceFileCodec.Decode(Array.Empty<byte>(), "empty.bin"));
            Assert.Equal(ErrorIds.FileEmpty, e.ErrorId);
            Assert.Equal(0, e.Offset);
            Assert.Equal("empty.bin", e.Path);
            Assert.StartsWith("empty.bin: offset 0: ", e.Message);
        }

        [Fact]
        public void FiveByteFile_IsTruncatedAtZero()
        {
            var e = DecodeFails(new byte[5]);
            Assert.Equal(ErrorIds.Truncated, e.ErrorId);
            Assert.Equal(0, e.Offset);
        }

        [Fact]
        public void NegativeCount_IsRejected()
        {
            var data = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(data, -5);
            var e = DecodeFails(data);
            Assert.Equal(ErrorIds.NegativeCount, e.ErrorId);
            Assert.Equal(0, e.Offset);
        }

        [Fact]
        public void NegativeKeyLength_IsRejectedAtOffset8()
        {
            var e = DecodeFails(Hex("01 00 00 00 00 00 00 00 | ff ff ff ff | 6b 00 00 00"));
            Assert.Equal(ErrorIds.NegativeLength, e.ErrorId);
            Assert.Equal(8, e.Offset);
        }

        [Fact]
        public void NegativeValueLength_IsRejectedAtItsOffset()
        {
            var e = DecodeFails(Hex("01 00 00 00 00 00 00 00 | 01 00 00 00 | 6b | fe ff ff ff | 01 02"));
            Assert.Equal(ErrorIds.NegativeLength, e.ErrorId);
            Assert.Equal(13, e.Offset);
        }

        [Fact]
        public void ValueRunningPastEnd_IsTruncated()
        {
            var e = DecodeFails(Hex("01 00 00 00 00 00 00 00 | 01 00 00 00 | 6b | 64 00 00 00 | 01 02"));
            Assert.Equal(ErrorIds.Truncated, e.ErrorId);
            Assert.Equal(13, e.Offset);
        }

        [Fact]
        public void MissingRecord_IsTruncated()
        {
            // count says 2, one record present (and enough bytes that two could fit)
            var e = DecodeFails(Hex("02 00 00 00 00 00 00 00 | 01 00 00 00 | 6b | 0a 00 00 00 | 01 02 03 04 05 06 07 08 09 0a"));
            Assert.Equal(ErrorIds.Truncated, e.ErrorId);
            Assert.Equal(27, e.Offset);
        }

        [Theory]
        [InlineData(2L)]
        [InlineData(1_100_000_000_000_000_000L)]
        [InlineData(long.MaxValue)]
        public void RecordCount_beyond_what_the_bytes_can_hold_is_rejected_at_the_header(long count)
        {
            // 11 bytes after the count: room for one record of 8 bytes or more, never for `count`
            var data = Hex("00 00 00 00 00 00 00 00 | 01 00 00 00 | 6b | 02 00 00 00 | 01 02");
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(data, count);
            var e = DecodeFails(data);
            Assert.Equal(ErrorIds.Truncated, e.ErrorId);
            Assert.Equal(0, e.Offset);
            Assert.Contains($"record count is {count}", e.Message);
            Assert.Contains("at most 1 records", e.Message);
        }

        [Fact]
        public void A_huge_record_count_over_a_large_buffer_is_rejected_without_walking_it()
        {
            // 64 MB of zeros after a count of 1.1e18: read as records, zeros would be 8 M empty records before the end
            var data = new byte[64 << 20];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(data, 1_100_000_000_000_000_000L);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = DecodeFails(data);
            Assert.Equal(0, e.Offset);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the decoder allocated for records it could never read");
        }

        [Fact]
        public void More_records_than_any_MACE_file_holds_are_refused_before_they_are_decoded()
        {
            // 1,000,001 empty pairs (0A 00) in 2 MB: decoded, each would cost objects of ~200 bytes
            var body = new byte[2 * (MaceFileCodec.MaxRecords + 1)];
            for (int i = 0; i < body.Length; i += 2) body[i] = 0x0A;
            var e = DecodeFails(WithCrc(body));
            Assert.Equal(ErrorIds.InputTooLarge, e.ErrorId);
            Assert.Equal(2L * MaceFileCodec.MaxRecords, e.Offset);
            Assert.Contains("reads at most 1,000,000", e.Message);
            var raw = new byte[8 + 8L * (MaceFileCodec.MaxRecords + 1)];
            BinaryPrimitives.WriteInt64LittleEndian(raw, MaceFileCodec.MaxRecords + 1);
            var r = DecodeFails(raw);
            Assert.Equal((ErrorIds.InputTooLarge, 0L), (r.ErrorId, r.Offset));
        }

        [Theory]
        [InlineData(8 + 1)]
        [InlineData(1 << 20)]
        public void Zero_records_followed_by_bytes_is_not_a_MACE_file(int size)
        {
            // A file of zeros reads as "G1, 0 entries, N trailing bytes"; MACE never writes that.
            var e = DecodeFails(new byte[size]);
            Assert.Equal(ErrorIds.UnknownFormat, e.ErrorId);
            Assert.Equal(8, e.Offset);
            Assert.Contains("not a MACE file", e.Message);
        }

        [Fact]
        public void Zero_records_and_nothing_else_is_an_empty_G1_file()
        {
            var c = MaceFileCodec.Decode(new byte[8]);
            Assert.Equal(MaceFileFormat.G1, c.Format);
            Assert.Empty(c.Records);
        }

        [Fact]
        public void TrailingBytes_AreCountedAndIgnored()
        {
            var c = MaceFileCodec.Decode(Hex("01 00 00 00 00 00 00 00 | 01 00 00 00 | 6b | 02 00 00 00 | 01 02 | 77 77 77"));
            Assert.Equal(MaceFileFormat.G1, c.Format);
            Assert.Equal(3, c.TrailingBytes);
            Assert.Single(c.Records);
        }

        [Theory]
        [InlineData(100)]
        [InlineData(-2)]   // the middle
        [InlineData(-1)]   // the last byte of the CRC trailer
        public void G2WithOneFlippedByte_IsBadCrc(int position)
        {
            var g1 = MaceFileCodec.Decode(Fixtures.Bytes(Fixtures.Adreno));
            byte[] g2 = MaceFileCodec.EncodeToArray(g1.Records, MaceFileFormat.G2);
            int at = position == -2 ? g2.Length / 2 : position == -1 ? g2.Length - 1 : position;
            g2[at] ^= 0x10;

            var e = DecodeFails(g2);
            Assert.Equal(ErrorIds.BadCrc, e.ErrorId);
            Assert.Equal(g2.Length - 4, e.Offset);
        }

        [Fact]
        public void ProtobufWithGoodCrcButBadLength_IsTruncated()
        {
            // KVPair claims 0x20 bytes, 3 remain before the trailer
            var e = DecodeFails(WithCrc(Hex("0a 20 0a 01 6b")));
            Assert.Equal(ErrorIds.Truncated, e.ErrorId);
            Assert.Equal(1, e.Offset);
        }
    }
}
