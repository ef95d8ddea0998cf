using System;
using System.Buffers.Binary;
using System.IO;

namespace MaceTools.Formats
{
    /// <summary>A buffered little-endian writer that keeps a running CRC-32 of everything written, so encoders stream.</summary>
    internal sealed class EncodingWriter
    {
        private const int BufferSize = 1 << 16;
        private readonly Stream _stream;
        private readonly byte[] _buffer = new byte[BufferSize];
        private int _count, _crcDone;
        private uint _crc;

        public EncodingWriter(Stream stream) => _stream = stream;

        public long Position { get; private set; }

        /// <summary>The CRC-32 of all bytes written so far.</summary>
        public uint Crc
        {
            get
            {
                _crc = Crc32.Append(_crc, _buffer.AsSpan(_crcDone, _count - _crcDone));
                _crcDone = _count;
                return _crc;
            }
        }

        public void WriteByte(byte b)
        {
            if (_count == BufferSize) Flush();
            _buffer[_count++] = b;
            Position++;
        }

        public void WriteVarint(ulong v)
        {
            while (v >= 0x80) { WriteByte((byte)(v | 0x80)); v >>= 7; }
            WriteByte((byte)v);
        }

        public void WriteInt32(int v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); Write(b); }
        public void WriteUInt32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); Write(b); }
        public void WriteInt64(long v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); Write(b); }

        /// <summary>Writes the trailer; it is not part of any later CRC.</summary>
        public void WriteUInt32Raw(uint v) { _ = Crc; WriteUInt32(v); _crcDone = _count; }

        public void Write(ReadOnlySpan<byte> data)
        {
            if (data.Length > BufferSize / 2)
            {
                Flush();
                _crc = Crc32.Append(_crc, data);
                WriteToStream(data);
                Position += data.Length;
                return;
            }
            if (_count + data.Length > BufferSize) Flush();
            data.CopyTo(_buffer.AsSpan(_count));
            _count += data.Length;
            Position += data.Length;
        }

        public void Flush()
        {
            _ = Crc;
            _stream.Write(_buffer, 0, _count);
            _count = _crcDone = 0;
        }

        private void WriteToStream(ReadOnlySpan<byte> data)
        {
            // netstandard2.0 Stream has no span overload; MemoryStream and FileStream are served by the array path.
            byte[] chunk = _chunk ??= new byte[1 << 20];
            while (!data.IsEmpty)
            {
                int n = Math.Min(chunk.Length, data.Length);
                data.Slice(0, n).CopyTo(chunk);
                _stream.Write(chunk, 0, n);
                data = data.Slice(n);
            }
        }

        private byte[]? _chunk;
    }
}
