using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MaceTools.Formats;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace MaceTools.Config
{
    /// <summary>
    /// The one way MaceTools parses YAML (deployment files, inventories, the tuning sidecar's JSON): bounded in document
    /// size, nesting depth and the number of nodes once every alias is expanded. YamlDotNet shares an aliased node instead
    /// of copying it, so an alias bomb ("billion laughs", or a <c>&lt;&lt;:</c> merge-key bomb) parses small and blows up
    /// only when a reader walks it; the count here is of the walk's size, taken from the parser's events as they come,
    /// so the bomb is refused at the alias that crosses the limit, before any node is walked. Every problem is a
    /// <see cref="YamlException"/> at the right line and column, which each reader reports as its own finding.
    /// </summary>
    public static class BoundedYaml
    {
        /// <summary>Real deployment files and inventories nest 4-7 levels; the parser recurses once per level.</summary>
        public const int MaxDepth = 64;

        /// <summary>
        /// Nodes after alias expansion: real deployment files have a few hundred, an inventory about a dozen per device (so
        /// this is some 8,000 devices). The readers' walks (merge keys above all) cost microseconds per expanded node, so at
        /// the limit a read still takes a fraction of a second.
        /// </summary>
        public const long MaxNodes = 100_000;

        /// <summary>Parses <paramref name="text"/> read as <paramref name="kind"/> (whose cap also bounds text given directly).</summary>
        public static YamlStream Load(string text, InputKind kind)
        {
            long cap = InputGate.CapOf(kind);
            if (text.Length > cap)
                throw new YamlException(Start, Start,
                    $"the document is {text.Length.ToString("N0", CultureInfo.InvariantCulture)} characters; {InputGate.Caps[kind].Plural} are capped at {InputGate.Size(cap)}");
            var scanner = new Scanner(new StringReader(text));
            var stream = new YamlStream();
            try
            {
                stream.Load(new Limited(new Parser(scanner)));
            }
            catch (YamlException e) when (e.Message.IndexOf(" tab", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                // The scanner reports a bad tab where the construct it was in began (or at 1:1): the tab itself is the place.
                var at = TabAfter(text, e.Start);
                throw new YamlException(at, at, e.Message, e);
            }
            catch (Exception e) when (e is InvalidOperationException || e is ArgumentException || e is IndexOutOfRangeException)
            {
                // YamlDotNet throws these on some unterminated flow collections; its scanner knows where it stopped.
                var at = scanner.CurrentPosition;
                throw new YamlException(at, at, "the parser cannot go on from here (often an unclosed '[', '{' or quote above)", e);
            }
            return stream;
        }

        /// <summary>A parser with the same bounds, for YamlDotNet's deserializer (JSON the tuning worker sends back).</summary>
        public static IParser Parser(string text) => new Limited(new Parser(new StringReader(text)));

        private static readonly Mark Start = new Mark(0, 1, 1);

        /// <summary>The first tab in a line's indentation at or after <paramref name="from"/>; else the first tab after it; else <paramref name="from"/>.</summary>
        internal static Mark TabAfter(string text, Mark from)
        {
            long line = 1, column = 1;
            Mark? anyTab = null;
            bool indentation = true;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                bool after = line > from.Line || (line == from.Line && column >= from.Column);
                if (c == '\t' && after)
                {
                    if (indentation) return new Mark(i, line, column);
                    anyTab ??= new Mark(i, line, column);
                }
                if (c == '\n') { line++; column = 1; indentation = true; continue; }
                if (c != ' ' && c != '\t') indentation = false;
                column++;
            }
            return anyTab ?? from;
        }

        /// <summary>Passes the events through, counting depth and expanded nodes; throws at the first event past a limit.</summary>
        private sealed class Limited : IParser
        {
            private readonly IParser _inner;
            private readonly Dictionary<string, long> _sizes = new Dictionary<string, long>(StringComparer.Ordinal);
            private readonly Stack<(string? Anchor, long Before)> _open = new Stack<(string?, long)>();
            private long _expanded;

            public Limited(IParser inner) => _inner = inner;

            public ParsingEvent? Current => _inner.Current;

            public bool MoveNext()
            {
                if (!_inner.MoveNext()) return false;
                switch (_inner.Current)
                {
                    case AnchorAlias alias:
                        string name = alias.Value.Value;
                        if (!_sizes.TryGetValue(name, out long n))
                        {
                            // YamlDotNet resolves both into shared nodes: a cycle, which its hashing of a mapping key and
                            // every reader's walk would follow until the stack overflows (a crash no catch survives).
                            bool open = _open.Any(o => o.Anchor == name);
                            throw new YamlException(alias.Start, alias.End, open
                                ? $"the alias *{name} is inside the node it names (a recursive structure)"
                                : $"the alias *{name} names no anchor (&{name}) defined before it");
                        }
                        Count(alias, n, $"the alias *{name}");
                        break;
                    case Scalar scalar:
                        Count(scalar, 1, "this value");
                        if (!scalar.Anchor.IsEmpty) _sizes[scalar.Anchor.Value] = 1;
                        break;
                    case NodeEvent start when start is MappingStart || start is SequenceStart:
                        if (_open.Count >= MaxDepth)
                            throw new YamlException(start.Start, start.End, $"nesting deeper than {MaxDepth} levels");
                        Count(start, 1, "this node");
                        _open.Push((start.Anchor.IsEmpty ? null : start.Anchor.Value, _expanded - 1));
                        break;
                    case MappingEnd _:
                    case SequenceEnd _:
                        if (_open.Count > 0)
                        {
                            var (anchor, before) = _open.Pop();
                            if (anchor != null) _sizes[anchor] = _expanded - before;
                        }
                        break;
                }
                return true;
            }

            private void Count(ParsingEvent at, long nodes, string what)
            {
                _expanded += nodes;
                if (_expanded > MaxNodes)
                    throw new YamlException(at.Start, at.End,
                        $"{what} takes the document past {MaxNodes.ToString("N0", CultureInfo.InvariantCulture)} nodes with every alias expanded (an alias or merge-key (<<) bomb?)");
            }
        }
    }
}
