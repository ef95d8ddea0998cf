using System;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using MaceTools.Build;

namespace MaceTools.Tests.Module
{
    /// <summary>What out/MaceTools holds (PSResourceGet's allow-list; the Posh-SSH counter-example of a shipped stub engine).</summary>
    public class LayoutTests
    {
        [Fact]
        public void Static_ModuleFolderHoldsExactlyTheAllowList()
        {
            string root = ModuleFolder.Path;
            var actual = Directory.GetFiles(root, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).OrderBy(f => f, StringComparer.Ordinal).ToList();
            var dependencies = Directory.Exists(ModuleFolder.ModuleBin)
                ? ModuleLayout.Dependencies(ModuleFolder.ModuleBin)
                : Directory.GetFiles(Path.Combine(root, "Dependencies"), "*.dll").Select(f => Path.GetFileName(f)).ToList();
            var worker = Directory.Exists(ModuleFolder.CliBin)
                ? ModuleLayout.WorkerFiles(ModuleFolder.CliBin)
                : Directory.GetFiles(Path.Combine(root, ModuleLayout.WorkerFolder)).Select(f => Path.GetFileName(f)).ToList();
            Assert.Equal(ModuleLayout.ExpectedFiles(dependencies, worker), actual);
            foreach (var w in new[] { "macetools.dll", "macetools.deps.json", "macetools.runtimeconfig.json", "MaceTools.Core.dll" })
                Assert.Contains(ModuleLayout.WorkerFolder + "/" + w, actual);
            foreach (var dep in new[] { "System.Memory.dll", "System.Buffers.dll", "Google.Protobuf.dll", "YamlDotNet.dll" })
                Assert.Contains("Dependencies/" + dep, actual);
        }

        [Fact]
        public void Static_NoEngineAssemblyAnywhereUnderOut()
        {
            string outRoot = Path.GetDirectoryName(ModuleFolder.Path)!;
            var engines = Directory.GetFiles(outRoot, "System.Management.Automation*.dll", SearchOption.AllDirectories);
            Assert.Empty(engines);
        }

        [Fact]
        public void Static_ThirdPartyAssembliesSitOnlyInDependencies()
        {
            string root = ModuleFolder.Path;
            var top = Directory.GetFiles(root, "*.dll").Select(f => Path.GetFileName(f)).OrderBy(f => f).ToList();
            Assert.Equal(new[] { "MaceTools.Core.dll", "MaceTools.dll" }, top);
            foreach (var dll in Directory.GetFiles(Path.Combine(root, "Dependencies"), "*.dll"))
                Assert.False(Path.GetFileName(dll).StartsWith("MaceTools", StringComparison.OrdinalIgnoreCase), $"{dll}: our own assembly in Dependencies/");
            Assert.Empty(Directory.GetDirectories(root).Select(d => Path.GetFileName(d)).Except(new[] { "Dependencies", "en-US", ModuleLayout.WorkerFolder }));
        }

        /// <summary>Benchmarks, fuzzers and the C# reference ops live in bench/MaceTools.Bench: the module (and its worker) carry none of them.</summary>
        [Fact]
        public void Static_ModuleCarriesNoBenchmarkOrFuzzer()
        {
            string root = ModuleFolder.Path;
            var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
            Assert.DoesNotContain(files, f => Path.GetFileName(f).Contains("Bench", StringComparison.OrdinalIgnoreCase));
            foreach (var dll in files.Where(f => Path.GetFileName(f).StartsWith("MaceTools", StringComparison.OrdinalIgnoreCase) && f.EndsWith(".dll", StringComparison.Ordinal))
                         .Append(ModuleFolder.File_(ModuleLayout.WorkerFolder + "/macetools.dll")))
            {
                Assert.DoesNotContain(ModuleLayout.BenchAssembly.Replace(".dll", ""), AssemblyReferences(dll));
                var types = TypeNames(dll);
                Assert.NotEmpty(types);
                Assert.DoesNotContain(types, t => t.Contains("Benchmark", StringComparison.Ordinal) || t.Contains("Fuzz", StringComparison.Ordinal)
                    || t.EndsWith("BenchRow", StringComparison.Ordinal) || t == "MaceTools.Formats.PeakMemory");
                // CpuReference ships since the model runner executes CPU-placed nodes with it (MACE's placement, issue 17).
            }
        }

        /// <summary>The module's worker is the CLI without MaceTools.Bench.dll: its bench verb says so at once.</summary>
        [Fact]
        public async System.Threading.Tasks.Task ModuleWorker_RefusesBenchPromptlyNamingTheMissingAssembly()
        {
            string dll = ModuleFolder.File_(ModuleLayout.WorkerFolder + "/macetools.dll");
            var worker = OpenCL.WorkerCommand.ForPath(dll);
            Assert.Null(worker.Problem);
            var psi = worker.StartInfo("bench", "codec", "--size-mb", "1");
            psi.RedirectStandardError = true;
            psi.RedirectStandardOutput = true;
            using var p = System.Diagnostics.Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            await p.StandardOutput.ReadToEndAsync();
            Assert.True(p.WaitForExit(60000), "the worker's bench verb did not return");
            Assert.Equal(2, p.ExitCode);
            Assert.Contains(Path.Combine(Path.GetDirectoryName(dll)!, ModuleLayout.BenchAssembly), await err);
        }

        [Fact]
        public void Static_CoreAssemblyDoesNotReferenceTheEngine()
        {
            var references = AssemblyReferences(ModuleFolder.File_("MaceTools.Core.dll"));
            Assert.DoesNotContain("System.Management.Automation", references);
            Assert.Contains("netstandard", references);
        }

        [Fact]
        public void Static_ModuleAssemblyReferencesTheWindowsPowerShell51Engine()
        {
            using var stream = File.OpenRead(ModuleFolder.File_("MaceTools.dll"));
            using var pe = new PEReader(stream);
            var md = pe.GetMetadataReader();
            var sma = md.AssemblyReferences.Select(h => md.GetAssemblyReference(h)).Single(r => md.GetString(r.Name) == "System.Management.Automation");
            Assert.Equal(new Version(3, 0, 0, 0), sma.Version); // PowerShellStandard 5.1: loads in Windows PowerShell 5.1 and pwsh 7
            Assert.Equal("31bf3856ad364e35", Convert.ToHexString(md.GetBlobBytes(sma.PublicKeyOrToken)).ToLowerInvariant());
        }

        [Fact]
        public void Static_DependenciesAreValidAssemblies()
        {
            foreach (var dll in Directory.GetFiles(ModuleFolder.File_("Dependencies"), "*.dll"))
                Assert.NotNull(System.Reflection.AssemblyName.GetAssemblyName(dll).Name);
        }

        [Fact]
        public void Static_TextFilesAreUtf8WithoutBom()
        {
            var files = Directory.GetFiles(ModuleFolder.HelpDocs, "*.md")
                .Concat(new[]
                {
                    Path.Combine(ModuleFolder.RepoRoot, "MaceTools.psd1"),
                    Path.Combine(ModuleFolder.RepoRoot, "src", "MaceTools", "MaceTools.Format.ps1xml"),
                    ModuleFolder.File_("MaceTools.psd1"),
                    ModuleFolder.File_("MaceTools.Format.ps1xml"),
                    ModuleFolder.File_("en-US/MaceTools.dll-Help.xml"),
                    ModuleFolder.File_("en-US/about_MaceTools.help.txt"),
                }).ToList();
            Assert.True(files.Count >= 8, "docs/help has too few pages");
            var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
            foreach (var f in files)
            {
                byte[] b = File.ReadAllBytes(f);
                Assert.False(b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF, $"{f} starts with a UTF-8 BOM");
                try { strict.GetString(b); }
                catch (DecoderFallbackException e) { Assert.Fail($"{f} is not valid UTF-8: {e.Message}"); }
            }
        }

        [Fact]
        public void Static_GeneratedFilesUseLfLineEnds()
        {
            foreach (var f in new[] { "MaceTools.psd1", "en-US/MaceTools.dll-Help.xml", "en-US/about_MaceTools.help.txt" })
                Assert.DoesNotContain((byte)'\r', File.ReadAllBytes(ModuleFolder.File_(f)));
        }

        private static string[] TypeNames(string path)
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            var md = pe.GetMetadataReader();
            return md.TypeDefinitions.Select(h => md.GetTypeDefinition(h)).Select(t => md.GetString(t.Namespace) + "." + md.GetString(t.Name)).ToArray();
        }

        private static string[] AssemblyReferences(string path)
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            var md = pe.GetMetadataReader();
            return md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToArray();
        }
    }
}
