using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Build
{
    /// <summary>
    /// A cmdlet help page in the PlatyPS v1 markdown schema ("PlatyPS schema version: 2024-05-01", powershell-module.md §5.1).
    /// Human-written parts are kept as raw markdown so that an update writes them back unchanged.
    /// </summary>
    internal sealed class CommandHelpDocument
    {
        public const string SchemaVersion = "2024-05-01";

        /// <summary>Front matter in file order.</summary>
        public List<KeyValuePair<string, string>> FrontMatter { get; } = new List<KeyValuePair<string, string>>();
        public string Title { get; set; } = "";
        public string Synopsis { get; set; } = "";
        public string Aliases { get; set; } = "";
        public string Description { get; set; } = "";
        public List<ExampleSection> Examples { get; } = new List<ExampleSection>();
        public List<ParameterSection> Parameters { get; } = new List<ParameterSection>();
        public TypeListSection Inputs { get; } = new TypeListSection();
        public TypeListSection Outputs { get; } = new TypeListSection();
        public string Notes { get; set; } = "";
        /// <summary>The RELATED LINKS section as written.</summary>
        public string RelatedLinksText { get; set; } = "";

        /// <summary>The path the document was read from (for messages); null for a document built in memory.</summary>
        public string? Source { get; set; }

        public string? Meta(string key) => FrontMatter.Where(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Select(kv => kv.Value).FirstOrDefault();

        public void SetMeta(string key, string value)
        {
            int i = FrontMatter.FindIndex(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase));
            if (i >= 0) FrontMatter[i] = new KeyValuePair<string, string>(FrontMatter[i].Key, value);
            else FrontMatter.Add(new KeyValuePair<string, string>(key, value));
        }

        public ParameterSection? Parameter(string name) => Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>The links of RELATED LINKS: "- [text](uri)" items, "[text](uri)" lines, or plain text lines.</summary>
        public IEnumerable<(string Text, string Uri)> RelatedLinks
        {
            get
            {
                foreach (var raw in RelatedLinksText.Split('\n'))
                {
                    string line = raw.Trim();
                    if (line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal)) line = line.Substring(2).Trim();
                    if (line.Length == 0) continue;
                    var m = System.Text.RegularExpressions.Regex.Match(line, @"^\[(?<t>[^\]]*)\]\((?<u>[^)]*)\)$");
                    yield return m.Success ? (m.Groups["t"].Value.Trim(), m.Groups["u"].Value.Trim()) : (line, "");
                }
            }
        }
    }

    internal sealed class ExampleSection
    {
        public ExampleSection(string title, string body)
        {
            Title = title;
            Body = body;
        }

        /// <summary>The heading text, e.g. "Example 1: Read a program cache".</summary>
        public string Title { get; }
        /// <summary>Raw markdown: fenced code and the remarks around it.</summary>
        public string Body { get; }

        /// <summary>The PowerShell code blocks (```powershell, or unlabelled), joined by a blank line.</summary>
        public string Code => string.Join("\n\n", Markdown.Blocks(Body).Where(b => b.IsCode && IsPowerShell(b.Language)).Select(b => b.Text));

        /// <summary>Everything else, as markdown: prose and output blocks.</summary>
        public IEnumerable<Markdown.Block> Remarks => Markdown.Blocks(Body).Where(b => !(b.IsCode && IsPowerShell(b.Language)));

        private static bool IsPowerShell(string language) =>
            language.Length == 0 || language.Equals("powershell", StringComparison.OrdinalIgnoreCase) || language.Equals("ps", StringComparison.OrdinalIgnoreCase)
            || language.Equals("pwsh", StringComparison.OrdinalIgnoreCase) || language.Equals("ps1", StringComparison.OrdinalIgnoreCase);
    }

    internal sealed class ParameterSection
    {
        public ParameterSection(string name, string description, string yaml, int line)
        {
            Name = name;
            Description = description;
            Yaml = yaml;
            Line = line;
        }

        public string Name { get; }
        public string Description { get; set; }
        /// <summary>The raw text of the ```yaml block.</summary>
        public string Yaml { get; set; }
        /// <summary>The line of the heading in the source file (0 when built in memory).</summary>
        public int Line { get; }
    }

    /// <summary>INPUTS or OUTPUTS: "### TypeName" subsections, or free text (e.g. "None.").</summary>
    internal sealed class TypeListSection
    {
        public string Text { get; set; } = "";
        public List<KeyValuePair<string, string>> Types { get; } = new List<KeyValuePair<string, string>>();
    }
}
