using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Build;

namespace MaceTools.Tests.Module
{
    /// <summary>A small hand-built cmdlet and a complete help page for it, for the unit tests of the help pipeline.</summary>
    internal static class HelpSamples
    {
        public static CmdletInfo Widget(bool shouldProcess = false)
        {
            var c = new CmdletInfo("Get", "MaceWidget", "Sample.GetMaceWidgetCommand") { DefaultParameterSetName = "ByName", SupportsShouldProcess = shouldProcess };
            c.OutputTypes.Add("MaceTools.MaceProgram");

            var name = new ParameterInfo("Name", "System.String[]") { SupportsWildcards = true };
            name.Aliases.Add("WidgetName");
            name.Sets.Add(new ParameterSetInfo("ByName") { Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true });
            c.Parameters.Add(name);

            var id = new ParameterInfo("Id", "System.Int32");
            id.Sets.Add(new ParameterSetInfo("ById") { Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true });
            c.Parameters.Add(id);

            var kind = new ParameterInfo("Kind", "MaceTools.MaceFileKind") { EnumValues = new List<string> { "Programs", "Tuning" } };
            kind.Sets.Add(new ParameterSetInfo(CmdletInfo.AllParameterSets));
            c.Parameters.Add(kind);

            var force = new ParameterInfo("Force", "System.Management.Automation.SwitchParameter") { DefaultValue = "False" };
            force.Sets.Add(new ParameterSetInfo(CmdletInfo.AllParameterSets));
            c.Parameters.Add(force);
            return c;
        }

        /// <summary>A page with every placeholder filled in, as a person would write it.</summary>
        public static CommandHelpDocument Document(CmdletInfo c)
        {
            var doc = MarkdownHelpWriter.Update(null, c, new DateTime(2026, 11, 21), new List<string>());
            doc.Synopsis = "Gets widgets.";
            doc.Description = "The `Get-MaceWidget` cmdlet gets **widgets**.\n\nA second paragraph.";
            doc.Notes = "Widgets are small.";
            doc.Examples.Clear();
            doc.Examples.Add(new ExampleSection("Example 1: Get a widget", "```powershell\n# all of them\nGet-MaceWidget -Name *\n```\n\n```Output\nName\n----\nw1\n```\n\nGets every widget."));
            doc.Examples.Add(new ExampleSection("Example 2: By id", "```powershell\nGet-MaceWidget -Id 3\n```\n\nGets widget 3."));
            foreach (var p in doc.Parameters.Where(p => p.Description.Contains("{{")))
                p.Description = $"The {p.Name} of the widget.";
            doc.Inputs.Types.Clear();
            doc.Inputs.Types.Add(new KeyValuePair<string, string>("System.String[]", "Names."));
            doc.Outputs.Types.Clear();
            doc.Outputs.Types.Add(new KeyValuePair<string, string>("MaceTools.MaceProgram", "A widget."));
            doc.RelatedLinksText = "- [Online](https://example.com/widget)\n- [about_MaceTools](about_MaceTools.md)";
            return doc;
        }

        public static string Page(CmdletInfo c) => MarkdownHelpWriter.Render(Document(c), c);
    }
}
