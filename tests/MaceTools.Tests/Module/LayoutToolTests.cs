using System;
using System.IO;
using System.Linq;
using MaceTools.Build;

namespace MaceTools.Tests.Module
{
    /// <summary>The layout step and the command line of tools/MaceTools.Build, run on a scratch copy of the repository.</summary>
    public class LayoutToolTests
    {
        private sealed class ScratchRepo : IDisposable
        {
            public ScratchRepo()
            {
                Root = Path.Combine(Path.GetTempPath(), "macetools-layout-" + Guid.NewGuid().ToString("N").Substring(0, 8));
                Directory.CreateDirectory(Root);
                File.WriteAllText(Path.Combine(Root, "MaceTools.sln"), "");
                File.Copy(Path.Combine(ModuleFolder.RepoRoot, "Directory.Build.props"), Path.Combine(Root, "Directory.Build.props"));
                Copy(ModuleFolder.ModuleBin, Bin);
                Copy(ModuleFolder.CliBin, CliBin);
                Copy(ModuleFolder.HelpDocs, Path.Combine(Root, "docs", "help"));
            }

            public string Root { get; }
            public string Bin => Path.Combine(Root, "src", "MaceTools", "bin", "Release", "netstandard2.0");
            public string CliBin => Path.Combine(Root, "src", "MaceTools.Cli", "bin", "Release", "net10.0");
            public RepoPaths Paths => new RepoPaths(Root);

            private static void Copy(string from, string to)
            {
                Directory.CreateDirectory(to);
                foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
            }

            public void Dispose()
            {
                try { Directory.Delete(Root, recursive: true); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }

        private static void RequireBuild()
        {
            _ = ModuleFolder.Path; // fails with "run ./build.sh first" when there is no build
            Assert.True(Directory.Exists(ModuleFolder.ModuleBin), $"{ModuleFolder.ModuleBin} is missing: run ./build.sh first");
        }

        [Fact]
        public void Static_Layout_ProducesTheAllowListAndReplacesAnOldFolder()
        {
            RequireBuild();
            using var repo = new ScratchRepo();
            string stale = Path.Combine(repo.Root, "out", "MaceTools", "stale.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
            File.WriteAllText(stale, "old");

            var result = ModuleLayout.Run(repo.Paths);
            Assert.False(File.Exists(stale));
            Assert.Equal(ModuleLayout.ExpectedFiles(ModuleLayout.Dependencies(repo.Bin), ModuleLayout.WorkerFiles(repo.CliBin)), result.Files);
            Assert.False(result.RootManifestCurrent); // the scratch repo has no root manifest
            Assert.Equal(File.ReadAllBytes(ModuleFolder.File_("MaceTools.psd1")), File.ReadAllBytes(Path.Combine(repo.Root, "out", "MaceTools", "MaceTools.psd1")));
            Assert.Equal(File.ReadAllBytes(ModuleFolder.File_("en-US/MaceTools.dll-Help.xml")), File.ReadAllBytes(Path.Combine(repo.Root, "out", "MaceTools", "en-US", "MaceTools.dll-Help.xml")));
        }

        [Fact]
        public void Static_Layout_FailsLoudlyOnTheStubEngineInTheBuildOutput()
        {
            RequireBuild();
            using var repo = new ScratchRepo();
            File.Copy(typeof(System.Management.Automation.Cmdlet).Assembly.Location, Path.Combine(repo.Bin, "System.Management.Automation.dll"));
            var e = Assert.Throws<BuildException>(() => ModuleLayout.Run(repo.Paths));
            Assert.Contains("System.Management.Automation.dll", e.Message);
            Assert.Contains("must never ship", e.Message);
            Assert.False(Directory.Exists(Path.Combine(repo.Root, "out", "MaceTools")));
        }

        [Fact]
        public void Static_Layout_RefusesABenchAssemblyInTheWorker()
        {
            RequireBuild();
            using var repo = new ScratchRepo();
            File.Copy(typeof(Formats.CodecBenchmark).Assembly.Location, Path.Combine(repo.CliBin, ModuleLayout.BenchAssembly));
            var e = Assert.Throws<BuildException>(() => ModuleLayout.Run(repo.Paths));
            Assert.Contains(ModuleLayout.BenchAssembly, e.Message);
            Assert.False(Directory.Exists(Path.Combine(repo.Root, "out", "MaceTools")));
        }

        [Fact]
        public void Static_Layout_FailsOnAMissingFileOfTheAllowList()
        {
            RequireBuild();
            using var repo = new ScratchRepo();
            File.Delete(Path.Combine(repo.Bin, "MaceTools.Format.ps1xml"));
            Assert.Contains("MaceTools.Format.ps1xml: missing", Assert.Throws<BuildException>(() => ModuleLayout.Run(repo.Paths)).Message);
        }

        [Fact]
        public void Static_Layout_FailsWhenHelpIsIncompleteWithoutTouchingOut()
        {
            RequireBuild();
            using var repo = new ScratchRepo();
            File.Delete(Path.Combine(repo.Root, "docs", "help", "Merge-MaceProgram.md"));
            var e = Assert.Throws<BuildException>(() => ModuleLayout.Run(repo.Paths));
            Assert.Contains("Merge-MaceProgram: no help page", e.Message);
            Assert.False(Directory.Exists(Path.Combine(repo.Root, "out")));
        }

        [Fact]
        public void Static_Markdown_CommandRecreatesAMissingPageAsASkeleton()
        {
            RequireBuild();
            using var repo = new ScratchRepo();
            string page = Path.Combine(repo.Root, "docs", "help", "Export-MaceProgram.md");
            File.Delete(page);
            var changes = HelpCompiler.UpdateMarkdown(Path.Combine(repo.Root, "docs", "help"), MetadataReader.Read(Path.Combine(repo.Bin, "MaceTools.dll")), new DateTime(2026, 11, 21));
            Assert.Contains(changes, c => c.StartsWith("created", StringComparison.Ordinal) && c.Contains("Export-MaceProgram.md"));
            Assert.Single(changes);
            string text = File.ReadAllText(page);
            Assert.Contains("{{ Fill in the Synopsis }}", text);
            Assert.Contains("ms.date: 11/21/2026", text);
            // The existing pages were already current: nothing else changed.
            Assert.Empty(HelpCompiler.UpdateMarkdown(Path.Combine(repo.Root, "docs", "help"), MetadataReader.Read(Path.Combine(repo.Bin, "MaceTools.dll")), DateTime.UtcNow));
        }

        [Fact]
        public void Static_CommandLine_ParsesCommandsAndOptions()
        {
            var (command, options) = Program.Parse(new[] { "layout", "--repo", "/r", "--configuration=Debug" });
            Assert.Equal("layout", command);
            Assert.Equal("/r", options["repo"]);
            Assert.Equal("Debug", options["configuration"]);
            Assert.ThrowsAny<Exception>(() => Program.Parse(new[] { "layout", "--colour", "red" }));
            Assert.ThrowsAny<Exception>(() => Program.Parse(new[] { "layout", "--repo" }));
            Assert.ThrowsAny<Exception>(() => Program.Parse(Array.Empty<string>()));
        }

        [Fact]
        public void Static_CommandLine_ReturnsExitCodes()
        {
            Assert.Equal(2, Program.Main(new[] { "frobnicate", "--repo", ModuleFolder.RepoRoot }));
            Assert.Equal(1, Program.Main(new[] { "manifest", "--repo", Path.GetTempPath() })); // not a repository root
        }
    }
}
