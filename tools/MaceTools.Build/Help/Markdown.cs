using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace MaceTools.Build
{
    /// <summary>The small part of markdown help needs: blocks, inline markup removal, word wrapping.</summary>
    internal static class Markdown
    {
        internal enum BlockKind { Paragraph, ListItem, Code, Heading, Table }

        internal sealed class Block
        {
            public Block(BlockKind kind, string text, string language = "", int level = 0)
            {
                Kind = kind;
                Text = text;
                Language = language;
                Level = level;
            }

            public BlockKind Kind { get; }
            /// <summary>Paragraphs and list items: the lines joined by spaces, inline markup kept. Code and tables: the lines as written.</summary>
            public string Text { get; }
            public string Language { get; }
            /// <summary>The heading level, or the list marker's indent.</summary>
            public int Level { get; }
            public bool IsCode => Kind == BlockKind.Code;
            public bool IsPreformatted => Kind == BlockKind.Code || Kind == BlockKind.Table;
        }

        private static readonly Regex ListMarker = new Regex(@"^(?<indent>\s*)(?<marker>[-*+]|\d+[.)])\s+(?<text>.*)$");
        private static readonly Regex Fence = new Regex(@"^\s*(?<fence>```+|~~~+)\s*(?<lang>[^`\s]*)\s*$");

        public static IEnumerable<string> Lines(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');

        public static List<Block> Blocks(string markdown)
        {
            var blocks = new List<Block>();
            var para = new List<string>();
            BlockKind paraKind = BlockKind.Paragraph;
            int paraLevel = 0;
            void Flush()
            {
                if (para.Count == 0) return;
                blocks.Add(paraKind == BlockKind.Table
                    ? new Block(BlockKind.Table, string.Join("\n", para))
                    : new Block(paraKind, string.Join(" ", para.Select(l => l.Trim())), level: paraLevel));
                para.Clear();
                paraKind = BlockKind.Paragraph;
                paraLevel = 0;
            }

            var lines = Lines(markdown).ToList();
            for (int i = 0; i < lines.Count; i++)
            {
                string line = lines[i];
                var fence = Fence.Match(line);
                if (fence.Success)
                {
                    Flush();
                    string marker = fence.Groups["fence"].Value;
                    var code = new List<string>();
                    int indent = line.Length - line.TrimStart().Length;
                    for (i++; i < lines.Count && !lines[i].Trim().StartsWith(marker, StringComparison.Ordinal); i++)
                        code.Add(indent > 0 && lines[i].Length >= indent && lines[i].Substring(0, indent).Trim().Length == 0 ? lines[i].Substring(indent) : lines[i]);
                    blocks.Add(new Block(BlockKind.Code, string.Join("\n", code), fence.Groups["lang"].Value));
                    continue;
                }
                string trimmed = line.Trim();
                if (trimmed.Length == 0) { Flush(); continue; }
                if (trimmed.StartsWith("#", StringComparison.Ordinal))
                {
                    Flush();
                    int level = trimmed.TakeWhile(c => c == '#').Count();
                    blocks.Add(new Block(BlockKind.Heading, trimmed.Substring(level).Trim(), level: level));
                    continue;
                }
                if (trimmed.StartsWith("|", StringComparison.Ordinal))
                {
                    if (paraKind != BlockKind.Table) Flush();
                    paraKind = BlockKind.Table;
                    para.Add(trimmed);
                    continue;
                }
                if (paraKind == BlockKind.Table) Flush();
                if (trimmed.StartsWith(">", StringComparison.Ordinal)) trimmed = trimmed.Substring(1).Trim();
                var item = ListMarker.Match(line);
                if (item.Success)
                {
                    Flush();
                    paraKind = BlockKind.ListItem;
                    paraLevel = item.Groups["indent"].Value.Length;
                    string marker = item.Groups["marker"].Value;
                    para.Add(char.IsDigit(marker[0]) ? marker + " " + item.Groups["text"].Value : item.Groups["text"].Value);
                    continue;
                }
                para.Add(trimmed);
            }
            Flush();
            return blocks;
        }

        private static readonly Regex Link = new Regex(@"\[(?<t>[^\]]+)\]\((?<u>[^)\s]+)\)");
        private static readonly Regex Bold = new Regex(@"(\*\*|__)(?<t>.+?)\1");
        private static readonly Regex Italic = new Regex(@"(?<![\w*])\*(?<t>[^*\s][^*]*?)\*(?![\w*])");

        private static readonly Regex CodeSpan = new Regex("(`+)(.+?)\\1");

        /// <summary>Inline markup to plain text: **bold** and *italic* lose their markers, [text](url) becomes "text (url)" for
        /// absolute urls and "text" otherwise, backslash escapes are removed. `code` keeps its backticks and is left as
        /// written: markdown reads no markup inside it, so a `*` there is a wildcard, not emphasis.</summary>
        public static string Plain(string text)
        {
            var sb = new StringBuilder();
            int at = 0;
            foreach (Match code in CodeSpan.Matches(text))
            {
                sb.Append(PlainOutsideCode(text.Substring(at, code.Index - at))).Append(code.Value);
                at = code.Index + code.Length;
            }
            return sb.Append(PlainOutsideCode(text.Substring(at))).ToString();
        }

        private static string PlainOutsideCode(string text)
        {
            text = Link.Replace(text, m => IsAbsolute(m.Groups["u"].Value) ? $"{m.Groups["t"].Value} ({m.Groups["u"].Value})" : m.Groups["t"].Value);
            text = Bold.Replace(text, m => m.Groups["t"].Value);
            text = Italic.Replace(text, m => m.Groups["t"].Value);
            return Regex.Replace(text, @"\\([\\`*_{}\[\]()#+\-.!<>|])", "$1");
        }

        public static bool IsAbsolute(string uri) => Uri.TryCreate(uri, UriKind.Absolute, out var u) && (u.Scheme == "http" || u.Scheme == "https");

        /// <summary>Greedy word wrap; a word longer than the width stays on its own line.</summary>
        public static List<string> Wrap(string text, int width, string indent, string? hangingIndent = null)
        {
            hangingIndent ??= indent;
            var lines = new List<string>();
            var sb = new StringBuilder(indent);
            bool empty = true;
            foreach (string word in text.Split(new[] { ' ', '\t', '\n' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!empty && sb.Length + 1 + word.Length > width)
                {
                    lines.Add(sb.ToString());
                    sb.Clear().Append(hangingIndent);
                    empty = true;
                }
                if (!empty) sb.Append(' ');
                sb.Append(word);
                empty = false;
            }
            if (!empty) lines.Add(sb.ToString());
            return lines;
        }

        /// <summary>Trims blank lines at both ends and trailing spaces, with LF line ends.</summary>
        public static string Tidy(IEnumerable<string> lines)
        {
            var list = lines.Select(l => l.TrimEnd()).ToList();
            while (list.Count > 0 && list[0].Length == 0) list.RemoveAt(0);
            while (list.Count > 0 && list[list.Count - 1].Length == 0) list.RemoveAt(list.Count - 1);
            return string.Join("\n", list);
        }
    }
}
