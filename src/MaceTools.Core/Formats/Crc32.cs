using System;
using System.Runtime.InteropServices;

namespace MaceTools.Formats
{
    /// <summary>
    /// CRC-32/ISO-HDLC (zlib's crc32, MACE's CalculateCRC32): reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF.
    /// Slicing-by-16 so that a 256 MB file checks in well under a second. Ours rather than System.IO.Hashing.Crc32:
    /// the module loads that package's netstandard2.0 build, which ran ~200 MB/s against ~1,000 MB/s here in pwsh 7.6
    /// (only its net10.0 build, which the CLI gets, is faster); <c>macetools bench codec</c> measures both.
    /// </summary>
    public static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        private static uint[] BuildTable()
        {
            var t = new uint[16 * 256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                t[i] = c;
            }
            for (int s = 1; s < 16; s++)
                for (int i = 0; i < 256; i++)
                    t[s * 256 + i] = (t[(s - 1) * 256 + i] >> 8) ^ t[t[(s - 1) * 256 + i] & 0xFF];
            return t;
        }

        public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

        /// <summary>Continues a CRC: <c>Append(Append(0, a), b) == Compute(a + b)</c>.</summary>
        public static uint Append(uint crc, ReadOnlySpan<byte> data)
        {
            uint[] t = Table;
            uint c = ~crc;
            while (data.Length >= 16)
            {
                uint a = MemoryMarshal.Read<uint>(data) ^ c;
                uint b = MemoryMarshal.Read<uint>(data.Slice(4));
                uint d = MemoryMarshal.Read<uint>(data.Slice(8));
                uint e = MemoryMarshal.Read<uint>(data.Slice(12));
                if (!BitConverter.IsLittleEndian)
                    throw new PlatformNotSupportedException("MaceTools runs on little-endian machines only.");
                c = t[15 * 256 + (a & 0xFF)] ^ t[14 * 256 + ((a >> 8) & 0xFF)] ^ t[13 * 256 + ((a >> 16) & 0xFF)] ^ t[12 * 256 + (a >> 24)]
                  ^ t[11 * 256 + (b & 0xFF)] ^ t[10 * 256 + ((b >> 8) & 0xFF)] ^ t[9 * 256 + ((b >> 16) & 0xFF)] ^ t[8 * 256 + (b >> 24)]
                  ^ t[7 * 256 + (d & 0xFF)] ^ t[6 * 256 + ((d >> 8) & 0xFF)] ^ t[5 * 256 + ((d >> 16) & 0xFF)] ^ t[4 * 256 + (d >> 24)]
                  ^ t[3 * 256 + (e & 0xFF)] ^ t[2 * 256 + ((e >> 8) & 0xFF)] ^ t[1 * 256 + ((e >> 16) & 0xFF)] ^ t[e >> 24];
                data = data.Slice(16);
            }
            foreach (byte x in data) c = t[(c ^ x) & 0xFF] ^ (c >> 8);
            return ~c;
        }
    }
}
