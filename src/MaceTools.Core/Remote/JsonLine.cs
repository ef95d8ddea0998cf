using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MaceTools.Remote
{
    /// <summary>
    /// A small reader for one line of JSON (RFC 8259), for what the MaceTools agent and the .NET deps.json files say. Core
    /// targets netstandard2.0 and carries no JSON library; the CLI writes the agent's JSON with System.Text.Json.
    /// Objects become <c>Dictionary&lt;string, object?&gt;</c>, arrays <c>List&lt;object?&gt;</c>, numbers <c>double</c>.
    /// </summary>
    public static class JsonLine
    {
        public static object? Parse(string text)
        {
            int i = 0;
            object? value = Value(text, ref i);
            Space(text, ref i);
            if (i != text.Length) throw Error(text, i, "text after the value");
            return value;
        }

        /// <summary>A JSON object, or a <see cref="FormatException"/> saying what came instead.</summary>
        public static Dictionary<string, object?> ParseObject(string text) =>
            Parse(text) as Dictionary<string, object?> ?? throw new FormatException($"expected a JSON object, got '{Short(text)}'");

        /// <summary>
        /// One line of JSON for what Core sends the agent: dictionaries, sequences, strings, booleans, numbers and null;
        /// byte arrays as base64 strings, as System.Text.Json writes them on the other side.
        /// </summary>
        public static string Write(object? value)
        {
            var sb = new StringBuilder();
            WriteValue(sb, value);
            return sb.ToString();
        }

        private static void WriteValue(StringBuilder sb, object? value)
        {
            switch (value)
            {
                case null: sb.Append("null"); break;
                case bool b: sb.Append(b ? "true" : "false"); break;
                case string s: Quote(sb, s); break;
                case byte[] bytes: Quote(sb, Convert.ToBase64String(bytes)); break;
                case int _: case long _: case double _: sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
                case System.Collections.IDictionary map:
                    sb.Append('{');
                    bool first = true;
                    foreach (System.Collections.DictionaryEntry e in map)
                    {
                        if (!first) sb.Append(',');
                        first = false;
                        Quote(sb, Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "");
                        sb.Append(':');
                        WriteValue(sb, e.Value);
                    }
                    sb.Append('}');
                    break;
                case System.Collections.IEnumerable items:
                    sb.Append('[');
                    bool firstItem = true;
                    foreach (var item in items)
                    {
                        if (!firstItem) sb.Append(',');
                        firstItem = false;
                        WriteValue(sb, item);
                    }
                    sb.Append(']');
                    break;
                default: throw new ArgumentException($"no JSON form for {value.GetType().Name}", nameof(value));
            }
        }

        private static void Quote(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        // Control characters (and the line separators some readers split on) as \u escapes: one request, one line.
                        if (c < ' ' || c == '\u2028' || c == '\u2029') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }

        private static object? Value(string s, ref int i)
        {
            Space(s, ref i);
            if (i >= s.Length) throw Error(s, i, "unexpected end");
            char c = s[i];
            switch (c)
            {
                case '{':
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    i++;
                    Space(s, ref i);
                    if (At(s, i, '}')) { i++; return map; }
                    while (true)
                    {
                        Space(s, ref i);
                        if (!At(s, i, '"')) throw Error(s, i, "expected a property name");
                        string key = String(s, ref i);
                        Space(s, ref i);
                        if (!At(s, i, ':')) throw Error(s, i, "expected ':'");
                        i++;
                        map[key] = Value(s, ref i);
                        Space(s, ref i);
                        if (At(s, i, ',')) { i++; continue; }
                        if (At(s, i, '}')) { i++; return map; }
                        throw Error(s, i, "expected ',' or '}'");
                    }
                case '[':
                    var list = new List<object?>();
                    i++;
                    Space(s, ref i);
                    if (At(s, i, ']')) { i++; return list; }
                    while (true)
                    {
                        list.Add(Value(s, ref i));
                        Space(s, ref i);
                        if (At(s, i, ',')) { i++; continue; }
                        if (At(s, i, ']')) { i++; return list; }
                        throw Error(s, i, "expected ',' or ']'");
                    }
                case '"':
                    return String(s, ref i);
                default:
                    if (Word(s, ref i, "true")) return true;
                    if (Word(s, ref i, "false")) return false;
                    if (Word(s, ref i, "null")) return null;
                    int start = i;
                    while (i < s.Length && "+-0123456789.eE".IndexOf(s[i]) >= 0) i++;
                    if (i == start || !double.TryParse(s.Substring(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
                        throw Error(s, start, "expected a value");
                    return d;
            }
        }

        private static string String(string s, ref int i)
        {
            var sb = new StringBuilder();
            i++; // the opening quote
            while (i < s.Length)
            {
                char c = s[i++];
                if (c == '"') return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                if (i >= s.Length) break;
                char e = s[i++];
                switch (e)
                {
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (i + 4 > s.Length || !int.TryParse(s.Substring(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int u))
                            throw Error(s, i, "bad \\u escape");
                        sb.Append((char)u);
                        i += 4;
                        break;
                    default: sb.Append(e); break; // \" \\ \/
                }
            }
            throw Error(s, i, "unterminated string");
        }

        private static bool Word(string s, ref int i, string word)
        {
            if (string.CompareOrdinal(s, i, word, 0, word.Length) != 0) return false;
            i += word.Length;
            return true;
        }

        private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;

        private static void Space(string s, ref int i)
        {
            while (i < s.Length && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
        }

        private static FormatException Error(string s, int i, string what) => new FormatException($"invalid JSON at character {i}: {what} ('{Short(s)}')");

        private static string Short(string s) => s.Length <= 120 ? s : s.Substring(0, 120) + "…";
    }
}
