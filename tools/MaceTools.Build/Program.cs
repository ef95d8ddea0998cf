using System;
using System.Collections.Generic;
using System.IO;

namespace MaceTools.Build
{
    /// <summary>
    /// MaceTools.Build: lays out the PowerShell module without PowerShell.
    ///   layout   --repo &lt;root&gt; [--configuration Release]  out/MaceTools: manifest, dlls, formats, MAML help, about topic
    ///   manifest --repo &lt;root&gt; [--configuration Release]  writes the root MaceTools.psd1 from the metadata
    ///   markdown --repo &lt;root&gt; [--configuration Release]  creates/updates docs/help/&lt;Cmdlet&gt;.md from the metadata
    /// </summary>
    internal static class Program
    {
        private const string Usage =
            "usage: MaceTools.Build <layout|manifest|markdown> --repo <repo-root> [--configuration Release]\n" +
            "  layout    build out/MaceTools/ (manifest, dlls, Dependencies/, format file, en-US help)\n" +
            "  manifest  write the root MaceTools.psd1 from Directory.Build.props and MaceTools.dll\n" +
            "  markdown  create docs/help/<Cmdlet>.md skeletons and update their parameter metadata";

        public static int Main(string[] args)
        {
            try
            {
                var (command, options) = Parse(args);
                var repo = new RepoPaths(options.TryGetValue("repo", out var r) ? r : Directory.GetCurrentDirectory(),
                    options.TryGetValue("configuration", out var c) ? c : "Release");
                switch (command)
                {
                    case "layout":
                        var result = ModuleLayout.Run(repo);
                        Console.WriteLine($"MaceTools.Build: laid out {Path.GetRelativePath(repo.Root, repo.OutModule)}/ ({result.Cmdlets} cmdlets, {result.Files.Count} files)");
                        if (!result.RootManifestCurrent)
                            Console.Error.WriteLine("MaceTools.Build: warning: the root MaceTools.psd1 differs from the generated one; run `MaceTools.Build.dll manifest --repo .` and commit it");
                        return 0;
                    case "manifest":
                        var props = BuildProps.Read(repo.BuildProps);
                        var module = MetadataReader.Read(repo.ModuleDll);
                        ModuleLayout.CheckVersion(props, module);
                        byte[] bytes = ManifestWriter.Encode(ManifestWriter.Write(ManifestInputs.From(props, module)));
                        bool same = File.Exists(repo.RootManifest) && File.ReadAllBytes(repo.RootManifest).AsSpan().SequenceEqual(bytes);
                        if (!same) File.WriteAllBytes(repo.RootManifest, bytes);
                        Console.WriteLine($"MaceTools.Build: {(same ? "unchanged" : "wrote")} MaceTools.psd1 ({props.InformationalVersion}, {module.Cmdlets.Count} cmdlets)");
                        return 0;
                    case "markdown":
                        var changes = HelpCompiler.UpdateMarkdown(repo.HelpDocs, MetadataReader.Read(repo.ModuleDll), DateTime.UtcNow);
                        foreach (var change in changes) Console.WriteLine("MaceTools.Build: " + change);
                        Console.WriteLine($"MaceTools.Build: docs/help is up to date with MaceTools.dll ({changes.Count} change{(changes.Count == 1 ? "" : "s")})");
                        return 0;
                    default:
                        throw new UsageException($"unknown command '{command}'");
                }
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine("MaceTools.Build: " + e.Message);
                Console.Error.WriteLine(Usage);
                return 2;
            }
            catch (BuildException e)
            {
                Console.Error.WriteLine("MaceTools.Build: error: " + e.Message);
                return 1;
            }
        }

        internal static (string Command, Dictionary<string, string> Options) Parse(string[] args)
        {
            if (args.Length == 0) throw new UsageException("no command");
            var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 1; i < args.Length; i++)
            {
                string a = args[i];
                if (!a.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{a}'");
                string name = a.Substring(2);
                string? value = null;
                int eq = name.IndexOf('=');
                if (eq >= 0) { value = name.Substring(eq + 1); name = name.Substring(0, eq); }
                else if (i + 1 < args.Length) value = args[++i];
                if (name != "repo" && name != "configuration") throw new UsageException($"unknown option '--{name}'");
                if (string.IsNullOrEmpty(value)) throw new UsageException($"--{name} needs a value");
                options[name] = value!;
            }
            return (args[0], options);
        }

        private sealed class UsageException : Exception
        {
            public UsageException(string message) : base(message) { }
        }
    }
}
