using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace MaceTools.Build
{
    /// <summary>
    /// Reads a cmdlet help page in the PlatyPS v1 schema (2024-05-01): front matter, the fixed ## headings in order,
    /// ### subsections for examples, parameters (each with its ```yaml block), inputs and outputs.
    /// Errors name the file and line.
    /// </summary>
    internal static class MarkdownHelpReader
    {
        public static readonly string[] Sections =
        {
            "SYNOPSIS", "SYNTAX", "ALIASES", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS",
        };

        private static readonly Regex Heading = new Regex(@"^(?<h>#{1,6})\s+(?<t>.*?)\s*$");
        private static readonly Regex Fence = new Regex(@"^\s*(```+|~~~+)");

        public static CommandHelpDocument ReadFile(string path) => Read(File.ReadAllText(path), path);

        public static CommandHelpDocument Read(string markdown, string source = "<markdown>")
        {
            var doc = new CommandHelpDocument { Source = source };
            var lines = Markdown.Lines(markdown).ToList();
            int i = ReadFrontMatter(lines, doc, source);
            if (doc.Meta("PlatyPS schema version") != CommandHelpDocument.SchemaVersion || doc.Meta("document type") != "cmdlet")
                throw Fail(source, 1, $"front matter must say 'document type: cmdlet' and 'PlatyPS schema version: {CommandHelpDocument.SchemaVersion}'");

            string? section = null, sub = null;
            int subLine = 0;
            var body = new List<string>();
            var seen = new List<string>();
            bool inFence = false;

            void Close()
            {
                string text = Markdown.Tidy(body);
                body.Clear();
                if (section == null)
                {
                    if (text.Length > 0) throw Fail(source, subLine, "text before the first ## section");
                    return;
                }
                Store(doc, section, sub, text, subLine, source);
            }

            for (; i < lines.Count; i++)
            {
                string line = lines[i];
                if (Fence.IsMatch(line)) inFence = !inFence;
                var h = inFence ? Match.Empty : Heading.Match(line);
                if (!h.Success) { body.Add(line); continue; }
                int level = h.Groups["h"].Value.Length;
                string title = h.Groups["t"].Value;
                if (level == 1)
                {
                    if (doc.Title.Length > 0 || section != null) throw Fail(source, i + 1, $"a second # heading '{title}'");
                    doc.Title = title;
                    subLine = i + 1;
                    continue;
                }
                if (level == 2)
                {
                    Close();
                    string name = title.ToUpperInvariant();
                    if (!Sections.Contains(name)) throw Fail(source, i + 1, $"unknown section '## {title}' (expected one of {string.Join(", ", Sections)})");
                    if (seen.Contains(name)) throw Fail(source, i + 1, $"section '## {name}' appears twice");
                    seen.Add(name);
                    section = name;
                    sub = null;
                    subLine = i + 1;
                    continue;
                }
                if (level == 3 && section != null && section != "SYNOPSIS" && section != "DESCRIPTION" && section != "NOTES" && section != "ALIASES" && section != "RELATED LINKS")
                {
                    Close();
                    sub = title;
                    subLine = i + 1;
                    continue;
                }
                body.Add(line);
            }
            if (inFence) throw Fail(source, lines.Count, "a ``` code block is not closed");
            Close();

            if (doc.Title.Length == 0) throw Fail(source, 1, "no '# <cmdlet name>' heading");
            var missing = Sections.Where(s => !seen.Contains(s)).ToList();
            if (missing.Count > 0) throw Fail(source, 1, $"missing section(s): {string.Join(", ", missing.Select(s => "## " + s))}");
            for (int k = 0; k < Sections.Length; k++)
                if (seen[k] != Sections[k]) throw Fail(source, 1, $"sections out of order: '## {seen[k]}' where '## {Sections[k]}' belongs (order: {string.Join(", ", Sections)})");
            return doc;
        }

        private static int ReadFrontMatter(List<string> lines, CommandHelpDocument doc, string source)
        {
            if (lines.Count == 0 || lines[0].Trim() != "---") throw Fail(source, 1, "no front matter (the file must start with ---)");
            int end = lines.FindIndex(1, l => l.Trim() == "---");
            if (end < 0) throw Fail(source, 1, "the front matter is not closed with ---");
            string yaml = string.Join("\n", lines.Skip(1).Take(end - 1));
            Dictionary<string, object?> map;
            try { map = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(yaml) ?? new Dictionary<string, object?>(); }
            catch (YamlException e) { throw Fail(source, (int)e.Start.Line + 1, "front matter: " + e.Message); }
            // Keep the file's key order: walk the lines for the keys.
            foreach (var l in lines.Skip(1).Take(end - 1))
            {
                int colon = l.IndexOf(':');
                if (colon <= 0 || char.IsWhiteSpace(l[0]) || l[0] == '-') continue;
                string key = l.Substring(0, colon).Trim();
                if (!map.TryGetValue(key, out var v)) continue;
                string value = v is IEnumerable<object> list && !(v is string) ? string.Join(", ", list) : v?.ToString() ?? "";
                doc.FrontMatter.Add(new KeyValuePair<string, string>(key, value));
            }
            return end + 1;
        }

        private static void Store(CommandHelpDocument doc, string section, string? sub, string text, int line, string source)
        {
            switch (section)
            {
                case "SYNOPSIS": doc.Synopsis = text; break;
                case "SYNTAX": break; // generated from the assembly, never read
                case "ALIASES": doc.Aliases = text; break;
                case "DESCRIPTION": doc.Description = text; break;
                case "NOTES": doc.Notes = text; break;
                case "RELATED LINKS": doc.RelatedLinksText = text; break;
                case "EXAMPLES":
                    if (sub == null) { if (text.Length > 0) throw Fail(source, line, "text under ## EXAMPLES outside an ### Example heading"); break; }
                    doc.Examples.Add(new ExampleSection(sub, text));
                    break;
                case "INPUTS":
                case "OUTPUTS":
                    var list = section == "INPUTS" ? doc.Inputs : doc.Outputs;
                    if (sub == null) list.Text = text;
                    else list.Types.Add(new KeyValuePair<string, string>(sub, text));
                    break;
                case "PARAMETERS":
                    if (sub == null) { if (text.Length > 0) throw Fail(source, line, "text under ## PARAMETERS outside a ### -Name heading"); break; }
                    if (sub == "CommonParameters") break; // constant text, regenerated
                    if (!sub.StartsWith("-", StringComparison.Ordinal)) throw Fail(source, line, $"parameter heading '### {sub}' must be '### -Name'");
                    string name = sub.Substring(1).Trim();
                    if (doc.Parameter(name) != null) throw Fail(source, line, $"parameter -{name} is documented twice");
                    doc.Parameters.Add(SplitParameter(name, text, line, source));
                    break;
            }
        }

        private static ParameterSection SplitParameter(string name, string text, int line, string source)
        {
            var lines = text.Split('\n').ToList();
            int open = lines.FindIndex(l => Regex.IsMatch(l, @"^\s*```\s*yaml\s*$"));
            if (open < 0) throw Fail(source, line, $"parameter -{name} has no ```yaml block");
            int close = lines.FindIndex(open + 1, l => l.Trim().StartsWith("```", StringComparison.Ordinal));
            if (close < 0) throw Fail(source, line + open + 1, $"parameter -{name}: the ```yaml block is not closed");
            string after = Markdown.Tidy(lines.Skip(close + 1));
            if (after.Length > 0) throw Fail(source, line + close + 2, $"parameter -{name}: text after the ```yaml block (put the description before it)");
            return new ParameterSection(name, Markdown.Tidy(lines.Take(open)), string.Join("\n", lines.Skip(open + 1).Take(close - open - 1)), line);
        }

        private static BuildException Fail(string source, int line, string message) => new BuildException($"{source}:{line}: {message}");
    }
}
