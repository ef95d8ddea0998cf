using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Build
{
    /// <summary>
    /// Checks a help page against the cmdlet it documents. Every problem names the cmdlet and, where there is one, the
    /// parameter: the MAML build fails on any of them.
    /// </summary>
    internal static class HelpValidator
    {
        public static List<string> Validate(CmdletInfo cmdlet, CommandHelpDocument doc)
        {
            var problems = new List<string>();
            string where = doc.Source != null ? $" ({doc.Source})" : "";
            void Problem(string message) => problems.Add($"{cmdlet.Name}: {message}{where}");
            void Text(string what, string text, bool required = true)
            {
                if (required && text.Trim().Length == 0) Problem($"{what} is empty");
                else if (text.Contains(MarkdownHelpWriter.Placeholder)) Problem($"{what} still holds a {{{{ placeholder }}}}");
            }

            if (!string.Equals(doc.Title, cmdlet.Name, StringComparison.Ordinal)) Problem($"the page is titled '{doc.Title}'");
            if (doc.Meta("title") is string t && t != cmdlet.Name) Problem($"front matter title is '{t}'");
            Text("SYNOPSIS", doc.Synopsis);
            Text("DESCRIPTION", doc.Description);
            Text("NOTES", doc.Notes, required: false);
            Text("RELATED LINKS", doc.RelatedLinksText, required: false);
            Text("ALIASES", doc.Aliases, required: false);

            if (doc.Examples.Count == 0) Problem("has no example (add '### Example 1: ...' with a ```powershell block under ## EXAMPLES)");
            for (int i = 0; i < doc.Examples.Count; i++)
            {
                var e = doc.Examples[i];
                // Get-Help shows the titles as they are: a repeated or skipped number reads as a missing example.
                if (!e.Title.StartsWith($"Example {i + 1}: ", StringComparison.Ordinal))
                    Problem($"'{e.Title}' should be 'Example {i + 1}: ...' (examples are numbered 1..N in order)");
                if (e.Code.Trim().Length == 0) Problem($"'{e.Title}' has no ```powershell code");
                Text($"'{e.Title}'", e.Title + "\n" + e.Body);
                if (!e.Remarks.Any(b => !b.IsPreformatted && b.Kind != Markdown.BlockKind.Heading)) Problem($"'{e.Title}' has no remarks explaining it");
            }

            var documented = HelpModel.DocumentedParameters(cmdlet);
            foreach (var p in documented)
            {
                var section = doc.Parameter(p.Name);
                if (section == null)
                {
                    Problem($"parameter -{p.Name} is not documented (add '### -{p.Name}' under ## PARAMETERS, or run `MaceTools.Build.dll markdown`)");
                    continue;
                }
                if (section.Name != p.Name) Problem($"parameter -{p.Name} is documented as -{section.Name} (case differs)");
                Text($"the description of -{p.Name}", section.Description);
                ParameterYaml yaml;
                try { yaml = ParameterYaml.Parse(section.Yaml, $"-{p.Name}"); }
                catch (BuildException e) { Problem($"parameter {e.Message}"); continue; }
                foreach (var d in yaml.Differences(ParameterYaml.From(p)))
                    Problem($"parameter -{p.Name}: {d} (run `MaceTools.Build.dll markdown` to update the yaml)");
            }
            foreach (var s in doc.Parameters.Where(s => documented.All(p => !p.Name.Equals(s.Name, StringComparison.OrdinalIgnoreCase))))
                Problem($"documents parameter -{s.Name}, which the cmdlet does not have");

            foreach (var type in cmdlet.OutputTypes.Where(o => doc.Outputs.Types.All(d => d.Key != o)))
                Problem($"## OUTPUTS does not list '### {type}' ([OutputType] declares it)");
            foreach (var kv in doc.Inputs.Types.Concat(doc.Outputs.Types)) Text($"the text of '### {kv.Key}'", kv.Value, required: false);
            if (doc.Inputs.Types.Count == 0 && doc.Inputs.Text.Trim().Length == 0) Problem("## INPUTS is empty (list the pipeline input types, or say None)");
            if (doc.Outputs.Types.Count == 0 && doc.Outputs.Text.Trim().Length == 0) Problem("## OUTPUTS is empty");
            return problems;
        }
    }
}
