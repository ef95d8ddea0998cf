using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace MaceTools.Build
{
    /// <summary>
    /// The per-parameter YAML block of the PlatyPS v1 schema (Microsoft.PowerShell.PlatyPS ParameterMetadataV2). The same
    /// record is built from the assembly metadata, so the two compare field by field.
    /// </summary>
    internal sealed class ParameterYaml
    {
        public const string AllSetsName = "(All)";

        public string Type { get; set; } = "";
        public string DefaultValue { get; set; } = "None";
        public bool SupportsWildcards { get; set; }
        public List<string> ParameterValue { get; set; } = new List<string>();
        public List<string> Aliases { get; set; } = new List<string>();
        public List<ParameterSetYaml> ParameterSets { get; set; } = new List<ParameterSetYaml>();
        public bool DontShow { get; set; }
        public List<string> AcceptedValues { get; set; } = new List<string>();
        public string HelpMessage { get; set; } = "";

        public static ParameterYaml Parse(string yaml, string where)
        {
            try
            {
                var d = new DeserializerBuilder().Build();
                return d.Deserialize<ParameterYaml>(yaml) ?? throw new BuildException($"{where}: the ```yaml block is empty");
            }
            catch (YamlException e)
            {
                throw new BuildException($"{where}: the ```yaml block does not parse: {(e.InnerException ?? e).Message}", e);
            }
        }

        public static ParameterYaml From(ParameterInfo p) => new ParameterYaml
        {
            Type = p.TypeName,
            DefaultValue = p.DefaultValue,
            SupportsWildcards = p.SupportsWildcards,
            Aliases = p.Aliases.ToList(),
            ParameterSets = p.Sets.Select(s => new ParameterSetYaml
            {
                Name = s.Name == CmdletInfo.AllParameterSets ? AllSetsName : s.Name,
                Position = s.Position?.ToString(CultureInfo.InvariantCulture) ?? "Named",
                IsRequired = s.Mandatory,
                ValueFromPipeline = s.ValueFromPipeline,
                ValueFromPipelineByPropertyName = s.ValueFromPipelineByPropertyName,
                ValueFromRemainingArguments = s.ValueFromRemainingArguments,
            }).ToList(),
            DontShow = p.DontShow,
            AcceptedValues = p.AcceptedValues.ToList(),
            HelpMessage = p.HelpMessage,
        };

        /// <summary>The differences to <paramref name="expected"/>, each as "Field: has X, the assembly says Y".</summary>
        public List<string> Differences(ParameterYaml expected)
        {
            var d = new List<string>();
            void Check(string field, string actual, string want)
            {
                if (actual != want) d.Add($"{field}: the markdown says '{actual}', the assembly says '{want}'");
            }
            Check("Type", Type, expected.Type);
            Check("DefaultValue", DefaultValue, expected.DefaultValue);
            Check("SupportsWildcards", Bool(SupportsWildcards), Bool(expected.SupportsWildcards));
            Check("Aliases", string.Join(", ", Aliases), string.Join(", ", expected.Aliases));
            Check("DontShow", Bool(DontShow), Bool(expected.DontShow));
            Check("AcceptedValues", string.Join(", ", AcceptedValues), string.Join(", ", expected.AcceptedValues));
            Check("HelpMessage", HelpMessage ?? "", expected.HelpMessage);
            Check("ParameterSets", string.Join(", ", ParameterSets.Select(s => s.Name).OrderBy(n => n, StringComparer.Ordinal)),
                string.Join(", ", expected.ParameterSets.Select(s => s.Name).OrderBy(n => n, StringComparer.Ordinal)));
            foreach (var want in expected.ParameterSets)
            {
                var have = ParameterSets.FirstOrDefault(s => s.Name == want.Name);
                if (have == null) continue;
                string set = $"ParameterSets[{want.Name}].";
                Check(set + "Position", have.Position, want.Position);
                Check(set + "IsRequired", Bool(have.IsRequired), Bool(want.IsRequired));
                Check(set + "ValueFromPipeline", Bool(have.ValueFromPipeline), Bool(want.ValueFromPipeline));
                Check(set + "ValueFromPipelineByPropertyName", Bool(have.ValueFromPipelineByPropertyName), Bool(want.ValueFromPipelineByPropertyName));
                Check(set + "ValueFromRemainingArguments", Bool(have.ValueFromRemainingArguments), Bool(want.ValueFromRemainingArguments));
            }
            return d;
        }

        private static string Bool(bool b) => b ? "true" : "false";

        /// <summary>Writes the block as Microsoft.PowerShell.PlatyPS does (key order, [] for empty lists, '' for an empty string).</summary>
        public string ToYaml()
        {
            var sb = new StringBuilder();
            void Line(string s) => sb.Append(s).Append('\n');
            void List(string key, List<string> items)
            {
                if (items.Count == 0) { Line(key + ": []"); return; }
                Line(key + ":");
                foreach (var i in items) Line("- " + Scalar(i));
            }
            Line("Type: " + Scalar(Type));
            Line("DefaultValue: " + Scalar(DefaultValue));
            Line("SupportsWildcards: " + Bool(SupportsWildcards));
            List("ParameterValue", ParameterValue);
            List("Aliases", Aliases);
            Line("ParameterSets:");
            foreach (var s in ParameterSets)
            {
                Line("- Name: " + Scalar(s.Name));
                Line("  Position: " + Scalar(s.Position));
                Line("  IsRequired: " + Bool(s.IsRequired));
                Line("  ValueFromPipeline: " + Bool(s.ValueFromPipeline));
                Line("  ValueFromPipelineByPropertyName: " + Bool(s.ValueFromPipelineByPropertyName));
                Line("  ValueFromRemainingArguments: " + Bool(s.ValueFromRemainingArguments));
            }
            Line("DontShow: " + Bool(DontShow));
            List("AcceptedValues", AcceptedValues);
            Line("HelpMessage: " + Scalar(HelpMessage));
            return sb.ToString().TrimEnd('\n');
        }

        /// <summary>A YAML scalar: plain when that reads back as the same string, single-quoted otherwise.</summary>
        private static string Scalar(string s)
        {
            if (s.Length == 0) return "''";
            bool plain = !s.StartsWith(" ", StringComparison.Ordinal) && !s.EndsWith(" ", StringComparison.Ordinal)
                && "-?:,[]{}#&*!|>'\"%@`".IndexOf(s[0]) < 0 && !s.Contains(": ") && !s.Contains(" #")
                && s != "~";
            // Numbers and true/false words stay plain, as PlatyPS writes them: every field read back is a string.
            return plain ? s : "'" + s.Replace("'", "''") + "'";
        }
    }

    internal sealed class ParameterSetYaml
    {
        public string Name { get; set; } = "";
        public string Position { get; set; } = "Named";
        public bool IsRequired { get; set; }
        public bool ValueFromPipeline { get; set; }
        public bool ValueFromPipelineByPropertyName { get; set; }
        public bool ValueFromRemainingArguments { get; set; }
    }
}
