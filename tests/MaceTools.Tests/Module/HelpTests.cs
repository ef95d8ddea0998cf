using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml.Linq;
using MaceTools.Build;

namespace MaceTools.Tests.Module
{
    /// <summary>docs/help against the cmdlets, and the MAML and about topic in out/MaceTools/en-US (powershell-module.md §5.3).</summary>
    public class HelpTests
    {
        private static readonly XNamespace Msh = "http://msh";
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        [Fact]
        public void Static_EveryCmdletHasAHelpPage()
        {
            foreach (var c in ModuleFolder.Cmdlets)
                Assert.True(File.Exists(Path.Combine(ModuleFolder.HelpDocs, c.Name + ".md")), $"docs/help/{c.Name}.md is missing");
        }

        [Fact]
        public void Static_NoHelpPageDocumentsAMissingCmdlet() =>
            Assert.Empty(HelpCompiler.Orphans(ModuleFolder.HelpDocs, ModuleFolder.Metadata));

        [Fact]
        public void Static_HelpPagesMatchTheCmdlets()
        {
            // Front matter, headings in order, every parameter documented with yaml equal to the metadata, examples, outputs.
            var problems = ModuleFolder.Cmdlets.SelectMany(c => HelpValidator.Validate(c, MarkdownHelpReader.ReadFile(Path.Combine(ModuleFolder.HelpDocs, c.Name + ".md"))));
            Assert.Empty(problems);
        }

        [Fact]
        public void Static_EveryParameterIsDocumented()
        {
            foreach (var c in ModuleFolder.Cmdlets)
            {
                var doc = MarkdownHelpReader.ReadFile(Path.Combine(ModuleFolder.HelpDocs, c.Name + ".md"));
                foreach (var p in c.Parameters)
                {
                    var section = doc.Parameter(p.Name);
                    Assert.True(section != null, $"{c.Name}: -{p.Name} is not documented");
                    Assert.False(string.IsNullOrWhiteSpace(section!.Description), $"{c.Name}: -{p.Name} has no description");
                }
                if (c.SupportsShouldProcess)
                {
                    Assert.NotNull(doc.Parameter("WhatIf"));
                    Assert.NotNull(doc.Parameter("Confirm"));
                }
            }
        }

        [Fact]
        public void Static_EveryCmdletHasTwoExamplesWithCodeAndRemarks()
        {
            foreach (var c in ModuleFolder.Cmdlets)
            {
                var doc = MarkdownHelpReader.ReadFile(Path.Combine(ModuleFolder.HelpDocs, c.Name + ".md"));
                Assert.True(doc.Examples.Count >= 2, $"{c.Name}: {doc.Examples.Count} example(s)");
                foreach (var e in doc.Examples)
                {
                    Assert.Contains(c.Name, e.Code, StringComparison.OrdinalIgnoreCase);
                    Assert.Contains(e.Remarks, b => b.Kind == Markdown.BlockKind.Paragraph);
                }
                Assert.NotEmpty(doc.RelatedLinks);
            }
        }

        [Fact]
        public void Static_MamlIsCurrent()
        {
            // The MAML in out/ is exactly what docs/help and the built assembly produce now (no stale layout).
            byte[] expected = MamlWriter.Serialize(HelpCompiler.CompileMaml(ModuleFolder.HelpDocs, ModuleFolder.Metadata));
            Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(ModuleFolder.File_("en-US/MaceTools.dll-Help.xml"))),
                "out/MaceTools/en-US/MaceTools.dll-Help.xml is stale: run ./build.sh");
        }

        [Fact]
        public void Static_MamlRootIsHelpItemsWithSchemaMaml()
        {
            var root = ModuleFolder.Maml.Root!;
            Assert.Equal(Msh + "helpItems", root.Name);
            Assert.Equal("maml", root.Attribute("schema")?.Value);
        }

        [Fact]
        public void Static_MamlUsesTheExactNamespaces()
        {
            foreach (var command in ModuleFolder.Maml.Root!.Elements())
            {
                Assert.Equal(Command + "command", command.Name);
                Assert.Equal(Maml.NamespaceName, command.GetNamespaceOfPrefix("maml")?.NamespaceName);
                Assert.Equal(Command.NamespaceName, command.GetNamespaceOfPrefix("command")?.NamespaceName);
                Assert.Equal(Dev.NamespaceName, command.GetNamespaceOfPrefix("dev")?.NamespaceName);
            }
            var used = ModuleFolder.Maml.Descendants().Select(e => e.Name.NamespaceName).Distinct().OrderBy(n => n).ToList();
            Assert.Equal(new[] { Msh.NamespaceName, Maml.NamespaceName, Dev.NamespaceName, Command.NamespaceName }.OrderBy(n => n), used);
        }

        [Fact]
        public void Static_MamlHasOneCommandPerCmdletWithNameVerbNoun()
        {
            var commands = ModuleFolder.Maml.Root!.Elements(Command + "command").ToList();
            Assert.Equal(ModuleFolder.Cmdlets.Count, commands.Count);
            foreach (var c in ModuleFolder.Cmdlets)
            {
                var command = Assert.Single(commands, e => e.Element(Command + "details")!.Element(Command + "name")!.Value == c.Name);
                var details = command.Element(Command + "details")!;
                Assert.Equal(c.Verb, details.Element(Command + "verb")!.Value);
                Assert.Equal(c.Noun, details.Element(Command + "noun")!.Value);
                Assert.False(string.IsNullOrWhiteSpace(details.Element(Maml + "description")?.Value), $"{c.Name}: no synopsis");
                Assert.False(string.IsNullOrWhiteSpace(command.Element(Maml + "description")?.Value), $"{c.Name}: no description");
            }
        }

        [Fact]
        public void Static_MamlSyntaxItemsMatchTheParameterSets()
        {
            foreach (var (c, command) in Commands())
            {
                var items = command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
                Assert.Equal(c.ParameterSetNames.Count, items.Count);
                for (int i = 0; i < items.Count; i++)
                {
                    Assert.Equal(c.Name, items[i].Element(Maml + "name")!.Value);
                    var names = items[i].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value).OrderBy(n => n).ToList();
                    var expected = c.ParametersIn(c.ParameterSetNames[i]).Where(x => !x.Parameter.DontShow).Select(x => x.Parameter.Name)
                        .Concat(c.SupportsShouldProcess ? new[] { "WhatIf", "Confirm" } : Array.Empty<string>()).OrderBy(n => n).ToList();
                    Assert.Equal(expected, names);
                }
            }
        }

        [Fact]
        public void Static_MamlParametersAreTheUnionOfParameters()
        {
            foreach (var (c, command) in Commands())
            {
                var names = command.Element(Command + "parameters")!.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value).OrderBy(n => n).ToList();
                var expected = c.Parameters.Where(p => !p.DontShow).Select(p => p.Name).Concat(c.SupportsShouldProcess ? new[] { "WhatIf", "Confirm" } : Array.Empty<string>()).OrderBy(n => n).ToList();
                Assert.Equal(expected, names);
                foreach (var p in command.Element(Command + "parameters")!.Elements(Command + "parameter"))
                    Assert.False(string.IsNullOrWhiteSpace(p.Element(Maml + "description")?.Value), $"{c.Name}: -{p.Element(Maml + "name")!.Value} has no description");
            }
        }

        [Fact]
        public void Static_MamlAttributeValuesAreInTheVocabulary()
        {
            string[] pipeline = { "False", "True (ByValue)", "True (ByPropertyName)", "True (ByValue, ByPropertyName)" };
            string[] booleans = { "true", "false" };
            foreach (var p in ModuleFolder.Maml.Descendants(Command + "parameter"))
            {
                Assert.Contains(p.Attribute("required")!.Value, booleans);
                Assert.Contains(p.Attribute("variableLength")!.Value, booleans);
                Assert.Contains(p.Attribute("globbing")!.Value, booleans);
                Assert.Contains(p.Attribute("pipelineInput")!.Value, pipeline);
                string position = p.Attribute("position")!.Value;
                Assert.True(position == "named" || int.TryParse(position, out int n) && n >= 0, $"position '{position}'");
                string aliases = p.Attribute("aliases")!.Value;
                Assert.True(aliases == "none" || aliases.Split(", ").All(a => a.Length > 0 && !a.Contains(' ')), $"aliases '{aliases}'");
            }
        }

        [Fact]
        public void Static_MamlMatchesTheMetadataOfEachParameter()
        {
            foreach (var (c, command) in Commands())
                for (int i = 0; i < c.ParameterSetNames.Count; i++)
                {
                    var item = command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ElementAt(i);
                    foreach (var (p, set) in c.ParametersIn(c.ParameterSetNames[i]).Where(x => !x.Parameter.DontShow))
                    {
                        var e = item.Elements(Command + "parameter").Single(x => x.Element(Maml + "name")!.Value == p.Name);
                        Assert.Equal(set.Mandatory ? "true" : "false", e.Attribute("required")!.Value);
                        Assert.Equal(set.Position?.ToString() ?? "named", e.Attribute("position")!.Value);
                        Assert.Equal(set.PipelineInput, e.Attribute("pipelineInput")!.Value);
                        Assert.Equal(p.TypeName, e.Element(Dev + "type")!.Element(Maml + "name")!.Value);
                    }
                }
        }

        [Fact]
        public void Static_MamlExamplesHaveCode()
        {
            foreach (var (c, command) in Commands())
            {
                var examples = command.Element(Command + "examples")!.Elements(Command + "example").ToList();
                Assert.NotEmpty(examples);
                foreach (var e in examples)
                {
                    Assert.False(string.IsNullOrWhiteSpace(e.Element(Dev + "code")?.Value), $"{c.Name}: an example without code");
                    Assert.False(string.IsNullOrWhiteSpace(e.Element(Maml + "title")?.Value), $"{c.Name}: an example without a title");
                }
            }
        }

        [Fact]
        public void Static_AboutTopicExistsAndFitsIn80Columns()
        {
            string path = ModuleFolder.File_("en-US/about_MaceTools.help.txt");
            Assert.True(File.Exists(path), "en-US/about_MaceTools.help.txt is missing");
            byte[] bytes = File.ReadAllBytes(path);
            Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "the about topic starts with a BOM");
            string text = new UTF8Encoding(false, true).GetString(bytes);
            Assert.StartsWith("TOPIC\n    about_MaceTools\n", text);
            var lines = text.Split('\n');
            foreach (var line in lines) Assert.True(line.Length <= 80, $"{line.Length} columns: '{line}'");
            foreach (var heading in new[] { "SHORT DESCRIPTION", "LONG DESCRIPTION" }) Assert.Contains(heading, lines);
            Assert.Equal(HelpCompiler.RenderAbout(ModuleFolder.HelpDocs), text);
        }

        private static System.Collections.Generic.IEnumerable<(CmdletInfo, XElement)> Commands()
        {
            var commands = ModuleFolder.Maml.Root!.Elements(Command + "command").ToList();
            foreach (var c in ModuleFolder.Cmdlets)
                yield return (c, commands.Single(e => e.Element(Command + "details")!.Element(Command + "name")!.Value == c.Name));
        }
    }
}
