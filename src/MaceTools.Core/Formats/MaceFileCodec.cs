using System;
using System.Collections.Generic;
using System.IO;

namespace MaceTools.Formats
{
    /// <summary>Reads any generation of MACE program or tuned-parameter file, and writes any generation.</summary>
    public static class MaceFileCodec
    {
        /// <summary>
        /// Records one file may hold. Real files hold tens (programs) to thousands (tuned kernels); each decoded record costs
        /// some 200 bytes of objects, so without a limit a 64 MB file of empty records would take gigabytes.
        /// </summary>
        public const int MaxRecords = 1_000_000;

        internal static MaceFormatException TooManyRecords(string path, long offset, long count) =>
            new MaceFormatException(ErrorIds.InputTooLarge, path, offset,
                $"{count} records; MaceTools reads at most {MaxRecords:N0} (real MACE files hold tens to thousands)");

        /// <summary>Reads and decodes a file. Errors name the path and the offset.</summary>
        public static MaceFileContent ReadFile(string path, MaceFileKind? kind = null) => Decode(InputGate.ReadAll(path, InputKind.MaceFile), path, kind);

        /// <summary>
        /// Detects the generation and decodes. A valid CRC-32 trailer over a well-formed PairContainer means G2/T2
        /// (mace-formats.md §7.4); otherwise the raw layout must hold. <paramref name="kind"/> overrides the guess
        /// between programs and tuning where the bytes cannot tell (a raw file without special keys).
        /// </summary>
        public static MaceFileContent Decode(ReadOnlyMemory<byte> data, string path = "<bytes>", MaceFileKind? kind = null)
        {
            if (data.Length == 0)
                throw new MaceFormatException(ErrorIds.FileEmpty, path, 0,
                    "the file is empty (MACE v0.12-v1.0.4 crash on an empty cache file; v1.1.1 reports an invalid CRC32)");
            ReadOnlySpan<byte> span = data.Span;
            if (ProtoKvCodec.CrcMatches(span, out uint stored, out uint computed))
            {
                var records = ProtoKvCodec.Read(data, path, out bool packed);
                return new MaceFileContent(MaceFileFormats.Of(kind ?? ProtoKind(records), true), records, data.Length, 0, stored, packed);
            }
            try
            {
                var records = RawKvCodec.Read(data, path, out long trailing);
                var k = kind ?? RawKind(records);
                if (k == MaceFileKind.Tuning) records = records.ConvertAll(r => new KvRecord(r.KeyBytes, r.Value, RawKvCodec.Words(r.Value.Span), r.Offset, r.ValueOffset));
                return new MaceFileContent(MaceFileFormats.Of(k, false), records, data.Length, trailing);
            }
            catch (MaceFormatException raw) when (LooksLikeProtobuf(span))
            {
                throw new MaceFormatException(ErrorIds.BadCrc, path, Math.Max(0, data.Length - ProtoKvCodec.CrcSize),
                    $"looks like a protobuf (G2/T2) file, but its CRC-32 trailer is 0x{stored:x8} and the content's CRC-32 is 0x{computed:x8} " +
                    $"(MACE: CRC32 value of {path} is invalid, aborting loading file); as a raw G1 file: {raw.Detail}");
            }
        }

        /// <summary>
        /// A PairContainer starts <c>0x0A &lt;varint&gt; 0x0A</c> (field 1, then a KVPair's key). Either the first tag or
        /// the second must be there, and read as a raw file the count must be impossible, so a damaged G1 count is
        /// still reported as a raw-layout error.
        /// </summary>
        private static bool LooksLikeProtobuf(ReadOnlySpan<byte> data)
        {
            if (data.Length < ProtoKvCodec.CrcSize + 3) return false;
            if (data.Length >= 8 && System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(data) is long count && count >= 0 && count <= (data.Length - 8) / 8)
                return false;
            int i = 1;
            while (i < 6 && i < data.Length && (data[i] & 0x80) != 0) i++;
            bool secondTag = i + 1 < data.Length && data[i + 1] == 0x0A;
            return data[0] == 0x0A || secondTag;
        }

        private static MaceFileKind ProtoKind(List<KvRecord> records)
        {
            int tuning = 0, programs = 0;
            foreach (var r in records)
            {
                if (r.Words != null) tuning++;
                else programs++;
            }
            return tuning > programs ? MaceFileKind.Tuning : MaceFileKind.Programs;
        }

        /// <summary>Raw G1 and T1 share a layout: special keys decide, then the value shapes (3-4 words vs binaries).</summary>
        internal static MaceFileKind RawKind(List<KvRecord> records)
        {
            bool anyTuningShape = false;
            foreach (var r in records)
            {
                if (Keys.Classify(r.Key, MaceFileKind.Programs) != MaceEntryKind.Program) return MaceFileKind.Programs;
                if (r.Key == Keys.QueueWindowSize) return MaceFileKind.Tuning;
            }
            foreach (var r in records)
            {
                int n = r.Value.Length;
                if (n % 4 != 0 || n < 8 || n > 16) return MaceFileKind.Programs;
                anyTuningShape = true;
            }
            return anyTuningShape ? MaceFileKind.Tuning : MaceFileKind.Programs;
        }

        /// <summary>Encodes records, in the order given, in <paramref name="format"/>.</summary>
        public static void Encode(IReadOnlyList<KvRecord> records, MaceFileFormat format, Stream output)
        {
            var w = new EncodingWriter(output);
            bool tuning = format.Kind() == MaceFileKind.Tuning;
            if (format.IsProtobuf()) ProtoKvCodec.Write(records, tuning, w);
            else RawKvCodec.Write(records, tuning, w);
            w.Flush();
        }

        public static byte[] EncodeToArray(IReadOnlyList<KvRecord> records, MaceFileFormat format)
        {
            using var ms = new MemoryStream();
            Encode(records, format, ms);
            return ms.ToArray();
        }

        /// <summary>Writes through a temporary file and a rename, so a good file is never left half-written.</summary>
        public static void WriteFile(string path, IReadOnlyList<KvRecord> records, MaceFileFormat format, bool overwrite, System.Threading.CancellationToken cancellationToken = default) =>
            FileIO.WriteAtomic(path, s => Encode(records, format, s), overwrite, cancellationToken);
    }
}
