using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace MaceTools.Remote
{
    /// <summary>
    /// What MACE's tools read to name an Android device: getprop's model, board platform, SoC model and ABI list, plus the
    /// GPU string SurfaceFlinger reports (its "GLES:" line: vendor, renderer, version).
    /// </summary>
    public sealed class AdbIdentity
    {
        public AdbIdentity(string serial, IReadOnlyDictionary<string, string> properties, string? gpu)
        {
            Serial = serial;
            Properties = properties;
            Gpu = gpu;
        }

        public string Serial { get; }
        public IReadOnlyDictionary<string, string> Properties { get; }

        /// <summary>ro.product.model, e.g. "MI 9".</summary>
        public string? Model => Get("ro.product.model");
        /// <summary>ro.board.platform, MACE's target_socs value (e.g. "msmnihilo").</summary>
        public string? BoardPlatform => Get("ro.board.platform");
        /// <summary>ro.soc.model (Android 12+), e.g. "SM8150"; null on older devices.</summary>
        public string? SocModel => Get("ro.soc.model");
        /// <summary>ro.product.cpu.abilist split at commas.</summary>
        public IReadOnlyList<string> Abis =>
            (Get("ro.product.cpu.abilist") ?? "").Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(a => a.Trim()).ToArray();
        /// <summary>MACE's device_name: the model with spaces removed.</summary>
        public string? DeviceName => Model?.Replace(" ", "");
        /// <summary>SurfaceFlinger's GLES line after "GLES: ", e.g. "Qualcomm, Adreno (TM) 640, OpenGL ES 3.2 V@415.0 (GIT@…)"; null if absent.</summary>
        public string? Gpu { get; }

        private string? Get(string key) => Properties.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

        private static readonly Regex PropLine = new Regex(@"^\[(.+?)\]: \[(.*)\]$", RegexOptions.CultureInvariant);

        /// <summary>Parses <c>getprop</c> output, lines "[key]: [value]" (the regex MACE's tools use, value may be empty).</summary>
        internal static IReadOnlyDictionary<string, string> ParseGetprop(string output)
        {
            var props = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in output.Split('\n'))
            {
                var m = PropLine.Match(line.TrimEnd('\r'));
                if (m.Success) props[m.Groups[1].Value] = m.Groups[2].Value;
            }
            return props;
        }

        /// <summary>The text after "GLES:" in <c>dumpsys SurfaceFlinger</c> output, trimmed; null when there is no such line.</summary>
        internal static string? ParseGles(string dumpsys)
        {
            foreach (var line in dumpsys.Split('\n'))
            {
                string t = line.Trim();
                if (t.StartsWith("GLES:", StringComparison.Ordinal)) return t.Substring(5).Trim();
            }
            return null;
        }
    }
}
