using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace MaceTools.Report
{
    /// <summary>
    /// One result as the report reads it, whether it is the object a cmdlet emitted or the JSON line the CLI wrote for it
    /// (camelCase names, enums as strings, numbers as double). Each adapter in <see cref="ReportAdapters"/> is written once
    /// against this, so the pipeline and `macetools report --in` cannot drift apart.
    /// </summary>
    public sealed class ResultFields
    {
        private readonly object? _clr;
        private readonly Dictionary<string, object?>? _json;

        private ResultFields(string kind, object? clr, Dictionary<string, object?>? json)
        {
            Kind = kind;
            _clr = clr;
            _json = json;
        }

        /// <summary>The result's type name (MaceMeasurement, PublishResult …): the CLR type's, or the JSON line's "$type".</summary>
        public string Kind { get; }

        /// <summary>A result object as a cmdlet or operation emitted it.</summary>
        public static ResultFields FromObject(object item) => new ResultFields(item is MaceException ? ReportAdapters.ErrorKind : item.GetType().Name, item, null);

        /// <summary>
        /// A JSON object as the CLI's --json writes it: a result with its "$type", or an error line {"error":{...}}.
        /// Null when the object says neither (a warning or message line).
        /// </summary>
        public static ResultFields? FromJson(Dictionary<string, object?> json)
        {
            if (json.TryGetValue(TypeProperty, out var t) && t is string kind) return new ResultFields(kind, null, json);
            if (json.TryGetValue("error", out var e) && e is Dictionary<string, object?> error) return new ResultFields(ReportAdapters.ErrorKind, null, error);
            return null;
        }

        /// <summary>The property the CLI's --json puts first in every result line: the result's type name.</summary>
        public const string TypeProperty = "$type";

        /// <summary>A property by its .NET name (PascalCase); the JSON form is matched without regard to case.</summary>
        public object? Get(string name)
        {
            if (_json != null)
            {
                if (_json.TryGetValue(name, out var v)) return v;
                foreach (var kv in _json)
                    if (string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)) return kv.Value;
                return null;
            }
            // MaceException names its id ErrorId; the CLI's error line says id.
            if (_clr is MaceException && name == "Id") name = nameof(MaceException.ErrorId);
            return _clr!.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)?.GetValue(_clr);
        }

        public string? Text(string name) => Get(name) switch
        {
            null => null,
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var o => o.ToString(),
        };

        public double Number(string name) => Get(name) switch
        {
            double d => d,
            bool _ => 0,
            Enum _ => 0,
            IConvertible c => Convert.ToDouble(c, CultureInfo.InvariantCulture),
            _ => 0,
        };

        public bool Flag(string name) => Get(name) is bool b && b;

        /// <summary>An array property's elements as fields (objects) …</summary>
        public IEnumerable<ResultFields> List(string name) => Items(name).Where(o => o != null).Select(o =>
            o is Dictionary<string, object?> d ? new ResultFields(Kind + "." + name, null, d) : new ResultFields(Kind + "." + name, o, null));

        /// <summary>… or as numbers.</summary>
        public double[] Numbers(string name) => Items(name).Select(o => o is IConvertible c && !(o is string) ? Convert.ToDouble(c, CultureInfo.InvariantCulture) : double.NaN).ToArray();

        /// <summary>… or as text.</summary>
        public string[] Texts(string name) => Items(name).Select(o => o is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : o?.ToString() ?? "").ToArray();

        private IEnumerable<object?> Items(string name) => Get(name) is IEnumerable e && !(e is string) ? e.Cast<object?>() : Enumerable.Empty<object?>();
    }
}
