using System;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;

namespace MaceTools.Tests.Module
{
    /// <summary>[OutputType] and MaceTools.Format.ps1xml, checked against the types of the built assemblies.</summary>
    public class OutputFormatTests
    {
        [Fact]
        public void Static_EveryCmdletDeclaresOutputType() =>
            Assert.Empty(ModuleFolder.Cmdlets.SelectMany(ModuleRules.OutputTypeProblems));

        [Fact]
        public void Static_OutputTypesArePublicTypesOfOursOrTheFrameworks()
        {
            foreach (var c in ModuleFolder.Cmdlets)
                foreach (var name in c.OutputTypes)
                {
                    Type? t = name.StartsWith("MaceTools.", StringComparison.Ordinal) ? ModuleFolder.Metadata.FindType(name) : Type.GetType(name);
                    Assert.True(t != null, $"{c.Name}: [OutputType] {name} does not resolve");
                    Assert.True(t!.IsPublic, $"{c.Name}: [OutputType] {name} is not public");
                }
        }

        [Fact]
        public void Static_EveryMaceToolsOutputTypeHasAView()
        {
            var viewed = ModuleFolder.Format.Descendants("ViewSelectedBy").Elements("TypeName").Select(e => e.Value.Trim()).ToHashSet();
            foreach (var c in ModuleFolder.Cmdlets)
                foreach (var type in c.OutputTypes.Where(t => t.StartsWith("MaceTools.", StringComparison.Ordinal)))
                    Assert.True(viewed.Contains(type), $"{c.Name} outputs {type}, which has no view in MaceTools.Format.ps1xml");
        }

        [Fact]
        public void Static_FormatFileIsWellFormedWithUniqueViewNames()
        {
            var doc = ModuleFolder.Format;
            Assert.Equal("Configuration", doc.Root!.Name.LocalName);
            var views = doc.Root.Element("ViewDefinitions")!.Elements("View").ToList();
            Assert.NotEmpty(views);
            foreach (var v in views)
            {
                Assert.False(string.IsNullOrWhiteSpace(v.Element("Name")?.Value), "a View without a Name");
                Assert.NotNull(v.Element("ViewSelectedBy")?.Element("TypeName"));
                Assert.True(v.Element("TableControl") != null || v.Element("ListControl") != null || v.Element("WideControl") != null || v.Element("CustomControl") != null,
                    $"view {v.Element("Name")!.Value} has no control");
            }
            Assert.Empty(views.GroupBy(v => v.Element("Name")!.Value).Where(g => g.Count() > 1).Select(g => g.Key));
        }

        [Fact]
        public void Static_EveryViewSelectsAPublicTypeAndNamesItsProperties()
        {
            foreach (var view in ModuleFolder.Format.Descendants("View"))
            {
                string viewName = view.Element("Name")!.Value;
                foreach (var typeName in view.Element("ViewSelectedBy")!.Elements("TypeName").Select(e => e.Value.Trim()))
                {
                    var type = ModuleFolder.Metadata.FindType(typeName);
                    Assert.True(type != null, $"view {viewName}: type {typeName} is not in MaceTools.dll or MaceTools.Core.dll");
                    Assert.True(type!.IsPublic, $"view {viewName}: {typeName} is not public");
                    foreach (var property in view.Descendants("PropertyName").Select(e => e.Value.Trim()))
                        Assert.True(type.GetProperty(property, BindingFlags.Public | BindingFlags.Instance) != null,
                            $"view {viewName}: {typeName} has no public property '{property}'");
                }
            }
        }

        [Fact]
        public void Static_TableViewsHaveOneHeaderPerColumn()
        {
            foreach (var table in ModuleFolder.Format.Descendants("TableControl"))
            {
                int headers = table.Element("TableHeaders")?.Elements("TableColumnHeader").Count() ?? 0;
                foreach (var row in table.Descendants("TableRowEntry"))
                    Assert.Equal(headers, row.Element("TableColumnItems")!.Elements("TableColumnItem").Count());
            }
        }

        [Fact]
        public void Static_FormatFileInOutEqualsTheSource()
        {
            byte[] src = System.IO.File.ReadAllBytes(System.IO.Path.Combine(ModuleFolder.RepoRoot, "src", "MaceTools", "MaceTools.Format.ps1xml"));
            Assert.True(src.AsSpan().SequenceEqual(System.IO.File.ReadAllBytes(ModuleFolder.File_("MaceTools.Format.ps1xml"))),
                "out/MaceTools/MaceTools.Format.ps1xml is stale: run ./build.sh");
        }
    }
}
