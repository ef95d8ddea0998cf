using System;
using System.IO;

namespace MaceTools.Formats
{
    /// <summary>A private temporary directory, removed (best effort) when disposed.</summary>
    public sealed class ScratchDirectory : IDisposable
    {
        /// <param name="purpose">A word for the directory's name (build, load …).</param>
        /// <param name="parent">Where to make it; the system temp directory by default.</param>
        public ScratchDirectory(string purpose, string? parent = null)
        {
            Path = System.IO.Path.Combine(parent ?? System.IO.Path.GetTempPath(), $"macetools-{purpose}-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }
        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
