using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MaceTools.Config;
using MaceTools.Formats;
using MaceTools.Operations;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MaceTools.Remote
{
    /// <summary>How MaceTools reaches a device.</summary>
    public static class RemoteTransport
    {
        public const string Ssh = "ssh";
        public const string Adb = "adb";
    }

    /// <summary>One device of a devices.yml: MACE's keys (mace-formats.md §5.5) and MaceTools' additions.</summary>
    public sealed class InventoryDevice
    {
        /// <summary>The key under <c>devices:</c>.</summary>
        public string Name { get; set; } = "";
        public string[] TargetAbis { get; set; } = Array.Empty<string>();
        /// <summary>MACE writes one soc as a string; a list is read too.</summary>
        public string[] TargetSocs { get; set; } = Array.Empty<string>();
        /// <summary>The model's full name (<c>models: FriendlyElec Nanopi M4</c>).</summary>
        public string? Models { get; set; }
        /// <summary><c>models</c> with spaces removed, MACE's device_name (<c>device.py@v1.1.1:1165-1199</c>), unless <c>device_name</c> is given.</summary>
        public string? DeviceName { get; set; }
        /// <summary>MACE's <c>system</c> key, kept as written (converter.py forces arm_linux for ssh devices).</summary>
        public string? System { get; set; }
        public string? Address { get; set; }
        /// <summary>The login user; null lets ssh decide (ssh_config, the local user).</summary>
        public string? Username { get; set; }
        /// <summary>The ssh port; null lets ssh decide (ssh_config, 22).</summary>
        public int? Port { get; set; }
        public string? IdentityFile { get; set; }
        public string? KnownHostsFile { get; set; }
        public string? SshConfig { get; set; }
        /// <summary><see cref="RemoteTransport.Ssh"/> or <see cref="RemoteTransport.Adb"/>.</summary>
        public string Transport { get; set; } = RemoteTransport.Ssh;
        /// <summary>The adb serial; defaults to the address, as MACE's Android devices use the serial as address.</summary>
        public string? Serial { get; set; }
        /// <summary>Where the application reads the compiled-program file on the device.</summary>
        public string ProgramPath { get; set; } = "";
        /// <summary>Where the application reads the tuned-parameter file on the device.</summary>
        public string TuningPath { get; set; } = "";
        public string[] Tags { get; set; } = Array.Empty<string>();
        /// <summary>The devices.yml the device came from, and where its entry starts.</summary>
        public string? InventoryPath { get; set; }
        public int Line { get; set; }
        public int Column { get; set; }

        /// <summary><c>user@address</c>, or the address alone.</summary>
        public string Destination => string.IsNullOrEmpty(Username) ? Address ?? "" : Username + "@" + Address;

        /// <summary>How messages name the device: <c>nanopi (user@10.0.0.1:22)</c> or <c>phone (adb 0123ABC)</c>.</summary>
        public string Display => Transport == RemoteTransport.Adb ? $"{Name} (adb {Serial})" : $"{Name} ({Destination}:{Port ?? 22})";

        public InventoryDevice Clone() => (InventoryDevice)MemberwiseClone();

        public override string ToString() => Display;
    }

    /// <summary>
    /// Reads MACE's device file (devices.yml, the <c>--device_yml</c> of converter.py): <c>devices: NAME: {target_abis, target_socs,
    /// models, address, username}</c>, as MACE's own demo_device_nanopi.yml has it, plus MaceTools' keys for reaching and
    /// placing files on the device. An unknown key is an error, as in MACE (DeviceWrapper raises KeyError,
    /// <c>device.py@v1.1.1:41-51</c>). Errors are <see cref="MaceConfigException"/>s: <c>file:line:column: key: message</c>.
    /// </summary>
    public static class MaceInventory
    {
        /// <summary>MACE's data dir on Android (<c>PHONE_DATA_DIR</c>, <c>tools/common.py@v1.1.1:456-476</c>, mace-formats.md §5.2).</summary>
        public const string AndroidDataDir = "/data/local/tmp/mace_run";
        /// <summary>MACE's data dir on arm_linux devices reached over ssh (<c>DEVICE_DATA_DIR</c>, same place).</summary>
        public const string LinuxDataDir = "/tmp/data/mace_run";
        /// <summary>The runtime cache's name in <c>&lt;data_dir&gt;/interior</c> (mace-formats.md §5.1, §5.2).</summary>
        public const string ProgramFileName = "mace_cl_compiled_program.bin";
        /// <summary>The tuned-parameter file's name in <c>&lt;data_dir&gt;</c> (<c>CL_TUNED_PARAMETER_FILE_NAME</c>, mace-formats.md §4.1).</summary>
        public const string TuningFileName = "mace_run.config";

        /// <summary>MACE's own device keys (YAMLKeyword attributes a device dict uses).</summary>
        public static readonly string[] MaceKeys = { "target_abis", "target_socs", "models", "address", "username", "device_name", "system" };
        /// <summary>The keys MaceTools adds.</summary>
        public static readonly string[] ExtendedKeys = { "port", "identity_file", "known_hosts_file", "ssh_config", "transport", "serial", "program_path", "tuning_path", "tags" };
        public static IEnumerable<string> AllowedKeys => MaceKeys.Concat(ExtendedKeys);

        /// <summary>
        /// Where converter.py puts the compiled-program file: <c>&lt;data_dir&gt;/interior/mace_cl_compiled_program.bin</c>
        /// (<c>device.py@v1.1.1:313-317,642-651</c>, mace-formats.md §5.3 step 4). On arm_linux MACE then passes
        /// <c>--opencl_cache_full_path</c> under the Android dir (a quirk, §5.2), but the file it pushes goes here.
        /// </summary>
        public static string DefaultProgramPath(string transport) => DataDir(transport) + "/interior/" + ProgramFileName;

        /// <summary>Where converter.py puts the tuned parameters: <c>&lt;data_dir&gt;/mace_run.config</c> (<c>device.py@v1.1.1:330</c>).</summary>
        public static string DefaultTuningPath(string transport) => DataDir(transport) + "/" + TuningFileName;

        private static string DataDir(string transport) => transport == RemoteTransport.Adb ? AndroidDataDir : LinuxDataDir;

        /// <summary>The environment variable that names the default inventory.</summary>
        public const string InventoryVariable = "MACETOOLS_INVENTORY";
        /// <summary>The default inventory in the current folder: MACE's own name for its device list.</summary>
        public const string InventoryFileName = "devices.yml";

        /// <summary>
        /// The inventory a command uses: the one given, else <c>$MACETOOLS_INVENTORY</c>, else <c>./devices.yml</c> (MACE's
        /// own file name); relative paths are relative to <paramref name="currentDirectory"/>. None of them is
        /// <see cref="ErrorIds.InventoryNotFound"/>, naming every place looked at.
        /// </summary>
        public static string Locate(string? given, string currentDirectory)
        {
            string? named = !string.IsNullOrEmpty(given) ? given : Environment.GetEnvironmentVariable(InventoryVariable);
            if (!string.IsNullOrEmpty(named))
            {
                string path = PathResolver.FullPath(named!, currentDirectory);
                return Directory.Exists(path) ? throw PathResolver.IsADirectory(named!) : path;
            }
            string local = Path.Combine(currentDirectory, InventoryFileName);
            if (File.Exists(local)) return local;
            throw new MaceException(ErrorIds.InventoryNotFound, MaceErrorCategory.ObjectNotFound,
                $"no inventory: give -Inventory (--inventory), set the {InventoryVariable} environment variable, or put a {InventoryFileName} in {currentDirectory}", local);
        }

        public static IReadOnlyList<InventoryDevice> Read(string path)
        {
            return Parse(InputGate.ReadText(path, InputKind.Inventory), path);
        }

        /// <summary>Reads YAML text; <paramref name="path"/> names it in errors, and relative key files are relative to its folder.</summary>
        public static IReadOnlyList<InventoryDevice> Parse(string text, string path) => new Walker(path).Run(text);

        /// <summary>
        /// The devices whose name matches any of <paramref name="names"/> (wildcards * ? [a-z], any case) and that carry any of
        /// <paramref name="tags"/> (any case); null or empty means no filter. A name pattern that matches no device is
        /// <see cref="ErrorIds.DeviceNotFound"/>, so a typo is not a silent no-op.
        /// </summary>
        public static IReadOnlyList<InventoryDevice> Select(IEnumerable<InventoryDevice> devices, IEnumerable<string>? names = null, IEnumerable<string>? tags = null)
        {
            var all = devices.ToList();
            var patterns = (names ?? Enumerable.Empty<string>()).Select(n => (Pattern: n, Regex: PathResolver.ToRegex(n))).ToList();
            foreach (var (pattern, _) in patterns.Where(p => !all.Any(d => p.Regex.IsMatch(d.Name))))
                throw new MaceException(ErrorIds.DeviceNotFound, MaceErrorCategory.ObjectNotFound,
                    $"no device matches '{pattern}' (devices: {string.Join(", ", all.Select(d => d.Name))})", pattern);
            var wanted = new HashSet<string>(tags ?? Enumerable.Empty<string>(), StringComparer.OrdinalIgnoreCase);
            return all.Where(d => (patterns.Count == 0 || patterns.Any(p => p.Regex.IsMatch(d.Name)))
                               && (wanted.Count == 0 || d.Tags.Any(wanted.Contains))).ToList();
        }

        /// <summary>
        /// The devices of <paramref name="inventoryPath"/> (or <paramref name="devices"/>, already read) that the names and tags
        /// select, for the cmdlets that act on them; a selection of none is <see cref="ErrorIds.DeviceNotFound"/>.
        /// </summary>
        public static IReadOnlyList<InventoryDevice> Targets(string inventoryPath, IEnumerable<string> names, IEnumerable<string> tags, IEnumerable<InventoryDevice>? devices = null)
        {
            var tagList = tags.ToList();
            var selected = Select(devices ?? Read(inventoryPath), names, tagList);
            if (selected.Count == 0)
                throw new MaceException(ErrorIds.DeviceNotFound, MaceErrorCategory.ObjectNotFound,
                    $"{inventoryPath}: no device has the tag(s) {string.Join(", ", tagList)}", inventoryPath);
            return selected;
        }

        private sealed class Walker
        {
            private readonly string _path;
            private readonly string _baseDir;

            public Walker(string path)
            {
                _path = path;
                _baseDir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            }

            public IReadOnlyList<InventoryDevice> Run(string text)
            {
                YamlStream stream;
                try
                {
                    stream = BoundedYaml.Load(text, InputKind.Inventory);
                }
                catch (YamlException e)
                {
                    throw Fail(ConfigFindingCodes.YamlSyntax, null, (int)e.Start.Line, (int)e.Start.Column, "invalid YAML: " + e.Message);
                }
                if (stream.Documents.Count == 0 || !(stream.Documents[0].RootNode is YamlMappingNode root))
                    throw Fail(ConfigFindingCodes.WrongType, null, stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode,
                        "expected a mapping with a 'devices' key (devices: NAME: {address, username, ...})");
                var top = Entries(root, "");
                foreach (var (key, keyNode, _) in top.Where(e => e.Key != "devices"))
                    throw Fail(ConfigFindingCodes.UnknownKey, key, keyNode, "unknown top-level key; a device file holds only 'devices'");
                var devicesNode = top.FirstOrDefault(e => e.Key == "devices").Value;
                if (devicesNode == null) throw Fail(ConfigFindingCodes.MissingKey, "devices", root, "required key is missing");
                if (!(devicesNode is YamlMappingNode devices))
                    throw Fail(ConfigFindingCodes.WrongType, "devices", devicesNode, "expected a mapping of device names to devices");
                return Entries(devices, "devices").Select(e => ReadDevice(e.Key, e.KeyNode, e.Value)).ToList();
            }

            private InventoryDevice ReadDevice(string name, YamlNode keyNode, YamlNode node)
            {
                string at = "devices." + name;
                if (!(node is YamlMappingNode map))
                    throw Fail(ConfigFindingCodes.WrongType, at, node, "expected a mapping of device keys (address, username, ...)");
                var entries = Entries(map, at);
                var keys = entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
                foreach (var (key, kn, _) in entries.Where(e => !AllowedKeys.Contains(e.Key)))
                {
                    string? suggestion = ConfigSchema.Suggest(key, AllowedKeys);
                    throw Fail(ConfigFindingCodes.UnknownKey, at + "." + key, kn,
                        $"unknown device key (MACE raises KeyError for it){(suggestion == null ? "" : $"; did you mean '{suggestion}'?")} Allowed keys: {string.Join(", ", AllowedKeys)}");
                }

                string? Str(string key) => Scalar(keys, at, key);
                var d = new InventoryDevice
                {
                    Name = name,
                    InventoryPath = _path,
                    Line = (int)keyNode.Start.Line,
                    Column = (int)keyNode.Start.Column,
                    TargetAbis = List(keys, at, "target_abis"),
                    TargetSocs = List(keys, at, "target_socs"),
                    Tags = List(keys, at, "tags"),
                    Models = Str("models"),
                    System = Str("system"),
                };
                d.DeviceName = Str("device_name") ?? d.Models?.Replace(" ", "");
                // Names that end up in file names (MACE's <library>_…<device_name>.<soc>.bin) pass the one name rule.
                CheckFileNamePart(at, name, keyNode);
                if (d.DeviceName != null) CheckFileNamePart(at + (keys.ContainsKey("device_name") ? ".device_name" : ".models"), d.DeviceName, keys.ContainsKey("device_name") ? keys["device_name"] : keys["models"]);
                foreach (var soc in d.TargetSocs) CheckFileNamePart(at + ".target_socs", soc, keys["target_socs"]);

                string? transport = Str("transport");
                if (transport != null && !new[] { RemoteTransport.Ssh, RemoteTransport.Adb }.Contains(transport.ToLowerInvariant()))
                    throw Fail(ConfigFindingCodes.BadValue, at + ".transport", keys["transport"], $"'{transport}' is not one of ssh, adb");
                d.Transport = transport?.ToLowerInvariant() ?? RemoteTransport.Ssh;

                d.Address = Word(keys, at, "address");
                d.Username = Word(keys, at, "username");
                d.Serial = Word(keys, at, "serial") ?? (d.Transport == RemoteTransport.Adb ? d.Address : null);
                if (d.Transport == RemoteTransport.Ssh && d.Address == null)
                    throw Fail(ConfigFindingCodes.MissingKey, at + ".address", map, "required key is missing (the ssh host name or address)");
                if (d.Transport == RemoteTransport.Adb && d.Serial == null)
                    throw Fail(ConfigFindingCodes.MissingKey, at + ".serial", map, "required key is missing for an adb device (serial, or address as MACE writes it)");

                string? port = Str("port");
                if (port != null)
                {
                    if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int p) || p < 1 || p > 65535)
                        throw Fail(ConfigFindingCodes.BadValue, at + ".port", keys["port"], $"'{port}' is not a port number (1 to 65535)");
                    d.Port = p;
                }

                d.IdentityFile = LocalFile(keys, at, "identity_file");
                d.KnownHostsFile = LocalFile(keys, at, "known_hosts_file");
                d.SshConfig = LocalFile(keys, at, "ssh_config");
                d.ProgramPath = DevicePath(keys, at, "program_path") ?? DefaultProgramPath(d.Transport);
                d.TuningPath = DevicePath(keys, at, "tuning_path") ?? DefaultTuningPath(d.Transport);
                return d;
            }

            /// <summary>A host, user or serial: one word that cannot be read as an ssh or adb option.</summary>
            private string? Word(Dictionary<string, YamlNode> keys, string at, string key)
            {
                string? value = Scalar(keys, at, key);
                if (value != null && (value.StartsWith("-", StringComparison.Ordinal) || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
                    throw Fail(ConfigFindingCodes.BadValue, at + "." + key, keys[key], $"'{value}' is not a valid {key}: it must not start with '-' or hold spaces or control characters");
                return value;
            }

            /// <summary>A file on this machine: <c>~</c> is the home folder, a relative path is relative to the devices.yml.</summary>
            private string? LocalFile(Dictionary<string, YamlNode> keys, string at, string key)
            {
                string? value = Scalar(keys, at, key);
                if (value == null) return null;
                if (value == "~" || value.StartsWith("~/", StringComparison.Ordinal))
                    value = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + value.Substring(1);
                return Path.GetFullPath(Path.Combine(_baseDir, value));
            }

            /// <summary>A file on the device: absolute, so it is never read as an option and does not depend on the login folder.</summary>
            private string? DevicePath(Dictionary<string, YamlNode> keys, string at, string key)
            {
                string? value = Scalar(keys, at, key);
                if (value != null && (!value.StartsWith("/", StringComparison.Ordinal) || value.EndsWith("/", StringComparison.Ordinal) || value.Any(c => c == '\0' || c == '\n')))
                    throw Fail(ConfigFindingCodes.BadValue, at + "." + key, keys[key], $"'{value}' is not an absolute file path on the device (such as {DefaultProgramPath(RemoteTransport.Ssh)})");
                return value;
            }

            /// <summary>A single value; null when absent or empty.</summary>
            private string? Scalar(Dictionary<string, YamlNode> keys, string at, string key)
            {
                if (!keys.TryGetValue(key, out var node)) return null;
                if (!(node is YamlScalarNode s))
                    throw Fail(ConfigFindingCodes.WrongType, at + "." + key, node, "expected a single value, found a " + (node is YamlSequenceNode ? "list" : "mapping"));
                return IsNull(s) ? null : s.Value;
            }

            /// <summary>A list of values, or one value read as a one-element list (MACE writes <c>target_socs: RK3399</c>).</summary>
            private string[] List(Dictionary<string, YamlNode> keys, string at, string key)
            {
                if (!keys.TryGetValue(key, out var node)) return Array.Empty<string>();
                if (node is YamlSequenceNode seq)
                    return seq.Children.Select((c, i) => c is YamlScalarNode s && !IsNull(s) ? s.Value!
                        : throw Fail(ConfigFindingCodes.WrongType, $"{at}.{key}[{i}]", c, "expected a value")).ToArray();
                string? one = Scalar(keys, at, key);
                return one == null ? Array.Empty<string>() : new[] { one };
            }

            private static bool IsNull(YamlScalarNode s) =>
                s.Style == ScalarStyle.Plain && (string.IsNullOrEmpty(s.Value) || s.Value == "~" || s.Value == "null" || s.Value == "Null" || s.Value == "NULL");

            /// <summary>The entries of a mapping, with YAML merge keys (<c>&lt;&lt;: *defaults</c>) applied as PyYAML does: the mapping's own keys win.</summary>
            private List<(string Key, YamlNode KeyNode, YamlNode Value)> Entries(YamlMappingNode node, string at)
            {
                var own = new List<(string Key, YamlNode KeyNode, YamlNode Value)>();
                var merged = new List<(string Key, YamlNode KeyNode, YamlNode Value)>();
                foreach (var entry in node.Children)
                {
                    if (!(entry.Key is YamlScalarNode k) || k.Value == null)
                        throw Fail(ConfigFindingCodes.WrongType, at.Length == 0 ? "(top level)" : at, entry.Key, "a key must be a plain name");
                    if (k.Value == "<<" && k.Style == ScalarStyle.Plain)
                    {
                        var sources = entry.Value is YamlSequenceNode seq ? seq.Children : new List<YamlNode> { entry.Value };
                        foreach (var source in sources)
                            merged.AddRange(source is YamlMappingNode m ? Entries(m, at)
                                : throw Fail(ConfigFindingCodes.WrongType, at, source, "a merge key (<<) takes a mapping or a list of mappings"));
                        continue;
                    }
                    own.Add((k.Value, entry.Key, entry.Value));
                }
                foreach (var m in merged)
                    if (!own.Any(o => o.Key == m.Key)) own.Add(m);
                return own;
            }

            private void CheckFileNamePart(string key, string value, YamlNode at)
            {
                if (NameRule.Problem(value) is string problem) throw Fail(ConfigFindingCodes.BadValue, key, at, NameRule.Message(value, problem));
            }

            private MaceConfigException Fail(string code, string? key, YamlNode? at, string message) =>
                Fail(code, key, at == null ? 1 : (int)at.Start.Line, at == null ? 1 : (int)at.Start.Column, message);

            private MaceConfigException Fail(string code, string? key, int line, int column, string message) =>
                new MaceConfigException(new MaceConfigFinding(FindingSeverity.Error, code, _path, key, line, column, message));
        }
    }
}
