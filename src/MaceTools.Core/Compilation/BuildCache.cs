using System;
using System.IO;
using MaceTools.Formats;

namespace MaceTools.Compilation
{
    /// <summary>
    /// Content-addressed store of compiled binaries: the file name is the SHA-256 of everything that determines the binary
    /// (source, options, device class, driver, tool version); the file holds the binary's own SHA-256 before the bytes,
    /// and a binary whose hash does not match is discarded, never handed to a driver.
    /// </summary>
    public sealed class BuildCache
    {
        public const string Variable = "MACETOOLS_CACHE_DIR";

        public BuildCache(string directory) { Directory = directory; }

        public string Directory { get; }

        /// <summary><c>MACETOOLS_CACHE_DIR</c>, else $XDG_CACHE_HOME/macetools/builds, else ~/.cache/macetools/builds (LocalAppData on Windows).</summary>
        public static BuildCache Default()
        {
            string? env = Environment.GetEnvironmentVariable(Variable);
            if (!string.IsNullOrEmpty(env)) return new BuildCache(env!);
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrEmpty(xdg) ? xdg!
                : Environment.OSVersion.Platform == PlatformID.Win32NT ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return new BuildCache(Path.Combine(root, "macetools", "builds"));
        }

        public static string KeyFor(params string[] parts) => Hashing.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", parts)));

        private string PathFor(string key) => Path.Combine(Directory, key.Substring(0, 2), key + ".bin");

        public bool TryGet(string key, out byte[] binary)
        {
            binary = new byte[0];
            string path = PathFor(key);
            byte[] stored;
            try { stored = InputGate.ReadAll(path, InputKind.ProgramBinary); }
            catch (MaceException) { return false; }
            if (stored.Length < 64 || Hashing.Sha256Hex(stored.AsMemory(64)) != System.Text.Encoding.ASCII.GetString(stored, 0, 64))
            {
                try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                return false;
            }
            binary = stored.AsSpan(64).ToArray();
            return true;
        }

        /// <summary>Stores a binary; a cache that cannot be written only costs the next build its speed.</summary>
        public bool Put(string key, byte[] binary)
        {
            try
            {
                string path = PathFor(key);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                FileIO.WriteAtomic(path, s =>
                {
                    var header = System.Text.Encoding.ASCII.GetBytes(Hashing.Sha256Hex(binary));
                    s.Write(header, 0, header.Length);
                    s.Write(binary, 0, binary.Length);
                }, overwrite: true);
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is MaceException) { return false; }
        }
    }
}
