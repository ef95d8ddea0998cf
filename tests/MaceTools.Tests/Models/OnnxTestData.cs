using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MaceTools.Models.Onnx;

namespace MaceTools.Tests.Models
{
    /// <summary>
    /// Debian's libonnx-testdata: single-operator ONNX models written by the ONNX project, each with reference inputs and
    /// outputs (<c>&lt;Root&gt;/&lt;case&gt;/model.onnx</c>, <c>test_data_set_0/input_N.pb</c>, <c>output_N.pb</c>).
    /// Missing data is a failure, not a skip: <c>./build.sh test</c> installs the package.
    /// </summary>
    public static class OnnxTestData
    {
        public const string DefaultRoot = "/usr/share/libonnx-testdata/data/node";
        public const string RootVariable = "MACETOOLS_ONNX_TESTDATA";

        /// <summary>The node-test folder: <c>$MACETOOLS_ONNX_TESTDATA</c> when set, else <see cref="DefaultRoot"/>.</summary>
        public static string Root
        {
            get
            {
                string? env = Environment.GetEnvironmentVariable(RootVariable);
                return string.IsNullOrEmpty(env) ? DefaultRoot : env!;
            }
        }

        /// <summary>The folder of one case; throws (with the install command) when the test data is not there.</summary>
        public static string CaseDirectory(string name) => CaseDirectory(name, Root);

        internal static string CaseDirectory(string name, string root)
        {
            RequireRoot(root);
            string dir = Path.Combine(root, name);
            if (!File.Exists(Path.Combine(dir, "model.onnx")))
                throw new DirectoryNotFoundException($"ONNX test case '{name}' not found: '{dir}' has no model.onnx (libonnx-testdata at '{root}')");
            return dir;
        }

        /// <summary>Every case name under <see cref="Root"/>.</summary>
        public static IReadOnlyList<string> Cases()
        {
            string root = RequireRoot(Root);
            return Directory.GetDirectories(root).Select(d => Path.GetFileName(d)!)
                .Where(n => File.Exists(Path.Combine(root, n, "model.onnx"))).OrderBy(n => n, StringComparer.Ordinal).ToList();
        }

        private static string RequireRoot(string root)
        {
            if (!Directory.Exists(root))
                throw new DirectoryNotFoundException(
                    $"ONNX test data not found at '{root}': install it with `sudo apt-get install libonnx-testdata` " +
                    $"(./build.sh test does this), or point {RootVariable} at a copy of onnx/backend/test/data/node");
            return root;
        }

        /// <summary>The numbered .pb files (<paramref name="prefix"/>_0.pb, _1.pb, ...) of a test data set, in number order.</summary>
        internal static List<string> Numbered(string dataSet, string prefix)
        {
            var files = Directory.GetFiles(dataSet, prefix + "_*.pb")
                .Select(f => (File: f, Index: int.TryParse(Path.GetFileNameWithoutExtension(f).Substring(prefix.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : -1))
                .Where(x => x.Index >= 0).OrderBy(x => x.Index).ToList();
            for (int i = 0; i < files.Count; i++)
                if (files[i].Index != i) throw new InvalidDataException($"{dataSet}: {prefix}_{i}.pb is missing");
            return files.Select(x => x.File).ToList();
        }
    }

    /// <summary>One value of a test case: name, dims and float values (converted from the tensor's type on first use).</summary>
    public sealed class OnnxCaseTensor
    {
        private float[]? _data;

        internal OnnxCaseTensor(string name, OnnxTensor? tensor)
        {
            Name = name;
            Tensor = tensor;
        }

        public string Name { get; }

        /// <summary>The tensor; null for an omitted optional input (an empty input name in the node).</summary>
        public OnnxTensor? Tensor { get; }

        public bool Omitted => Tensor == null;
        public long[] Dims => Tensor?.Dims ?? Array.Empty<long>();
        public int[] Shape => Dims.Select(d => checked((int)d)).ToArray();

        /// <summary>The values as float (empty for an omitted input).</summary>
        public float[] Data => _data ??= Tensor?.ToFloats() ?? Array.Empty<float>();

        public override string ToString() => Omitted ? "(omitted)" : $"{Name}: {Tensor!.DataType}[{string.Join(",", Dims)}]";
    }

    /// <summary>
    /// A single-node case of libonnx-testdata: the node, its inputs in node-input order (from input_N.pb, or the
    /// initializer of that name) and the expected outputs (output_N.pb) in node-output order.
    /// </summary>
    public sealed class OnnxNodeCase
    {
        private OnnxNodeCase(string name, string directory, OnnxModel model, IReadOnlyList<OnnxCaseTensor> inputs, IReadOnlyList<OnnxCaseTensor> outputs)
        {
            Name = name;
            Directory = directory;
            Model = model;
            Inputs = inputs;
            Outputs = outputs;
        }

        public string Name { get; }
        public string Directory { get; }
        public OnnxModel Model { get; }
        public OnnxNode Node => Model.Graph.Nodes[0];
        public string OpType => Node.OpType;
        public IReadOnlyDictionary<string, OnnxAttribute> Attributes => Node.Attributes;
        public long Opset => Model.Opset;

        /// <summary>The node's inputs in its input order; an omitted optional input is a placeholder with <see cref="OnnxCaseTensor.Omitted"/>.</summary>
        public IReadOnlyList<OnnxCaseTensor> Inputs { get; }

        /// <summary>The reference outputs in the node's output order.</summary>
        public IReadOnlyList<OnnxCaseTensor> Outputs { get; }

        public override string ToString() => $"{Name}: {OpType} opset {Opset}";

        /// <summary>Loads test_data_set_0 of a single-node case, such as <c>test_conv_with_strides_padding</c>.</summary>
        public static OnnxNodeCase Load(string name, int dataSet = 0)
        {
            string dir = OnnxTestData.CaseDirectory(name);
            string modelPath = Path.Combine(dir, "model.onnx");
            var model = OnnxModel.Load(modelPath);
            var graph = model.Graph;
            if (graph.Nodes.Count != 1)
                throw new InvalidDataException($"{modelPath}: has {graph.Nodes.Count} nodes; OnnxNodeCase reads single-node cases only");
            var node = graph.Nodes[0];

            string data = Path.Combine(dir, "test_data_set_" + dataSet.ToString(CultureInfo.InvariantCulture));
            if (!System.IO.Directory.Exists(data)) throw new DirectoryNotFoundException($"{dir}: has no test_data_set_{dataSet}");

            // input_i.pb is the value of the i-th graph input that is not an initializer.
            var inputFiles = OnnxTestData.Numbered(data, "input");
            var fed = graph.Inputs.Where(i => !graph.Initializers.ContainsKey(i.Name)).ToList();
            if (inputFiles.Count > fed.Count)
                throw new InvalidDataException($"{data}: {inputFiles.Count} input files for {fed.Count} graph inputs");
            var values = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
            for (int i = 0; i < inputFiles.Count; i++) values[fed[i].Name] = OnnxTensor.Load(inputFiles[i]);
            foreach (var init in graph.Initializers) values[init.Key] = init.Value;

            var inputs = new List<OnnxCaseTensor>();
            foreach (string input in node.Inputs)
            {
                if (input.Length == 0) { inputs.Add(new OnnxCaseTensor("", null)); continue; }
                if (!values.TryGetValue(input, out var t))
                    throw new InvalidDataException($"{data}: no input_N.pb or initializer gives the node's input '{input}'");
                inputs.Add(new OnnxCaseTensor(input, t));
            }

            // output_i.pb is the value of the i-th graph output.
            var outputFiles = OnnxTestData.Numbered(data, "output");
            if (outputFiles.Count != graph.Outputs.Count)
                throw new InvalidDataException($"{data}: {outputFiles.Count} output files for {graph.Outputs.Count} graph outputs");
            var expected = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
            for (int i = 0; i < outputFiles.Count; i++) expected[graph.Outputs[i].Name] = OnnxTensor.Load(outputFiles[i]);
            var outputs = node.Outputs.Where(o => o.Length != 0 && expected.ContainsKey(o)).Select(o => new OnnxCaseTensor(o, expected[o])).ToList();

            return new OnnxNodeCase(name, dir, model, inputs.AsReadOnly(), outputs.AsReadOnly());
        }
    }
}
