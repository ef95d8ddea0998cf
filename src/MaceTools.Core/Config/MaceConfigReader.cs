using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using MaceTools.Formats;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MaceTools.Config
{
    /// <summary>
    /// Reads MACE deployment files (mace.yml) of every schema generation (mace-formats.md §6) with MACE's validation rules and
    /// defaults. The YAML is read through YamlDotNet's representation model, so every finding names the line and column of the
    /// value (or of the mapping that lacks a key) and the key path. The reader collects every problem: <see cref="Check"/> returns
    /// them all, <see cref="Read"/> throws the first error. Unknown keys are warnings, as MACE ignores them.
    /// </summary>
    /// <remarks>
    /// <c>${VAR}</c> in a value is replaced by the environment variable, as tools/python's <c>sanitize_load</c> does (converter.py
    /// does not, but a file that holds <c>${VAR}</c> is written for the flow that does); an unset variable is an error naming it.
    /// All values are read as text, so <c>ON</c>/<c>OFF</c> stay strings as tools/python keeps them.
    /// </remarks>
    public sealed class MaceConfigReader
    {
        /// <summary>Where <c>${VAR}</c> values come from; null means the variable is not set. Default: the process environment.</summary>
        public Func<string, string?> Environment { get; set; } = System.Environment.GetEnvironmentVariable;

        /// <summary>Reads a file; a file with errors is a <see cref="MaceConfigException"/> naming the first (file:line:column: key: message).</summary>
        public static MaceConfig Read(string path) => new MaceConfigReader().ReadFile(path).GetConfigOrThrow();

        /// <summary>Reads YAML text; <paramref name="path"/> names it in findings and relative model paths are relative to its directory.</summary>
        public static MaceConfig Parse(string text, string path) => new MaceConfigReader().ReadText(text, path).GetConfigOrThrow();

        /// <summary>Every error and warning of a file, in file order; an empty list means a clean file.</summary>
        public static IReadOnlyList<MaceConfigFinding> Check(string path) => new MaceConfigReader().ReadFile(path).Findings;

        /// <summary>Reads a file and collects every finding. Only a file that cannot be read at all throws (FileNotFound, FileUnreadable).</summary>
        public MaceConfigReadResult ReadFile(string path)
        {
            return ReadText(InputGate.ReadText(path, InputKind.DeploymentFile), path);
        }

        /// <summary>Reads YAML text and collects every finding.</summary>
        public MaceConfigReadResult ReadText(string text, string path) => new Walker(text, path, Environment).Run();

        /// <summary>One pass over one document.</summary>
        private sealed class Walker
        {
            private static readonly Regex VariableRe = new Regex(@"\$\{(\w+)\}", RegexOptions.CultureInvariant);
            private static readonly Regex ModelNameRe = new Regex("^[a-zA-Z_][a-zA-Z0-9_]*$", RegexOptions.CultureInvariant);
            private static readonly Regex Sha256Re = new Regex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant);
            private static readonly string[] YamlTrue = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y" };
            private static readonly string[] YamlFalse = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N" };

            private readonly string _text;
            private readonly string _path;
            private readonly Func<string, string?> _env;
            private readonly List<MaceConfigFinding> _findings = new List<MaceConfigFinding>();
            private string _gen = MaceConfigGeneration.V0_9;
            private MaceConfig _config = null!;

            public Walker(string text, string path, Func<string, string?> env)
            {
                _text = text;
                _path = path;
                _env = env;
            }

            public MaceConfigReadResult Run()
            {
                var root = LoadRoot();
                if (root == null) return Result(null);
                var top = new Map(root, "");
                _gen = DetectGeneration(top);
                _config = new MaceConfig(_path, _gen);
                ReadTopLevel(top);
                return Result(_findings.Any(f => f.Severity == FindingSeverity.Error) ? null : _config);
            }

            private MaceConfigReadResult Result(MaceConfig? config)
            {
                var ordered = _findings.Select((f, i) => (f, i)).OrderBy(x => x.f.Line).ThenBy(x => x.f.Column).ThenBy(x => x.i).Select(x => x.f).ToList();
                if (config != null) config.Findings = ordered;
                return new MaceConfigReadResult(_path, _config?.Generation, config, ordered);
            }

            // ---- YAML ----

            private YamlMappingNode? LoadRoot()
            {
                YamlStream stream;
                try
                {
                    stream = BoundedYaml.Load(_text, InputKind.DeploymentFile);
                }
                catch (YamlException e)
                {
                    string message = e.Message.StartsWith("Duplicate key ", StringComparison.Ordinal)
                        ? $"duplicate key '{e.Message.Substring("Duplicate key ".Length)}' (PyYAML, which MACE uses, silently keeps the last one)"
                        : "invalid YAML: " + e.Message;
                    AddAt(FindingSeverity.Error, ConfigFindingCodes.YamlSyntax, null, (int)e.Start.Line, (int)e.Start.Column, message);
                    return null;
                }
                if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode s && IsNull(s))
                {
                    AddAt(FindingSeverity.Error, ConfigFindingCodes.MissingKey, "models", 1, 1, "the file is empty: a deployment file is a mapping with at least a 'models' key");
                    return null;
                }
                if (stream.Documents.Count > 1)
                    Add(FindingSeverity.Error, ConfigFindingCodes.YamlSyntax, null, stream.Documents[1].RootNode,
                        "a second YAML document: MACE reads the file with yaml.load, which accepts exactly one");
                var rootNode = stream.Documents[0].RootNode;
                if (rootNode is YamlMappingNode map) return map;
                Add(FindingSeverity.Error, ConfigFindingCodes.WrongType, null, rootNode,
                    $"expected a mapping of keys (library_name, target_abis, models …), found {Describe(rootNode)}");
                return null;
            }

            private static bool IsNull(YamlScalarNode s) =>
                s.Style == ScalarStyle.Plain && (s.Value == null || s.Value.Length == 0 || s.Value == "~" || s.Value == "null" || s.Value == "Null" || s.Value == "NULL");

            private static string Describe(YamlNode node) => node switch
            {
                YamlMappingNode _ => "a mapping",
                YamlSequenceNode _ => "a list",
                YamlScalarNode s when IsNull(s) => "an empty value",
                YamlScalarNode s => $"the value '{s.Value}'",
                _ => "an alias",
            };

            // ---- findings ----

            private void Add(FindingSeverity severity, string code, string? key, YamlNode? at, string message) =>
                AddAt(severity, code, key, at == null ? 1 : (int)at.Start.Line, at == null ? 1 : (int)at.Start.Column, message);

            private void AddAt(FindingSeverity severity, string code, string? key, int line, int column, string message) =>
                _findings.Add(new MaceConfigFinding(severity, code, _path, key, line, column, message));

            private void Error(string code, string key, YamlNode at, string message) => Add(FindingSeverity.Error, code, key, at, message);

            /// <summary>A value that MACE puts into file names (library_name, target_socs) must pass <see cref="NameRule"/>.</summary>
            private void CheckFileNamePart(string key, YamlNode at, string value)
            {
                if (NameRule.Problem(value) is string problem) Error(ConfigFindingCodes.BadValue, key, at, NameRule.Message(value, problem));
            }
            private void Warn(string code, string key, YamlNode at, string message) => Add(FindingSeverity.Warning, code, key, at, message);

            private void Remember(string key, YamlNode node) => _config.Positions[key] = ((int)node.Start.Line, (int)node.Start.Column);

            // ---- generation ----

            private string DetectGeneration(Map top)
            {
                var models = top.Get("models") as YamlMappingNode;
                var modelMaps = models?.Children.Values.OfType<YamlMappingNode>().ToList() ?? new List<YamlMappingNode>();
                bool HasKey(YamlMappingNode m, string k) => m.Children.Keys.OfType<YamlScalarNode>().Any(n => n.Value == k);
                if (modelMaps.Any(m => HasKey(m, "input_nodes") || HasKey(m, "output_nodes"))) return MaceConfigGeneration.V0_6;
                bool namedSubgraphs = modelMaps.Any(m => m.Children.Any(kv => kv.Key is YamlScalarNode k && k.Value == "subgraphs" && kv.Value is YamlMappingNode));
                if (top.Has("model_graph_format") || top.Has("model_data_format"))
                    return namedSubgraphs ? MaceConfigGeneration.V1_1 : MaceConfigGeneration.V0_9;
                if (top.Has("build_type")) return MaceConfigGeneration.V0_8;
                if (top.Has("embed_model_data"))
                    return top.Has("library_name") || modelMaps.Any(m => HasKey(m, "subgraphs")) ? MaceConfigGeneration.V0_8 : MaceConfigGeneration.V0_6;
                if (top.Has("library_name") || top.Has("target_abis"))
                    return namedSubgraphs ? MaceConfigGeneration.V1_1 : MaceConfigGeneration.V0_9;
                return MaceConfigGeneration.ToolsPython;
            }

            private bool IsConverterGeneration => _gen == MaceConfigGeneration.V0_8 || _gen == MaceConfigGeneration.V0_9 || _gen == MaceConfigGeneration.V1_1;

            // ---- top level ----

            private void ReadTopLevel(Map top)
            {
                CheckUnknown(top, ConfigSchema.TopLevelKeys, "top-level");
                _config.LibraryName = Str(top, "library_name", required: IsConverterGeneration);
                if (_config.LibraryName != null) CheckFileNamePart("library_name", top.Get("library_name")!, _config.LibraryName);

                if (_gen == MaceConfigGeneration.ToolsPython)
                    _config.TargetAbis = List(top, "target_abis", required: false)?.Select(v => v.Value).ToArray() ?? Array.Empty<string>();
                else
                    _config.TargetAbis = ReadAbis(top);

                var socs = List(top, "target_socs", required: false);
                foreach (var soc in socs ?? new List<Item>()) CheckFileNamePart(soc.Key, soc.Node, soc.Value);
                _config.TargetSocs = socs?.Select(v => v.Value.ToLowerInvariant()).ToArray() ?? Array.Empty<string>();
                ReadFormats(top);

                var modelsNode = top.Get("models");
                top.Consume("models");
                var models = new List<MaceModelConfig>();
                if (modelsNode == null)
                    Error(ConfigFindingCodes.MissingKey, "models", top.Node, "required key is missing");
                else if (modelsNode is YamlScalarNode s && IsNull(s))
                    Error(ConfigFindingCodes.MissingKey, "models", modelsNode, "must hold at least one model");
                else if (!(modelsNode is YamlMappingNode modelsMap))
                    Error(ConfigFindingCodes.WrongType, "models", modelsNode, $"expected a mapping of model names to models, found {Describe(modelsNode)}");
                else if (modelsMap.Children.Count == 0)
                    Error(ConfigFindingCodes.MissingKey, "models", modelsNode, "must hold at least one model");
                else
                {
                    foreach (var entry in modelsMap.Children)
                    {
                        if (!(entry.Key is YamlScalarNode nameNode) || IsNull(nameNode))
                        {
                            Error(ConfigFindingCodes.WrongType, "models", entry.Key, "a model name must be a plain name");
                            continue;
                        }
                        string name = nameNode.Value!;
                        string key = "models." + name;
                        if (ConfigSchema.CppKeywords.Contains(name))
                            Error(ConfigFindingCodes.BadValue, key, nameNode, $"'{name}' is a C++ keyword; a model name becomes a C++ identifier, so MACE rejects it");
                        else if (!ModelNameRe.IsMatch(name))
                            Error(ConfigFindingCodes.BadValue, key, nameNode, $"'{name}' is not a valid model name: it must match ^[a-zA-Z_][a-zA-Z0-9_]*$ (it becomes a C++ identifier)");
                        if (!(entry.Value is YamlMappingNode modelNode))
                        {
                            Error(ConfigFindingCodes.WrongType, key, entry.Value, $"expected a mapping of model keys (platform, model_file_path, subgraphs …), found {Describe(entry.Value)}");
                            continue;
                        }
                        Remember(key, nameNode);
                        models.Add(ReadModel(name, new Map(modelNode, key)));
                    }
                }
                _config.Models = models;
                _config.OtherKeys = Others(top);
            }

            private string[] ReadAbis(Map top)
            {
                var node = top.Get("target_abis");
                if (node == null)
                {
                    Error(ConfigFindingCodes.MissingKey, "target_abis", top.Node, "required key is missing (a list such as [armeabi-v7a, arm64-v8a])");
                    top.Consume("target_abis");
                    return Array.Empty<string>();
                }
                if (!(node is YamlSequenceNode))
                {
                    top.Consume("target_abis");
                    Error(node is YamlScalarNode s && IsNull(s) ? ConfigFindingCodes.MissingKey : ConfigFindingCodes.WrongType, "target_abis", node,
                        $"expected a list such as [armeabi-v7a, arm64-v8a], found {Describe(node)} (MACE requires a list)");
                    return Array.Empty<string>();
                }
                var items = List(top, "target_abis", required: true) ?? new List<Item>();
                var allowed = ConfigSchema.Abis(_gen);
                foreach (var item in items.Where(i => !allowed.Contains(i.Value)))
                    Error(ConfigFindingCodes.BadValue, item.Key, item.Node, $"'{item.Value}' is not one of {string.Join(", ", allowed)}");
                return items.Select(i => i.Value).ToArray();
            }

            private void ReadFormats(Map top)
            {
                switch (_gen)
                {
                    case MaceConfigGeneration.V0_6:
                    {
                        int embed = Int(top, "embed_model_data", 1, new[] { 0, 1 });
                        _config.ModelGraphFormat = "code";
                        _config.ModelDataFormat = embed == 1 ? "code" : "file";
                        break;
                    }
                    case MaceConfigGeneration.V0_8:
                    {
                        string? buildType = Enum(top, "build_type", ConfigSchema.BuildTypes, required: true);
                        if (!top.Has("embed_model_data"))
                            Error(ConfigFindingCodes.MissingKey, "embed_model_data", top.Node, "required key is missing (0 or 1)");
                        int embed = Int(top, "embed_model_data", 0, new[] { 0, 1 });
                        int linkshared = Int(top, "linkshared", 0, new[] { 0, 1 });
                        if (buildType == "code" && linkshared == 1)
                            Error(ConfigFindingCodes.Conflict, "linkshared", top.Get("linkshared")!, "'linkshared: 1' needs build_type proto (MACE v0.8 rejects it with build_type code)");
                        top.Release("linkshared");
                        _config.ModelGraphFormat = buildType == "proto" ? "file" : "code";
                        _config.ModelDataFormat = buildType == "proto" ? "file" : embed == 1 ? "code" : "file";
                        break;
                    }
                    case MaceConfigGeneration.V0_9:
                    case MaceConfigGeneration.V1_1:
                    {
                        string? graph = Enum(top, "model_graph_format", ConfigSchema.ModelFormats, required: true);
                        string? data = Enum(top, "model_data_format", ConfigSchema.ModelFormats, required: true);
                        if (graph == "file" && data == "code")
                            Error(ConfigFindingCodes.Conflict, "model_data_format", top.Get("model_data_format")!,
                                "'code' is not allowed with model_graph_format 'file' (MACE: \"If model_graph format is 'file', the model_data_format must be 'file' too\")");
                        _config.ModelGraphFormat = graph;
                        _config.ModelDataFormat = data;
                        foreach (var old in new[] { "build_type", "embed_model_data" })
                            if (top.Has(old))
                                Warn(ConfigFindingCodes.ObsoleteKey, old, top.Get(old)!, "obsolete since MACE v0.9, which ignores it (model_graph_format and model_data_format replace build_type and embed_model_data)");
                        break;
                    }
                    default:
                        _config.ModelGraphFormat = Enum(top, "model_graph_format", ConfigSchema.ModelFormats, required: false);
                        _config.ModelDataFormat = Enum(top, "model_data_format", ConfigSchema.ModelFormats, required: false);
                        break;
                }
            }

            // ---- models ----

            private MaceModelConfig ReadModel(string name, Map m)
            {
                var model = new MaceModelConfig(name, _path);
                bool v06 = _gen == MaceConfigGeneration.V0_6;
                ReportBadKeys(m);
                foreach (var (key, keyNode, _) in m.Entries)
                {
                    if (!ConfigSchema.ModelKeys.Contains(key))
                        UnknownKey(m, key, keyNode, ConfigSchema.ModelKeys, "model");
                    else if (!v06 && ConfigSchema.ObsoleteModelKeys.TryGetValue(key, out var replacement))
                        Warn(ConfigFindingCodes.ObsoleteKey, m.Child(key), keyNode, $"obsolete since MACE v0.8, which ignores it ('{replacement}' replaced it)");
                    else if (v06 && key == "subgraphs")
                        Warn(ConfigFindingCodes.Ignored, m.Child(key), keyNode, "ignored: a model with input_nodes/output_nodes (the v0.6 schema) has no subgraphs");
                }

                model.Platform = (Enum(m, "platform", ConfigSchema.Platforms(_gen), required: true, ignoreCase: _gen == MaceConfigGeneration.ToolsPython) ?? "").ToLowerInvariant();
                model.ModelFilePath = Str(m, "model_file_path", required: true) ?? "";
                model.ModelSha256 = Checksum(m, "model_sha256_checksum", required: true, because: null);
                model.WeightFilePath = Str(m, "weight_file_path", required: false);
                if (!string.IsNullOrEmpty(model.WeightFilePath))
                    model.WeightSha256 = Checksum(m, "weight_sha256_checksum", required: true, because: " (weight_file_path is set)");
                else m.Consume("weight_sha256_checksum");

                bool runtimePerSubgraph = _gen == MaceConfigGeneration.V0_9 || _gen == MaceConfigGeneration.V1_1 || _gen == MaceConfigGeneration.ToolsPython;
                string? declared = Enum(m, "runtime", ConfigSchema.Runtimes(_gen), required: !runtimePerSubgraph);
                if (declared != null)
                {
                    model.DeclaredRuntime = declared;
                    model.Runtime = ConfigSchema.EffectiveRuntime(declared);
                    CheckHostRuntime(m, declared);
                }

                model.Subgraphs = ReadSubgraphs(m, model);
                if (declared == null && runtimePerSubgraph && m.Get("runtime") == null)
                {
                    if (model.Subgraphs.Count > 0 && model.Subgraphs.All(s => s.Runtime.Length > 0))
                    {
                        model.Runtime = model.Subgraphs[0].Runtime;
                        model.DeclaredRuntime = model.Subgraphs[0].Runtime;
                    }
                    else if (model.Subgraphs.Count > 0)
                        Error(ConfigFindingCodes.MissingKey, m.Child("runtime"), m.Node, $"required key is missing (give it here or in every subgraph: one of {string.Join(", ", ConfigSchema.Runtimes(_gen))})");
                }

                if (model.Runtime.Length > 0)
                {
                    var (allowed, fallback) = ConfigSchema.DataTypes(_gen, model.Runtime);
                    string? dataType = Enum(m, "data_type", allowed, required: false, context: $" (for the {model.Runtime} runtime)");
                    model.DataType = dataType == null ? fallback : dataType == "fp32" ? "fp32_fp32" : dataType;
                }
                else m.Consume("data_type");

                model.LimitOpenclKernelTime = Int(m, "limit_opencl_kernel_time", 0);
                model.OpenclQueueWindowSize = Int(m, "opencl_queue_window_size", 0);
                model.NnlibGraphMode = Int(m, "nnlib_graph_mode", 0);
                model.Winograd = Int(m, "winograd", 0, ConfigSchema.WinogradValues);
                model.Quantize = Int(m, "quantize", 0) != 0;
                model.QuantizeLargeWeights = Int(m, "quantize_large_weights", 0) != 0;
                if (model.Quantize && model.QuantizeLargeWeights)
                    Error(ConfigFindingCodes.Conflict, m.Child("quantize_large_weights"), m.Get("quantize_large_weights")!, "quantize and quantize_large_weights cannot both be 1");
                model.ChangeConcatRanges = Int(m, "change_concat_ranges", 0) != 0;
                model.QuantizeRangeFile = Str(m, "quantize_range_file", required: false);
                // MaceTools' own switch (MACE ignores it): depthwise convolutions with unequal strides stay on the GPU.
                model.GpuUnequalStrideDepthwise = m.Has(ConfigSchema.GpuUnequalStrideDepthwiseKey) && Int(m, ConfigSchema.GpuUnequalStrideDepthwiseKey, 0) != 0;
                // converter.py@v1.1.1 reads obfuscate from the raw file with a default of 1; the v0.6 and v0.8 tools default it to 0.
                model.Obfuscate = m.Has("obfuscate")
                    ? Int(m, "obfuscate", 0) != 0
                    : !(v06 || _gen == MaceConfigGeneration.V0_8);
                model.ClMemType = Enum(m, "cl_mem_type", ConfigSchema.ClMemTypes, required: false) ?? "image";

                model.OtherKeys = Others(m);
                return model;
            }

            private void CheckHostRuntime(Map m, string runtime)
            {
                if (runtime == "cpu" || !_config.TargetAbis.Contains("host")) return;
                var node = m.Get("runtime")!;
                if (_gen == MaceConfigGeneration.V0_8)
                    Error(ConfigFindingCodes.Conflict, m.Child("runtime"), node, $"'{runtime}' with target_abis host: MACE v0.8 supports only the cpu runtime on host");
                else if (_gen == MaceConfigGeneration.V0_9)
                    Warn(ConfigFindingCodes.Conflict, m.Child("runtime"), node, $"'{runtime}' with target_abis host: MACE v0.9 to v1.0.4 reject it (\"host only support cpu runtime now\"); v1.1.1 does not check");
            }

            private IReadOnlyList<MaceSubgraphConfig> ReadSubgraphs(Map m, MaceModelConfig model)
            {
                var result = new List<MaceSubgraphConfig>();
                if (_gen == MaceConfigGeneration.V0_6)
                {
                    m.Consume("subgraphs");
                    var g = ReadSubgraph(ConfigSchema.DefaultGraph, m, null, model, "input_nodes", "output_nodes");
                    if (g != null) result.Add(g);
                    return result;
                }
                var node = m.Get("subgraphs");
                m.Consume("subgraphs");
                string key = m.Child("subgraphs");
                if (node == null)
                {
                    if (_gen == MaceConfigGeneration.ToolsPython)
                    {
                        // tools/python also takes the tensors from the model itself.
                        var g = ReadSubgraph(ConfigSchema.DefaultGraph, m, null, model, "input_tensors", "output_tensors");
                        if (g != null) result.Add(g);
                    }
                    else Error(ConfigFindingCodes.MissingKey, key, m.Node, "required key is missing (at least one subgraph with input_tensors, input_shapes, output_tensors and output_shapes)");
                    return result;
                }
                switch (node)
                {
                    case YamlSequenceNode list when list.Children.Count > 0:
                    {
                        var first = list.Children[0];
                        if (first is YamlMappingNode firstMap)
                        {
                            var g = ReadSubgraph(ConfigSchema.DefaultGraph, new Map(firstMap, key + "[0]"), m, model, "input_tensors", "output_tensors");
                            if (g != null) result.Add(g);
                        }
                        else Error(ConfigFindingCodes.WrongType, key + "[0]", first, $"expected a mapping of subgraph keys (input_tensors, input_shapes …), found {Describe(first)}");
                        if (list.Children.Count > 1)
                            Warn(ConfigFindingCodes.Ignored, key + "[1]", list.Children[1],
                                $"ignored: MACE uses only the first subgraph of a list ({list.Children.Count - 1} more here); name the graphs in a mapping (MACE v1.1.1) to use several");
                        break;
                    }
                    case YamlMappingNode named when named.Children.Count > 0:
                        if (_gen == MaceConfigGeneration.V0_8)
                        {
                            Error(ConfigFindingCodes.WrongType, key, node, "named subgraphs (a mapping) need MACE v1.1.1's schema (model_graph_format …); the v0.8 schema takes a list");
                            break;
                        }
                        foreach (var entry in named.Children)
                        {
                            string graphName = entry.Key is YamlScalarNode k && !IsNull(k) ? k.Value! : "";
                            if (graphName.Length == 0)
                            {
                                Error(ConfigFindingCodes.WrongType, key, entry.Key, "a subgraph name must be a plain name");
                                continue;
                            }
                            if (entry.Value is YamlMappingNode graphMap)
                            {
                                var g = ReadSubgraph(graphName, new Map(graphMap, key + "." + graphName), m, model, "input_tensors", "output_tensors");
                                if (g != null) result.Add(g);
                            }
                            else Error(ConfigFindingCodes.WrongType, key + "." + graphName, entry.Value, $"expected a mapping of subgraph keys (input_tensors, input_shapes …), found {Describe(entry.Value)}");
                        }
                        break;
                    case YamlScalarNode s when !IsNull(s):
                        Error(ConfigFindingCodes.WrongType, key, node, $"expected a list of subgraphs (or a mapping of named subgraphs), found {Describe(node)}");
                        break;
                    default:
                        Error(ConfigFindingCodes.MissingKey, key, node, "must hold at least one subgraph");
                        break;
                }
                return result;
            }

            // ---- subgraphs ----

            private MaceSubgraphConfig? ReadSubgraph(string name, Map sub, Map? model, MaceModelConfig modelConfig, string inputKey, string outputKey)
            {
                var g = new MaceSubgraphConfig(name);
                bool own = model != null;
                if (own)
                {
                    // In a list (v0.8 … v1.1.1) a subgraph holds subgraph keys; named subgraphs and tools/python take any model key too.
                    var known = _gen == MaceConfigGeneration.V1_1 || _gen == MaceConfigGeneration.ToolsPython ? ConfigSchema.ModelKeys : ConfigSchema.SubgraphKeys;
                    CheckUnknown(sub, known, "subgraph");
                }
                // Optional keys may sit at model level for every subgraph (v1.1.1 reads validation keys there; tools/python copies them down).
                Map? Owner(string key) => sub.Has(key) ? sub : model != null && model.Has(key) ? model : null;
                bool inherit = _gen == MaceConfigGeneration.ToolsPython;
                // Null: the key is only at model level where converter.py does not look (reported here).
                Map? Required(string key)
                {
                    if (sub.Has(key) || !own) return sub;
                    if (inherit && model!.Has(key)) return model;
                    if (model!.Has(key))
                    {
                        Error(ConfigFindingCodes.MissingKey, sub.Child(key), sub.Node, "required key is missing (converter.py reads it from each subgraph, not from the model)");
                        model.Consume(key);
                        return null;
                    }
                    return sub;
                }

                var inputs = Required(inputKey) is Map im ? List(im, inputKey, required: true) : null;
                var inputShapes = Required("input_shapes") is Map ism ? Shapes(ism, "input_shapes", required: true) : null;
                var outputs = Required(outputKey) is Map om ? List(om, outputKey, required: true) : null;
                var outputShapes = Required("output_shapes") is Map osm ? Shapes(osm, "output_shapes", required: true) : null;
                g.InputTensors = inputs?.Select(i => i.Value).ToArray() ?? Array.Empty<string>();
                g.OutputTensors = outputs?.Select(i => i.Value).ToArray() ?? Array.Empty<string>();
                g.InputShapes = inputShapes?.Shapes ?? Array.Empty<int[]>();
                g.OutputShapes = outputShapes?.Shapes ?? Array.Empty<int[]>();
                if (inputs != null && inputShapes != null && inputShapes.Shapes.Length != inputs.Count)
                    Error(ConfigFindingCodes.CountMismatch, inputShapes.Key, inputShapes.Node, $"{inputShapes.Shapes.Length} input_shapes for {inputs.Count} {inputKey}");
                if (outputs != null && outputShapes != null && outputShapes.Shapes.Length != outputs.Count)
                    Error(ConfigFindingCodes.CountMismatch, outputShapes.Key, outputShapes.Node, $"{outputShapes.Shapes.Length} output_shapes for {outputs.Count} {outputKey}");

                int nIn = g.InputTensors.Length, nOut = g.OutputTensors.Length;
                bool py = _gen == MaceConfigGeneration.ToolsPython;
                g.InputDataTypes = PerTensor(Owner("input_data_types"), "input_data_types", ConfigSchema.IoDataTypes, "float32", nIn, inputKey, ignoreCase: false);
                g.OutputDataTypes = PerTensor(Owner("output_data_types"), "output_data_types", ConfigSchema.IoDataTypes, "float32", nOut, outputKey, ignoreCase: false);
                g.InputDataFormats = PerTensor(Owner("input_data_formats"), "input_data_formats", ConfigSchema.DataFormats(_gen), "NHWC", nIn, inputKey, ignoreCase: py);
                g.OutputDataFormats = PerTensor(Owner("output_data_formats"), "output_data_formats", ConfigSchema.DataFormats(_gen), "NHWC", nOut, outputKey, ignoreCase: py);
                g.InputRanges = Ranges(Owner("input_ranges"), nIn, inputKey);

                var checkTensors = Owner("check_tensors") is Map ct ? List(ct, "check_tensors", required: false) : null;
                var checkShapes = Owner("check_shapes") is Map cs ? Shapes(cs, "check_shapes", required: false) : null;
                g.CheckTensors = checkTensors?.Select(i => i.Value).ToArray() ?? Array.Empty<string>();
                g.CheckShapes = checkShapes?.Shapes ?? Array.Empty<int[]>();
                if (g.CheckTensors.Length != g.CheckShapes.Length)
                {
                    if (checkShapes != null) Error(ConfigFindingCodes.CountMismatch, checkShapes.Key, checkShapes.Node, $"{g.CheckShapes.Length} check_shapes for {g.CheckTensors.Length} check_tensors");
                    else Error(ConfigFindingCodes.MissingKey, sub.Child("check_shapes"), sub.Node, $"required key is missing (one shape for each of the {g.CheckTensors.Length} check_tensors)");
                }

                g.ValidationInputsData = Owner("validation_inputs_data") is Map vi ? List(vi, "validation_inputs_data", required: false)?.Select(i => i.Value).ToArray() ?? Array.Empty<string>() : Array.Empty<string>();
                g.ValidationOutputsData = Owner("validation_outputs_data") is Map vo ? List(vo, "validation_outputs_data", required: false)?.Select(i => i.Value).ToArray() ?? Array.Empty<string>() : Array.Empty<string>();
                g.ValidationThreshold = Thresholds(Owner("validation_threshold"));
                g.Backend = (Owner("backend") is Map b ? Str(b, "backend", required: false) : null) ?? "tensorflow";

                if (own && sub.Has("runtime") && _gen != MaceConfigGeneration.V0_8)
                {
                    string? runtime = Enum(sub, "runtime", ConfigSchema.Runtimes(_gen), required: false);
                    g.Runtime = runtime == null ? modelConfig.Runtime : ConfigSchema.EffectiveRuntime(runtime);
                    if (runtime != null) CheckHostRuntime(sub, runtime);
                }
                else g.Runtime = modelConfig.Runtime;

                g.OtherKeys = own ? Others(sub) : new Dictionary<string, object?>();
                return g;
            }

            private string[] PerTensor(Map? owner, string key, string[] allowed, string fallback, int count, string tensorsKey, bool ignoreCase)
            {
                if (owner == null) return Enumerable.Repeat(fallback, count).ToArray();
                var items = List(owner, key, required: false);
                if (items == null || items.Count == 0) return Enumerable.Repeat(fallback, count).ToArray();
                var values = new List<string>();
                foreach (var item in items)
                {
                    string? match = allowed.FirstOrDefault(a => string.Equals(a, item.Value, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
                    if (match == null) Error(ConfigFindingCodes.BadValue, item.Key, item.Node, $"'{item.Value}' is not one of {string.Join(", ", allowed)}");
                    values.Add(match ?? item.Value);
                }
                if (values.Count == 1 && count > 1) return Enumerable.Repeat(values[0], count).ToArray();
                if (values.Count != count)
                    Error(ConfigFindingCodes.CountMismatch, owner.Child(key), owner.Get(key)!, $"{values.Count} {key} for {count} {tensorsKey} (give one for each tensor, or one for all)");
                return values.ToArray();
            }

            private double[][] Ranges(Map? owner, int count, string tensorsKey)
            {
                if (owner == null) return Array.Empty<double[]>();
                var items = List(owner, "input_ranges", required: false);
                if (items == null || items.Count == 0) return Array.Empty<double[]>();
                var ranges = new List<double[]>();
                foreach (var item in items)
                {
                    var parts = RemoveSpaces(item.Value).Split(',');
                    var numbers = new double[parts.Length];
                    bool ok = parts.Length == 2;
                    for (int i = 0; ok && i < parts.Length; i++)
                        ok = double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]);
                    if (!ok) Error(ConfigFindingCodes.BadValue, item.Key, item.Node, $"'{item.Value}' is not a range: two numbers min,max such as -1.0,1.0");
                    else ranges.Add(numbers);
                }
                if (ranges.Count == 1 && count > 1) return Enumerable.Repeat(ranges[0], count).ToArray();
                if (ranges.Count == items.Count && ranges.Count != count)
                    Error(ConfigFindingCodes.CountMismatch, owner.Child("input_ranges"), owner.Get("input_ranges")!, $"{ranges.Count} input_ranges for {count} {tensorsKey} (give one for each tensor, or one for all)");
                return ranges.ToArray();
            }

            private IReadOnlyDictionary<string, double> Thresholds(Map? owner)
            {
                var result = new Dictionary<string, double>(StringComparer.Ordinal);
                if (owner == null) return result;
                var node = owner.Get("validation_threshold")!;
                string key = owner.Child("validation_threshold");
                owner.Consume("validation_threshold");
                Remember(key, node);
                if (node is YamlScalarNode s && IsNull(s)) return result;
                if (!(node is YamlMappingNode map))
                {
                    Error(ConfigFindingCodes.WrongType, key, node, $"expected a mapping such as {{CPU: 0.999, GPU: 0.995}}, found {Describe(node)}");
                    return result;
                }
                foreach (var entry in map.Children)
                {
                    string name = (entry.Key as YamlScalarNode)?.Value ?? "";
                    string upper = name.ToUpperInvariant();
                    if (!ConfigSchema.ThresholdKeys.Contains(upper))
                    {
                        Error(ConfigFindingCodes.BadValue, key + "." + name, entry.Key, $"'{name}' is not one of {string.Join(", ", ConfigSchema.ThresholdKeys)}");
                        continue;
                    }
                    string? text = entry.Value is YamlScalarNode v && !IsNull(v) ? Substitute(v, key + "." + name) : null;
                    if (text == null || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                        Error(ConfigFindingCodes.BadValue, key + "." + name, entry.Value, $"expected a number such as 0.995, found {Describe(entry.Value)}");
                    else result[upper == "DSP" ? "HEXAGON" : upper] = value;
                }
                return result;
            }

            // ---- values ----

            /// <summary>One value of a list (or the single value given instead of a list), with its node and key path.</summary>
            private sealed class Item
            {
                public Item(string value, YamlNode node, string key) { Value = value; Node = node; Key = key; }
                public string Value { get; }
                public YamlNode Node { get; }
                public string Key { get; }
            }

            private sealed class ShapeList
            {
                public ShapeList(int[][] shapes, YamlNode node, string key) { Shapes = shapes; Node = node; Key = key; }
                public int[][] Shapes { get; }
                public YamlNode Node { get; }
                public string Key { get; }
            }

            /// <summary>${VAR} replaced from the environment; null (and an error) when a variable is not set.</summary>
            private string? Substitute(YamlScalarNode node, string key)
            {
                string value = node.Value ?? "";
                if (value.IndexOf("${", StringComparison.Ordinal) < 0) return value;
                var unset = new List<string>();
                string result = VariableRe.Replace(value, match =>
                {
                    string? v = _env(match.Groups[1].Value);
                    if (v == null) unset.Add(match.Groups[1].Value);
                    return v ?? match.Value;
                });
                if (unset.Count == 0) return result;
                Error(ConfigFindingCodes.UnsetVariable, key, node,
                    $"environment variable {string.Join(", ", unset.Distinct().Select(u => "'" + u + "'"))} is not set (the value '{value}' uses ${{{unset[0]}}})");
                return null;
            }

            /// <summary>A single value; null when absent or empty (an error when required).</summary>
            private string? Str(Map m, string name, bool required, string because = "")
            {
                var node = m.Get(name);
                m.Consume(name);
                string key = m.Child(name);
                if (node == null)
                {
                    if (required) Error(ConfigFindingCodes.MissingKey, key, m.Node, "required key is missing" + because);
                    return null;
                }
                Remember(key, node);
                if (!(node is YamlScalarNode s))
                {
                    Error(ConfigFindingCodes.WrongType, key, node, $"expected a single value, found {Describe(node)}");
                    return null;
                }
                if (IsNull(s) || s.Value!.Length == 0)
                {
                    // MACE's get(key, "") == "" test: an empty string counts as missing.
                    if (required) Error(ConfigFindingCodes.MissingKey, key, node, "must not be empty" + because);
                    return null;
                }
                return Substitute(s, key);
            }

            private string? Enum(Map m, string name, string[] allowed, bool required, bool ignoreCase = false, string context = "")
            {
                string? value = Str(m, name, required);
                if (value == null) return null;
                string? match = allowed.FirstOrDefault(a => string.Equals(a, value, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
                if (match == null)
                    Error(ConfigFindingCodes.BadValue, m.Child(name), m.Get(name)!, $"'{value}' is not one of {string.Join(", ", allowed)}{context}");
                return match;
            }

            /// <summary>An integer; missing or empty means <paramref name="fallback"/> (MACE's "" → 0), true/false read as 1/0.</summary>
            private int Int(Map m, string name, int fallback, int[]? allowed = null)
            {
                string? text = Str(m, name, required: false);
                if (text == null) return fallback;
                int value;
                // PyYAML (YAML 1.1) reads these as booleans, and Python's True == 1.
                if (Array.IndexOf(YamlTrue, text) >= 0) value = 1;
                else if (Array.IndexOf(YamlFalse, text) >= 0) value = 0;
                else if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
                {
                    Error(ConfigFindingCodes.BadValue, m.Child(name), m.Get(name)!, $"'{text}' is not an integer");
                    return fallback;
                }
                if (allowed != null && !allowed.Contains(value))
                {
                    Error(ConfigFindingCodes.BadValue, m.Child(name), m.Get(name)!, $"'{text}' is not one of {string.Join(", ", allowed)}");
                    return fallback;
                }
                return value;
            }

            private string? Checksum(Map m, string name, bool required, string? because)
            {
                string? value = Str(m, name, required, because ?? "");
                if (value != null && !Sha256Re.IsMatch(value))
                    Error(ConfigFindingCodes.BadValue, m.Child(name), m.Get(name)!,
                        $"'{value}' is not a SHA-256 checksum: 64 lower-case hex digits, as MACE compares it with Python's hexdigest()");
                return value;
            }

            /// <summary>A list of values, or a single value read as a one-element list (MACE's scalar form).</summary>
            private List<Item>? List(Map m, string name, bool required)
            {
                var node = m.Get(name);
                m.Consume(name);
                string key = m.Child(name);
                if (node == null)
                {
                    if (required) Error(ConfigFindingCodes.MissingKey, key, m.Node, "required key is missing");
                    return null;
                }
                Remember(key, node);
                switch (node)
                {
                    // An empty value counts as missing, except tools/python's quoted "" (a shape of [1]).
                    case YamlScalarNode s when IsNull(s) || (s.Value!.Length == 0 && _gen != MaceConfigGeneration.ToolsPython):
                        if (required) Error(ConfigFindingCodes.MissingKey, key, node, "must not be empty");
                        return required ? null : new List<Item>();
                    case YamlScalarNode s:
                    {
                        string? v = Substitute(s, key);
                        return v == null ? null : new List<Item> { new Item(v, node, key) };
                    }
                    case YamlSequenceNode seq:
                    {
                        if (seq.Children.Count == 0 && required)
                        {
                            Error(ConfigFindingCodes.MissingKey, key, node, "must not be empty");
                            return null;
                        }
                        var items = new List<Item>();
                        bool ok = true;
                        for (int i = 0; i < seq.Children.Count; i++)
                        {
                            var child = seq.Children[i];
                            string itemKey = $"{key}[{i}]";
                            if (child is YamlScalarNode cs && !IsNull(cs))
                            {
                                string? v = Substitute(cs, itemKey);
                                if (v == null) ok = false;
                                else items.Add(new Item(v, child, itemKey));
                            }
                            else
                            {
                                Error(child is YamlScalarNode ? ConfigFindingCodes.MissingKey : ConfigFindingCodes.WrongType, itemKey, child, $"expected a value, found {Describe(child)}");
                                ok = false;
                            }
                        }
                        return ok ? items : null;
                    }
                    default:
                        Error(ConfigFindingCodes.WrongType, key, node, $"expected a list (or a single value), found {Describe(node)}");
                        return null;
                }
            }

            /// <summary>Shapes such as 1,224,224,3: spaces removed, each dimension an integer; an empty shape is [1] (tools/python).</summary>
            private ShapeList? Shapes(Map m, string name, bool required)
            {
                var items = List(m, name, required);
                if (items == null) return null;
                var shapes = new List<int[]>();
                bool ok = true;
                foreach (var item in items)
                {
                    string text = RemoveSpaces(item.Value);
                    if (text.Length == 0) { shapes.Add(new[] { 1 }); continue; }
                    var parts = text.Split(',');
                    var dims = new int[parts.Length];
                    for (int i = 0; i < parts.Length; i++)
                    {
                        if (!int.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out dims[i]))
                        {
                            Error(ConfigFindingCodes.BadValue, item.Key, item.Node,
                                $"'{item.Value}' is not a shape: {(parts[i].Length == 0 ? "an empty dimension" : $"'{parts[i]}' is not an integer")} (a shape is comma-separated integers such as 1,224,224,3)");
                            ok = false;
                            break;
                        }
                    }
                    shapes.Add(dims);
                }
                return ok ? new ShapeList(shapes.ToArray(), m.Get(name)!, m.Child(name)) : null;
            }

            private static string RemoveSpaces(string s) => new string(s.Where(c => !char.IsWhiteSpace(c)).ToArray());

            private void ReportBadKeys(Map m)
            {
                foreach (var node in m.BadKeys)
                    Error(ConfigFindingCodes.WrongType, m.KeyPath.Length == 0 ? "(top level)" : m.KeyPath, node, $"a key must be a plain name, found {Describe(node)}");
            }

            private void CheckUnknown(Map m, string[] known, string level)
            {
                ReportBadKeys(m);
                foreach (var (key, keyNode, _) in m.Entries)
                    if (!known.Contains(key)) UnknownKey(m, key, keyNode, known, level);
            }

            private void UnknownKey(Map m, string key, YamlNode keyNode, IEnumerable<string> known, string level)
            {
                string? suggestion = ConfigSchema.Suggest(key, known);
                Warn(ConfigFindingCodes.UnknownKey, m.Child(key), keyNode,
                    $"unknown {level} key, ignored by MACE{(suggestion == null ? "" : $" (did you mean '{suggestion}'?)")}");
            }

            /// <summary>The keys of a mapping that no property took, as read: a scalar is a string, a list an object[], a mapping a dictionary.</summary>
            private Dictionary<string, object?> Others(Map m)
            {
                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, _, value) in m.Entries)
                    if (!m.IsConsumed(key))
                    {
                        Remember(m.Child(key), value);
                        result[key] = ToObject(value, m.Child(key));
                    }
                return result;
            }

            private object? ToObject(YamlNode node, string key) => node switch
            {
                YamlScalarNode s when IsNull(s) => null,
                YamlScalarNode s => Substitute(s, key),
                YamlSequenceNode seq => seq.Children.Select((c, i) => ToObject(c, $"{key}[{i}]")).ToArray(),
                YamlMappingNode map => map.Children.ToDictionary(kv => (kv.Key as YamlScalarNode)?.Value ?? kv.Key.ToString(), kv => ToObject(kv.Value, key + "." + ((kv.Key as YamlScalarNode)?.Value ?? "?")), StringComparer.Ordinal),
                _ => null,
            };
        }

        /// <summary>A YAML mapping with its key path; remembers which keys were read, so the rest go to OtherKeys.</summary>
        private sealed class Map
        {
            private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _entries = new Dictionary<string, (YamlNode, YamlNode)>(StringComparer.Ordinal);
            private readonly List<string> _order = new List<string>();
            private readonly HashSet<string> _consumed = new HashSet<string>(StringComparer.Ordinal);

            public Map(YamlMappingNode node, string keyPath)
            {
                Node = node;
                KeyPath = keyPath;
                foreach (var entry in node.Children)
                {
                    if (!(entry.Key is YamlScalarNode k) || k.Value == null) { BadKeys.Add(entry.Key); continue; }
                    if (k.Value == "<<" && k.Style == ScalarStyle.Plain && (entry.Value is YamlMappingNode || entry.Value is YamlSequenceNode)) continue;
                    _entries[k.Value] = (entry.Key, entry.Value);
                    _order.Add(k.Value);
                }
                // YAML merge keys (<<: *defaults), which PyYAML applies: merged keys never override the mapping's own.
                foreach (var entry in node.Children)
                {
                    if (!(entry.Key is YamlScalarNode k) || k.Value != "<<" || k.Style != ScalarStyle.Plain) continue;
                    var sources = entry.Value is YamlSequenceNode seq ? seq.Children.OfType<YamlMappingNode>() : new[] { entry.Value }.OfType<YamlMappingNode>();
                    foreach (var source in sources)
                        foreach (var merged in new Map(source, keyPath).Entries)
                            if (!_entries.ContainsKey(merged.Key))
                            {
                                _entries[merged.Key] = (merged.KeyNode, merged.Value);
                                _order.Add(merged.Key);
                            }
                }
            }

            public YamlMappingNode Node { get; }
            public string KeyPath { get; }
            public string Child(string key) => KeyPath.Length == 0 ? key : KeyPath + "." + key;
            public bool Has(string key) => _entries.ContainsKey(key);
            public YamlNode? Get(string key) => _entries.TryGetValue(key, out var e) ? e.Value : null;
            public void Consume(string key) => _consumed.Add(key);
            /// <summary>Read, but still listed in OtherKeys.</summary>
            public void Release(string key) => _consumed.Remove(key);
            /// <summary>Keys that are not plain values (a list or mapping used as a key).</summary>
            public List<YamlNode> BadKeys { get; } = new List<YamlNode>();
            public bool IsConsumed(string key) => _consumed.Contains(key);

            public IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> Entries =>
                _order.Select(k => (k, _entries[k].Key, _entries[k].Value));
        }
    }
}
