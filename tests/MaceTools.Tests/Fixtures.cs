using System;
using System.Collections.Generic;
using System.IO;

namespace MaceTools.Tests
{
    /// <summary>
    /// Locates the real MACE files used as test vectors: first <c>&lt;repo&gt;/examples/mace-files/&lt;name&gt;</c>,
    /// then <c>&lt;repo&gt;/../shared/fixtures/real/&lt;name&gt;</c>. The repository root is the first directory above
    /// <see cref="AppContext.BaseDirectory"/> that holds MaceTools.sln.
    /// </summary>
    public static class Fixtures
    {
        /// <summary>G1b, 29 records (28 programs + platform info), written by MACE v0.10.1-rc4 on Adreno.</summary>
        public const string Adreno = "adreno-v0.10.1-rc4.mace_cl_compiled_program.bin";
        /// <summary>G1b, 26 records (25 programs + platform info), written by MACE v0.12.0-28 on Mali r20p0.</summary>
        public const string Mali = "mali-r20p0-v0.12.0-28.mace_cl_compiled_program.bin";
        /// <summary>T2, 16 records, written by MACE v1.1.1 on pocl.</summary>
        public const string PoclTuning = "pocl-v1.1.1.tuned_opencl_parameter.bin";

        private static readonly Lazy<string> Root = new Lazy<string>(FindRepoRoot);

        /// <summary>The repository root (the directory that holds MaceTools.sln).</summary>
        public static string RepoRoot => Root.Value;

        public static string Path(string name)
        {
            var candidates = new List<string>
            {
                System.IO.Path.Combine(RepoRoot, "examples", "mace-files", name),
                System.IO.Path.GetFullPath(System.IO.Path.Combine(RepoRoot, "..", "shared", "fixtures", "real", name)),
            };
            foreach (string c in candidates)
                if (File.Exists(c)) return c;
            throw new FileNotFoundException(
                $"test fixture '{name}' not found; looked in '{candidates[0]}' and '{candidates[1]}'", name);
        }

        public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

        private static string FindRepoRoot()
        {
            string start = AppContext.BaseDirectory;
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "MaceTools.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException($"no directory above '{start}' contains MaceTools.sln, so the test fixtures cannot be located");
        }
    }
}
