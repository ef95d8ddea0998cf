using System;
using System.IO;

namespace MaceTools.Formats
{
    /// <summary>File writes with MaceTools errors, and atomic replacement (reads go through <see cref="InputGate"/>).</summary>
    public static class FileIO
    {
        /// <summary>
        /// Writes <paramref name="path"/> by writing a temporary file beside it, flushing it to disk and renaming it over
        /// the destination. On any failure the temporary file is removed and the destination is left as it was.
        /// </summary>
        /// <summary>-NoClobber's refusal, for writers that must check before long work (tuning) as well as at the write.</summary>
        public static void RefuseExisting(string path)
        {
            if (File.Exists(Path.GetFullPath(path)))
                throw new MaceException(ErrorIds.OutputExists, MaceErrorCategory.ResourceExists, $"{path}: already exists (omit -NoClobber / --no-clobber to replace it)", path);
        }

        public static void WriteAtomic(string path, Action<Stream> write, bool overwrite)
        {
            string full = Path.GetFullPath(path);
            if (!overwrite) RefuseExisting(path);
            string dir = Path.GetDirectoryName(full) ?? ".";
            string tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    write(fs);
                    fs.Flush(true);
                }
                if (File.Exists(full)) File.Replace(tmp, full, null);
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

        private static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
