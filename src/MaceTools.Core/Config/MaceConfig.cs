using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Config
{
    /// <summary>
    /// A MACE deployment file (mace.yml) of any schema generation, read into one model: old key names (v0.6
    /// <c>input_nodes</c>, v0.8 <c>build_type</c>/<c>embed_model_data</c>) are mapped onto the current ones, MACE's defaults
    /// are filled in, and every other key is kept in <see cref="OtherKeys"/> as read.
    /// </summary>
    public sealed class MaceConfig
    {
        internal MaceConfig(string path, string generation)
        {
            Path = path;
            Generation = generation;
        }

        /// <summary>The file, as given to the reader.</summary>
        public string Path { get; }
        /// <summary>The file name.</summary>
        public string Name => System.IO.Path.GetFileName(Path);
        /// <summary>Which schema generation the file looks like: v0.6, v0.8, v0.9+, v1.1 or tools/python (see <see cref="MaceConfigGeneration"/>).</summary>
        public string Generation { get; }
        /// <summary><c>library_name</c>; null where the generation has none (v0.6, tools/python).</summary>
        public string? LibraryName { get; internal set; }
        public string[] TargetAbis { get; internal set; } = Array.Empty<string>();
        /// <summary><c>target_socs</c>, lower-cased (a single value becomes a list).</summary>
        public string[] TargetSocs { get; internal set; } = Array.Empty<string>();
        /// <summary>
        /// <c>model_graph_format</c> (file or code); for v0.8 from <c>build_type</c> (proto → file), for v0.6 always code.
        /// Null in a tools/python file that does not say.
        /// </summary>
        public string? ModelGraphFormat { get; internal set; }
        /// <summary><c>model_data_format</c> (file or code); for v0.6 and v0.8 from <c>embed_model_data</c> (1 → code).</summary>
        public string? ModelDataFormat { get; internal set; }
        public IReadOnlyList<MaceModelConfig> Models { get; internal set; } = Array.Empty<MaceModelConfig>();
        /// <summary>Top-level keys that no property above holds, as read: a scalar is a string, a list an object[], a mapping a dictionary.</summary>
        public IReadOnlyDictionary<string, object?> OtherKeys { get; internal set; } = new Dictionary<string, object?>();
        /// <summary>The warnings about the file (unknown or obsolete keys, ignored subgraphs); a file with errors yields no config.</summary>
        public IReadOnlyList<MaceConfigFinding> Findings { get; internal set; } = Array.Empty<MaceConfigFinding>();

        /// <summary>Line and column (1-based) of each value read, by key path (<c>models.m.runtime</c>).</summary>
        internal Dictionary<string, (int Line, int Column)> Positions { get; } = new Dictionary<string, (int, int)>(StringComparer.Ordinal);

        /// <summary>The model of that name (exact, case-sensitive as MACE's), or null.</summary>
        public MaceModelConfig? GetModel(string name) => Models.FirstOrDefault(m => m.Name == name);

        /// <summary>The same file with only the given models (for a name filter).</summary>
        internal MaceConfig WithModels(IReadOnlyList<MaceModelConfig> models)
        {
            var copy = (MaceConfig)MemberwiseClone();
            copy.Models = models;
            return copy;
        }

        /// <summary>
        /// The models whose name matches one of the wildcard patterns (-Model / --model; all when there is none), and the
        /// patterns that match no model.
        /// </summary>
        internal (MaceConfig Config, List<string> Unmatched) SelectModels(IEnumerable<string>? patterns)
        {
            var list = (patterns ?? Array.Empty<string>()).Select(p => (Pattern: p, Regex: Operations.PathResolver.ToRegex(p))).ToList();
            if (list.Count == 0) return (this, new List<string>());
            var unmatched = list.Where(p => !Models.Any(m => p.Regex.IsMatch(m.Name))).Select(p => p.Pattern).ToList();
            return (WithModels(Models.Where(m => list.Any(p => p.Regex.IsMatch(m.Name))).ToList()), unmatched);
        }

        /// <summary>A pattern of <see cref="SelectModels"/> that matches no model of the file, as ModelNotFound.</summary>
        internal MaceException NoModel(string pattern) => new MaceException(ErrorIds.ModelNotFound, MaceErrorCategory.ObjectNotFound,
            $"{Path}: no model matches '{pattern}' (models: {string.Join(", ", Models.Select(m => m.Name))})", pattern);

        /// <summary>Only the models the patterns select; a pattern that matches none is an error (before any work is done).</summary>
        internal MaceConfig RequireModels(IEnumerable<string>? patterns)
        {
            var (selected, unmatched) = SelectModels(patterns);
            if (unmatched.Count > 0) throw NoModel(unmatched[0]);
            return selected;
        }

        internal (int Line, int Column) PositionOf(string keyPath) => Positions.TryGetValue(keyPath, out var p) ? p : (0, 0);

        public override string ToString() => $"{Path} ({Generation}, {Models.Count} model{(Models.Count == 1 ? "" : "s")})";
    }

    /// <summary>One model of a deployment file (<c>models.&lt;name&gt;</c>) with MACE's defaults applied.</summary>
    public sealed class MaceModelConfig
    {
        internal MaceModelConfig(string name, string configPath)
        {
            Name = name;
            ConfigPath = configPath;
        }

        /// <summary>The model's key under <c>models</c>: a C++ identifier (it names the generated code).</summary>
        public string Name { get; }
        /// <summary>The deployment file the model comes from; relative model paths are relative to its directory.</summary>
        public string ConfigPath { get; }
        /// <summary>tensorflow, caffe, onnx, megengine, keras or pytorch (lower case).</summary>
        public string Platform { get; internal set; } = "";
        /// <summary><c>model_file_path</c>: a local path (relative to the file's directory) or an http(s) URL.</summary>
        public string ModelFilePath { get; internal set; } = "";
        /// <summary><c>model_sha256_checksum</c>: 64 lower-case hex digits.</summary>
        public string? ModelSha256 { get; internal set; }
        /// <summary><c>weight_file_path</c> (Caffe's .caffemodel); null when absent.</summary>
        public string? WeightFilePath { get; internal set; }
        public string? WeightSha256 { get; internal set; }
        /// <summary>
        /// The runtime MACE uses: cpu, gpu, dsp, hta, apu or htp. <c>cpu+gpu</c> is treated as <c>gpu</c> by the converter
        /// (and tools/python's <c>hexagon</c> is <c>dsp</c>); <see cref="DeclaredRuntime"/> keeps what the file says.
        /// </summary>
        public string Runtime { get; internal set; } = "";
        /// <summary>The runtime as written in the file (e.g. cpu+gpu).</summary>
        public string DeclaredRuntime { get; internal set; } = "";
        /// <summary>
        /// <c>data_type</c>, or MACE's default for the runtime: fp16_fp32 for gpu (and hta, htp), fp32_fp32 for cpu, uint8 for
        /// dsp and apu. The pre-v1.0 cpu spelling <c>fp32</c> reads as fp32_fp32.
        /// </summary>
        public string DataType { get; internal set; } = "";
        /// <summary>
        /// Whether the converter obfuscates the model's tensor and op names. MACE v1.1.1's converter reads it from the raw file as
        /// <c>bool(model_config.get('obfuscate', 1))</c> (converter.py@v1.1.1:939), so a <b>missing</b> key means 1 (obfuscate)
        /// although MACE's documentation says the default is 0; an empty value means 0. The v0.6 and v0.8 schemas default it to 0.
        /// </summary>
        public bool Obfuscate { get; internal set; }
        /// <summary>
        /// <c>macetools_gpu_unequal_stride_depthwise: 1</c>, MaceTools' own key (MACE ignores it): depthwise convolutions with
        /// unequal strides run on the GPU with MaceTools' -DSTRIDE_W instead of on the CPU, where MACE places them.
        /// </summary>
        public bool GpuUnequalStrideDepthwise { get; internal set; }
        /// <summary><c>winograd</c>: 0 (off), 2 or 4 (the Winograd tile size of 3x3 convolutions on the GPU).</summary>
        public int Winograd { get; internal set; }
        /// <summary><c>cl_mem_type</c>: image (default) or buffer, which selects the *_buffer.cl OpenCL programs.</summary>
        public string ClMemType { get; internal set; } = "image";
        /// <summary><c>limit_opencl_kernel_time</c> (0 or 1): split long kernels (sets MACE_LIMIT_OPENCL_KERNEL_TIME).</summary>
        public int LimitOpenclKernelTime { get; internal set; }
        /// <summary><c>opencl_queue_window_size</c> (0 = off): sets MACE_OPENCL_QUEUE_WINDOW_SIZE, stored in the tuned-parameter file.</summary>
        public int OpenclQueueWindowSize { get; internal set; }
        public int NnlibGraphMode { get; internal set; }
        /// <summary><c>quantize</c>: quantize the model to 8 bits at conversion.</summary>
        public bool Quantize { get; internal set; }
        public bool QuantizeLargeWeights { get; internal set; }
        public string? QuantizeRangeFile { get; internal set; }
        public bool ChangeConcatRanges { get; internal set; }
        /// <summary>
        /// The graphs: a list of subgraphs in the file means only the first is used, named <c>default_graph</c>; a mapping
        /// (v1.1.1) gives named graphs. v0.6's model-level <c>input_nodes</c>/<c>output_nodes</c> become one default graph.
        /// </summary>
        public IReadOnlyList<MaceSubgraphConfig> Subgraphs { get; internal set; } = Array.Empty<MaceSubgraphConfig>();
        /// <summary>Model keys that no property holds, as read (quantize_schema, graph_optimize_options, docker_image_tag …).</summary>
        public IReadOnlyDictionary<string, object?> OtherKeys { get; internal set; } = new Dictionary<string, object?>();

        /// <summary>Whether <see cref="ModelFilePath"/> is an http(s) URL that must be downloaded.</summary>
        public bool IsRemote => ModelFetcher.IsUrl(ModelFilePath);

        public override string ToString() => $"{Name} ({Platform}, {Runtime}, {DataType})";
    }

    /// <summary>One graph of a model: its input and output tensors with shapes, types and formats, and its validation data.</summary>
    public sealed class MaceSubgraphConfig
    {
        internal MaceSubgraphConfig(string name) { Name = name; }

        /// <summary><c>default_graph</c> for the list form (and v0.6); the key for named subgraphs.</summary>
        public string Name { get; }
        /// <summary>The runtime of this graph: its own <c>runtime</c>, else the model's (cpu+gpu treated as gpu).</summary>
        public string Runtime { get; internal set; } = "";
        public string[] InputTensors { get; internal set; } = Array.Empty<string>();
        /// <summary>One shape per input tensor (spaces removed; an empty shape is [1], as tools/python reads it).</summary>
        public int[][] InputShapes { get; internal set; } = Array.Empty<int[]>();
        /// <summary>One per input: int32, float32, float16, bfloat16, int16 or uint8; default float32; a single value applies to every input.</summary>
        public string[] InputDataTypes { get; internal set; } = Array.Empty<string>();
        /// <summary>One per input: NONE, NHWC, NCHW or OIHW (tools/python also HWIO, HWOI, OHWI, AUTO); default NHWC; a single value applies to every input.</summary>
        public string[] InputDataFormats { get; internal set; } = Array.Empty<string>();
        /// <summary><c>input_ranges</c> as [min, max] per input (a single range applies to every input); empty when not given (MACE then uses -1,1).</summary>
        public double[][] InputRanges { get; internal set; } = Array.Empty<double[]>();
        public string[] OutputTensors { get; internal set; } = Array.Empty<string>();
        public int[][] OutputShapes { get; internal set; } = Array.Empty<int[]>();
        public string[] OutputDataTypes { get; internal set; } = Array.Empty<string>();
        public string[] OutputDataFormats { get; internal set; } = Array.Empty<string>();
        /// <summary><c>check_tensors</c>: intermediate tensors compared during validation, with <see cref="CheckShapes"/>.</summary>
        public string[] CheckTensors { get; internal set; } = Array.Empty<string>();
        public int[][] CheckShapes { get; internal set; } = Array.Empty<int[]>();
        /// <summary><c>validation_inputs_data</c>: local paths or URLs of input files.</summary>
        public string[] ValidationInputsData { get; internal set; } = Array.Empty<string>();
        public string[] ValidationOutputsData { get; internal set; } = Array.Empty<string>();
        /// <summary><c>validation_threshold</c> as given, by upper-case runtime (DSP reads as HEXAGON); MACE's defaults are CPU 0.999, GPU 0.995, others 0.980.</summary>
        public IReadOnlyDictionary<string, double> ValidationThreshold { get; internal set; } = new Dictionary<string, double>();
        /// <summary><c>backend</c> used for validation (default tensorflow).</summary>
        public string Backend { get; internal set; } = "tensorflow";
        /// <summary>Subgraph keys that no property holds, as read.</summary>
        public IReadOnlyDictionary<string, object?> OtherKeys { get; internal set; } = new Dictionary<string, object?>();

        public override string ToString() => $"{Name}: {string.Join(",", InputTensors)} -> {string.Join(",", OutputTensors)}";
    }
}
