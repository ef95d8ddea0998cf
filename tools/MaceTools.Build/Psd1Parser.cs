using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MaceTools.Build
{
    /// <summary>A parsed @{ } in key order; keys compare case-insensitively, as PowerShell's hashtables do.</summary>
    internal sealed class Psd1Hashtable
    {
        private readonly Dictionary<string, object?> _values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _keys = new List<string>();

        public IReadOnlyList<string> Keys => _keys;
        public int Count => _keys.Count;
        public bool ContainsKey(string key) => _values.ContainsKey(key);
        public object? this[string key] => _values.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"no key '{key}'");
        public bool TryGetValue(string key, out object? value) => _values.TryGetValue(key, out value);

        internal bool Add(string key, object? value)
        {
            if (_values.ContainsKey(key)) return false;
            _values[key] = value;
            _keys.Add(key);
            return true;
        }

        /// <summary>A string value, or null when absent.</summary>
        public string? String(string key) => TryGetValue(key, out var v) ? v as string : null;

        /// <summary>An array value (a scalar counts as a one-element array, as PowerShell would coerce it).</summary>
        public IReadOnlyList<object?> Array(string key) => !TryGetValue(key, out var v) ? System.Array.Empty<object?>()
            : v is IReadOnlyList<object?> list ? list : new[] { v };

        public Psd1Hashtable? Table(string key) => TryGetValue(key, out var v) ? v as Psd1Hashtable : null;
    }

    /// <summary>
    /// A parser for the restricted subset of PowerShell data files that the manifest writer emits (and that hand-written
    /// manifests commonly use): single-quoted strings with '' escapes, @( ) arrays, @{ } hashtables, comma lists,
    /// # and &lt;# #&gt; comments, $true/$false/$null and numbers. Anything else (double-quoted strings, variables,
    /// commands) is rejected with the line and column, since the manifest must be a plain literal.
    /// </summary>
    internal sealed class Psd1Parser
    {
        private readonly string _text;
        private int _pos;

        private Psd1Parser(string text) { _text = text; }

        public static Psd1Hashtable Parse(string text)
        {
            var p = new Psd1Parser(text);
            p.SkipTrivia(newlines: true);
            if (!p.TryTake("@{")) throw p.Error("a manifest must be one hashtable literal @{ ... }");
            var table = p.ParseHashtableBody();
            p.SkipTrivia(newlines: true);
            if (p._pos < p._text.Length) throw p.Error("unexpected text after the hashtable");
            return table;
        }

        /// <summary>Parses one value (for tests and for callers with fragments).</summary>
        public static object? ParseValue(string text)
        {
            var p = new Psd1Parser(text);
            p.SkipTrivia(newlines: true);
            var v = p.ParseExpression();
            p.SkipTrivia(newlines: true);
            if (p._pos < p._text.Length) throw p.Error("unexpected text after the value");
            return v;
        }

        private Psd1Hashtable ParseHashtableBody()
        {
            var table = new Psd1Hashtable();
            while (true)
            {
                SkipTrivia(newlines: true, semicolons: true);
                if (TryTake("}")) return table;
                if (_pos >= _text.Length) throw Error("missing '}'");
                int keyAt = _pos;
                string key = ParseKey();
                SkipTrivia(newlines: false);
                if (!TryTake("=")) throw Error($"expected '=' after key '{key}'");
                SkipTrivia(newlines: true);
                object? value = ParseExpression();
                if (!table.Add(key, value)) throw Error($"duplicate key '{key}'", keyAt);
                SkipTrivia(newlines: false);
                if (_pos < _text.Length && _text[_pos] != '\n' && _text[_pos] != '\r' && _text[_pos] != ';' && _text[_pos] != '}')
                    throw Error("expected a new line, ';' or '}' after a value");
            }
        }

        private string ParseKey()
        {
            if (Peek() == '\'') return ParseString();
            int start = _pos;
            while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_' || _text[_pos] == '.' || _text[_pos] == '-')) _pos++;
            if (_pos == start) throw Error("expected a key");
            return _text.Substring(start, _pos - start);
        }

        /// <summary>A value, or a comma list of values (an array, as in PowerShell).</summary>
        private object? ParseExpression()
        {
            object? first = ParseValue();
            SkipTrivia(newlines: false);
            if (Peek() != ',') return first;
            var list = new List<object?> { first };
            while (TryTake(","))
            {
                SkipTrivia(newlines: true);
                list.Add(ParseValue());
                SkipTrivia(newlines: false);
            }
            return list;
        }

        private object? ParseValue()
        {
            if (TryTake("@{")) return ParseHashtableBody();
            if (TryTake("@(")) return ParseArrayBody();
            char c = Peek();
            if (c == '\'' || IsSingleQuote(c)) return ParseString();
            if (c == '"') throw Error("double-quoted strings expand variables and are not allowed here; use single quotes");
            if (c == '$')
            {
                foreach (var (word, value) in new (string, object?)[] { ("$true", true), ("$false", false), ("$null", null) })
                    if (string.Compare(_text, _pos, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0 && !IsWordChar(At(_pos + word.Length)))
                    {
                        _pos += word.Length;
                        return value;
                    }
                throw Error("variables are not allowed in the manifest");
            }
            if (char.IsDigit(c) || c == '-' || c == '+' || c == '.') return ParseNumber();
            throw Error($"unexpected '{c}'");
        }

        private List<object?> ParseArrayBody()
        {
            var list = new List<object?>();
            while (true)
            {
                SkipTrivia(newlines: true, semicolons: true);
                if (TryTake(")")) return list;
                if (_pos >= _text.Length) throw Error("missing ')'");
                object? v = ParseExpression();
                if (v is List<object?> inner) list.AddRange(inner); else list.Add(v);
                SkipTrivia(newlines: false);
                if (_pos < _text.Length && _text[_pos] != '\n' && _text[_pos] != '\r' && _text[_pos] != ';' && _text[_pos] != ')' && _text[_pos] != ',')
                    throw Error("expected ',', a new line or ')' in an array");
                TryTake(",");
            }
        }

        private string ParseString()
        {
            int start = _pos;
            _pos++; // opening quote
            var sb = new StringBuilder();
            while (_pos < _text.Length)
            {
                char c = _text[_pos++];
                if (c == '\'' || IsSingleQuote(c))
                {
                    if (_pos < _text.Length && (_text[_pos] == '\'' || IsSingleQuote(_text[_pos]))) { sb.Append(c); _pos++; continue; }
                    return sb.ToString();
                }
                sb.Append(c);
            }
            throw Error("unterminated string", start);
        }

        private object ParseNumber()
        {
            int start = _pos;
            if (Peek() == '-' || Peek() == '+') _pos++;
            while (_pos < _text.Length && (char.IsDigit(_text[_pos]) || _text[_pos] == '.')) _pos++;
            string s = _text.Substring(start, _pos - start);
            if (IsWordChar(Peek())) throw Error($"'{s}{Peek()}': only plain numbers are allowed");
            if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
            if (double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double d)) return d;
            throw Error($"'{s}' is not a number", start);
        }

        private void SkipTrivia(bool newlines, bool semicolons = false)
        {
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if (c == ' ' || c == '\t' || c == '\uFEFF' || (newlines && (c == '\n' || c == '\r')) || (semicolons && c == ';')) { _pos++; continue; }
                if (c == '<' && At(_pos + 1) == '#')
                {
                    int end = _text.IndexOf("#>", _pos + 2, StringComparison.Ordinal);
                    if (end < 0) throw Error("unterminated <# comment");
                    _pos = end + 2;
                    continue;
                }
                if (c == '#')
                {
                    while (_pos < _text.Length && _text[_pos] != '\n' && _text[_pos] != '\r') _pos++;
                    continue;
                }
                if (c == '`' && (At(_pos + 1) == '\n' || At(_pos + 1) == '\r')) { _pos++; continue; } // line continuation
                break;
            }
        }

        private static bool IsSingleQuote(char c) => c == '\u2018' || c == '\u2019' || c == '\u201A' || c == '\u201B';
        private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
        private char Peek() => At(_pos);
        private char At(int i) => i < _text.Length ? _text[i] : '\0';

        private bool TryTake(string s)
        {
            if (string.CompareOrdinal(_text, _pos, s, 0, s.Length) != 0) return false;
            _pos += s.Length;
            return true;
        }

        private FormatException Error(string message, int? at = null)
        {
            int pos = Math.Min(at ?? _pos, _text.Length);
            int line = 1, col = 1;
            for (int i = 0; i < pos; i++)
            {
                if (_text[i] == '\n') { line++; col = 1; } else col++;
            }
            return new FormatException($"psd1 line {line}, column {col}: {message}");
        }
    }
}
