using System.Linq;
using System.Xml.Linq;
using MaceTools.Build;

namespace MaceTools.Tests.Module
{
    /// <summary>What the markdown help turns into: inline code kept as written, examples numbered as Get-Help shows them.</summary>
    public class HelpTextTests
    {
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly CmdletInfo Widget = HelpSamples.Widget();

        [Fact]
        public void Static_Plain_KeepsAsterisksInsideCodeSpans()
        {
            // Two wildcards in backticks once read as one *italic* span and lost both asterisks.
            const string Key = "(`*`, `?`, `[abc]`; case-insensitive), so patterns usually start or end with `*`.";
            Assert.Equal(Key, Markdown.Plain(Key));
            Assert.Equal("bold, italic and `a*b*c` and ``x`*`y``", Markdown.Plain("**bold**, *italic* and `a*b*c` and ``x`*`y``"));
            Assert.Equal("see docs (https://example.com) and `[x](y)`", Markdown.Plain("see [docs](https://example.com) and `[x](y)`"));
        }

        [Fact]
        public void Static_Maml_GetMaceProgramEntryKeyKeepsItsWildcards()
        {
            var key = ModuleFolder.Maml.Root!.Elements(Command + "command")
                .Single(c => c.Element(Command + "details")!.Element(Command + "name")!.Value == "Get-MaceProgramEntry")
                .Element(Command + "parameters")!.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Key");
            string text = string.Join("\n", key.Element(Maml + "description")!.Elements(Maml + "para").Select(p => p.Value));
            Assert.Contains("(`*`, `?`, `[abc]`; case-insensitive)", text);
            Assert.Contains("start or end with `*`.", text);
        }

        [Fact]
        public void Static_Markdown_ExamplesOutOfOrderAreReported()
        {
            string page = HelpSamples.Page(Widget).Replace("### Example 2: By id", "### Example 1: By id");
            var problem = Assert.Single(HelpValidator.Validate(Widget, MarkdownHelpReader.Read(page)));
            Assert.Contains("Get-MaceWidget", problem);
            Assert.Contains("'Example 1: By id' should be 'Example 2: ...'", problem);
        }

        [Fact]
        public void Static_HelpPages_ExamplesAreNumberedOneToNInOrder()
        {
            foreach (var c in ModuleFolder.Cmdlets)
            {
                var doc = MarkdownHelpReader.ReadFile(System.IO.Path.Combine(ModuleFolder.HelpDocs, c.Name + ".md"));
                Assert.Equal(Enumerable.Range(1, doc.Examples.Count).Select(i => $"Example {i}"),
                    doc.Examples.Select(e => e.Title.Split(':')[0]));
            }
        }
    }
}
