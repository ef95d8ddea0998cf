using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Config
{
    /// <summary>
    /// The schema generations of MACE's deployment file (mace-formats.md §6), as <see cref="MaceConfig.Generation"/> names them.
    /// </summary>
    public static class MaceConfigGeneration
    {
        /// <summary>tools/mace_tools.py (v0.6.x–v0.7.x): <c>input_nodes</c>/<c>output_nodes</c> per model, <c>embed_model_data</c>, no subgraphs.</summary>
        public const string V0_6 = "v0.6";
        /// <summary>tools/converter.py v0.8.x: <c>library_name</c>, <c>build_type</c> (proto|code) + <c>embed_model_data</c>, a list of subgraphs.</summary>
        public const string V0_8 = "v0.8";
        /// <summary>tools/converter.py v0.9.0 … v1.1.1: <c>model_graph_format</c>/<c>model_data_format</c>, a list of subgraphs (only the first is used).</summary>
        public const string V0_9 = "v0.9+";
        /// <summary>tools/converter.py v1.1.1 with named subgraphs (a mapping under <c>subgraphs</c>).</summary>
        public const string V1_1 = "v1.1";
        /// <summary>tools/python (run_model.py, v1.1.1): only <c>models</c> is read; <c>${VAR}</c> is taken from the environment.</summary>
        public const string ToolsPython = "tools/python";
    }

    /// <summary>The keys and allowed values of every generation (mace-formats.md §6.1–§6.3).</summary>
    internal static class ConfigSchema
    {
        public const string DefaultGraph = "default_graph";

        public static readonly string[] TopLevelKeys =
        {
            "library_name", "target_abis", "target_socs", "model_graph_format", "model_data_format", "models",
            "apu_version_with_no_device", "build_type", "embed_model_data", "linkshared", "vlog_level",
        };

        /// <summary>Keys a subgraph may hold (and, since v1.1.1 and in tools/python, the model may hold for all its subgraphs).</summary>
        public static readonly string[] SubgraphKeys =
        {
            "input_tensors", "input_shapes", "output_tensors", "output_shapes",
            "input_data_types", "output_data_types", "input_data_formats", "output_data_formats", "input_ranges",
            "check_tensors", "check_shapes", "validation_inputs_data", "validation_outputs_data", "validation_threshold",
            "backend", "accuracy_validation_script", "input_aliases", "output_aliases", "order", "runtime",
        };

        public static readonly string[] ModelKeys = new[]
        {
            "platform", "model_file_path", "model_sha256_checksum", "weight_file_path", "weight_sha256_checksum", "subgraphs",
            "runtime", "data_type", "limit_opencl_kernel_time", "opencl_queue_window_size", "nnlib_graph_mode", "obfuscate",
            "winograd", "quantize", "quantize_large_weights", "quantize_range_file", "quantize_schema", "quantize_stat",
            "change_concat_ranges", "graph_optimize_options", "cl_mem_type", "docker_image_tag", "dockerfile_path",
            "dockerfile_sha256_checksum", "accelerator_api",
            // v0.6 / v0.7
            "input_nodes", "output_nodes", "dsp_mode", "fast_conv",
            // MaceTools' own (MACE ignores unknown keys)
            GpuUnequalStrideDepthwiseKey,
        }.Concat(SubgraphKeys).Distinct().ToArray();

        /// <summary>MaceTools' model key that keeps unequal-stride depthwise convolutions on the GPU (MACE places them on the CPU).</summary>
        public const string GpuUnequalStrideDepthwiseKey = "macetools_gpu_unequal_stride_depthwise";

        /// <summary>Model keys of v0.6/v0.7 that later generations dropped, with what replaced them.</summary>
        public static readonly Dictionary<string, string> ObsoleteModelKeys = new Dictionary<string, string>
        {
            ["dsp_mode"] = "nnlib_graph_mode",
            ["fast_conv"] = "winograd",
        };

        public static string[] Abis(string generation) => generation == MaceConfigGeneration.V0_6 || generation == MaceConfigGeneration.V0_8
            ? new[] { "armeabi-v7a", "arm64-v8a", "host" }
            : new[] { "armeabi-v7a", "arm64-v8a", "arm64", "armhf", "host" };

        public static string[] Platforms(string generation) => generation == MaceConfigGeneration.V0_6 || generation == MaceConfigGeneration.V0_8
            ? new[] { "tensorflow", "caffe" }
            : new[] { "tensorflow", "caffe", "onnx", "megengine", "keras", "pytorch" };

        public static string[] Runtimes(string generation) => generation switch
        {
            MaceConfigGeneration.V0_6 => new[] { "cpu", "gpu", "dsp" },
            MaceConfigGeneration.V0_8 => new[] { "cpu", "gpu", "dsp", "cpu+gpu" },
            MaceConfigGeneration.ToolsPython => new[] { "cpu", "gpu", "hexagon", "dsp", "hta", "apu", "cpu+gpu", "htp" },
            _ => new[] { "cpu", "gpu", "dsp", "hta", "apu", "htp", "cpu+gpu" },
        };

        /// <summary>The runtime MACE actually uses: cpu+gpu is treated as gpu, tools/python's hexagon is dsp.</summary>
        public static string EffectiveRuntime(string runtime) => runtime switch
        {
            "cpu+gpu" => "gpu",
            "hexagon" => "dsp",
            _ => runtime,
        };

        /// <summary><c>get_data_type</c>: the allowed data types for a runtime and the default.</summary>
        public static (string[] Allowed, string Default) DataTypes(string generation, string effectiveRuntime)
        {
            bool v08 = generation == MaceConfigGeneration.V0_8;
            bool legacyCpu = generation == MaceConfigGeneration.V0_6 || v08 || generation == MaceConfigGeneration.V0_9;
            switch (effectiveRuntime)
            {
                case "dsp": return (new[] { "uint8" }, "uint8");
                case "apu": return (new[] { "fp16_fp32", "fp32_fp32", "uint8" }, "uint8");
                case "cpu":
                    if (v08) return (new[] { "fp32" }, "fp32_fp32");
                    return (legacyCpu ? new[] { "fp32_fp32", "fp16_fp32", "bf16_fp32", "fp16_fp16", "fp32" } : new[] { "fp32_fp32", "fp16_fp32", "bf16_fp32", "fp16_fp16" }, "fp32_fp32");
                default:
                    return (v08 ? new[] { "fp16_fp32", "fp32_fp32" } : new[] { "fp16_fp32", "fp32_fp32", "bf16_fp32", "fp16_fp16" }, "fp16_fp32");
            }
        }

        public static readonly string[] ModelFormats = { "file", "code" };
        public static readonly string[] BuildTypes = { "proto", "code" };
        public static readonly int[] WinogradValues = { 0, 2, 4 };
        public static readonly string[] ClMemTypes = { "image", "buffer" };
        public static readonly string[] IoDataTypes = { "int32", "float32", "float16", "bfloat16", "int16", "uint8" };

        public static string[] DataFormats(string generation) => generation == MaceConfigGeneration.ToolsPython
            ? new[] { "NONE", "NHWC", "NCHW", "HWIO", "OIHW", "HWOI", "OHWI", "AUTO" }
            : new[] { "NONE", "NHWC", "NCHW", "OIHW" };

        /// <summary>Keys of <c>validation_threshold</c> (upper-cased; DSP means HEXAGON) and MACE's defaults.</summary>
        public static readonly string[] ThresholdKeys = { "CPU", "GPU", "DSP", "HEXAGON", "HTA", "APU", "QUANTIZE", "CPU_QUANTIZE" };

        /// <summary>converter.py's CPP_KEYWORDS: a model name becomes a C++ identifier.</summary>
        public static readonly HashSet<string> CppKeywords = new HashSet<string>(new[]
        {
            "alignas", "alignof", "and", "and_eq", "asm", "atomic_cancel", "atomic_commit", "atomic_noexcept", "auto", "bitand", "bitor",
            "bool", "break", "case", "catch", "char", "char16_t", "char32_t", "class", "compl", "concept", "const", "constexpr", "const_cast",
            "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast", "else", "enum",
            "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if", "import", "inline", "int", "long", "module",
            "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected", "public",
            "register", "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast",
            "struct", "switch", "synchronized", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
            "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "override", "final",
            "transaction_safe", "transaction_safe_dynamic", "elif", "endif", "defined", "ifdef", "ifndef", "define", "undef", "include",
            "line", "error", "pragma",
        }, StringComparer.Ordinal);

        /// <summary>The closest known key within two edits, for "did you mean".</summary>
        public static string? Suggest(string key, IEnumerable<string> known)
        {
            string? best = null;
            int bestDistance = 3;
            foreach (var k in known)
            {
                int d = Distance(key, k);
                if (d < bestDistance) { bestDistance = d; best = k; }
            }
            return best;
        }

        private static int Distance(string a, string b)
        {
            var prev = new int[b.Length + 1];
            var cur = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++) prev[j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                cur[0] = i;
                for (int j = 1; j <= b.Length; j++)
                    cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                (prev, cur) = (cur, prev);
            }
            return prev[b.Length];
        }
    }
}
