using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace MaceTools.Remote
{
    /// <summary>One line of <c>adb devices -l</c>: a serial, its state and the qualifiers adb prints after it.</summary>
    public sealed class AdbDevice
    {
        public AdbDevice(string serial, string state, string stateDetail, IReadOnlyDictionary<string, string> properties)
        {
            Serial = serial;
            State = state;
            StateDetail = stateDetail;
            Properties = properties;
        }

        public const string Online = "device";

        public string Serial { get; }
        /// <summary>device, offline, unauthorized, no permissions, connecting, authorizing, recovery, sideload, bootloader, …</summary>
        public string State { get; }
        /// <summary>The whole state text; for "no permissions" it carries adb's hint about udev rules.</summary>
        public string StateDetail { get; }
        /// <summary>The key:value qualifiers (product, model, device, usb, transport_id). adb replaces spaces in them by '_'.</summary>
        public IReadOnlyDictionary<string, string> Properties { get; }

        public string? Product => Get("product");
        public string? Model => Get("model");
        public string? Device => Get("device");
        public string? TransportId => Get("transport_id");
        public bool IsOnline => State == Online;

        private string? Get(string key) => Properties.TryGetValue(key, out var v) ? v : null;

        public override string ToString() => Serial + " " + StateDetail;

        private static readonly Regex Qualifier = new Regex(@"^([a-z_]+):(\S*)$", RegexOptions.CultureInvariant);

        /// <summary>Parses <c>adb devices -l</c> (or plain <c>adb devices</c>) standard output.</summary>
        internal static IReadOnlyList<AdbDevice> ParseList(string output)
        {
            var list = new List<AdbDevice>();
            foreach (var raw in output.Split('\n'))
            {
                string line = raw.TrimEnd('\r');
                // The header and the server's start-up notes ("* daemon started successfully") are not devices.
                if (line.Trim().Length == 0 || line.StartsWith("List of devices", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal))
                    continue;
                var tokens = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                var state = new List<string>();
                var props = new Dictionary<string, string>(StringComparer.Ordinal);
                for (int i = 1; i < tokens.Length; i++)
                {
                    // The state may be several words ("no permissions (…); see [url]"); qualifiers follow it.
                    var m = state.Count > 0 ? Qualifier.Match(tokens[i]) : Match.Empty;
                    if (m.Success) props[m.Groups[1].Value] = m.Groups[2].Value;
                    else if (props.Count == 0) state.Add(tokens[i]);
                }
                string detail = string.Join(" ", state);
                string name = detail.StartsWith("no permissions", StringComparison.Ordinal) ? "no permissions" : (state.Count > 0 ? state[0] : "unknown");
                list.Add(new AdbDevice(tokens[0], name, detail, props));
            }
            return list;
        }
    }
}
