using System.Collections.Generic;
using System.Linq;
using MaceTools.Config;
using static MaceTools.Tests.Config.ConfigFixtures;

namespace MaceTools.Tests.Config
{
    /// <summary>MaceConfigReader on malformed and edge-case files: exact messages with line, column and key.</summary>
    public class ConfigReaderTests
    {
        private static string Without(string line) => Valid.Replace(line, "");

        // ---- the valid base and defaults ----

        [Fact]
        public void The_base_file_is_clean_and_takes_MACEs_defaults()
        {
            var result = Read(Valid);
            Assert.Empty(result.Findings);
            var config = result.Config!;
            Assert.Equal(MaceConfigGeneration.V0_9, config.Generation);
            Assert.Equal("mace.yml", config.Path);
            var m = config.Models.Single();
            Assert.Equal("net", m.Name);
            Assert.Equal("mace.yml", m.ConfigPath);
            Assert.Equal("fp16_fp32", m.DataType);
            Assert.Equal("image", m.ClMemType);
            Assert.Equal(0, m.Winograd);
            Assert.Equal(0, m.OpenclQueueWindowSize);
            Assert.False(m.IsRemote);
            var g = m.Subgraphs.Single();
            Assert.Equal(new[] { new[] { 1, 3, 224, 224 } }, g.InputShapes);
            Assert.Equal(new[] { "float32" }, g.InputDataTypes);
            Assert.Equal(new[] { "NHWC" }, g.OutputDataFormats);
        }

        [Theory]
        [InlineData("cpu", "fp32_fp32")]
        [InlineData("gpu", "fp16_fp32")]
        [InlineData("cpu+gpu", "fp16_fp32")]
        [InlineData("dsp", "uint8")]
        [InlineData("apu", "uint8")]
        [InlineData("hta", "fp16_fp32")]
        [InlineData("htp", "fp16_fp32")]
        public void Data_type_defaults_follow_the_runtime(string runtime, string dataType) =>
            Assert.Equal(dataType, Read(Valid.Replace("runtime: gpu", "runtime: " + runtime)).GetConfigOrThrow().Models[0].DataType);

        [Fact]
        public void A_data_type_the_runtime_does_not_take_names_the_allowed_ones()
        {
            string yaml = Valid.Replace("runtime: gpu", "runtime: dsp") + "    data_type: fp16_fp32\n";
            Assert.Equal("mace.yml:16:16: models.net.data_type: 'fp16_fp32' is not one of uint8 (for the dsp runtime)", FirstError(yaml));
            var m = Read(Valid + "    data_type: bf16_fp32\n").GetConfigOrThrow().Models[0];
            Assert.Equal("bf16_fp32", m.DataType);
        }

        [Fact]
        public void Obfuscate_missing_means_1_as_converter_py_reads_the_raw_file_but_empty_means_0()
        {
            Assert.True(Read(Valid).GetConfigOrThrow().Models[0].Obfuscate);
            Assert.False(Read(Valid + "    obfuscate: 0\n").GetConfigOrThrow().Models[0].Obfuscate);
            Assert.False(Read(Valid + "    obfuscate:\n").GetConfigOrThrow().Models[0].Obfuscate);
            Assert.True(Read(Valid + "    obfuscate: 1\n").GetConfigOrThrow().Models[0].Obfuscate);
            Assert.True(Read(Valid + "    obfuscate: true\n").GetConfigOrThrow().Models[0].Obfuscate);
            // The v0.8 tools filled a missing obfuscate with 0 before converting.
            Assert.False(Read(V08).GetConfigOrThrow().Models[0].Obfuscate);
        }

        // ---- YAML errors ----

        [Fact]
        public void Bad_YAML_is_an_error_at_the_parsers_position()
        {
            string yaml = Valid.Replace("    platform: onnx\n", "    platform: onnx\n   oops: 1\n");
            var result = Read(yaml);
            Assert.Null(result.Config);
            Assert.Null(result.Generation);
            var f = Assert.Single(result.Findings);
            Assert.Equal(ConfigFindingCodes.YamlSyntax, f.Code);
            Assert.Null(f.Key);
            Assert.Equal("mace.yml:8:4: invalid YAML: While parsing a block mapping, did not find expected key.", f.ToString());

            Assert.Equal("mace.yml:1:15: invalid YAML: While scanning a multi-line double-quoted scalar, found wrong indentation.",
                FirstError(Valid.Replace("library_name: demo", "library_name: \"demo")));
            Assert.Equal("mace.yml:1:15: invalid YAML: While scanning a quoted scalar, found unexpected end of stream.", FirstError("library_name: 'demo\n"));
        }

        [Fact]
        public void An_unclosed_flow_list_is_an_error_where_the_parser_stopped_not_a_crash()
        {
            // YamlDotNet 16.3 throws InvalidOperationException here instead of a YamlException.
            Assert.Equal("mace.yml:3:1: invalid YAML: the parser cannot go on from here (often an unclosed '[', '{' or quote above)",
                FirstError(Valid.Replace("target_abis: [arm64-v8a]", "target_abis: [arm64-v8a")));
        }

        [Fact]
        public void Empty_files_duplicate_keys_several_documents_and_a_list_at_the_top_are_errors()
        {
            Assert.Equal("mace.yml:1:1: models: the file is empty: a deployment file is a mapping with at least a 'models' key", FirstError(""));
            Assert.Equal("mace.yml:1:1: models: the file is empty: a deployment file is a mapping with at least a 'models' key", FirstError("# nothing\n"));
            Assert.Equal("mace.yml:16:1: duplicate key 'library_name' (PyYAML, which MACE uses, silently keeps the last one)", FirstError(Valid + "library_name: again\n"));
            Assert.Equal("mace.yml:17:1: a second YAML document: MACE reads the file with yaml.load, which accepts exactly one", FirstError(Valid + "---\nx: 1\n"));
            Assert.Equal("mace.yml:1:1: expected a mapping of keys (library_name, target_abis, models …), found a list", FirstError("- a\n- b\n"));
        }

        // ---- types ----

        [Fact]
        public void A_mapping_where_a_list_is_expected_is_a_type_error()
        {
            Assert.Equal("mace.yml:2:14: target_abis: expected a list such as [armeabi-v7a, arm64-v8a], found a mapping (MACE requires a list)",
                FirstError(Valid.Replace("target_abis: [arm64-v8a]", "target_abis: {arm64-v8a: 1}")));
            Assert.Equal("mace.yml:2:14: target_abis: expected a list such as [armeabi-v7a, arm64-v8a], found the value 'arm64-v8a' (MACE requires a list)",
                FirstError(Valid.Replace("target_abis: [arm64-v8a]", "target_abis: arm64-v8a")));
            Assert.Equal("mace.yml:11:24: models.net.subgraphs[0].input_tensors: expected a list (or a single value), found a mapping",
                FirstError(Valid.Replace("input_tensors: x", "input_tensors: {x: 1}")));
            Assert.Equal("mace.yml:11:28: models.net.subgraphs[0].input_tensors[1]: expected a value, found a list",
                FirstError(Valid.Replace("input_tensors: x", "input_tensors: [x, [y]]")));
            Assert.Equal("mace.yml:6:3: models: expected a mapping of model names to models, found a list",
                FirstError("library_name: demo\ntarget_abis: [arm64-v8a]\nmodel_graph_format: file\nmodel_data_format: file\nmodels:\n  - net\n"));
            Assert.Equal("mace.yml:10:16: models.net.subgraphs: expected a list of subgraphs (or a mapping of named subgraphs), found the value 'x'",
                FirstError(Valid.Replace("    subgraphs:\n", "    subgraphs: x\n").Replace("      - input_tensors: x\n        input_shapes: 1,3,224,224\n        output_tensors: y\n        output_shapes: 1,1000\n", "")));
            Assert.Equal("mace.yml:7:15: models.net.platform: expected a single value, found a list",
                FirstError(Valid.Replace("platform: onnx", "platform: [onnx]")));
            Assert.Equal("mace.yml:6:8: models.net: expected a mapping of model keys (platform, model_file_path, subgraphs …), found the value 'oops'",
                FirstError("library_name: demo\ntarget_abis: [arm64-v8a]\nmodel_graph_format: file\nmodel_data_format: file\nmodels:\n  net: oops\n"));
        }

        // ---- required keys ----

        [Fact]
        public void Missing_required_keys_point_at_the_mapping_that_lacks_them()
        {
            Assert.Equal("mace.yml:1:1: library_name: required key is missing", FirstError(Without("library_name: demo\n")));
            Assert.Equal("mace.yml:1:15: library_name: must not be empty", FirstError(Valid.Replace("library_name: demo", "library_name: \"\"")));
            Assert.Equal("mace.yml:1:1: target_abis: required key is missing (a list such as [armeabi-v7a, arm64-v8a])", FirstError(Without("target_abis: [arm64-v8a]\n")));
            Assert.Equal("mace.yml:1:1: model_graph_format: required key is missing", FirstError(Without("model_graph_format: file\n")));
            Assert.Equal("mace.yml:7:5: models.net.model_file_path: required key is missing", FirstError(Without("    model_file_path: net.onnx\n")));
            Assert.Equal("mace.yml:7:5: models.net.model_sha256_checksum: required key is missing", FirstError(Without("    model_sha256_checksum: " + Sha + "\n")));
            Assert.Equal("mace.yml:7:5: models.net.platform: required key is missing", FirstError(Without("    platform: onnx\n")));
            Assert.Equal("mace.yml:7:5: models.net.runtime: required key is missing (give it here or in every subgraph: one of cpu, gpu, dsp, hta, apu, htp, cpu+gpu)",
                FirstError(Without("    runtime: gpu\n")));
            Assert.Equal("mace.yml:7:5: models.net.subgraphs: required key is missing (at least one subgraph with input_tensors, input_shapes, output_tensors and output_shapes)",
                FirstError(Valid.Replace("    subgraphs:\n      - input_tensors: x\n        input_shapes: 1,3,224,224\n        output_tensors: y\n        output_shapes: 1,1000\n", "")));
            Assert.Equal("mace.yml:11:9: models.net.subgraphs[0].input_shapes: required key is missing", FirstError(Without("        input_shapes: 1,3,224,224\n")));
            Assert.Equal("mace.yml:10:16: models.net.subgraphs: must hold at least one subgraph",
                FirstError(Valid.Replace("    subgraphs:\n      - input_tensors: x\n        input_shapes: 1,3,224,224\n        output_tensors: y\n        output_shapes: 1,1000\n", "    subgraphs: []\n")));
            Assert.Equal("mace.yml:5:9: models: must hold at least one model", FirstError("library_name: demo\ntarget_abis: [arm64-v8a]\nmodel_graph_format: file\nmodel_data_format: file\nmodels: {}\n"));
            Assert.Equal("mace.yml:7:5: models.net.weight_sha256_checksum: required key is missing (weight_file_path is set)",
                FirstError(Valid + "    weight_file_path: net.caffemodel\n"));
        }

        [Fact]
        public void Tensor_keys_at_model_level_are_not_read_by_converter_py()
        {
            string yaml = Valid.Replace("        input_shapes: 1,3,224,224\n", "") + "    input_shapes: 1,3,224,224\n";
            Assert.Equal("mace.yml:11:9: models.net.subgraphs[0].input_shapes: required key is missing (converter.py reads it from each subgraph, not from the model)", FirstError(yaml));
        }

        // ---- values ----

        [Fact]
        public void A_value_outside_MACEs_list_names_the_allowed_values()
        {
            Assert.Equal("mace.yml:15:14: models.net.runtime: 'gpuu' is not one of cpu, gpu, dsp, hta, apu, htp, cpu+gpu", FirstError(Valid.Replace("runtime: gpu", "runtime: gpuu")));
            Assert.Equal("mace.yml:7:15: models.net.platform: 'paddle' is not one of tensorflow, caffe, onnx, megengine, keras, pytorch", FirstError(Valid.Replace("platform: onnx", "platform: paddle")));
            Assert.Equal("mace.yml:2:15: target_abis[0]: 'x86' is not one of armeabi-v7a, arm64-v8a, arm64, armhf, host", FirstError(Valid.Replace("[arm64-v8a]", "[x86]")));
            Assert.Equal("mace.yml:3:21: model_graph_format: 'proto' is not one of file, code", FirstError(Valid.Replace("model_graph_format: file", "model_graph_format: proto")));
            Assert.Equal("mace.yml:16:18: models.net.cl_mem_type: 'texture' is not one of image, buffer", FirstError(Valid + "    cl_mem_type: texture\n"));
            Assert.Equal("buffer", Read(Valid + "    cl_mem_type: buffer\n").GetConfigOrThrow().Models[0].ClMemType);
        }

        [Fact]
        public void Winograd_must_be_0_2_or_4_and_flags_integers()
        {
            Assert.Equal("mace.yml:16:15: models.net.winograd: '3' is not one of 0, 2, 4", FirstError(Valid + "    winograd: 3\n"));
            Assert.Equal("mace.yml:16:15: models.net.winograd: 'x' is not an integer", FirstError(Valid + "    winograd: x\n"));
            Assert.Equal(2, Read(Valid + "    winograd: 2\n").GetConfigOrThrow().Models[0].Winograd);
            Assert.Equal(0, Read(Valid + "    winograd: \"\"\n").GetConfigOrThrow().Models[0].Winograd); // MACE: "" -> 0
            Assert.Equal("mace.yml:16:31: models.net.limit_opencl_kernel_time: '0.5' is not an integer", FirstError(Valid + "    limit_opencl_kernel_time: 0.5\n"));
        }

        [Fact]
        public void Quantize_and_quantize_large_weights_cannot_both_be_1()
        {
            Assert.Equal("mace.yml:17:29: models.net.quantize_large_weights: quantize and quantize_large_weights cannot both be 1",
                FirstError(Valid + "    quantize: 1\n    quantize_large_weights: 1\n"));
            var m = Read(Valid + "    quantize: 0\n    quantize_large_weights: 1\n").GetConfigOrThrow().Models[0];
            Assert.True(m.QuantizeLargeWeights);
            Assert.False(m.Quantize);
        }

        [Theory]
        [InlineData("1net", "mace.yml:6:3: models.1net: '1net' is not a valid model name: it must match ^[a-zA-Z_][a-zA-Z0-9_]*$ (it becomes a C++ identifier)")]
        [InlineData("my-net", "mace.yml:6:3: models.my-net: 'my-net' is not a valid model name: it must match ^[a-zA-Z_][a-zA-Z0-9_]*$ (it becomes a C++ identifier)")]
        [InlineData("class", "mace.yml:6:3: models.class: 'class' is a C++ keyword; a model name becomes a C++ identifier, so MACE rejects it")]
        [InlineData("pragma", "mace.yml:6:3: models.pragma: 'pragma' is a C++ keyword; a model name becomes a C++ identifier, so MACE rejects it")]
        public void Model_names_must_be_CPP_identifiers_that_are_not_keywords(string name, string message) =>
            Assert.Equal(message, FirstError(Valid.Replace("  net:", "  " + name + ":")));

        [Fact]
        public void Underscore_names_are_fine()
        {
            Assert.Equal("_net_2", Read(Valid.Replace("  net:", "  _net_2:")).GetConfigOrThrow().Models[0].Name);
        }

        [Fact]
        public void Graph_file_with_data_code_is_rejected_as_MACE_rejects_it()
        {
            Assert.Equal("mace.yml:4:20: model_data_format: 'code' is not allowed with model_graph_format 'file' (MACE: \"If model_graph format is 'file', the model_data_format must be 'file' too\")",
                FirstError(Valid.Replace("model_data_format: file", "model_data_format: code")));
            var code = Read(Valid.Replace("model_graph_format: file", "model_graph_format: code").Replace("model_data_format: file", "model_data_format: code")).GetConfigOrThrow();
            Assert.Equal("code", code.ModelGraphFormat);
            Assert.Equal("code", code.ModelDataFormat);
        }

        [Fact]
        public void Checksums_must_be_lower_case_sha256_hex()
        {
            Assert.Equal("mace.yml:9:28: models.net.model_sha256_checksum: 'ABC' is not a SHA-256 checksum: 64 lower-case hex digits, as MACE compares it with Python's hexdigest()",
                FirstError(Valid.Replace(Sha, "ABC")));
            Assert.Contains("is not a SHA-256 checksum", FirstError(Valid.Replace(Sha, Sha.ToUpperInvariant())));
        }

        // ---- shapes and per-tensor lists ----

        [Fact]
        public void A_shape_that_is_not_integers_names_the_bad_dimension()
        {
            Assert.Equal("mace.yml:12:23: models.net.subgraphs[0].input_shapes: '1,a,3' is not a shape: 'a' is not an integer (a shape is comma-separated integers such as 1,224,224,3)",
                FirstError(Valid.Replace("input_shapes: 1,3,224,224", "input_shapes: 1,a,3")));
            Assert.Equal("mace.yml:12:23: models.net.subgraphs[0].input_shapes: '1,,3' is not a shape: an empty dimension (a shape is comma-separated integers such as 1,224,224,3)",
                FirstError(Valid.Replace("input_shapes: 1,3,224,224", "input_shapes: 1,,3")));
            Assert.Equal("mace.yml:14:35: models.net.subgraphs[0].output_shapes[1]: '1,x' is not a shape: 'x' is not an integer (a shape is comma-separated integers such as 1,224,224,3)",
                FirstError(Valid.Replace("output_tensors: y", "output_tensors: [y, z]").Replace("output_shapes: 1,1000", "output_shapes: [\"1,1000\", \"1,x\"]")));
        }

        [Fact]
        public void Spaces_in_shapes_are_removed()
        {
            var g = Read(Valid.Replace("input_shapes: 1,3,224,224", "input_shapes: 1, 3, 224 ,224")).GetConfigOrThrow().Models[0].Subgraphs[0];
            Assert.Equal(new[] { new[] { 1, 3, 224, 224 } }, g.InputShapes);
        }

        [Fact]
        public void Tensor_and_shape_counts_must_match()
        {
            Assert.Equal("mace.yml:12:23: models.net.subgraphs[0].input_shapes: 1 input_shapes for 2 input_tensors",
                FirstError(Valid.Replace("input_tensors: x", "input_tensors: [x, z]")));
            Assert.Equal("mace.yml:14:24: models.net.subgraphs[0].output_shapes: 2 output_shapes for 1 output_tensors",
                FirstError(Valid.Replace("output_shapes: 1,1000", "output_shapes: [\"1,1000\", \"1,10\"]")));
            Assert.Equal("mace.yml:16:23: models.net.subgraphs[0].check_shapes: 2 check_shapes for 1 check_tensors",
                FirstError(Valid.Replace("        output_shapes: 1,1000\n", "        output_shapes: 1,1000\n        check_tensors: t\n        check_shapes: [\"1,2\", \"3,4\"]\n")));
        }

        private const string TwoInputs =
            "library_name: demo\ntarget_abis: [arm64-v8a]\nmodel_graph_format: file\nmodel_data_format: file\nmodels:\n  net:\n    platform: onnx\n" +
            "    model_file_path: net.onnx\n    model_sha256_checksum: " + Sha + "\n    runtime: cpu\n    subgraphs:\n" +
            "      - input_tensors: [a, b]\n" +               // 12
            "        input_shapes:\n" +                       // 13
            "          - 1,3,8,8\n" +                         // 14
            "          - 1, 8\n" +                            // 15
            "        output_tensors: y\n" +                   // 16
            "        output_shapes: 1,10\n";                  // 17

        [Fact]
        public void A_single_data_format_type_or_range_applies_to_every_tensor()
        {
            var g = Read(TwoInputs + "        input_data_formats: NCHW\n        input_data_types: int32\n        input_ranges: -2,2\n").GetConfigOrThrow().Models[0].Subgraphs[0];
            Assert.Equal(new[] { new[] { 1, 3, 8, 8 }, new[] { 1, 8 } }, g.InputShapes);
            Assert.Equal(new[] { "NCHW", "NCHW" }, g.InputDataFormats);
            Assert.Equal(new[] { "int32", "int32" }, g.InputDataTypes);
            Assert.Equal(new[] { new[] { -2.0, 2.0 }, new[] { -2.0, 2.0 } }, g.InputRanges);
            Assert.Equal(new[] { "NHWC" }, g.OutputDataFormats);

            var listed = Read(TwoInputs + "        input_data_formats: [NCHW, NONE]\n").GetConfigOrThrow().Models[0].Subgraphs[0];
            Assert.Equal(new[] { "NCHW", "NONE" }, listed.InputDataFormats);
        }

        [Fact]
        public void Per_tensor_lists_of_the_wrong_length_or_with_unknown_values_are_errors()
        {
            Assert.Equal("mace.yml:18:29: models.net.subgraphs[0].input_data_formats: 3 input_data_formats for 2 input_tensors (give one for each tensor, or one for all)",
                FirstError(TwoInputs + "        input_data_formats: [NCHW, NHWC, NONE]\n"));
            Assert.Equal("mace.yml:18:29: models.net.subgraphs[0].input_data_formats: 'NWHC' is not one of NONE, NHWC, NCHW, OIHW",
                FirstError(TwoInputs + "        input_data_formats: NWHC\n"));
            Assert.Equal("mace.yml:18:28: models.net.subgraphs[0].output_data_types: 'float64' is not one of int32, float32, float16, bfloat16, int16, uint8",
                FirstError(TwoInputs + "        output_data_types: float64\n"));
            Assert.Equal("mace.yml:18:23: models.net.subgraphs[0].input_ranges: '1' is not a range: two numbers min,max such as -1.0,1.0",
                FirstError(TwoInputs + "        input_ranges: 1\n"));
        }

        [Fact]
        public void Validation_thresholds_take_MACEs_runtime_names()
        {
            var g = Read(Valid + "    validation_threshold: {CPU: 0.99, dsp: 0.9}\n").GetConfigOrThrow().Models[0].Subgraphs[0];
            Assert.Equal(0.99, g.ValidationThreshold["CPU"]);
            Assert.Equal(0.9, g.ValidationThreshold["HEXAGON"]);
            Assert.Equal("mace.yml:16:28: models.net.validation_threshold.TPU: 'TPU' is not one of CPU, GPU, DSP, HEXAGON, HTA, APU, QUANTIZE, CPU_QUANTIZE",
                FirstError(Valid + "    validation_threshold: {TPU: 0.9}\n"));
        }

        // ---- findings ----

        [Fact]
        public void Unknown_keys_are_warnings_kept_in_OtherKeys()
        {
            string yaml = Valid + "    winnograd: 2\n    gpu_perf_hint: 3\ncolour: red\n";
            var result = Read(yaml);
            Assert.False(result.HasErrors);
            Assert.Equal(new[]
            {
                "mace.yml:16:5: models.net.winnograd: unknown model key, ignored by MACE (did you mean 'winograd'?)",
                "mace.yml:17:5: models.net.gpu_perf_hint: unknown model key, ignored by MACE",
                "mace.yml:18:1: colour: unknown top-level key, ignored by MACE",
            }, result.Findings.Select(f => f.ToString()));
            Assert.All(result.Findings, f => Assert.Equal(FindingSeverity.Warning, f.Severity));
            Assert.All(result.Findings, f => Assert.Equal(ConfigFindingCodes.UnknownKey, f.Code));
            var config = result.Config!;
            Assert.Equal(3, config.Findings.Count);
            Assert.Equal("red", config.OtherKeys["colour"]);
            Assert.Equal("2", config.Models[0].OtherKeys["winnograd"]);
            Assert.Equal(0, config.Models[0].Winograd);
            Assert.Equal(3, MaceConfigReader.Parse(yaml, "mace.yml").Findings.Count);
        }

        [Fact]
        public void Unknown_subgraph_keys_and_ignored_subgraphs_are_warnings()
        {
            string yaml = Valid.Replace("        output_shapes: 1,1000\n", "        output_shapes: 1,1000\n        input_format: NCHW\n      - input_tensors: a\n");
            var result = Read(yaml);
            Assert.False(result.HasErrors);
            Assert.Equal(new[]
            {
                "mace.yml:15:9: models.net.subgraphs[0].input_format: unknown subgraph key, ignored by MACE",
                "mace.yml:16:9: models.net.subgraphs[1]: ignored: MACE uses only the first subgraph of a list (1 more here); name the graphs in a mapping (MACE v1.1.1) to use several",
            }, result.Findings.Select(f => f.ToString()));
            Assert.Equal(ConfigFindingCodes.Ignored, result.Findings[1].Code);
            Assert.Equal("NCHW", result.Config!.Models[0].Subgraphs.Single().OtherKeys["input_format"]);
        }

        [Fact]
        public void Check_reports_every_problem_in_file_order_and_Read_throws_the_first()
        {
            string yaml = Without("library_name: demo\n").Replace("runtime: gpu", "runtime: gpuu") + "    winograd: 3\n    extra: 1\n";
            var result = Read(yaml);
            Assert.Equal(new[]
            {
                "mace.yml:1:1: library_name: required key is missing",
                "mace.yml:14:14: models.net.runtime: 'gpuu' is not one of cpu, gpu, dsp, hta, apu, htp, cpu+gpu",
                "mace.yml:15:15: models.net.winograd: '3' is not one of 0, 2, 4",
                "mace.yml:16:5: models.net.extra: unknown model key, ignored by MACE",
            }, result.Findings.Select(f => f.ToString()));
            Assert.Equal(new[] { FindingSeverity.Error, FindingSeverity.Error, FindingSeverity.Error, FindingSeverity.Warning }, result.Findings.Select(f => f.Severity));
            Assert.Equal(new[] { ConfigFindingCodes.MissingKey, ConfigFindingCodes.BadValue, ConfigFindingCodes.BadValue, ConfigFindingCodes.UnknownKey }, result.Findings.Select(f => f.Code));
            Assert.Null(result.Config);
            Assert.Equal(MaceConfigGeneration.V0_9, result.Generation);

            var e = Assert.Throws<MaceConfigException>(() => MaceConfigReader.Parse(yaml, "mace.yml"));
            Assert.Equal("mace.yml:1:1: library_name: required key is missing", e.Message);
            Assert.Equal((1, 1), (e.Line, e.Column));
            Assert.Equal("library_name", e.Key);
            Assert.Equal("mace.yml", e.Target);
        }

        [Fact]
        public void Check_and_Read_take_a_file_and_a_missing_file_is_FileNotFound()
        {
            using var dir = new Operations.TempDir();
            System.IO.File.WriteAllText(dir.File("mace.yml"), "\uFEFF" + Valid.Replace("runtime: gpu", "runtime: gpuu"));
            var finding = Assert.Single(MaceConfigReader.Check(dir.File("mace.yml")));
            Assert.Equal($"{dir.File("mace.yml")}:15:14: models.net.runtime: 'gpuu' is not one of cpu, gpu, dsp, hta, apu, htp, cpu+gpu", finding.ToString());
            var e = Assert.Throws<MaceException>(() => MaceConfigReader.Read(dir.File("missing.yml")));
            Assert.Equal(ErrorIds.FileNotFound, e.ErrorId);
        }

        // ---- ${VAR} ----

        [Fact]
        public void Variables_are_substituted_from_the_environment()
        {
            var env = new Dictionary<string, string> { ["MODEL_DIR"] = "/models", ["SOC"] = "kona" };
            string yaml = Valid.Replace("model_file_path: net.onnx", "model_file_path: ${MODEL_DIR}/net.onnx").Replace("target_abis: [arm64-v8a]", "target_abis: [arm64-v8a]\ntarget_socs: [\"${SOC}\"]");
            var config = Read(yaml, env).GetConfigOrThrow();
            Assert.Equal("/models/net.onnx", config.Models[0].ModelFilePath);
            Assert.Equal(new[] { "kona" }, config.TargetSocs);
            // Only ${NAME}: a bare $NAME stays as written.
            Assert.Equal("$MODEL_DIR/net.onnx", Read(Valid.Replace("model_file_path: net.onnx", "model_file_path: $MODEL_DIR/net.onnx"), env).GetConfigOrThrow().Models[0].ModelFilePath);
        }

        [Fact]
        public void An_unset_variable_is_an_error_naming_it()
        {
            string yaml = Valid.Replace("model_file_path: net.onnx", "model_file_path: ${MODEL_DIR}/net.onnx");
            var result = Read(yaml);
            var f = Assert.Single(result.Findings);
            Assert.Equal(ConfigFindingCodes.UnsetVariable, f.Code);
            Assert.Equal("mace.yml:8:22: models.net.model_file_path: environment variable 'MODEL_DIR' is not set (the value '${MODEL_DIR}/net.onnx' uses ${MODEL_DIR})", f.ToString());
        }

        // ---- generations ----

        private const string V06 =
            "target_abis: [armeabi-v7a]\n" +
            "embed_model_data: 1\n" +
            "vlog_level: 0\n" +
            "models:\n" +
            "  preview_net:\n" +
            "    platform: tensorflow\n" +
            "    model_file_path: https://example.com/net.pb\n" +
            "    model_sha256_checksum: " + Sha + "\n" +
            "    input_nodes: input\n" +
            "    output_nodes: output\n" +
            "    input_shapes: 1,224,224,3\n" +
            "    output_shapes: 1,1001\n" +
            "    runtime: gpu\n" +
            "    limit_opencl_kernel_time: 0\n" +
            "    dsp_mode: 0\n" +
            "    fast_conv: 0\n";

        [Fact]
        public void V06_input_nodes_become_one_default_graph_and_embed_model_data_the_formats()
        {
            var result = Read(V06);
            Assert.Empty(result.Findings);
            var config = result.Config!;
            Assert.Equal(MaceConfigGeneration.V0_6, config.Generation);
            Assert.Null(config.LibraryName);
            Assert.Equal("code", config.ModelGraphFormat);
            Assert.Equal("code", config.ModelDataFormat);
            Assert.Equal("0", config.OtherKeys["vlog_level"]);
            var m = config.Models.Single();
            Assert.True(m.IsRemote);
            Assert.Equal("fp16_fp32", m.DataType);
            Assert.False(m.Obfuscate);
            Assert.Equal(new[] { "dsp_mode", "fast_conv" }, m.OtherKeys.Keys.OrderBy(k => k));
            var g = m.Subgraphs.Single();
            Assert.Equal("default_graph", g.Name);
            Assert.Equal(new[] { "input" }, g.InputTensors);
            Assert.Equal(new[] { "output" }, g.OutputTensors);
            Assert.Equal(new[] { new[] { 1, 224, 224, 3 } }, g.InputShapes);

            Assert.Equal("file", Read(V06.Replace("embed_model_data: 1", "embed_model_data: 0")).GetConfigOrThrow().ModelDataFormat);
            Assert.Equal("mace.yml:6:15: models.preview_net.platform: 'onnx' is not one of tensorflow, caffe", FirstError(V06.Replace("platform: tensorflow", "platform: onnx")));
            Assert.Equal("mace.yml:6:5: models.preview_net.output_nodes: required key is missing", FirstError(V06.Replace("    output_nodes: output\n", "")));
        }

        private const string V08 =
            "library_name: net\n" +
            "target_abis: [arm64-v8a, host]\n" +
            "build_type: proto\n" +
            "embed_model_data: 0\n" +
            "models:\n" +
            "  net:\n" +
            "    platform: caffe\n" +
            "    model_file_path: net.prototxt\n" +
            "    weight_file_path: net.caffemodel\n" +
            "    model_sha256_checksum: " + Sha + "\n" +
            "    weight_sha256_checksum: " + Sha + "\n" +
            "    subgraphs:\n" +
            "      - input_tensors: data\n" +
            "        input_shapes: 1,3,224,224\n" +
            "        output_tensors: prob\n" +
            "        output_shapes: 1,1000\n" +
            "    runtime: cpu\n" +                          // 17
            "    data_type: fp32\n";                        // 18

        [Fact]
        public void V08_build_type_maps_onto_the_formats_and_keeps_its_own_rules()
        {
            var config = Read(V08).GetConfigOrThrow();
            Assert.Equal(MaceConfigGeneration.V0_8, config.Generation);
            Assert.Equal(("file", "file"), (config.ModelGraphFormat, config.ModelDataFormat));
            Assert.Equal("fp32_fp32", config.Models[0].DataType); // v0.8 spelled it fp32
            Assert.Equal("net.caffemodel", config.Models[0].WeightFilePath);

            var code = Read(V08.Replace("build_type: proto", "build_type: code").Replace("embed_model_data: 0", "embed_model_data: 1")).GetConfigOrThrow();
            Assert.Equal(("code", "code"), (code.ModelGraphFormat, code.ModelDataFormat));

            Assert.Equal("mace.yml:18:16: models.net.data_type: 'fp32_fp32' is not one of fp32 (for the cpu runtime)", FirstError(V08.Replace("data_type: fp32", "data_type: fp32_fp32")));
            Assert.Equal("mace.yml:17:14: models.net.runtime: 'gpu' with target_abis host: MACE v0.8 supports only the cpu runtime on host",
                FirstError(V08.Replace("runtime: cpu", "runtime: gpu").Replace("    data_type: fp32\n", "")));
            Assert.Equal("mace.yml:1:1: embed_model_data: required key is missing (0 or 1)", FirstError(V08.Replace("embed_model_data: 0\n", "")));
            Assert.Equal("mace.yml:3:13: build_type: 'pb' is not one of proto, code", FirstError(V08.Replace("build_type: proto", "build_type: pb")));
        }

        private const string V11 =
            "library_name: two\n" +
            "target_abis: [arm64-v8a]\n" +
            "model_graph_format: file\n" +
            "model_data_format: file\n" +
            "models:\n" +
            "  two:\n" +
            "    platform: onnx\n" +
            "    model_file_path: two.onnx\n" +
            "    model_sha256_checksum: " + Sha + "\n" +
            "    input_data_formats: NCHW\n" +
            "    validation_inputs_data: [in.npy]\n" +
            "    subgraphs:\n" +
            "      first:\n" +
            "        input_tensors: x\n" +
            "        input_shapes: 1,3,8,8\n" +
            "        output_tensors: y\n" +
            "        output_shapes: 1,10\n" +
            "        runtime: cpu\n" +
            "      second:\n" +
            "        input_tensors: y\n" +
            "        input_shapes: 1,10\n" +
            "        input_data_formats: NONE\n" +
            "        output_tensors: z\n" +
            "        output_shapes: 1,2\n" +
            "        runtime: gpu\n";

        [Fact]
        public void V11_named_subgraphs_with_their_own_runtime_inherit_model_level_keys()
        {
            var result = Read(V11);
            Assert.Empty(result.Findings);
            var config = result.Config!;
            Assert.Equal(MaceConfigGeneration.V1_1, config.Generation);
            var m = config.Models.Single();
            Assert.Equal(new[] { "first", "second" }, m.Subgraphs.Select(s => s.Name));
            Assert.Equal(new[] { "cpu", "gpu" }, m.Subgraphs.Select(s => s.Runtime));
            Assert.Equal("cpu", m.Runtime); // from the first graph when the model has none
            Assert.Equal("fp32_fp32", m.DataType);
            Assert.Equal(new[] { "NCHW" }, m.Subgraphs[0].InputDataFormats);
            Assert.Equal(new[] { "NONE" }, m.Subgraphs[1].InputDataFormats);
            Assert.Equal(new[] { "in.npy" }, m.Subgraphs[1].ValidationInputsData);
            Assert.Empty(m.OtherKeys);

            Assert.Equal("mace.yml:7:5: models.two.runtime: required key is missing (give it here or in every subgraph: one of cpu, gpu, dsp, hta, apu, htp, cpu+gpu)",
                FirstError(V11.Replace("        runtime: cpu\n", "")));
        }

        private const string ToolsPythonFile =
            "models:\n" +
            "  net:\n" +
            "    platform: ONNX\n" +
            "    model_file_path: ${MODEL_DIR}/net.onnx\n" +
            "    model_sha256_checksum: " + Sha + "\n" +
            "    runtime: hexagon\n" +
            "    input_tensors: x\n" +
            "    input_shapes: \"\"\n" +
            "    input_data_formats: nchw\n" +
            "    output_tensors: y\n" +
            "    output_shapes: 1,10\n" +
            "    order: 0\n";

        [Fact]
        public void Tools_python_files_hold_only_models_and_take_tensors_from_the_model()
        {
            var env = new Dictionary<string, string> { ["MODEL_DIR"] = "/m" };
            var result = Read(ToolsPythonFile, env);
            Assert.Empty(result.Findings);
            var config = result.Config!;
            Assert.Equal(MaceConfigGeneration.ToolsPython, config.Generation);
            Assert.Null(config.LibraryName);
            Assert.Empty(config.TargetAbis);
            Assert.Null(config.ModelGraphFormat);
            var m = config.Models.Single();
            Assert.Equal("onnx", m.Platform);
            Assert.Equal("/m/net.onnx", m.ModelFilePath);
            Assert.Equal("dsp", m.Runtime);
            Assert.Equal("hexagon", m.DeclaredRuntime);
            Assert.Equal("uint8", m.DataType);
            Assert.True(m.Obfuscate);
            Assert.Equal("0", m.OtherKeys["order"]);
            var g = m.Subgraphs.Single();
            Assert.Equal("default_graph", g.Name);
            Assert.Equal(new[] { new[] { 1 } }, g.InputShapes); // tools/python reads "" as [1]
            Assert.Equal(new[] { "NCHW" }, g.InputDataFormats);
        }

        [Fact]
        public void YAML_merge_keys_apply_as_PyYAML_applies_them()
        {
            string yaml =
                "defaults: &defaults\n  platform: onnx\n  runtime: cpu\n  model_sha256_checksum: " + Sha + "\n" +
                "library_name: demo\ntarget_abis: [arm64-v8a]\nmodel_graph_format: file\nmodel_data_format: file\nmodels:\n" +
                "  net:\n    <<: *defaults\n    runtime: gpu\n    model_file_path: net.onnx\n" +
                "    subgraphs:\n      - {input_tensors: x, input_shapes: \"1,4\", output_tensors: y, output_shapes: \"1,2\"}\n";
            var result = Read(yaml);
            Assert.Equal("mace.yml:1:1: defaults: unknown top-level key, ignored by MACE", Assert.Single(result.Findings).ToString());
            var m = result.Config!.Models.Single();
            Assert.Equal("onnx", m.Platform);
            Assert.Equal("gpu", m.Runtime); // the model's own key wins over the merged one
            Assert.Equal(Sha, m.ModelSha256);
            Assert.Empty(m.OtherKeys);
        }

        [Fact]
        public void Obsolete_keys_of_older_schemas_are_warnings()
        {
            var result = Read(Valid + "    dsp_mode: 0\nembed_model_data: 0\n");
            Assert.False(result.HasErrors);
            Assert.Equal(new[]
            {
                "mace.yml:16:5: models.net.dsp_mode: obsolete since MACE v0.8, which ignores it ('nnlib_graph_mode' replaced it)",
                "mace.yml:17:19: embed_model_data: obsolete since MACE v0.9, which ignores it (model_graph_format and model_data_format replace build_type and embed_model_data)",
            }, result.Findings.Select(f => f.ToString()));
            Assert.All(result.Findings, f => Assert.Equal(ConfigFindingCodes.ObsoleteKey, f.Code));
        }
    }
}
