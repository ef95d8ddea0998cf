using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace MaceTools.Build
{
    /// <summary>The paths of the repository that the build reads and writes.</summary>
    internal sealed class RepoPaths
    {
        public RepoPaths(string root, string configuration = "Release")
        {
            Root = Path.GetFullPath(root);
            Configuration = configuration;
            if (!File.Exists(Path.Combine(Root, "MaceTools.sln")))
                throw new BuildException($"{Root}: not the repository root (no MaceTools.sln there)");
        }

        public string Root { get; }
        public string Configuration { get; }
        /// <summary>src/MaceTools/bin/&lt;cfg&gt;/netstandard2.0: what `dotnet build` produced for the module.</summary>
        public string ModuleBin => Path.Combine(Root, "src", "MaceTools", "bin", Configuration, "netstandard2.0");
        public string ModuleDll => Path.Combine(ModuleBin, "MaceTools.dll");
        /// <summary>src/MaceTools.Cli/bin/&lt;cfg&gt;/net10.0: the framework-dependent macetools the module carries as its driver worker.</summary>
        public string CliBin => Path.Combine(Root, "src", "MaceTools.Cli", "bin", Configuration, "net10.0");
        public string OutRoot => Path.Combine(Root, "out");
        public string OutModule => Path.Combine(OutRoot, "MaceTools");
        public string HelpDocs => Path.Combine(Root, "docs", "help");
        public string RootManifest => Path.Combine(Root, "MaceTools.psd1");
        public string BuildProps => Path.Combine(Root, "Directory.Build.props");

        /// <summary>The first directory at or above <paramref name="start"/> that holds MaceTools.sln.</summary>
        public static string FindRoot(string start)
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MaceTools.sln"))) return dir.FullName;
            throw new BuildException($"no directory at or above '{start}' holds MaceTools.sln");
        }
    }

    /// <summary>The one version source and the package identity, read from Directory.Build.props.</summary>
    internal sealed class BuildProps
    {
        public string Version { get; private set; } = "";
        /// <summary>Empty for a release.</summary>
        public string Prerelease { get; private set; } = "";
        public string Authors { get; private set; } = "";
        public string Company { get; private set; } = "";
        public string Copyright { get; private set; } = "";
        public string ProjectUri { get; private set; } = "";
        public string LicenseUri { get; private set; } = "";

        /// <summary>Version plus "-prerelease" when set: what the assemblies carry as AssemblyInformationalVersion.</summary>
        public string InformationalVersion => Prerelease.Length == 0 ? Version : Version + "-" + Prerelease;

        public static BuildProps Read(string path)
        {
            if (!File.Exists(path)) throw new BuildException($"{path}: not found");
            var doc = XDocument.Load(path);
            string Prop(string name) =>
                doc.Descendants(name).Where(e => e.Parent?.Name.LocalName == "PropertyGroup" && e.Attribute("Condition") == null)
                    .Select(e => e.Value.Trim()).LastOrDefault() ?? "";
            var props = new BuildProps
            {
                Version = Prop("MaceToolsVersion"),
                Prerelease = Prop("MaceToolsPrerelease"),
                Authors = Prop("Authors"),
                Company = Prop("Company"),
                Copyright = Prop("Copyright"),
                ProjectUri = Prop("PackageProjectUrl"),
                LicenseUri = Prop("MaceToolsLicenseUri"),
            };
            if (!System.Version.TryParse(props.Version, out var v) || v.Revision > 0 && props.Version.Count(c => c == '.') > 3)
                throw new BuildException($"{path}: MaceToolsVersion '{props.Version}' is not a version such as 1.2.3");
            if (props.Prerelease.Length > 0 && !props.Prerelease.All(char.IsLetterOrDigit))
                throw new BuildException($"{path}: MaceToolsPrerelease '{props.Prerelease}' must be letters and digits only (PowerShellGet rule), e.g. preview1");
            return props;
        }

        /// <summary>Splits an informational version "1.2.3-preview1" (ignoring "+build" metadata) into version and prerelease.</summary>
        public static (string Version, string Prerelease) Split(string informational)
        {
            int plus = informational.IndexOf('+');
            if (plus >= 0) informational = informational.Substring(0, plus);
            int dash = informational.IndexOf('-');
            return dash < 0 ? (informational, "") : (informational.Substring(0, dash), informational.Substring(dash + 1));
        }
    }
}
