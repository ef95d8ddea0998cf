using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MaceTools.OpenCL
{
    /// <summary>
    /// One line of the driver-worker protocol: tab-separated <c>name=value</c> fields, values escaped (\\ \t \n \r), so a
    /// message is always exactly one line and needs no JSON library in Core. Large data (sources, binaries) travels in
    /// files whose paths are fields.
    /// </summary>
    public sealed class WorkerMessage
    {
        private readonly Dictionary<string, string> _fields = new Dictionary<string, string>(StringComparer.Ordinal);

        public WorkerMessage() { }

        public WorkerMessage(string op) { this["op"] = op; }

        public string? this[string name]
        {
            get => _fields.TryGetValue(name, out var v) ? v : null;
            set { if (value == null) _fields.Remove(name); else _fields[name] = value; }
        }

        public string Op => this["op"] ?? "";

        public WorkerMessage Set(string name, object? value)
        {
            this[name] = value switch
            {
                null => null,
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
            return this;
        }

        public string Get(string name) => this[name] ?? throw new FormatException($"worker message '{Op}' lacks the field '{name}'");
        public int GetInt(string name) => int.Parse(Get(name), CultureInfo.InvariantCulture);
        public double GetDouble(string name) => double.Parse(Get(name), CultureInfo.InvariantCulture);

        public string Format()
        {
            var sb = new StringBuilder();
            foreach (var kv in _fields)
            {
                if (sb.Length > 0) sb.Append('\t');
                sb.Append(kv.Key).Append('=');
                foreach (char c in kv.Value)
                    sb.Append(c switch { '\\' => "\\\\", '\t' => "\\t", '\n' => "\\n", '\r' => "\\r", _ => c.ToString() });
            }
            return sb.ToString();
        }

        public static WorkerMessage Parse(string line)
        {
            var m = new WorkerMessage();
            foreach (var field in line.Split('\t'))
            {
                if (field.Length == 0) continue;
                int eq = field.IndexOf('=');
                if (eq <= 0) throw new FormatException($"malformed worker field '{field}'");
                var sb = new StringBuilder();
                for (int i = eq + 1; i < field.Length; i++)
                {
                    char c = field[i];
                    if (c != '\\' || i + 1 == field.Length) { sb.Append(c); continue; }
                    char n = field[++i];
                    sb.Append(n switch { 't' => '\t', 'n' => '\n', 'r' => '\r', _ => n });
                }
                m[field.Substring(0, eq)] = sb.ToString();
            }
            return m;
        }

        public override string ToString() => Format();
    }
}
