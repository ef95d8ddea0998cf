using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace MaceTools.Formats
{
    /// <summary>What a file is read as: each kind has its own size cap (<see cref="InputGate.Caps"/>).</summary>
    public enum InputKind
    {
        /// <summary>A MACE compiled-program cache or tuned-parameter file (any generation).</summary>
        MaceFile,
        /// <summary>A deployment file (mace.yml).</summary>
        DeploymentFile,
        /// <summary>A device inventory (devices.yml).</summary>
        Inventory,
        /// <summary>A model file (ONNX, or any a deployment file names for a checksum).</summary>
        Model,
        /// <summary>An ONNX TensorProto (test data input_N.pb / output_N.pb).</summary>
        OnnxTensor,
        /// <summary>An OpenCL C source or header (.cl, .h).</summary>
        KernelSource,
        /// <summary>One compiled OpenCL program binary (driver output, build-cache entry).</summary>
        ProgramBinary,
    }

    /// <summary>
    /// The one way MaceTools reads an input file. Before anything is opened, the path must name a regular file (a symlink to
    /// one is fine): a FIFO would block the open forever, and a character device such as /dev/zero never ends. The file's
    /// size must be within its kind's cap, and the read itself stops at the cap, so a file that grows while it is read
    /// cannot take memory without bound either. Errors name the path, what it is, and the cap.
    /// </summary>
    public static class InputGate
    {
        private const long KB = 1024, MB = 1024 * KB, GB = 1024 * MB;
        /// <summary>2047 MB: just under the largest byte array .NET allocates (0x7FFFFFC7 bytes).</summary>
        private const long MaxArray = 2047 * MB;

        /// <summary>
        /// The caps, one per kind, in one table. Each is far above any real file of its kind and far below what would hurt:
        /// <list type="bullet">
        /// <item>MACE files 64 MB: real program caches are 0.4-10 MB (a big model on Mali reaches a few MB; the fixtures are
        /// 0.4-0.5 MB) and tuned-parameter files a few KB; MACE copies the whole file into a std::map at every start on the
        /// phone, so a cache of tens of MB is already unusable.</item>
        /// <item>Deployment files and inventories 4 MB: real ones are 1-20 KB of hand-written YAML; 4 MB is thousands of models
        /// or devices, and keeps the YAML parser's work small.</item>
        /// <item>Models and ONNX tensors 2047 MB: protobuf's own limit for one message is 2 GB (bigger models keep their
        /// weights in external data files), and .NET's largest array is just under it; real models are up to several
        /// hundred MB.</item>
        /// <item>Kernel sources 4 MB: MACE's largest .cl file is about 40 KB.</item>
        /// <item>Program binaries 64 MB: one program of a MACE file, so never more than a MACE file.</item>
        /// </list>
        /// MACETOOLS_MAX_&lt;KIND&gt; (e.g. MACETOOLS_MAX_MACE_FILE=256M; bytes with an optional K, M or G) raises or lowers one.
        /// </summary>
        public static readonly IReadOnlyDictionary<InputKind, (long Bytes, string Plural)> Caps = new Dictionary<InputKind, (long, string)>
        {
            [InputKind.MaceFile] = (64 * MB, "MACE program and tuning files"),
            [InputKind.DeploymentFile] = (4 * MB, "deployment files"),
            [InputKind.Inventory] = (4 * MB, "inventories"),
            [InputKind.Model] = (MaxArray, "model files"),
            [InputKind.OnnxTensor] = (MaxArray, "ONNX tensors"),
            [InputKind.KernelSource] = (4 * MB, "kernel sources"),
            [InputKind.ProgramBinary] = (64 * MB, "program binaries"),
        };

        /// <summary>The cap in force for <paramref name="kind"/>: the table's, or its MACETOOLS_MAX_ variable's.</summary>
        public static long CapOf(InputKind kind)
        {
            long cap = Caps[kind].Bytes;
            string? text = Environment.GetEnvironmentVariable(VariableOf(kind));
            return text != null && TryParseSize(text, out long v) ? Math.Min(v, MaxArray) : cap;
        }

        /// <summary>MACETOOLS_MAX_MACE_FILE, MACETOOLS_MAX_DEPLOYMENT_FILE, …</summary>
        public static string VariableOf(InputKind kind)
        {
            var sb = new StringBuilder("MACETOOLS_MAX");
            foreach (char c in kind.ToString())
            {
                if (char.IsUpper(c)) sb.Append('_');
                sb.Append(char.ToUpperInvariant(c));
            }
            return sb.ToString();
        }

        private static bool TryParseSize(string text, out long bytes)
        {
            text = text.Trim();
            long unit = 1;
            if (text.Length > 0)
            {
                char last = char.ToUpperInvariant(text[text.Length - 1]);
                unit = last == 'K' ? KB : last == 'M' ? MB : last == 'G' ? GB : 1;
                if (unit != 1) text = text.Substring(0, text.Length - 1);
            }
            bytes = 0;
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n > long.MaxValue / unit) return false;
            bytes = n * unit;
            return true;
        }

        /// <summary>A size as the errors print it: 1.0 GB, 4 MB, 703 bytes.</summary>
        public static string Size(long bytes) =>
            bytes >= GB ? (bytes / (double)GB).ToString(bytes % GB == 0 ? "0" : "0.0", CultureInfo.InvariantCulture) + " GB"
            : bytes >= MB ? (bytes / (double)MB).ToString(bytes % MB == 0 ? "0" : "0.0", CultureInfo.InvariantCulture) + " MB"
            : bytes >= KB ? (bytes / (double)KB).ToString(bytes % KB == 0 ? "0" : "0.0", CultureInfo.InvariantCulture) + " KB"
            : bytes + " bytes";

        /// <summary>Reads the whole of a regular file of at most its kind's cap.</summary>
        public static byte[] ReadAll(string path, InputKind kind)
        {
            long cap = CapOf(kind);
            using var stream = OpenChecked(path, kind, cap);
            try
            {
                long length = stream.Length;
                // A file of size 0 may still hold bytes (files under /proc); it is read like one that grows.
                var buffer = new byte[length > 0 ? length : Math.Min(cap + 1, 64 * KB)];
                int filled = 0;
                while (true)
                {
                    if (filled == buffer.Length)
                    {
                        // Full at the size the file had when opened: one more byte says whether it grew since.
                        int more = stream.ReadByte();
                        if (more < 0) break;
                        if (filled >= cap) throw TooLarge(path, kind, cap, filled + 1L, grew: true);
                        Array.Resize(ref buffer, (int)Math.Min(Math.Max(2L * buffer.Length, 64 * KB), cap + 1));
                        buffer[filled++] = (byte)more;
                        continue;
                    }
                    int n = stream.Read(buffer, filled, buffer.Length - filled);
                    if (n == 0) break;
                    filled += n;
                    if (filled > cap) throw TooLarge(path, kind, cap, filled, grew: true);
                }
                if (filled != buffer.Length) Array.Resize(ref buffer, filled);
                return buffer;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw Unreadable(path, e);
            }
        }

        /// <summary>Reads a text file (UTF-8, or the encoding its byte-order mark names).</summary>
        public static string ReadText(string path, InputKind kind)
        {
            byte[] bytes = ReadAll(path, kind);
            using var reader = new StreamReader(new MemoryStream(bytes), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }

        /// <summary>
        /// Opens a regular file of at most its kind's cap for streaming (hashing, uploading): the caller reads it to its end,
        /// and the stream refuses to go past the cap.
        /// </summary>
        public static Stream OpenRead(string path, InputKind kind)
        {
            long cap = CapOf(kind);
            return new CappedStream(OpenChecked(path, kind, cap), path, kind, cap);
        }

        /// <summary>Throws unless <paramref name="path"/> names a regular file within its kind's cap; touches no content.</summary>
        public static void Check(string path, InputKind kind)
        {
            long cap = CapOf(kind);
            long size = Inspect(path);
            if (size > cap) throw TooLarge(path, kind, cap, size, grew: false);
        }

        private static FileStream OpenChecked(string path, InputKind kind, long cap)
        {
            Check(path, kind);
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            }
            catch (FileNotFoundException e) { throw NotFound(path, e); }
            catch (DirectoryNotFoundException e) { throw NotFound(path, e); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { throw Unreadable(path, e); }
            try
            {
                // The path may have been replaced between the check and the open: what was opened is checked too.
                string? what = Describe(FStat(stream));
                if (what != null) throw NotRegular(path, what);
                if (stream.Length > cap) throw TooLarge(path, kind, cap, stream.Length, grew: false);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
            return stream;
        }

        /// <summary>The size of a regular file; anything else is refused with what it is.</summary>
        private static long Inspect(string path)
        {
            if (IsUnix)
            {
                int mode = Stat(path, out long size, out int errno);
                if (mode < 0)
                {
                    // ENOENT, ENOTDIR: nothing there; anything else (EACCES, ELOOP …) is left for the open to report exactly.
                    if (errno == ENOENT || errno == ENOTDIR) throw NotFound(path, null);
                    if (errno != NoStat) return 0;
                    return FallbackInspect(path);
                }
                string? what = Describe(mode);
                if (what != null) throw NotRegular(path, what);
                return size;
            }
            return FallbackInspect(path);
        }

        /// <summary>Windows (and a runtime without the native shim): directories and devices are told by their attributes.</summary>
        private static long FallbackInspect(string path)
        {
            try
            {
                var info = new FileInfo(path);
                if (Directory.Exists(path)) throw NotRegular(path, "a directory");
                if (!info.Exists) throw NotFound(path, null);
                if ((info.Attributes & FileAttributes.Device) != 0) throw NotRegular(path, "a device");
                return info.Length;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                throw Unreadable(path, e);
            }
        }

        private static string? Describe(int mode) => mode < 0 ? null : (mode & S_IFMT) switch
        {
            S_IFREG => null,
            S_IFDIR => "a directory",
            S_IFIFO => "a FIFO (named pipe)",
            S_IFCHR => "a character device",
            S_IFBLK => "a block device",
            S_IFSOCK => "a socket",
            _ => $"a special file (mode 0x{mode:x})",
        };

        /// <summary>The one error for a path that is not a plain file (a directory, a device, a FIFO), wherever it is found.</summary>
        internal static MaceException NotRegular(string path, string what) =>
            new MaceException(ErrorIds.NotARegularFile, MaceErrorCategory.InvalidArgument, $"{path}: is {what}, not a regular file", path);

        private static MaceException TooLarge(string path, InputKind kind, long cap, long size, bool grew) =>
            new MaceException(ErrorIds.InputTooLarge, MaceErrorCategory.InvalidData,
                $"{path}: {(grew ? "grew past " + Size(size) + " while it was read" : "is " + Size(size))}; {Caps[kind].Plural} are capped at {Size(cap)} " +
                $"(set {VariableOf(kind)} to raise the cap)", path);

        private static MaceException NotFound(string path, Exception? e) =>
            new MaceException(ErrorIds.FileNotFound, MaceErrorCategory.ObjectNotFound, $"{path}: file not found", path, e);

        private static MaceException Unreadable(string path, Exception e) =>
            new MaceException(ErrorIds.FileUnreadable, MaceErrorCategory.ReadError, $"{path}: cannot read: {e.Message}", path, e);

        // ------------------------------------------------------------------ stat

        // .NET's own native shim (libSystem.Native, in every .NET runtime on Unix) has a stat whose struct is the same on every
        // architecture: int32 Flags, int32 Mode, uint32 Uid, uint32 Gid, int64 Size, … and the S_IF* values below. libc's
        // struct stat differs between x64, arm64 and arm32, and glibc before 2.33 exports no plain `stat` at all.
        private const int S_IFMT = 0xF000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFDIR = 0x4000, S_IFBLK = 0x6000, S_IFREG = 0x8000, S_IFSOCK = 0xC000;
        private const int ENOENT = 2, ENOTDIR = 20, NoStat = -1;
        private const int StatBufferSize = 512; // larger than the shim's FileStatus in any .NET version

        private static readonly bool IsUnix = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        private static bool _noShim;

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
        private static extern int SystemNativeStat(byte[] path, byte[] status);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_FStat", SetLastError = true)]
        private static extern int SystemNativeFStat(IntPtr fd, byte[] status);

        /// <summary>The mode (S_IF* bits included) and size of what <paramref name="path"/> names, following symlinks; -1 on failure.</summary>
        private static int Stat(string path, out long size, out int errno)
        {
            size = 0;
            errno = NoStat;
            if (_noShim) return -1;
            var status = new byte[StatBufferSize];
            byte[] cpath = Encoding.UTF8.GetBytes(path + "\0");
            try
            {
                if (SystemNativeStat(cpath, status) != 0)
                {
                    errno = Marshal.GetLastWin32Error();
                    return -1;
                }
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                _noShim = true;
                return -1;
            }
            size = BitConverter.ToInt64(status, 16);
            return BitConverter.ToInt32(status, 4);
        }

        /// <summary>The mode of an open file, or -1 where it cannot be told.</summary>
        private static int FStat(FileStream stream)
        {
            if (!IsUnix || _noShim) return -1;
            var status = new byte[StatBufferSize];
            bool added = false;
            try
            {
                stream.SafeFileHandle.DangerousAddRef(ref added);
                if (SystemNativeFStat(stream.SafeFileHandle.DangerousGetHandle(), status) != 0) return -1;
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                _noShim = true;
                return -1;
            }
            finally
            {
                if (added) stream.SafeFileHandle.DangerousRelease();
            }
            return BitConverter.ToInt32(status, 4);
        }

        /// <summary>A read-only stream that fails once more than the cap has been read.</summary>
        private sealed class CappedStream : Stream
        {
            private readonly Stream _inner;
            private readonly string _path;
            private readonly InputKind _kind;
            private readonly long _cap;
            private long _read;

            public CappedStream(Stream inner, string path, InputKind kind, long cap)
            {
                _inner = inner; _path = path; _kind = kind; _cap = cap;
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                int n;
                try { n = _inner.Read(buffer, offset, count); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { throw Unreadable(_path, e); }
                _read += n;
                if (_read > _cap) throw TooLarge(_path, _kind, _cap, _read, grew: true);
                return n;
            }

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => _inner.Length;
            public override long Position { get => _read; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                if (disposing) _inner.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
