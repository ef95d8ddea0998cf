using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MaceTools.Build
{
    /// <summary>
    /// Creates and updates cmdlet help pages like Microsoft.PowerShell.PlatyPS New-/Update-MarkdownCommandHelp: the syntax
    /// and every parameter YAML block come from the assembly; synopsis, description, examples, parameter descriptions,
    /// inputs, outputs, notes and links written by people are kept as they are.
    /// </summary>
    internal static class MarkdownHelpWriter
    {
        public const string ExternalHelpFile = "MaceTools.dll-Help.xml";
        public const string ModuleName = "MaceTools";
        public const string Placeholder = "{{";

        private static readonly string[] FixedKeys =
        {
            "document type", "external help file", "HelpUri", "Locale", "Module Name", "ms.date", "PlatyPS schema version", "title",
        };

        /// <summary>Brings <paramref name="existing"/> (or a new skeleton) in line with the cmdlet's metadata; <paramref name="changes"/> says what moved.</summary>
        public static CommandHelpDocument Update(CommandHelpDocument? existing, CmdletInfo cmdlet, DateTime today, List<string> changes)
        {
            var doc = existing ?? Skeleton(cmdlet);
            doc.SetMeta("document type", "cmdlet");
            doc.SetMeta("external help file", ExternalHelpFile);
            if (doc.Meta("HelpUri") == null) doc.SetMeta("HelpUri", "");
            doc.SetMeta("Locale", "en-US");
            doc.SetMeta("Module Name", ModuleName);
            if (doc.Meta("ms.date") == null) doc.SetMeta("ms.date", today.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture));
            doc.SetMeta("PlatyPS schema version", CommandHelpDocument.SchemaVersion);
            doc.SetMeta("title", cmdlet.Name);
            doc.Title = cmdlet.Name;

            var wanted = HelpModel.DocumentedParameters(cmdlet);
            foreach (var stale in doc.Parameters.Where(s => wanted.All(p => !p.Name.Equals(s.Name, StringComparison.OrdinalIgnoreCase))).ToList())
            {
                doc.Parameters.Remove(stale);
                changes.Add($"{cmdlet.Name}: removed -{stale.Name} (no longer a parameter)");
            }
            var sections = new List<ParameterSection>();
            foreach (var p in wanted)
            {
                var section = doc.Parameter(p.Name);
                string yaml = ParameterYaml.From(p).ToYaml();
                if (section == null)
                {
                    string description = p.Name == "WhatIf" && HelpModel.IsRiskParameter(cmdlet, p) ? HelpModel.WhatIfDescription
                        : p.Name == "Confirm" && HelpModel.IsRiskParameter(cmdlet, p) ? HelpModel.ConfirmDescription
                        : $"{{{{ Fill {p.Name} Description }}}}";
                    section = new ParameterSection(p.Name, description, yaml, 0);
                    changes.Add($"{cmdlet.Name}: added -{p.Name}");
                }
                else if (section.Yaml.Trim() != yaml)
                {
                    section.Yaml = yaml;
                    changes.Add($"{cmdlet.Name}: updated the metadata of -{p.Name}");
                }
                sections.Add(new ParameterSection(p.Name, section.Description, yaml, section.Line));
            }
            doc.Parameters.Clear();
            doc.Parameters.AddRange(sections);

            foreach (var type in cmdlet.OutputTypes.Where(t => doc.Outputs.Types.All(o => o.Key != t)))
            {
                doc.Outputs.Types.Add(new KeyValuePair<string, string>(type, "{{ Fill in the Description }}"));
                changes.Add($"{cmdlet.Name}: added output type {type}");
            }
            return doc;
        }

        private static CommandHelpDocument Skeleton(CmdletInfo cmdlet)
        {
            var doc = new CommandHelpDocument
            {
                Synopsis = "{{ Fill in the Synopsis }}",
                Aliases = "This cmdlet has no aliases.",
                Description = "{{ Fill in the Description }}",
                Notes = "{{ Fill in the Notes }}",
                RelatedLinksText = "- [about_MaceTools](about_MaceTools.md)",
            };
            doc.Examples.Add(new ExampleSection("Example 1: {{ Add example title here }}", "```powershell\n{{ Add example code here }}\n```\n\n{{ Add example description here }}"));
            var inputs = cmdlet.Parameters.Where(p => p.Sets.Any(s => s.ValueFromPipeline || s.ValueFromPipelineByPropertyName)).Select(p => p.TypeName).Distinct();
            foreach (var t in inputs) doc.Inputs.Types.Add(new KeyValuePair<string, string>(t, "{{ Fill in the Description }}"));
            if (doc.Inputs.Types.Count == 0) doc.Inputs.Text = "None. You can't pipe objects to this cmdlet.";
            return doc;
        }

        public static string Render(CommandHelpDocument doc, CmdletInfo cmdlet)
        {
            var sb = new StringBuilder();
            void Line(string s = "") => sb.Append(s).Append('\n');
            void Text(string s)
            {
                if (s.Length == 0) return;
                Line(s);
                Line();
            }

            Line("---");
            foreach (var key in FixedKeys)
            {
                string? v = doc.Meta(key);
                if (v != null) Line($"{key}: {FrontValue(v)}");
            }
            foreach (var kv in doc.FrontMatter.Where(kv => !FixedKeys.Contains(kv.Key, StringComparer.OrdinalIgnoreCase)))
                Line($"{kv.Key}: {FrontValue(kv.Value)}");
            Line("---");
            Line();
            Line("# " + doc.Title);
            Line();
            Line("## SYNOPSIS");
            Line();
            Text(doc.Synopsis);
            Line("## SYNTAX");
            Line();
            foreach (var set in cmdlet.ParameterSetNames)
            {
                Line("### " + set + (set == cmdlet.DefaultParameterSetName && cmdlet.ParameterSetNames.Count > 1 ? " (Default)" : ""));
                Line();
                Line("```");
                Line(HelpModel.WrapSyntax(HelpModel.SyntaxLine(cmdlet, set)));
                Line("```");
                Line();
            }
            Line("## ALIASES");
            Line();
            Text(doc.Aliases);
            Line("## DESCRIPTION");
            Line();
            Text(doc.Description);
            Line("## EXAMPLES");
            Line();
            foreach (var e in doc.Examples)
            {
                Line("### " + e.Title);
                Line();
                Text(e.Body);
            }
            Line("## PARAMETERS");
            Line();
            foreach (var p in doc.Parameters)
            {
                Line("### -" + p.Name);
                Line();
                Text(p.Description);
                Line("```yaml");
                Line(p.Yaml.TrimEnd('\n'));
                Line("```");
                Line();
            }
            Line("### CommonParameters");
            Line();
            Text(HelpModel.CommonParametersText);
            TypeList("INPUTS", doc.Inputs);
            TypeList("OUTPUTS", doc.Outputs);
            Line("## NOTES");
            Line();
            Text(doc.Notes);
            Line("## RELATED LINKS");
            Line();
            Text(doc.RelatedLinksText);
            return sb.ToString().TrimEnd('\n') + "\n";

            void TypeList(string heading, TypeListSection list)
            {
                Line("## " + heading);
                Line();
                Text(list.Text);
                foreach (var kv in list.Types)
                {
                    Line("### " + kv.Key);
                    Line();
                    Text(kv.Value);
                }
            }
        }

        private static string FrontValue(string v) => v.Length == 0 ? "''" : v.Contains(": ") || v.StartsWith("'", StringComparison.Ordinal) ? "'" + v.Replace("'", "''") + "'" : v;
    }
}
