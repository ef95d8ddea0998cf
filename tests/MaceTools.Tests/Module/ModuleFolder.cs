using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;
using MaceTools.Build;

namespace MaceTools.Tests.Module
{
    /// <summary>
    /// The built module folder out/MaceTools/ and what the static tests read from it. Nothing here runs a cmdlet:
    /// the metadata comes from <see cref="MemberInfo.GetCustomAttributesData"/> (powershell-module.md §0, §4.3).
    /// </summary>
    internal static class ModuleFolder
    {
        public static string RepoRoot => Fixtures.RepoRoot;

        /// <summary>out/MaceTools, or a failed test that says how to make it.</summary>
        public static string Path
        {
            get
            {
                string dir = System.IO.Path.Combine(RepoRoot, "out", "MaceTools");
                if (!File.Exists(System.IO.Path.Combine(dir, "MaceTools.dll")) || !File.Exists(System.IO.Path.Combine(dir, "MaceTools.psd1")))
                    Assert.Fail($"{dir} is missing or incomplete: run ./build.sh first (it builds the solution and lays out the module with tools/MaceTools.Build)");
                return dir;
            }
        }

        public static string File_(string relative) => System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

        public static string HelpDocs => System.IO.Path.Combine(RepoRoot, "docs", "help");

        /// <summary>src/MaceTools/bin/Release/netstandard2.0: what the layout copied from.</summary>
        public static string ModuleBin => System.IO.Path.Combine(RepoRoot, "src", "MaceTools", "bin", "Release", "netstandard2.0");
        public static string CliBin => System.IO.Path.Combine(RepoRoot, "src", "MaceTools.Cli", "bin", "Release", "net10.0");

        public static ModuleMetadata Metadata => MetadataReader.Read(File_("MaceTools.dll"));

        public static IReadOnlyList<CmdletInfo> Cmdlets => Metadata.Cmdlets;

        public static Psd1Hashtable Manifest => Psd1Parser.Parse(File.ReadAllText(File_("MaceTools.psd1")));

        public static XDocument Format => XDocument.Load(File_("MaceTools.Format.ps1xml"));

        public static XDocument Maml => XDocument.Load(File_("en-US/MaceTools.dll-Help.xml"));

        /// <summary>The approved verbs of Windows PowerShell 5.1, read from the constants of the stub engine's Verbs* classes.</summary>
        public static IReadOnlyList<string> ApprovedVerbs
        {
            get
            {
                var sma = typeof(System.Management.Automation.Cmdlet).Assembly;
                return sma.GetTypes()
                    .Where(t => t.IsPublic && t.Namespace == "System.Management.Automation" && t.Name.StartsWith("Verbs", StringComparison.Ordinal))
                    .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
                    .Select(f => (string)f.GetRawConstantValue()!)
                    .Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(v => v, StringComparer.Ordinal).ToList();
            }
        }

        /// <summary>Public non-abstract classes deriving from Cmdlet in the module assembly (what the engine's discovery considers).</summary>
        public static IEnumerable<Type> CmdletClasses => Metadata.Assembly.GetTypes().Where(MetadataReader.IsCmdletClass);
    }
}
