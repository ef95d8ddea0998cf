using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml.Linq;
using MaceTools.Build;

namespace MaceTools.Tests.Module
{
    /// <summary>The MAML writer on a small hand-built cmdlet, and the help build's failure messages.</summary>
    public class MamlWriterTests
    {
        private static readonly XNamespace Maml = MamlWriter.Maml;
        private static readonly XNamespace Command = MamlWriter.Command;
        private static readonly XNamespace Dev = MamlWriter.Dev;

        private static XElement BuildWidget(bool shouldProcess = false)
        {
            var c = HelpSamples.Widget(shouldProcess);
            var doc = MarkdownHelpReader.Read(HelpSamples.Page(c));
            return MamlWriter.Build(new[] { (c, doc) }).Root!;
        }

        private static XElement Parameter(XElement container, string name) =>
            container.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == name);

        [Fact]
        public void Static_Maml_RootNamespacesAndDetails()
        {
            var root = BuildWidget();
            Assert.Equal(XName.Get("helpItems", "http://msh"), root.Name);
            Assert.Equal("maml", root.Attribute("schema")!.Value);
            var command = Assert.Single(root.Elements());
            Assert.Equal(XName.Get("command", "http://schemas.microsoft.com/maml/dev/command/2004/10"), command.Name);
            Assert.Equal("http://schemas.microsoft.com/maml/2004/10", command.Attribute(XNamespace.Xmlns + "maml")!.Value);
            Assert.Equal("http://schemas.microsoft.com/maml/dev/2004/10", command.Attribute(XNamespace.Xmlns + "dev")!.Value);
            var details = command.Element(Command + "details")!;
            Assert.Equal("Get-MaceWidget", details.Element(Command + "name")!.Value);
            Assert.Equal("Get", details.Element(Command + "verb")!.Value);
            Assert.Equal("MaceWidget", details.Element(Command + "noun")!.Value);
            Assert.Equal("Gets widgets.", details.Element(Maml + "description")!.Element(Maml + "para")!.Value);
            // Paragraphs split at blank lines; bold markers removed, code kept.
            Assert.Equal(new[] { "The `Get-MaceWidget` cmdlet gets widgets.", "A second paragraph." },
                command.Element(Maml + "description")!.Elements(Maml + "para").Select(p => p.Value));
        }

        [Fact]
        public void Static_Maml_SyntaxComesFromTheMetadata()
        {
            var command = BuildWidget().Elements().Single();
            var items = command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
            Assert.Equal(2, items.Count);
            Assert.Equal(new[] { "Name", "Kind", "Force" }, items[0].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
            Assert.Equal(new[] { "Id", "Kind", "Force" }, items[1].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));

            var name = Parameter(items[0], "Name");
            Assert.Equal("true", name.Attribute("required")!.Value);
            Assert.Equal("true", name.Attribute("variableLength")!.Value);
            Assert.Equal("true", name.Attribute("globbing")!.Value);
            Assert.Equal("True (ByValue, ByPropertyName)", name.Attribute("pipelineInput")!.Value);
            Assert.Equal("0", name.Attribute("position")!.Value);
            Assert.Equal("WidgetName", name.Attribute("aliases")!.Value);
            Assert.Equal("String[]", name.Element(Command + "parameterValue")!.Value);
            Assert.Equal("System.String[]", name.Element(Dev + "type")!.Element(Maml + "name")!.Value);
            Assert.Equal("The Name of the widget.", name.Element(Maml + "description")!.Value);

            var kind = Parameter(items[0], "Kind");
            Assert.Equal("named", kind.Attribute("position")!.Value);
            Assert.Equal("none", kind.Attribute("aliases")!.Value);
            Assert.Equal("False", kind.Attribute("pipelineInput")!.Value);
            Assert.Equal(new[] { "Programs", "Tuning" }, kind.Element(Command + "parameterValueGroup")!.Elements(Command + "parameterValue").Select(v => v.Value));
            Assert.Null(kind.Element(Command + "parameterValue")); // the group stands for it in the syntax

            var force = Parameter(items[0], "Force");
            Assert.Null(force.Element(Command + "parameterValue"));
            Assert.Equal("False", force.Element(Dev + "defaultValue")!.Value);
            Assert.Equal("True (ByPropertyName)", Parameter(items[1], "Id").Attribute("pipelineInput")!.Value);
        }

        [Fact]
        public void Static_Maml_ParametersAreTheSortedUnion()
        {
            var command = BuildWidget(shouldProcess: true).Elements().Single();
            var names = command.Element(Command + "parameters")!.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value);
            Assert.Equal(new[] { "Confirm", "Force", "Id", "Kind", "Name", "WhatIf" }, names);
            var syntaxNames = command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").First().Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value);
            Assert.Equal(new[] { "Name", "Kind", "Force", "WhatIf", "Confirm" }, syntaxNames);
            Assert.Equal("cf", Parameter(command.Element(Command + "parameters")!, "Confirm").Attribute("aliases")!.Value);
        }

        [Fact]
        public void Static_Maml_ExamplesTypesNotesAndLinks()
        {
            var command = BuildWidget().Elements().Single();
            var examples = command.Element(Command + "examples")!.Elements(Command + "example").ToList();
            Assert.Equal(2, examples.Count);
            Assert.Equal(MamlWriter.ExampleTitle("Example 1: Get a widget"), examples[0].Element(Maml + "title")!.Value);
            Assert.Matches("^-+ Example 1: Get a widget -+$", examples[0].Element(Maml + "title")!.Value);
            Assert.Equal("# all of them\nGet-MaceWidget -Name *", examples[0].Element(Dev + "code")!.Value);
            Assert.Equal(new[] { "Name\n----\nw1", "Gets every widget." }, examples[0].Element(Dev + "remarks")!.Elements(Maml + "para").Select(p => p.Value));

            var input = command.Element(Command + "inputTypes")!.Element(Command + "inputType")!;
            Assert.Equal("System.String[]", input.Element(Dev + "type")!.Element(Maml + "name")!.Value);
            Assert.Equal("MaceTools.MaceProgram", command.Element(Command + "returnValues")!.Element(Command + "returnValue")!.Element(Dev + "type")!.Element(Maml + "name")!.Value);
            Assert.Equal("Widgets are small.", command.Element(Maml + "alertSet")!.Element(Maml + "alert")!.Element(Maml + "para")!.Value);

            var links = command.Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink").ToList();
            Assert.Equal(new[] { "Online", "about_MaceTools" }, links.Select(l => l.Element(Maml + "linkText")!.Value));
            Assert.Equal(new[] { "https://example.com/widget", "" }, links.Select(l => l.Element(Maml + "uri")!.Value)); // relative links have no uri
        }

        [Fact]
        public void Static_Maml_SerializesAsUtf8WithoutBomAndLf()
        {
            var c = HelpSamples.Widget();
            byte[] bytes = MamlWriter.Serialize(MamlWriter.Build(new[] { (c, HelpSamples.Document(c)) }));
            Assert.NotEqual(0xEF, bytes[0]);
            Assert.DoesNotContain((byte)'\r', bytes);
            string text = Encoding.UTF8.GetString(bytes);
            Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<helpItems schema=\"maml\" xmlns=\"http://msh\">\n", text);
            Assert.Equal(bytes, MamlWriter.Serialize(MamlWriter.Build(new[] { (c, HelpSamples.Document(c)) }))); // deterministic
        }

        [Fact]
        public void Static_HelpBuild_FailsNamingTheCmdletAndTheUndocumentedParameter()
        {
            string dir = Path.Combine(Path.GetTempPath(), "macetools-help-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(dir);
            try
            {
                var c = HelpSamples.Widget();
                var doc = HelpSamples.Document(c);
                doc.Parameters.RemoveAll(p => p.Name == "Kind");
                File.WriteAllText(Path.Combine(dir, "Get-MaceWidget.md"), MarkdownHelpWriter.Render(doc, c));
                File.WriteAllText(Path.Combine(dir, "Get-MaceGone.md"), "orphan");
                var module = new ModuleMetadata("sample.dll", typeof(MamlWriterTests).Assembly, "1.0.0", new List<CmdletInfo> { c });
                var e = Assert.Throws<BuildException>(() => HelpCompiler.CompileMaml(dir, module));
                Assert.Contains("Get-MaceWidget: parameter -Kind is not documented", e.Message);
                Assert.Contains("Get-MaceGone.md: documents a cmdlet that MaceTools.dll does not have", e.Message);
                Assert.Contains("2 problems", e.Message);

                File.Delete(Path.Combine(dir, "Get-MaceGone.md"));
                File.Delete(Path.Combine(dir, "Get-MaceWidget.md"));
                var missing = Assert.Throws<BuildException>(() => HelpCompiler.CompileMaml(dir, module));
                Assert.Contains("Get-MaceWidget: no help page", missing.Message);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
