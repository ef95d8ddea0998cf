using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Build;

namespace MaceTools.Tests.Module
{
    /// <summary>The markdown reader, writer (New/Update-MarkdownCommandHelp) and the checks that fail the help build.</summary>
    public class MarkdownHelpTests
    {
        private static readonly CmdletInfo Widget = HelpSamples.Widget();

        [Fact]
        public void Static_Markdown_ACompletePageHasNoProblems()
        {
            var doc = MarkdownHelpReader.Read(HelpSamples.Page(Widget), "Get-MaceWidget.md");
            Assert.Empty(HelpValidator.Validate(Widget, doc));
            Assert.Equal("Get-MaceWidget", doc.Title);
            Assert.Equal("Gets widgets.", doc.Synopsis);
            Assert.Equal(new[] { "Force", "Id", "Kind", "Name" }, doc.Parameters.Select(p => p.Name));
            Assert.Equal("2024-05-01", doc.Meta("PlatyPS schema version"));
        }

        [Fact]
        public void Static_Markdown_RenderReadRenderIsStable()
        {
            string first = HelpSamples.Page(Widget);
            var doc = MarkdownHelpReader.Read(first);
            var changes = new List<string>();
            string second = MarkdownHelpWriter.Render(MarkdownHelpWriter.Update(doc, Widget, DateTime.UtcNow, changes), Widget);
            Assert.Equal(first, second);
            Assert.Empty(changes);
        }

        [Fact]
        public void Static_Markdown_WritesPlatyPSv2Yaml()
        {
            string page = HelpSamples.Page(Widget);
            Assert.Contains("### ByName (Default)\n\n```\nGet-MaceWidget [-Name] <String[]> [-Kind <MaceFileKind>] [-Force] [<CommonParameters>]\n```", page);
            Assert.Contains("### ById\n\n```\nGet-MaceWidget [-Id] <Int32> [-Kind <MaceFileKind>] [-Force] [<CommonParameters>]\n```", page);
            Assert.Contains(
                "```yaml\nType: System.String[]\nDefaultValue: None\nSupportsWildcards: true\nParameterValue: []\nAliases:\n- WidgetName\nParameterSets:\n" +
                "- Name: ByName\n  Position: 0\n  IsRequired: true\n  ValueFromPipeline: true\n  ValueFromPipelineByPropertyName: true\n  ValueFromRemainingArguments: false\n" +
                "DontShow: false\nAcceptedValues: []\nHelpMessage: ''\n```", page);
            Assert.Contains("- Name: (All)\n  Position: Named", page);
            Assert.Contains("AcceptedValues:\n- Programs\n- Tuning", page);
        }

        [Fact]
        public void Static_Markdown_UndocumentedParameterIsAnErrorNamingIt()
        {
            var doc = HelpSamples.Document(Widget);
            doc.Parameters.RemoveAll(p => p.Name == "Force");
            var problems = HelpValidator.Validate(Widget, MarkdownHelpReader.Read(MarkdownHelpWriter.Render(doc, Widget)));
            var problem = Assert.Single(problems);
            Assert.Contains("Get-MaceWidget", problem);
            Assert.Contains("-Force is not documented", problem);
        }

        [Fact]
        public void Static_Markdown_YamlThatDisagreesWithTheAssemblyNamesParameterAndField()
        {
            string page = HelpSamples.Page(Widget).Replace("  Position: 0\n  IsRequired: true\n  ValueFromPipeline: true", "  Position: 1\n  IsRequired: true\n  ValueFromPipeline: true");
            var problems = HelpValidator.Validate(Widget, MarkdownHelpReader.Read(page));
            var problem = Assert.Single(problems);
            Assert.Contains("-Name", problem);
            Assert.Contains("ParameterSets[ByName].Position", problem);
            Assert.Contains("'1'", problem);
        }

        [Fact]
        public void Static_Markdown_TypeAliasAndAcceptedValuesMismatchesAreReported()
        {
            string page = HelpSamples.Page(Widget).Replace("Type: System.Int32", "Type: System.Int64").Replace("- WidgetName", "- Widget").Replace("- Tuning\n", "");
            var problems = HelpValidator.Validate(Widget, MarkdownHelpReader.Read(page));
            Assert.Contains(problems, p => p.Contains("-Id") && p.Contains("Type"));
            Assert.Contains(problems, p => p.Contains("-Name") && p.Contains("Aliases"));
            Assert.Contains(problems, p => p.Contains("-Kind") && p.Contains("AcceptedValues"));
        }

        [Fact]
        public void Static_Markdown_ParameterTheCmdletDoesNotHaveIsReported()
        {
            var doc = HelpSamples.Document(Widget);
            doc.Parameters.Add(new ParameterSection("Colour", "A colour.", doc.Parameters[0].Yaml, 0));
            var problems = HelpValidator.Validate(Widget, MarkdownHelpReader.Read(MarkdownHelpWriter.Render(doc, Widget)));
            Assert.Contains(problems, p => p.Contains("-Colour") && p.Contains("does not have"));
        }

        [Fact]
        public void Static_Markdown_ExamplesAreRequiredWithCodeAndRemarks()
        {
            var doc = HelpSamples.Document(Widget);
            doc.Examples.Clear();
            Assert.Contains(HelpValidator.Validate(Widget, doc), p => p.Contains("has no example"));
            doc.Examples.Add(new ExampleSection("Example 1: Words only", "Just words."));
            Assert.Contains(HelpValidator.Validate(Widget, doc), p => p.Contains("'Example 1: Words only' has no ```powershell code"));
            doc.Examples[0] = new ExampleSection("Example 1: Code only", "```powershell\nGet-MaceWidget\n```");
            Assert.Contains(HelpValidator.Validate(Widget, doc), p => p.Contains("has no remarks"));
        }

        [Fact]
        public void Static_Markdown_SkeletonPlaceholdersFailTheBuild()
        {
            var skeleton = MarkdownHelpWriter.Update(null, Widget, DateTime.UtcNow, new List<string>());
            var problems = HelpValidator.Validate(Widget, MarkdownHelpReader.Read(MarkdownHelpWriter.Render(skeleton, Widget)));
            Assert.Contains(problems, p => p.Contains("SYNOPSIS") && p.Contains("placeholder"));
            Assert.Contains(problems, p => p.Contains("the description of -Name") && p.Contains("placeholder"));
            Assert.Contains(problems, p => p.Contains("MaceTools.MaceProgram") && p.Contains("placeholder"));
        }

        [Fact]
        public void Static_Markdown_MissingOutputTypeIsReported()
        {
            var doc = HelpSamples.Document(Widget);
            doc.Outputs.Types.Clear();
            doc.Outputs.Text = "Widgets.";
            Assert.Contains(HelpValidator.Validate(Widget, doc), p => p.Contains("### MaceTools.MaceProgram"));
        }

        [Fact]
        public void Static_Markdown_UpdateKeepsHumanTextAndReplacesMetadata()
        {
            var doc = HelpSamples.Document(Widget);
            var section = doc.Parameter("Name")!;
            section.Description = "Hand-written words about -Name.";
            section.Yaml = "Type: System.Object\n";
            doc.Parameters.RemoveAll(p => p.Name == "Force");
            doc.Parameters.Add(new ParameterSection("Obsolete", "Gone.", "Type: System.String\n", 0));
            var page = MarkdownHelpWriter.Render(doc, Widget);

            var changes = new List<string>();
            var updated = MarkdownHelpWriter.Update(MarkdownHelpReader.Read(page), Widget, DateTime.UtcNow, changes);
            Assert.Equal("Hand-written words about -Name.", updated.Parameter("Name")!.Description);
            Assert.Equal(ParameterYaml.From(Widget.Parameter("Name")!).ToYaml(), updated.Parameter("Name")!.Yaml);
            Assert.Null(updated.Parameter("Obsolete"));
            Assert.Contains("{{", updated.Parameter("Force")!.Description);
            Assert.Equal("Gets widgets.", updated.Synopsis);
            Assert.Equal(2, updated.Examples.Count);
            Assert.Contains(changes, c => c.Contains("removed -Obsolete"));
            Assert.Contains(changes, c => c.Contains("added -Force"));
            Assert.Contains(changes, c => c.Contains("updated the metadata of -Name"));
        }

        [Fact]
        public void Static_Markdown_ShouldProcessAddsWhatIfAndConfirm()
        {
            var c = HelpSamples.Widget(shouldProcess: true);
            var doc = MarkdownHelpWriter.Update(null, c, DateTime.UtcNow, new List<string>());
            Assert.Equal(HelpModel.WhatIfDescription, doc.Parameter("WhatIf")!.Description);
            Assert.Equal(HelpModel.ConfirmDescription, doc.Parameter("Confirm")!.Description);
            Assert.Contains("- wi", doc.Parameter("WhatIf")!.Yaml);
            Assert.EndsWith("[-Force] [-WhatIf] [-Confirm] [<CommonParameters>]", HelpModel.SyntaxLine(c, "ByName"));
        }

        [Fact]
        public void Static_Markdown_ExampleCodeAndRemarksAreSeparated()
        {
            var doc = MarkdownHelpReader.Read(HelpSamples.Page(Widget));
            var e = doc.Examples[0];
            Assert.Equal("Example 1: Get a widget", e.Title);
            Assert.Equal("# all of them\nGet-MaceWidget -Name *", e.Code); // '#' inside a code block is not a heading
            var remarks = e.Remarks.ToList();
            Assert.Equal("Output", remarks[0].Language);
            Assert.Equal("Gets every widget.", remarks[1].Text);
        }

        [Theory]
        [InlineData("# Get-MaceWidget\n\n## SYNOPSIS\n", "no front matter")]
        [InlineData("---\ntitle: x\n---\n# Get-MaceWidget\n", "PlatyPS schema version")]
        public void Static_Markdown_ReaderRejectsABadStart(string text, string expected)
        {
            var e = Assert.Throws<BuildException>(() => MarkdownHelpReader.Read(text, "x.md"));
            Assert.Contains(expected, e.Message);
            Assert.StartsWith("x.md:1:", e.Message);
        }

        [Fact]
        public void Static_Markdown_ReaderRejectsMissingAndMisorderedSections()
        {
            string page = HelpSamples.Page(Widget);
            var missing = Assert.Throws<BuildException>(() => MarkdownHelpReader.Read(page.Replace("## NOTES\n\nWidgets are small.\n\n", "")));
            Assert.Contains("missing section(s): ## NOTES", missing.Message);

            int notes = page.IndexOf("## NOTES", StringComparison.Ordinal), links = page.IndexOf("## RELATED LINKS", StringComparison.Ordinal);
            string swapped = page.Substring(0, notes) + page.Substring(links) + "\n" + page.Substring(notes, links - notes);
            Assert.Contains("out of order", Assert.Throws<BuildException>(() => MarkdownHelpReader.Read(swapped)).Message);

            var unknown = Assert.Throws<BuildException>(() => MarkdownHelpReader.Read(page.Replace("## NOTES", "## REMARKS")));
            Assert.Contains("unknown section '## REMARKS'", unknown.Message);
        }

        [Fact]
        public void Static_Markdown_ReaderRejectsBrokenParameterSections()
        {
            string page = HelpSamples.Page(Widget);
            int at = page.IndexOf("### -Force", StringComparison.Ordinal);
            int yaml = page.IndexOf("```yaml", at, StringComparison.Ordinal);
            int end = page.IndexOf("```\n", yaml + 7, StringComparison.Ordinal) + 4;
            var noYaml = Assert.Throws<BuildException>(() => MarkdownHelpReader.Read(page.Remove(yaml, end - yaml)));
            Assert.Contains("parameter -Force has no ```yaml block", noYaml.Message);
            Assert.Matches(@":\d+: ", noYaml.Message);

            var after = Assert.Throws<BuildException>(() => MarkdownHelpReader.Read(page.Insert(end, "\nMore words.\n")));
            Assert.Contains("text after the ```yaml block", after.Message);

            var twice = Assert.Throws<BuildException>(() => MarkdownHelpReader.Read(page.Insert(at, page.Substring(at, end - at) + "\n")));
            Assert.Contains("documented twice", twice.Message);
        }

        [Fact]
        public void Static_Markdown_BadYamlIsReportedForTheParameter()
        {
            string page = HelpSamples.Page(Widget).Replace("Type: System.Int32", "Type: [unclosed");
            Assert.Contains(HelpValidator.Validate(Widget, MarkdownHelpReader.Read(page)), p => p.Contains("-Id") && p.Contains("does not parse"));
            string unknownKey = HelpSamples.Page(Widget).Replace("Type: System.Int32", "Type: System.Int32\nColour: red");
            Assert.Contains(HelpValidator.Validate(Widget, MarkdownHelpReader.Read(unknownKey)), p => p.Contains("-Id"));
        }

        [Fact]
        public void Static_Markdown_RelatedLinksAreParsed()
        {
            var doc = MarkdownHelpReader.Read(HelpSamples.Page(Widget));
            Assert.Equal(new[] { ("Online", "https://example.com/widget"), ("about_MaceTools", "about_MaceTools.md") }, doc.RelatedLinks.ToArray());
        }

        [Fact]
        public void Static_Syntax_WrapsBetweenTokens()
        {
            string line = "Convert-MaceProgram [-Path] <String[]> [-Destination] <String> [-To <MaceFileFormat>] [-MaceVersion <String>] [-DeviceName <String>] [<CommonParameters>]";
            var lines = HelpModel.WrapSyntax(line, 60).Split('\n');
            Assert.True(lines.Length > 1);
            Assert.All(lines.Skip(1), l => Assert.StartsWith(" ", l));
            Assert.Equal(line, string.Join("", lines));
            Assert.All(lines, l => Assert.True(l.Count(ch => ch == '[') == l.Count(ch => ch == ']'), l));
        }
    }
}
