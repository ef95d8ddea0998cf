using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Google.Protobuf;
using MaceTools.Formats;

namespace MaceTools.Tests.FormatsTests
{
    /// <summary>
    /// Our G2/T2 output against independent implementations: zlib's crc32 (what MACE's Python tools call) and
    /// Google.Protobuf's wire reader and writer (what MACE v1.1.1's LITE runtime is compatible with).
    /// </summary>
    public unsafe class InteropTests
    {
        // zlib: uLong crc32(uLong crc, const Bytef *buf, uInt len); uLong is 64-bit on Linux x64 (LP64).
        [DllImport("libz.so.1", EntryPoint = "crc32")]
        private static extern ulong ZlibCrc32(ulong crc, byte* buf, uint len);

        private static uint Zlib(ReadOnlySpan<byte> data, uint crc = 0)
        {
            try
            {
                fixed (byte* p = data)
                    return (uint)ZlibCrc32(crc, p, (uint)data.Length);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException || e is BadImageFormatException)
            {
                Assert.Fail($"cannot load zlib (libz.so.1: {e.Message}); install it with `apt-get install zlib1g`");
                throw; // unreachable
            }
        }

        public static IEnumerable<object[]> Converted()
        {
            yield return new object[] { Fixtures.Adreno, MaceFileFormat.G2 };
            yield return new object[] { Fixtures.Mali, MaceFileFormat.G2 };
            yield return new object[] { Fixtures.PoclTuning, MaceFileFormat.T2 };
        }

        private static (IReadOnlyList<KvRecord> Records, byte[] Output) Convert(string name, MaceFileFormat format)
        {
            var c = MaceFileCodec.Decode(Fixtures.Bytes(name), name);
            var records = c.Records;
            if (format == MaceFileFormat.T2)
            {
                // go through T1 first, so the T2 output is produced from words read out of a raw file
                byte[] t1 = MaceFileCodec.EncodeToArray(records, MaceFileFormat.T1);
                records = MaceFileCodec.Decode(t1, "t1.bin").Records;
            }
            return (records, MaceFileCodec.EncodeToArray(records, format));
        }

        [Theory]
        [MemberData(nameof(Converted))]
        public void CrcTrailer_EqualsZlib(string name, MaceFileFormat format)
        {
            var (_, output) = Convert(name, format);
            var body = output.AsSpan(0, output.Length - 4);
            uint trailer = BinaryPrimitives.ReadUInt32LittleEndian(output.AsSpan(output.Length - 4));
            Assert.Equal(Zlib(body), trailer);
            Assert.Equal(Zlib(body), Crc32.Compute(body));
        }

        [Fact]
        public void Crc32_EqualsZlib_OnRandomDataAndChunks()
        {
            var rng = new Random(7);
            var data = new byte[1 << 20];
            rng.NextBytes(data);
            Assert.Equal(Zlib(data), Crc32.Compute(data));
            uint ours = 0, theirs = 0;
            int pos = 0;
            while (pos < data.Length)
            {
                int n = Math.Min(data.Length - pos, rng.Next(0, 5000));
                ours = Crc32.Append(ours, data.AsSpan(pos, n));
                theirs = Zlib(data.AsSpan(pos, n), theirs);
                pos += n;
            }
            Assert.Equal(theirs, ours);
            for (int len = 0; len < 64; len++)
                Assert.Equal(Zlib(data.AsSpan(3, len)), Crc32.Compute(data.AsSpan(3, len)));
        }

        [Theory]
        [MemberData(nameof(Converted))]
        public void Output_ParsesWithGoogleProtobuf(string name, MaceFileFormat format)
        {
            var (records, output) = Convert(name, format);
            var input = new CodedInputStream(output, 0, output.Length - 4);
            int index = 0;
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                Assert.Equal(1, WireFormat.GetTagFieldNumber(tag));
                Assert.Equal(WireFormat.WireType.LengthDelimited, WireFormat.GetTagWireType(tag));
                byte[] pair = input.ReadBytes().ToByteArray();
                Assert.True(index < records.Count, "more KVPairs than records");
                var expected = records[index++];

                var inner = new CodedInputStream(pair);
                string? key = null;
                byte[]? bytesValue = null;
                var words = new List<uint>();
                uint t;
                while ((t = inner.ReadTag()) != 0)
                {
                    int field = WireFormat.GetTagFieldNumber(t);
                    var wire = WireFormat.GetTagWireType(t);
                    if (field == 1 && wire == WireFormat.WireType.LengthDelimited) key = inner.ReadString();
                    else if (field == 2 && wire == WireFormat.WireType.LengthDelimited) bytesValue = inner.ReadBytes().ToByteArray();
                    else if (field == 3 && wire == WireFormat.WireType.Varint) words.Add(inner.ReadUInt32());
                    else Assert.Fail($"unexpected field {field} wire type {wire} in KVPair {index}");
                }

                Assert.Equal(expected.Key, key);
                if (format == MaceFileFormat.T2)
                {
                    Assert.Null(bytesValue);
                    Assert.Equal(expected.Words, words.ToArray());
                }
                else
                {
                    Assert.NotNull(bytesValue);
                    Assert.Equal(expected.Value.ToArray(), bytesValue);
                    Assert.Empty(words);
                }
            }
            Assert.Equal(records.Count, index);
        }

        [Theory]
        [MemberData(nameof(Converted))]
        public void GoogleProtobufWriter_ProducesOurBytes(string name, MaceFileFormat format)
        {
            var (records, output) = Convert(name, format);
            using var ms = new MemoryStream();
            var outer = new CodedOutputStream(ms);
            foreach (var r in records)
            {
                using var pairStream = new MemoryStream();
                var inner = new CodedOutputStream(pairStream);
                inner.WriteTag(1, WireFormat.WireType.LengthDelimited);
                inner.WriteString(r.Key);
                if (format == MaceFileFormat.T2)
                {
                    foreach (uint w in r.Words!)
                    {
                        inner.WriteTag(3, WireFormat.WireType.Varint);
                        inner.WriteUInt32(w);
                    }
                }
                else
                {
                    inner.WriteTag(2, WireFormat.WireType.LengthDelimited);
                    inner.WriteBytes(ByteString.CopyFrom(r.Value.Span));
                }
                inner.Flush();
                outer.WriteTag(1, WireFormat.WireType.LengthDelimited);
                outer.WriteBytes(ByteString.CopyFrom(pairStream.ToArray()));
            }
            outer.Flush();
            byte[] body = ms.ToArray();
            var expected = new byte[body.Length + 4];
            body.CopyTo(expected, 0);
            BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(body.Length), Zlib(body));

            Assert.Equal(expected, output);
            var c = MaceFileCodec.Decode(expected);
            Assert.Equal(format, c.Format);
            Assert.Equal(records.Count, c.Records.Count);
        }
    }
}
