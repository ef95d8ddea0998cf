using System.Linq;
using MaceTools.Build;
using MaceTools.Tests.Module.Broken;
using static MaceTools.Tests.Module.DiscoveryTests;

namespace MaceTools.Tests.Module
{
    /// <summary>Static checks of the parameter metadata the engine builds at import (no runspace: attribute data only).</summary>
    public class ParameterTests
    {
        [Fact]
        public void Static_NoParameterOrAliasCollidesWithCommonParameters() =>
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(ModuleRules.CommonParameterCollisions));

        [Fact]
        public void Static_ParameterNamesAndAliasesAreUnique() =>
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(ModuleRules.DuplicateNamesOrAliases));

        [Fact]
        public void Static_ParameterIsDeclaredOncePerSet() =>
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(ModuleRules.ParameterDeclaredTwiceInASet));

        [Fact]
        public void Static_PositionsAreUniqueInEachParameterSet() =>
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(ModuleRules.PositionConflicts));

        [Fact]
        public void Static_AtMostOneValueFromRemainingArgumentsPerSet() =>
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(ModuleRules.RemainingArgumentsConflicts));

        [Fact]
        public void Static_DefaultParameterSetNameExists() =>
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(ModuleRules.DefaultParameterSetProblems));

        [Fact]
        public void Static_SwitchesAreNotMandatoryAndDoNotDefaultToTrue() =>
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(ModuleRules.SwitchProblems));

        [Fact]
        public void Static_ParametersArePublicReadWriteProperties() =>
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(ModuleRules.AccessorProblems));

        [Fact]
        public void Static_ValidateSetValuesAreNotEmpty() =>
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(ModuleRules.ValidateSetProblems));

        [Fact]
        public void Static_StateChangingVerbsSupportShouldProcess()
        {
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(ModuleRules.ShouldProcessProblems));
            // Convert and Merge write files here: the list must cover them.
            Assert.True(ModuleFolder.Metadata.Cmdlet("Convert-MaceProgram")!.SupportsShouldProcess);
            Assert.True(ModuleFolder.Metadata.Cmdlet("Merge-MaceProgram")!.SupportsShouldProcess);
            Assert.True(ModuleFolder.Metadata.Cmdlet("Export-MaceProgram")!.SupportsShouldProcess);
        }

        [Fact]
        public void Static_ParameterTypesAreOursOrTheFrameworks()
        {
            // Third-party types in parameters are invisible to PowerShell once dependencies load in their own context.
            foreach (var c in ModuleFolder.Cmdlets)
                foreach (var p in c.Parameters)
                    Assert.True(p.TypeName.StartsWith("System.", System.StringComparison.Ordinal) || p.TypeName.StartsWith("MaceTools.", System.StringComparison.Ordinal),
                        $"{c.Name}: -{p.Name} is of type {p.TypeName}");
        }

        [Fact]
        public void Static_FileCmdletsShareThePathParameterSets()
        {
            // The file cmdlets are those with a -Path; the device verbs take devices and keys, not files. Export-MaceReport's
            // -Path is the one page it writes (as Export-Csv's), taken as typed.
            var fileCmdlets = ModuleFolder.Cmdlets.Where(c => c.Parameter("Path") != null && c.Name != "Export-MaceReport").ToList();
            Assert.Equal(new[] { "Compare-MaceProgram", "Convert-MaceProgram", "Export-MaceProgram", "Get-MaceConfig", "Get-MaceProgram", "Get-MaceProgramEntry", "Get-MaceTuningParameter",
                "Measure-MaceProgram", "Merge-MaceProgram", "Publish-MaceProgram", "Test-MaceConfig", "Test-MaceProgram" }, fileCmdlets.Select(c => c.Name).OrderBy(n => n, System.StringComparer.Ordinal));
            foreach (var c in fileCmdlets)
            {
                Assert.Equal(new[] { "LiteralPath", "Path" }, c.ParameterSetNames.OrderBy(n => n, System.StringComparer.Ordinal));
                Assert.Equal("LiteralPath", c.DefaultParameterSetName);
                var path = c.Parameter("Path")!;
                var set = Assert.Single(path.Sets);
                // Publish and Compare may run without files (the MACE-named files of the current folder): -Path is optional there.
                bool optional = c.Name == "Publish-MaceProgram" || c.Name == "Compare-MaceProgram";
                Assert.True(set.Mandatory != optional && set.Position == 0 && set.ValueFromPipeline && set.ValueFromPipelineByPropertyName, $"{c.Name}: -Path");
                Assert.True(path.SupportsWildcards);
                var literal = c.Parameter("LiteralPath")!;
                Assert.Contains("PSPath", literal.Aliases);
                Assert.True(Assert.Single(literal.Sets).ValueFromPipelineByPropertyName);
            }
        }

        [Fact]
        public void Static_Rules_CatchCommonParameterCollisions()
        {
            var problems = ModuleRules.CommonParameterCollisions(Read<CommonParameterCollisionCommand>());
            Assert.Equal(3, problems.Count);
            Assert.Contains(problems, p => p.Contains("-Verbose"));
            Assert.Contains(problems, p => p.Contains("alias ea"));
            Assert.Contains(problems, p => p.Contains("-WhatIf"));
        }

        [Fact]
        public void Static_Rules_CatchParameterSetDefects()
        {
            var c = Read<BadSetsCommand>();
            Assert.Single(ModuleRules.PositionConflicts(c));
            Assert.Single(ModuleRules.RemainingArgumentsConflicts(c));
            Assert.Single(ModuleRules.DefaultParameterSetProblems(c));
            Assert.Single(ModuleRules.DuplicateNamesOrAliases(c));
        }

        [Fact]
        public void Static_Rules_CatchSwitchAccessorAndValidateSetDefects()
        {
            var c = Read<BadSwitchesCommand>();
            var switches = ModuleRules.SwitchProblems(c);
            Assert.Contains(switches, p => p.Contains("-Required is mandatory"));
            Assert.Contains(switches, p => p.Contains("-OnByDefault defaults to true"));
            Assert.Equal(2, switches.Count);
            Assert.Contains("-ReadOnly", Assert.Single(ModuleRules.AccessorProblems(c)));
            Assert.Contains("-Choice", Assert.Single(ModuleRules.ValidateSetProblems(c)));
        }

        [Fact]
        public void Static_Rules_CatchMissingShouldProcessAndOutputType()
        {
            Assert.Equal(2, ModuleRules.ShouldProcessProblems(Read<RemoveWithoutShouldProcessCommand>()).Count);
            Assert.Single(ModuleRules.ShouldProcessProblems(Read<MergeWithoutShouldProcessOrOutputTypeCommand>()));
            Assert.Single(ModuleRules.OutputTypeProblems(Read<MergeWithoutShouldProcessOrOutputTypeCommand>()));
            Assert.Empty(ModuleRules.All(Read<SingularEndingInSCommand>(), ModuleFolder.ApprovedVerbs));
        }
    }
}
