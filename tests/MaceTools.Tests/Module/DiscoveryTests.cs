using System;
using System.Linq;
using MaceTools.Build;
using MaceTools.Tests.Module.Broken;

namespace MaceTools.Tests.Module
{
    /// <summary>Static checks of what the engine's discovery and naming rules see in out/MaceTools/MaceTools.dll.</summary>
    public class DiscoveryTests
    {
        [Fact]
        public void Static_ModuleExportsTheExpectedCmdlets()
        {
            var names = ModuleFolder.Cmdlets.Select(c => c.Name).ToList();
            foreach (var expected in new[] { "Get-MaceProgram", "Get-MaceProgramEntry", "Get-MaceTuningParameter", "Test-MaceProgram", "Convert-MaceProgram", "Merge-MaceProgram", "Export-MaceProgram" })
                Assert.Contains(expected, names);
        }

        [Fact]
        public void Static_EveryCmdletClassHasCmdletAttributeAndPublicParameterlessConstructor()
        {
            var classes = ModuleFolder.CmdletClasses.ToList();
            Assert.NotEmpty(classes);
            foreach (var type in classes)
            {
                Assert.True(MetadataReader.Attribute(type, "CmdletAttribute") != null, $"{type.FullName} is a public Cmdlet class without [Cmdlet]: the engine skips it");
                Assert.True(MetadataReader.HasPublicParameterlessConstructor(type), $"{type.FullName} has no public parameterless constructor: the engine cannot create it");
            }
            Assert.Equal(classes.Count, ModuleFolder.Cmdlets.Count);
        }

        [Fact]
        public void Static_CmdletBaseClassesAreAbstract()
        {
            // MaceCmdlet/MaceFileCmdlet carry [Parameter]s but no [Cmdlet]: they must never be discovered on their own.
            var bases = ModuleFolder.Metadata.Assembly.GetTypes().Where(t => t.IsPublic && MetadataReader.DerivesFromCmdlet(t) && MetadataReader.Attribute(t, "CmdletAttribute") == null);
            foreach (var b in bases) Assert.True(b.IsAbstract, $"{b.FullName} derives from Cmdlet, has no [Cmdlet] and is not abstract");
        }

        [Fact]
        public void Static_CmdletNamesAreUnique()
        {
            var dup = ModuleFolder.Cmdlets.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key);
            Assert.Empty(dup);
        }

        [Fact]
        public void Static_ApprovedVerbsComeFromTheEngineAndNumber98()
        {
            var verbs = ModuleFolder.ApprovedVerbs;
            Assert.Equal(98, verbs.Count);
            Assert.Contains("Get", verbs);
            Assert.Contains("Convert", verbs);
            Assert.DoesNotContain("Build", verbs);   // pwsh 6.0+ only: not approved on Windows PowerShell 5.1
            Assert.DoesNotContain("Deploy", verbs);
        }

        [Fact]
        public void Static_VerbsAreApproved()
        {
            var approved = ModuleFolder.ApprovedVerbs;
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(c => ModuleRules.VerbProblems(c, approved)));
        }

        [Fact]
        public void Static_NounsArePrefixedSingularAndClean()
        {
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(ModuleRules.NounProblems));
        }

        [Fact]
        public void Static_CommandAliasesMatchAliasesToExport()
        {
            var declared = ModuleFolder.Cmdlets.SelectMany(c => c.Aliases).OrderBy(a => a, StringComparer.OrdinalIgnoreCase);
            var exported = ModuleFolder.Manifest.Array("AliasesToExport").Cast<string>().OrderBy(a => a, StringComparer.OrdinalIgnoreCase);
            Assert.Equal(declared, exported);
        }

        [Fact]
        public void Static_Rules_CatchBadVerbsAndNouns()
        {
            var approved = ModuleFolder.ApprovedVerbs;
            Assert.Single(ModuleRules.NounProblems(Read<PluralNounCommand>()));
            Assert.Single(ModuleRules.VerbProblems(Read<UnapprovedVerbCommand>(), approved));
            Assert.Single(ModuleRules.NounProblems(Read<NoPrefixCommand>()));
            Assert.Empty(ModuleRules.NounProblems(Read<SingularEndingInSCommand>()));
        }

        internal static CmdletInfo Read<T>() => MetadataReader.ReadCmdlet(typeof(T)) ?? throw new InvalidOperationException(typeof(T).Name + " has no [Cmdlet]");
    }
}
