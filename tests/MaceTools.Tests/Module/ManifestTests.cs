using System;
using System.IO;
using System.Linq;
using MaceTools.Build;

namespace MaceTools.Tests.Module
{
    /// <summary>The generated manifest (out/MaceTools/MaceTools.psd1) and the checked-in golden copy at the repository root.</summary>
    public class ManifestTests
    {
        [Fact]
        public void Static_RootManifestEqualsGeneratedManifestByteForByte()
        {
            byte[] root = File.ReadAllBytes(Path.Combine(ModuleFolder.RepoRoot, "MaceTools.psd1"));
            byte[] built = File.ReadAllBytes(ModuleFolder.File_("MaceTools.psd1"));
            Assert.True(root.AsSpan().SequenceEqual(built),
                "MaceTools.psd1 at the repository root differs from out/MaceTools/MaceTools.psd1: run `dotnet tools/MaceTools.Build/bin/Release/net10.0/MaceTools.Build.dll manifest --repo .` and commit it");
        }

        [Fact]
        public void Static_ManifestIsWhatTheWriterProducesForThisBuild()
        {
            var props = BuildProps.Read(Path.Combine(ModuleFolder.RepoRoot, "Directory.Build.props"));
            string expected = ManifestWriter.Write(ManifestInputs.From(props, ModuleFolder.Metadata));
            Assert.Equal(expected, File.ReadAllText(ModuleFolder.File_("MaceTools.psd1")));
        }

        [Fact]
        public void Static_ManifestHasOnlyEngineAcceptedKeys()
        {
            foreach (var key in ModuleFolder.Manifest.Keys)
                Assert.True(ManifestWriter.AllowedKeys.Contains(key, StringComparer.OrdinalIgnoreCase), $"'{key}' is not a module manifest key: Import-Module would reject the manifest");
        }

        [Fact]
        public void Static_CmdletsToExportEqualsTheCmdletClasses()
        {
            var exported = ModuleFolder.Manifest.Array("CmdletsToExport").Cast<string>().ToList();
            Assert.Equal(ModuleFolder.Cmdlets.Select(c => c.Name).OrderBy(n => n, StringComparer.OrdinalIgnoreCase), exported);
            Assert.Equal(exported.OrderBy(n => n, StringComparer.OrdinalIgnoreCase), exported); // sorted
        }

        [Fact]
        public void Static_ExportListsAreExplicit()
        {
            var m = ModuleFolder.Manifest;
            foreach (var key in new[] { "CmdletsToExport", "FunctionsToExport", "VariablesToExport", "AliasesToExport" })
            {
                Assert.True(m.ContainsKey(key), $"{key} is missing: without it PowerShell exports everything and cannot auto-load from the manifest");
                foreach (var item in m.Array(key))
                {
                    var s = Assert.IsType<string>(item);
                    Assert.True(s.IndexOfAny(new[] { '*', '?', '[' }) < 0, $"{key} holds the wildcard '{s}'");
                }
            }
            Assert.Empty(m.Array("FunctionsToExport"));
            Assert.Empty(m.Array("VariablesToExport"));
        }

        [Fact]
        public void Static_ModuleVersionEqualsTheAssemblyInformationalVersion()
        {
            var m = ModuleFolder.Manifest;
            var (version, prerelease) = BuildProps.Split(ModuleFolder.Metadata.InformationalVersion!);
            Assert.Equal(version, m.String("ModuleVersion"));
            Assert.Equal(prerelease.Length == 0 ? null : prerelease, m.Table("PrivateData")!.Table("PSData")!.String("Prerelease"));
            Assert.True(Version.TryParse(m.String("ModuleVersion"), out _));
        }

        [Fact]
        public void Static_ModuleVersionEqualsDirectoryBuildProps()
        {
            var props = BuildProps.Read(Path.Combine(ModuleFolder.RepoRoot, "Directory.Build.props"));
            Assert.Equal(props.Version, ModuleFolder.Manifest.String("ModuleVersion"));
            Assert.Equal(props.InformationalVersion, ModuleFolder.Metadata.InformationalVersion);
        }

        [Fact]
        public void Static_RootModuleAndFormatFilesExistInTheModuleFolder()
        {
            var m = ModuleFolder.Manifest;
            Assert.Equal("MaceTools.dll", m.String("RootModule"));
            Assert.True(File.Exists(ModuleFolder.File_(m.String("RootModule")!)));
            var formats = m.Array("FormatsToProcess").Cast<string>().ToList();
            Assert.NotEmpty(formats);
            foreach (var f in formats) Assert.True(File.Exists(ModuleFolder.File_(f)), $"FormatsToProcess names {f}, which is not in out/MaceTools");
        }

        [Fact]
        public void Static_EditionsAndPowerShellVersion()
        {
            var m = ModuleFolder.Manifest;
            var editions = m.Array("CompatiblePSEditions").Cast<string>().ToList();
            Assert.Equal(new[] { "Desktop", "Core" }, editions);
            Assert.True(Version.Parse(m.String("PowerShellVersion")!) >= new Version(5, 1), "CompatiblePSEditions needs PowerShellVersion 5.1 or later");
        }

        [Fact]
        public void Static_GuidNeverChanges()
        {
            Assert.Equal("a37874d9-c5d8-4c4d-aa42-e28f06064c4b", ModuleFolder.Manifest.String("GUID"));
            Assert.Equal(ManifestWriter.ModuleGuid, ModuleFolder.Manifest.String("GUID"));
        }

        [Fact]
        public void Static_DependenciesAreNotLoadedIntoTheDefaultContext()
        {
            // RequiredAssemblies / NestedModules would load Dependencies/*.dll into the default context and defeat isolation.
            var m = ModuleFolder.Manifest;
            Assert.False(m.ContainsKey("RequiredAssemblies"));
            Assert.False(m.ContainsKey("NestedModules"));
            Assert.False(m.ContainsKey("DefaultCommandPrefix"));
        }

        [Fact]
        public void Static_ManifestHasGalleryMetadata()
        {
            var m = ModuleFolder.Manifest;
            foreach (var key in new[] { "Author", "CompanyName", "Copyright", "Description" })
                Assert.False(string.IsNullOrWhiteSpace(m.String(key)), $"{key} is empty");
            var tags = m.Table("PrivateData")!.Table("PSData")!.Array("Tags").Cast<string>().ToList();
            Assert.Contains("PSEdition_Core", tags);
            Assert.Contains("PSEdition_Desktop", tags);
            Assert.All(tags, t => Assert.DoesNotContain(" ", t));
        }
    }
}
