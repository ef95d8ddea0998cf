using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Google.Protobuf;
using MaceTools.Formats;
using MaceTools.Models.Onnx;
using MaceTools.Models.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MaceTools.Runtime
{
    /// <summary>
    /// The reference MACE's validate.py uses for ONNX models: ONNX Runtime's CPU provider on the host, on the same inputs.
    /// For a layer-by-layer comparison (layers_validate.py), intermediate tensors are made graph outputs of a copy of the
    /// model (ONNX Runtime only returns graph outputs); the file itself is never changed.
    /// </summary>
    public sealed class OnnxReference : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly string _path;

        /// <param name="path">The .onnx file.</param>
        /// <param name="extraOutputs">Intermediate tensors to return besides the graph's outputs.</param>
        public OnnxReference(string path, IReadOnlyCollection<string>? extraOutputs = null)
        {
            _path = path;
            byte[] model = InputGate.ReadAll(path, InputKind.Model);
            if (extraOutputs != null && extraOutputs.Count > 0) model = WithOutputs(model, path, extraOutputs);
            try
            {
                // With extra outputs the graph is left as it is (fusions would remove the intermediate tensors asked for);
                // otherwise ONNX Runtime runs at its best, as the peer a latency is compared with.
                bool layers = extraOutputs != null && extraOutputs.Count > 0;
                var options = new SessionOptions { GraphOptimizationLevel = layers ? GraphOptimizationLevel.ORT_DISABLE_ALL : GraphOptimizationLevel.ORT_ENABLE_ALL };
                _session = new InferenceSession(model, options);
            }
            catch (Exception e) when (e is OnnxRuntimeException || e is DllNotFoundException || e is TypeInitializationException || e is EntryPointNotFoundException)
            {
                throw new MaceException(ErrorIds.ReferenceFailed, MaceErrorCategory.InvalidOperation, $"{path}: ONNX Runtime could not load the model: {Inner(e).Message}", path);
            }
            Outputs = _session.OutputMetadata.Keys.ToList();
        }

        /// <summary>The names the session returns (graph outputs, then the extra ones).</summary>
        public IReadOnlyList<string> Outputs { get; }

        private static Exception Inner(Exception e) => e is TypeInitializationException && e.InnerException != null ? Inner(e.InnerException) : e;

        /// <summary>
        /// A copy of the model with <paramref name="names"/> added to the graph outputs (float tensors, shape left to
        /// inference). Protobuf merges a message that appears twice and concatenates repeated fields, so appending a
        /// ModelProto holding only those outputs extends the graph's output list and leaves every other byte as it was.
        /// </summary>
        private static byte[] WithOutputs(byte[] model, string path, IReadOnlyCollection<string> names)
        {
            var graph = OnnxWire.Parse(ModelProto.Parser, model, path, "ONNX model (ModelProto)").Graph;
            var have = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
            var extra = new GraphProto();
            foreach (var name in names.Where(have.Add))
                extra.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)OnnxDataType.Float } } });
            return model.Concat(new ModelProto { Graph = extra }.ToByteArray()).ToArray();
        }

        /// <summary>Runs one sample; returns every output the session has, in ONNX order, and the wall time of the run.</summary>
        public (Dictionary<string, MaceTensor> Outputs, double Milliseconds) Run(IReadOnlyList<MaceTensor> inputs)
        {
            var feeds = inputs.Select(t => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<float>(t.Data, t.Shape))).ToList();
            var sw = Stopwatch.StartNew();
            try
            {
                using var results = _session.Run(feeds, Outputs);
                double ms = sw.Elapsed.TotalMilliseconds;
                var map = new Dictionary<string, MaceTensor>(StringComparer.Ordinal);
                foreach (var r in results)
                {
                    if (!(r.Value is Tensor<float> t)) continue;
                    map[r.Name] = new MaceTensor(r.Name, t.Dimensions.ToArray(), t.ToArray());
                }
                return (map, ms);
            }
            catch (OnnxRuntimeException e)
            {
                throw new MaceException(ErrorIds.ReferenceFailed, MaceErrorCategory.InvalidOperation, $"{_path}: ONNX Runtime could not run the model: {e.Message}", _path);
            }
        }

        public void Dispose() => _session.Dispose();
    }
}
