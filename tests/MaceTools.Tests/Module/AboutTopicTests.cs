using System.Linq;
using MaceTools.Build;

namespace MaceTools.Tests.Module
{
    /// <summary>The about-topic renderer: legacy platyPS about template to about_*.help.txt.</summary>
    public class AboutTopicTests
    {
        private const string Topic =
            "# Widgets\n## about_Widgets\n\n# SHORT DESCRIPTION\nShort **words**.\n\n# LONG DESCRIPTION\n" +
            "This paragraph is long enough that it has to be wrapped somewhere before the eightieth column of the line, twice over, " +
            "because the renderer wraps at eighty columns and indents by four.\n\n## A subtopic\n\n- first item\n- second item that is also rather long and has to wrap onto a second line somewhere\n\n" +
            "```powershell\nGet-MaceWidget -Name *\n```\n\n# SEE ALSO\n[about_MaceTools](https://example.com/about)\n";

        [Fact]
        public void Static_About_RendersHeadingsIndentsAndWraps()
        {
            string text = AboutTopicRenderer.Render(Topic);
            var lines = text.Split('\n');
            Assert.Equal("TOPIC", lines[0]);
            Assert.Equal("    about_Widgets", lines[1]);
            Assert.Contains("SHORT DESCRIPTION", lines);
            Assert.Contains("    Short words.", lines);
            Assert.Contains("LONG DESCRIPTION", lines);
            Assert.Contains("  A subtopic", lines);
            Assert.Contains("    - first item", lines);
            Assert.Contains("        Get-MaceWidget -Name *", lines);
            Assert.Contains("    about_MaceTools (https://example.com/about)", lines);
            Assert.All(lines, l => Assert.True(l.Length <= 80, l));
            Assert.True(lines.Count(l => l.StartsWith("    This") || l.StartsWith("    ")) > 3);
            var wrapped = lines.SkipWhile(l => !l.StartsWith("    - second")).Skip(1).First();
            Assert.StartsWith("      ", wrapped); // list continuation lines hang under the text
            Assert.EndsWith("\n", text);
            Assert.DoesNotContain("\n\n\n", text);
        }

        [Fact]
        public void Static_About_RejectsMissingSectionsAndLongCode()
        {
            var missing = Assert.Throws<BuildException>(() => AboutTopicRenderer.Render("# W\n## about_W\n\n# SHORT DESCRIPTION\nx\n", "a.md"));
            Assert.Contains("missing section '# LONG DESCRIPTION'", missing.Message);
            var noTopic = Assert.Throws<BuildException>(() => AboutTopicRenderer.Render("# W\n\n# SHORT DESCRIPTION\nx\n", "a.md"));
            Assert.Contains("## about_<Topic>", noTopic.Message);
            string longCode = Topic.Replace("Get-MaceWidget -Name *", "Get-MaceWidget -Name " + new string('x', 70));
            Assert.Contains("code line", Assert.Throws<BuildException>(() => AboutTopicRenderer.Render(longCode, "a.md")).Message);
            Assert.Contains("unknown section", Assert.Throws<BuildException>(() => AboutTopicRenderer.Render(Topic.Replace("# SEE ALSO", "# APPENDIX"))).Message);
        }
    }
}
