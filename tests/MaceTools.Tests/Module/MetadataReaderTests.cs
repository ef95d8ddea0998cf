using System.Linq;
using MaceTools.Build;
using MaceTools.Tests.Module.Broken;
using static MaceTools.Tests.Module.DiscoveryTests;

namespace MaceTools.Tests.Module
{
    /// <summary>The metadata reader: attribute data of the built module (inherited parameters included) and of test classes.</summary>
    public class MetadataReaderTests
    {
        [Fact]
        public void Static_Metadata_ReadsTheFileCmdletBase()
        {
            var c = ModuleFolder.Metadata.Cmdlet("Get-MaceProgram")!;
            Assert.Equal("Get", c.Verb);
            Assert.Equal("MaceProgram", c.Noun);
            Assert.Equal("MaceTools.Commands.GetMaceProgramCommand", c.ClassName);
            Assert.Equal("LiteralPath", c.DefaultParameterSetName); // so our objects (Path and LiteralPath) bind literally
            Assert.False(c.SupportsShouldProcess);
            Assert.Equal(new[] { "MaceTools.MaceProgram" }, c.OutputTypes);
            Assert.Equal(new[] { "Path", "LiteralPath", "Kind" }, c.Parameters.Select(p => p.Name)); // base class first

            var path = c.Parameter("Path")!;
            Assert.Equal("System.String[]", path.TypeName);
            Assert.Equal("String[]", path.ShortTypeName);
            Assert.Equal("MaceTools.Commands.MaceFileCmdlet", path.DeclaringType);
            Assert.Equal("None", path.DefaultValue);

            var literal = c.Parameter("LiteralPath")!;
            Assert.Equal(new[] { "PSPath", "LP" }, literal.Aliases);
            var set = Assert.Single(literal.Sets);
            Assert.Equal("LiteralPath", set.Name);
            Assert.True(set.Mandatory);
            Assert.Null(set.Position);

            var kind = c.Parameter("Kind")!;
            Assert.Equal("MaceTools.MaceFileKind", kind.TypeName);
            Assert.Equal(new[] { "Programs", "Tuning" }, kind.AcceptedValues);
            Assert.Equal("None", kind.DefaultValue); // not given means "detect"
            Assert.Equal(CmdletInfo.AllParameterSets, Assert.Single(kind.Sets).Name);
        }

        [Fact]
        public void Static_Metadata_ReadsShouldProcessOutputTypesAndDefaults()
        {
            var m = ModuleFolder.Metadata;
            var test = m.Cmdlet("Test-MaceProgram")!;
            Assert.Equal(new[] { "MaceTools.MaceTestResult", "System.Boolean" }, test.OutputTypes);
            Assert.Equal("ReuseSameGpu", test.Parameter("ReusePolicy")!.DefaultValue);
            Assert.Equal("False", test.Parameter("Quiet")!.DefaultValue);
            Assert.True(test.Parameter("Quiet")!.IsSwitch);

            var convert = m.Cmdlet("Convert-MaceProgram")!;
            Assert.True(convert.SupportsShouldProcess);
            Assert.Equal("Medium", convert.ConfirmImpact);
            var destination = convert.Parameter("Destination")!;
            Assert.Equal(1, Assert.Single(destination.Sets).Position);
            Assert.True(destination.Sets[0].Mandatory);

            var export = m.Cmdlet("Export-MaceProgram")!;
            Assert.Equal("Low", export.ConfirmImpact);
            Assert.Equal("64", export.Parameter("MaxBytes")!.DefaultValue);
            Assert.Equal(new[] { "Cpp", "Text" }, export.Parameter("Format")!.AcceptedValues);
            Assert.False(string.IsNullOrEmpty(m.InformationalVersion));
        }

        [Fact]
        public void Static_Metadata_ReadsTestClasses()
        {
            var c = Read<SingularEndingInSCommand>();
            var name = c.Parameter("Name")!;
            Assert.Equal(new[] { "One", "Two" }, name.ValidateSet);
            Assert.Equal(new[] { "One", "Two" }, name.AcceptedValues);
            Assert.True(name.SupportsWildcards);
            Assert.Equal(new[] { "N" }, name.Aliases);
            Assert.Equal(0, name.Sets[0].Position);
            Assert.Equal("3", c.Parameter("Count")!.DefaultValue);
            Assert.Equal("False", c.Parameter("Quiet")!.DefaultValue);
            Assert.Equal(new[] { CmdletInfo.AllParameterSets }, c.ParameterSetNames);

            var bad = Read<BadSwitchesCommand>();
            Assert.Equal("True", bad.Parameter("OnByDefault")!.DefaultValue); // found in the constructor's IL
            Assert.False(bad.Parameter("ReadOnly")!.HasPublicGetAndSet);
            Assert.NotNull(bad.Parameter("Choice")!.ValidateSet);
            Assert.Empty(bad.Parameter("Choice")!.ValidateSet!);

            var sets = Read<BadSetsCommand>();
            Assert.Equal(new[] { "A", "B" }, sets.ParameterSetNames); // "Nope" names no set
        }
    }
}
