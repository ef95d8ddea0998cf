using System;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;

namespace MaceTools.Formats
{
    /// <summary>File writes with MaceTools errors, and atomic replacement (reads go through <see cref="InputGate"/>).</summary>
    public static class FileIO
    {
        /// <summary>-NoClobber's refusal, for writers that must check before long work (tuning) as well as at the write.</summary>
        public static void RefuseExisting(string path)
        {
            if (File.Exists(Path.GetFullPath(path))) throw Exists(path);
        }

        private static MaceException Exists(string path) =>
            new MaceException(ErrorIds.OutputExists, MaceErrorCategory.ResourceExists, $"{path}: already exists (omit -NoClobber / --no-clobber to replace it)", path);

        /// <summary>
        /// Writes <paramref name="path"/> by writing a temporary file beside it, flushing it to disk and renaming it over
        /// the destination. On any failure, and on cancellation (checked while writing and before the rename), the temporary
        /// file is removed and the destination is left as it was. A replaced file keeps its mode, and its owner where the
        /// process may set it. Without <paramref name="overwrite"/> the file is put in place with a no-replace link or
        /// rename, so of two writers racing to a new path exactly one wins and the other gets OutputExists.
        /// Temporaries left by killed writers of the same destination are removed first (<see cref="SweepStaleTemporaries"/>).
        /// </summary>
        public static void WriteAtomic(string path, Action<Stream> write, bool overwrite, CancellationToken cancellationToken = default)
        {
            string full = Path.GetFullPath(path);
            if (!overwrite) RefuseExisting(path);
            cancellationToken.ThrowIfCancellationRequested();
            SweepStaleTemporaries(full);
            string tmp = TemporaryPath(full);
            try
            {
                var ownership = overwrite ? PosixFiles.Ownership(full) : null;
                using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    // Before any byte is written, so a private file's content is never readable by others, not even as a temporary.
                    if (ownership != null) PosixFiles.Apply(fs.SafeFileHandle, ownership.Value);
                    write(new CancellableStream(fs, cancellationToken));
                    fs.Flush(true);
                }
                cancellationToken.ThrowIfCancellationRequested();
                if (!overwrite) MoveNoReplace(tmp, full, path);
                else if (File.Exists(full)) File.Replace(tmp, full, null);
                else File.Move(tmp, full);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                TryDelete(tmp);
                throw new MaceException(ErrorIds.WriteFailed, MaceErrorCategory.WriteError, $"{path}: cannot write: {e.Message}", path, e);
            }
            catch
            {
                TryDelete(tmp);
                throw;
            }
        }

        private static void MoveNoReplace(string tmp, string full, string path)
        {
            bool? moved = PosixFiles.MoveNoReplace(tmp, full);
            if (moved == false) throw Exists(path);
            if (moved == true) return;
            // No link or no-replace rename here (Windows, some file systems): File.Move itself refuses an existing destination.
            if (File.Exists(full)) throw Exists(path);
            try { File.Move(tmp, full); }
            catch (IOException) when (File.Exists(full) && File.Exists(tmp)) { throw Exists(path); }
        }

        /// <summary>
        /// A hidden temporary beside <paramref name="full"/>: <c>.NAME.PID-START-RANDOM.tmp</c>. The writer's pid and its start
        /// time (Linux; 0 elsewhere) let a later writer tell a killed writer's leftover from a live one's, even after pid reuse.
        /// </summary>
        internal static string TemporaryPath(string full, string suffix = ".tmp") =>
            Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + WriterToken + "-" + Guid.NewGuid().ToString("N").Substring(0, 8) + suffix);

        private static readonly string WriterToken = ProcessToken(System.Diagnostics.Process.GetCurrentProcess().Id) ?? "0-0";

        /// <summary>"PID-START" for a running process (START: its start time in clock ticks after boot, Linux only); null if none runs.</summary>
        private static string? ProcessToken(int pid)
        {
            if (PosixFiles.IsLinux)
            {
                string stat;
                try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return null; }
                // Field 22 (starttime), counted after the command name, which is in parentheses and may hold spaces.
                var fields = stat.Substring(stat.LastIndexOf(')') + 1).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                return fields.Length > 19 ? pid + "-" + fields[19] : pid + "-0";
            }
            if (PosixFiles.IsUnix) return PosixFiles.ProcessExists(pid) ? pid + "-0" : null;
            try
            {
                using (System.Diagnostics.Process.GetProcessById(pid)) return pid + "-0";
            }
            catch (ArgumentException) { return null; }
        }

        private static readonly Regex TemporaryTail = new Regex(@"^\.(?<pid>[0-9]{1,9})-(?<start>[0-9]{1,20})-[0-9a-f]{8}\.(tmp|part)$", RegexOptions.CultureInvariant);

        /// <summary>
        /// Removes the temporaries of <paramref name="full"/> whose writer is gone (killed with SIGKILL, or the machine went down):
        /// their pid runs no more, or now belongs to a process that started at another time. A live writer's temporary is never
        /// touched, nor any other file. Best effort: a temporary that cannot be removed is left.
        /// </summary>
        public static void SweepStaleTemporaries(string full)
        {
            string? dir = Path.GetDirectoryName(full);
            string prefix = "." + Path.GetFileName(full);
            if (dir == null || !Directory.Exists(dir)) return;
            try
            {
                foreach (var file in Directory.EnumerateFiles(dir))
                {
                    string name = Path.GetFileName(file);
                    if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
                    var m = TemporaryTail.Match(name.Substring(prefix.Length));
                    if (!m.Success) continue;
                    string writer = m.Groups["pid"].Value + "-" + m.Groups["start"].Value;
                    string? now = ProcessToken(int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture));
                    // Off Linux the start is 0 and only the pid can be compared.
                    if (now == writer || (now != null && m.Groups["start"].Value == "0")) continue;
                    TryDelete(file);
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { }
        }

        /// <summary>Checks the token at every write, so a long write stops soon after Ctrl+C or SIGTERM.</summary>
        private sealed class CancellableStream : Stream
        {
            private readonly Stream _inner;
            private readonly CancellationToken _token;

            public CancellableStream(Stream inner, CancellationToken token)
            {
                _inner = inner;
                _token = token;
            }

            public override void Write(byte[] buffer, int offset, int count)
            {
                _token.ThrowIfCancellationRequested();
                _inner.Write(buffer, offset, count);
            }

            public override void WriteByte(byte value)
            {
                _token.ThrowIfCancellationRequested();
                _inner.WriteByte(value);
            }

            public override void Flush() => _inner.Flush();
            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => _inner.Length;
            public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
        }

        private static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
