using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MaceTools.Build
{
    /// <summary>
    /// Renders an about topic written in the legacy platyPS about template (# Topic, ## about_Topic, then # SHORT DESCRIPTION,
    /// # LONG DESCRIPTION, # EXAMPLES, # NOTE, # TROUBLESHOOTING NOTE, # SEE ALSO, # KEYWORDS) to the plain text
    /// Get-Help shows: markdown stripped, section headings in capitals, text indented and wrapped to 80 columns.
    /// </summary>
    internal static class AboutTopicRenderer
    {
        public const int Width = 80;
        public static readonly string[] RequiredSections = { "SHORT DESCRIPTION", "LONG DESCRIPTION" };
        public static readonly string[] KnownSections = { "SHORT DESCRIPTION", "LONG DESCRIPTION", "EXAMPLES", "NOTE", "TROUBLESHOOTING NOTE", "SEE ALSO", "KEYWORDS" };

        public static string Render(string markdown, string source = "<about>")
        {
            string body = StripFrontMatter(markdown);
            var blocks = Markdown.Blocks(body);
            var headings = blocks.Where(b => b.Kind == Markdown.BlockKind.Heading).ToList();
            if (headings.Count < 2 || headings[0].Level != 1 || headings[1].Level != 2 || !headings[1].Text.StartsWith("about_", StringComparison.Ordinal))
                throw new BuildException($"{source}: an about topic starts with '# <Topic>' and '## about_<Topic>'");
            string topic = headings[1].Text;
            var sections = headings.Skip(2).Where(h => h.Level == 1).Select(h => h.Text.ToUpperInvariant()).ToList();
            foreach (var s in sections.Where(s => !KnownSections.Contains(s)))
                throw new BuildException($"{source}: unknown section '# {s}' (the template has {string.Join(", ", KnownSections)})");
            foreach (var r in RequiredSections.Where(r => !sections.Contains(r)))
                throw new BuildException($"{source}: missing section '# {r}'");

            var lines = new List<string> { "TOPIC", "    " + topic, "" };
            var rest = blocks.Skip(blocks.IndexOf(headings[1]) + 1).ToList();
            for (int i = 0; i < rest.Count; i++)
            {
                var b = rest[i];
                switch (b.Kind)
                {
                    case Markdown.BlockKind.Heading when b.Level == 1:
                        lines.Add(b.Text.ToUpperInvariant());
                        break;
                    case Markdown.BlockKind.Heading:
                        lines.AddRange(Markdown.Wrap(Markdown.Plain(b.Text), Width, new string(' ', 2 * (b.Level - 1))));
                        lines.Add("");
                        break;
                    case Markdown.BlockKind.Paragraph:
                        lines.AddRange(Markdown.Wrap(Markdown.Plain(b.Text), Width, "    "));
                        lines.Add("");
                        break;
                    case Markdown.BlockKind.ListItem:
                        string pad = "    " + new string(' ', b.Level);
                        string text = Markdown.Plain(b.Text);
                        lines.AddRange(char.IsDigit(text.FirstOrDefault())
                            ? Markdown.Wrap(text, Width, pad, pad + new string(' ', text.IndexOf(' ') + 1))
                            : Markdown.Wrap("- " + text, Width, pad, pad + "  "));
                        if (i + 1 >= rest.Count || rest[i + 1].Kind != Markdown.BlockKind.ListItem) lines.Add("");
                        break;
                    case Markdown.BlockKind.Code:
                    case Markdown.BlockKind.Table:
                        string indent = b.Kind == Markdown.BlockKind.Code ? "        " : "    ";
                        foreach (var l in Markdown.Lines(b.Text))
                        {
                            string line = (indent + l).TrimEnd();
                            if (line.Length > Width)
                                throw new BuildException($"{source}: this {(b.IsCode ? "code" : "table")} line is {line.Length} columns once indented (limit {Width}): '{l.Trim()}'");
                            lines.Add(line);
                        }
                        lines.Add("");
                        break;
                }
            }
            var rendered = Markdown.Tidy(CollapseBlankLines(lines));
            foreach (var l in Markdown.Lines(rendered))
                if (l.Length > Width) throw new BuildException($"{source}: a word longer than {Width} columns cannot be wrapped: '{l.Trim()}'");
            return rendered + "\n";
        }

        private static IEnumerable<string> CollapseBlankLines(IEnumerable<string> lines)
        {
            bool blank = false;
            foreach (var l in lines)
            {
                bool b = l.Trim().Length == 0;
                if (b && blank) continue;
                blank = b;
                yield return b ? "" : l;
            }
        }

        private static string StripFrontMatter(string markdown)
        {
            var lines = Markdown.Lines(markdown).ToList();
            if (lines.Count > 0 && lines[0].Trim() == "---")
            {
                int end = lines.FindIndex(1, l => l.Trim() == "---");
                if (end > 0) return string.Join("\n", lines.Skip(end + 1));
            }
            return string.Join("\n", lines);
        }

        public static byte[] Encode(string text) => new UTF8Encoding(false).GetBytes(text);
    }
}
