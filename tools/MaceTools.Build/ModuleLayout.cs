using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MaceTools.Build
{
    /// <summary>
    /// Lays out out/MaceTools/ from the build output (PSResourceGet's explicit allow-list, powershell-module.md §1.1/§1.4):
    /// our files at the top, the generated manifest and help, every other dll under Dependencies/. The stub engine
    /// System.Management.Automation.dll must never be there. worker/ holds the portable, framework-dependent macetools
    /// (macetools.dll and what it loads, no apphost) that builds and loads OpenCL programs in child processes; benchmarks
    /// and fuzzers (MaceTools.Bench) never ship.
    /// </summary>
    internal static class ModuleLayout
    {
        /// <summary>Our own files, copied from the bin folder; each must exist.</summary>
        public static readonly string[] OwnFiles = { "MaceTools.dll", "MaceTools.Core.dll", "MaceTools.Format.ps1xml", "MaceTools.Types.ps1xml" };
        public const string ManifestFile = "MaceTools.psd1";
        public const string HelpFile = "en-US/MaceTools.dll-Help.xml";
        public const string AboutFile = "en-US/about_MaceTools.help.txt";
        public const string DependencyFolder = "Dependencies";
        public const string EngineAssembly = "System.Management.Automation.dll";
        public const string WorkerFolder = "worker";
        public const string BenchAssembly = "MaceTools.Bench.dll";

        /// <summary>Every file the module folder holds, relative with '/' separators, given the dependency and worker file names.</summary>
        public static IReadOnlyList<string> ExpectedFiles(IEnumerable<string> dependencies, IEnumerable<string> worker) =>
            OwnFiles.Concat(new[] { ManifestFile, HelpFile, AboutFile }).Concat(dependencies.Select(d => DependencyFolder + "/" + d))
                .Concat(worker.Select(w => WorkerFolder + "/" + w))
                .OrderBy(f => f, StringComparer.Ordinal).ToList();

        /// <summary>The worker's files in the CLI's bin folder: macetools.dll, its deps and runtimeconfig, the dlls it loads.</summary>
        public static List<string> WorkerFiles(string cliBin)
        {
            foreach (var needed in new[] { "macetools.dll", "macetools.deps.json", "macetools.runtimeconfig.json" })
                if (!File.Exists(Path.Combine(cliBin, needed))) throw new BuildException($"{Path.Combine(cliBin, needed)}: missing from the build output");
            var files = Directory.GetFiles(cliBin, "*.dll").Select(Path.GetFileName).Select(n => n!)
                .Concat(new[] { "macetools.deps.json", "macetools.runtimeconfig.json" }).ToList();
            if (files.Contains(BenchAssembly, StringComparer.OrdinalIgnoreCase) || files.Contains(EngineAssembly, StringComparer.OrdinalIgnoreCase))
                throw new BuildException($"{cliBin}: holds {BenchAssembly} or {EngineAssembly}; the CLI must reference neither (they never ship in the module)");
            return files.OrderBy(n => n, StringComparer.Ordinal).ToList();
        }

        /// <summary>The third-party libraries of the bin folder: every *.dll that is not ours, and native libraries (*.so, *.dylib: ONNX Runtime's).</summary>
        public static List<string> Dependencies(string bin)
        {
            var all = new[] { "*.dll", "*.so", "*.dylib" }.SelectMany(p => Directory.GetFiles(bin, p)).Select(Path.GetFileName).Select(n => n!).ToList();
            var engine = all.FirstOrDefault(n => n.Equals(EngineAssembly, StringComparison.OrdinalIgnoreCase));
            if (engine != null)
                throw new BuildException($"{Path.Combine(bin, engine)}: the PowerShellStandard stub engine is in the build output. " +
                    "It must never ship (it would shadow the real engine); reference PowerShellStandard.Library with PrivateAssets=\"all\" ExcludeAssets=\"runtime\"");
            return all.Where(n => !OwnFiles.Contains(n, StringComparer.OrdinalIgnoreCase)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        }

        public sealed class Result
        {
            public int Cmdlets { get; set; }
            public IReadOnlyList<string> Files { get; set; } = Array.Empty<string>();
            public bool RootManifestCurrent { get; set; }
        }

        public static Result Run(RepoPaths repo)
        {
            if (!Directory.Exists(repo.ModuleBin)) throw new BuildException($"{repo.ModuleBin}: not found (run `dotnet build MaceTools.sln -c {repo.Configuration}` first)");
            foreach (var own in OwnFiles)
                if (!File.Exists(Path.Combine(repo.ModuleBin, own))) throw new BuildException($"{Path.Combine(repo.ModuleBin, own)}: missing from the build output");
            var deps = Dependencies(repo.ModuleBin);
            if (!Directory.Exists(repo.CliBin)) throw new BuildException($"{repo.CliBin}: not found (run `dotnet build MaceTools.sln -c {repo.Configuration}` first)");
            var worker = WorkerFiles(repo.CliBin);

            var props = BuildProps.Read(repo.BuildProps);
            var module = MetadataReader.Read(repo.ModuleDll);
            CheckVersion(props, module);
            byte[] manifest = ManifestWriter.Encode(ManifestWriter.Write(ManifestInputs.From(props, module)));
            byte[] maml = MamlWriter.Serialize(HelpCompiler.CompileMaml(repo.HelpDocs, module));
            byte[] about = AboutTopicRenderer.Encode(HelpCompiler.RenderAbout(repo.HelpDocs));

            // Everything is generated and checked before out/MaceTools is touched.
            if (Directory.Exists(repo.OutModule)) Directory.Delete(repo.OutModule, recursive: true);
            Directory.CreateDirectory(Path.Combine(repo.OutModule, "en-US"));
            Directory.CreateDirectory(Path.Combine(repo.OutModule, DependencyFolder));
            Directory.CreateDirectory(Path.Combine(repo.OutModule, WorkerFolder));
            foreach (var own in OwnFiles) File.Copy(Path.Combine(repo.ModuleBin, own), Path.Combine(repo.OutModule, own));
            foreach (var dep in deps) File.Copy(Path.Combine(repo.ModuleBin, dep), Path.Combine(repo.OutModule, DependencyFolder, dep));
            foreach (var w in worker) File.Copy(Path.Combine(repo.CliBin, w), Path.Combine(repo.OutModule, WorkerFolder, w));
            File.WriteAllBytes(Path.Combine(repo.OutModule, ManifestFile), manifest);
            File.WriteAllBytes(Path.Combine(repo.OutModule, HelpFile), maml);
            File.WriteAllBytes(Path.Combine(repo.OutModule, AboutFile), about);

            var expected = ExpectedFiles(deps, worker);
            var actual = Directory.GetFiles(repo.OutModule, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(repo.OutModule, f).Replace('\\', '/')).OrderBy(f => f, StringComparer.Ordinal).ToList();
            if (!expected.SequenceEqual(actual))
                throw new BuildException($"{repo.OutModule}: holds [{string.Join(", ", actual)}], expected [{string.Join(", ", expected)}]");
            return new Result
            {
                Cmdlets = module.Cmdlets.Count,
                Files = actual,
                RootManifestCurrent = File.Exists(repo.RootManifest) && File.ReadAllBytes(repo.RootManifest).AsSpan().SequenceEqual(manifest),
            };
        }

        /// <summary>The built assembly must carry the version Directory.Build.props holds now (else the build is stale).</summary>
        public static void CheckVersion(BuildProps props, ModuleMetadata module)
        {
            if (module.InformationalVersion != props.InformationalVersion)
                throw new BuildException($"{module.AssemblyPath} carries version '{module.InformationalVersion}', Directory.Build.props says '{props.InformationalVersion}': rebuild");
        }
    }
}
