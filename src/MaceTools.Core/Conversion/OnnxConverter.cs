using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Kernels;
using MaceTools.Models.Onnx;

namespace MaceTools.Conversion
{
    /// <summary>
    /// ONNX → the kernel set MACE's GPU runtime (or ours) runs, with MACE's graph transformations that change which
    /// kernels run: BatchNorm folded into the preceding conv's bias, activations (Relu, Clip(0, x), LeakyRelu, Sigmoid,
    /// Tanh, HardSigmoid, and the x·clip(x+3, 0, 6)/6 hard-swish pattern) fused into the conv, GlobalAveragePool → reduce,
    /// MatMul/Gemm → fully connected (a following Add of a constant vector folded as its bias), Flatten/Reshape/shape arithmetic without a kernel, NCHW → NHWC. Weights are
    /// transformed once with buffer_to_image, inputs and outputs with the in/out transforms, as MACE's init does.
    /// </summary>
    public sealed class OnnxConverter
    {
        private sealed class Value
        {
            public int[] Shape = Array.Empty<int>();   // ONNX (NCHW) logical shape
            public float[]? Const;                      // a constant's values (weights, scalars, shape arithmetic)
        }

        private readonly OnnxModel _model;
        private readonly string _path;
        private readonly ConversionOptions _options;
        private readonly Dictionary<string, Value> _values = new Dictionary<string, Value>(StringComparer.Ordinal);
        private readonly Dictionary<string, List<OnnxNode>> _consumers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        private readonly HashSet<OnnxNode> _done = new HashSet<OnnxNode>();
        private readonly List<MaceKernel> _weights = new List<MaceKernel>();
        private readonly List<MaceKernel> _kernels = new List<MaceKernel>();
        private readonly List<string> _unsupported = new List<string>();
        private readonly List<string> _notes = new List<string>();
        // Ops without a kernel (Flatten, Reshape, Identity …) on a tensor: their output is the same device tensor.
        private readonly Dictionary<string, string> _alias = new Dictionary<string, string>(StringComparer.Ordinal);
        // MACE's placement: nodes its GPU ops refuse run on the CPU, on host buffers. _host: graph tensor → its host buffer
        // (model inputs, CPU outputs, GPU tensors copied out by image_to_buffer); _hostOnly: tensors not (yet) in an image.
        private readonly List<(int After, CpuNode Node)> _cpu = new List<(int, CpuNode)>();
        private readonly Dictionary<string, string> _host = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly HashSet<string> _hostOnly = new HashSet<string>(StringComparer.Ordinal);
        // Tensors a CPU node wrote: MACE's greedy placement reads the device of each input's producer.
        private readonly HashSet<string> _cpuMade = new HashSet<string>(StringComparer.Ordinal);

        private OnnxConverter(OnnxModel model, string path, ConversionOptions options)
        {
            _model = model;
            _path = path;
            _options = options;
        }

        private KernelTarget T => _options.Target;

        /// <summary>Converts; every op MACE's GPU path cannot take is listed in one <see cref="ErrorIds.Unsupported"/> error.</summary>
        public static KernelSet Convert(OnnxModel model, string path, IReadOnlyList<ModelInput> inputs, IReadOnlyList<string>? outputs, ConversionOptions options)
        {
            var c = new OnnxConverter(model, path, options);
            return c.Run(inputs, outputs);
        }

        private KernelSet Run(IReadOnlyList<ModelInput> inputs, IReadOnlyList<string>? outputs)
        {
            var g = _model.Graph;
            foreach (var t in g.Initializers.Concat(g.Constants))
                _values[t.Key] = new Value { Shape = t.Value.Dims.Select(d => (int)d).ToArray(), Const = SafeFloats(t.Value) };
            foreach (var input in inputs)
            {
                if (!g.Inputs.Any(i => i.Name == input.Name))
                    throw Error(ErrorIds.InvalidArgument, $"input_tensors names '{input.Name}', which the model does not have (it has {string.Join(", ", g.Inputs.Where(i => !_values.ContainsKey(i.Name)).Select(i => i.Name))})");
                var shape = input.Shape;
                if (shape.Length == 4 && input.Format == "NHWC") shape = new[] { shape[0], shape[3], shape[1], shape[2] };
                _values[input.Name] = new Value { Shape = shape };
                _host[input.Name] = input.Name + MaceKernel.HostSuffix;
                if (shape.Length != 4) _hostOnly.Add(input.Name);
                else Add(input.Name, KernelOps.BufferToImage(ImageKind.InOut, Nhwc(shape), T), "buffer", input.Name + MaceKernel.HostSuffix, "image", input.Name);
            }
            foreach (var n in g.Nodes)
                foreach (var i in n.Inputs.Where(i => i.Length > 0))
                {
                    if (!_consumers.TryGetValue(i, out var list)) _consumers[i] = list = new List<OnnxNode>();
                    list.Add(n);
                }
            foreach (var n in g.Nodes)
            {
                if (_done.Contains(n) || n.OpType == "Constant") continue;
                if (n.Inputs.Any(i => i.Length > 0 && !_values.ContainsKey(i)))
                {
                    // An input we could not compute (an unsupported op upstream, reported there): say whether this op
                    // could run at all, so that one error lists every unsupported op of the model.
                    if (_unsupported.Count > 0)
                    {
                        if (!Supported.Contains(n.OpType)) Unsupported(n, "");
                        continue;
                    }
                    throw Error(ErrorIds.InvalidArgument, $"node '{n.Name}' ({n.OpType}) reads '{n.Inputs.First(i => i.Length > 0 && !_values.ContainsKey(i))}', which no input, initializer or earlier node gives");
                }
                Node(n);
            }
            if (_unsupported.Count > 0)
                throw Error(ErrorIds.Unsupported, $"{_unsupported.Count} node(s) have no MACE GPU kernel and no MaceTools CPU op: {string.Join("; ", _unsupported)}");
            var outs = new List<ModelTensor>();
            foreach (var o in outputs ?? g.Outputs.Select(o => o.Name).ToList())
            {
                if (!_values.TryGetValue(o, out var v)) throw Error(ErrorIds.InvalidArgument, $"output_tensors names '{o}', which the model does not compute");
                outs.Add(new ModelTensor(o, v.Shape));
                if (_hostOnly.Contains(o) && _host[o] == o + MaceKernel.HostSuffix) continue; // a CPU node wrote it where the runner reads it
                Add(o, KernelOps.ImageToBuffer(ImageKind.InOut, Nhwc(v.Shape), T), "image", R(o), "buffer", o + MaceKernel.HostSuffix);
            }
            var ins = inputs.Select(i => new ModelTensor(i.Name, _values[i.Name].Shape)).ToList();
            // A CPU node's place counts the weight transforms that run before every inference launch.
            var cpu = _cpu.Select(c => c.Node.At(_weights.Count + c.After)).ToList();
            return new KernelSet(_options.ModelName, T, _weights.Concat(_kernels).ToList(), _notes, ins, outs, _path, cpu);
        }

        // ---- helpers ---------------------------------------------------------------------------------------------

        private MaceException Error(string id, string message) =>
            new MaceException(id, id == ErrorIds.Unsupported ? MaceErrorCategory.InvalidData : MaceErrorCategory.InvalidArgument, $"{_path}: {message}", _path);

        private static float[]? SafeFloats(OnnxTensor t)
        {
            try { return t.ToFloats(); }
            catch (MaceException) { return null; } // strings and such: never a weight we use
        }

        /// <summary>NCHW (or [N, C], or [C]) logical shape → MACE's NHWC image shape.</summary>
        private static int[] Nhwc(int[] s) => s.Length switch
        {
            4 => new[] { s[0], s[2], s[3], s[1] },
            3 => new[] { 1, s[1], s[2], s[0] },
            2 => new[] { s[0], 1, 1, s[1] },
            1 => new[] { 1, 1, 1, s[0] },
            _ => new[] { 1, 1, 1, 1 },
        };

        /// <summary>The device tensor a graph tensor is (through ops that only rename it).</summary>
        private string R(string tensor) => _alias.TryGetValue(tensor, out var a) ? R(a) : tensor;

        /// <summary>A launch with its binding: placeholder, graph tensor, placeholder, graph tensor … (graph names resolved through renames).</summary>
        private void Add(string node, KernelLaunch launch, params string[] binding)
        {
            var map = Binding(binding);
            // A tensor a CPU node wrote: MACE's buffer_to_image transform at the device boundary, once.
            foreach (var a in launch.Inputs.Where(a => a.Kind == KernelArgKind.Image && a.Layout == ImageKind.InOut))
                if (map.TryGetValue(a.Tensor!, out var g) && _hostOnly.Remove(g))
                    _kernels.Add(new MaceKernel(_options.ModelName, g, KernelOps.BufferToImage(ImageKind.InOut, a.Shape, T),
                        new Dictionary<string, string> { ["buffer"] = _host[g], ["image"] = g }));
            _kernels.Add(new MaceKernel(_options.ModelName, node, launch, map));
        }

        private void AddAll(string node, IEnumerable<KernelLaunch> launches, params string[] binding)
        {
            foreach (var l in launches) Add(node, l, binding);
        }

        private Dictionary<string, string> Binding(string[] pairs)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i + 1 < pairs.Length; i += 2) map[pairs[i]] = R(pairs[i + 1]);
            return map;
        }

        /// <summary>
        /// A weight MACE uploads once at init: its buffer_to_image launch (fp16 weights where data_type asks) with the host
        /// data it reads. Returns the image's tensor name: the initializer's, with the layout added when the same
        /// initializer is needed in a second layout.
        /// </summary>
        private string Weight(string name, ImageKind kind, int[] shape, float[] data)
        {
            var known = _weights.FirstOrDefault(w => w.Node == name && w.Launch.Output.Layout == kind);
            if (known != null) return known.TensorOf("image");
            if (data.LongLength != Count(shape))
                throw Error(ErrorIds.InvalidArgument, $"weight '{name}' has {data.Length} values; its {kind} transform needs [{string.Join(", ", shape)}]");
            string image = _weights.Any(w => w.Node == name) ? name + "#" + kind : name;
            var bind = new Dictionary<string, string> { ["buffer"] = image + MaceKernel.HostSuffix, ["image"] = image };
            _weights.Add(new MaceKernel(_options.ModelName, name, KernelOps.BufferToImage(kind, shape, T, _options.HalfWeights), bind, data));
            return image;
        }

        /// <summary>A constant's values (weights are constants by the time a kernel is chosen).</summary>
        private float[] Data(string tensor) => V(tensor).Const ?? throw Error(ErrorIds.InvalidArgument, $"'{tensor}' is not a constant");

        /// <summary>BatchNormalization's folded per-channel scale γ/√(σ²+ε) and offset β − μ·scale (MACE's FoldBatchNorm).</summary>
        private (float[] Scale, float[] Offset) BatchNormConstants(OnnxNode bn)
        {
            float[] gamma = Data(bn.Inputs[1]), beta = Data(bn.Inputs[2]), mean = Data(bn.Inputs[3]), variance = Data(bn.Inputs[4]);
            float eps = bn.GetFloat("epsilon", 1e-5f);
            var scale = new float[gamma.Length];
            var offset = new float[gamma.Length];
            for (int i = 0; i < scale.Length; i++)
            {
                scale[i] = (float)(gamma[i] / Math.Sqrt(variance[i] + (double)eps));
                offset[i] = beta[i] - mean[i] * scale[i];
            }
            return (scale, offset);
        }

        /// <summary>
        /// An Add of a constant vector of <paramref name="channels"/> values right after <paramref name="output"/> (and no
        /// bias yet): the bias, folded (MACE's FoldBiasAdd). paddle2onnx exports MatMul and ConvTranspose biases this way.
        /// </summary>
        private bool FoldBiasAdd(ref string output, ref string biasName, ref float[]? bias, int channels)
        {
            if (bias != null || !(Single(output) is OnnxNode add) || add.OpType != "Add" || add.Inputs.Count != 2) return false;
            string other = add.Inputs[0] == output ? add.Inputs[1] : add.Inputs[0];
            if (!_values.TryGetValue(other, out var v) || v.Const == null || v.Const.Length != channels) return false;
            _done.Add(add);
            biasName = other;
            bias = v.Const;
            output = add.Outputs[0];
            return true;
        }

        /// <summary>
        /// A BatchNormalization right after a convolution's <paramref name="output"/>, folded into its OIHW-ordered filter
        /// (first dimension the <paramref name="outChannels"/>) and bias at convert time (MACE's FoldBatchNorm).
        /// </summary>
        private bool FoldBatchNorm(ref string output, ref float[] filter, ref float[]? bias, int outChannels)
        {
            if (!(Single(output) is OnnxNode bn && bn.OpType == "BatchNormalization" && bn.Inputs.Skip(1).All(i => V(i).Const != null))) return false;
            _done.Add(bn);
            output = bn.Outputs[0];
            var (scale, offset) = BatchNormConstants(bn);
            int per = filter.Length / outChannels;
            filter = filter.Select((v, i) => v * scale[i / per]).ToArray();
            var b0 = bias;
            bias = Enumerable.Range(0, outChannels).Select(i => (b0 == null ? 0f : b0[i]) * scale[i] + offset[i]).ToArray();
            return true;
        }

        private Value V(string name) => _values[name];
        private void Set(string name, int[] shape, float[]? value = null) => _values[name] = new Value { Shape = shape, Const = value };

        /// <summary>The only consumer of a tensor, or null (graph outputs count as consumers).</summary>
        private OnnxNode? Single(string tensor)
        {
            if (_model.Graph.Outputs.Any(o => o.Name == tensor)) return null;
            return _consumers.TryGetValue(tensor, out var l) && l.Count == 1 ? l[0] : null;
        }

        private float? Scalar(string tensor) => _values.TryGetValue(tensor, out var v) && v.Const != null && v.Const.Length == 1 ? v.Const[0] : (float?)null;

        private static int[] Ints(long[]? v, params int[] fallback) => v == null ? fallback : v.Select(x => (int)x).ToArray();

        // ---- activation fusion -------------------------------------------------------------------------------------

        /// <summary>The activation that follows <paramref name="tensor"/> as its only consumer, and the tensor it produces.</summary>
        private (Activation Act, string Output) FuseActivation(string tensor)
        {
            var next = Single(tensor);
            var act = next == null ? null : ActivationOf(next, tensor);
            if (act != null)
            {
                _done.Add(next!);
                return (act, next!.Outputs[0]);
            }
            // Hard-swish as exported by paddle2onnx: y = x * clip(x + 3, 0, 6) / 6.
            if (_consumers.TryGetValue(tensor, out var users) && users.Count == 2)
            {
                var add = users.FirstOrDefault(u => u.OpType == "Add");
                var mul = users.FirstOrDefault(u => u.OpType == "Mul");
                if (add != null && mul != null && Scalar(add.Inputs[1]) is float three && Single(add.Outputs[0]) is OnnxNode clip && clip.OpType == "Clip"
                    && ClipBounds(clip) is var (lo, hi) && lo == 0 && Single(clip.Outputs[0]) == mul && mul.Inputs.Contains(clip.Outputs[0])
                    && Single(mul.Outputs[0]) is OnnxNode div && div.OpType == "Div" && Scalar(div.Inputs[1]) is float six && Math.Abs(hi - six) < 1e-6 && Math.Abs(three * 2 - six) < 1e-6)
                {
                    _done.UnionWith(new[] { add, clip, mul, div });
                    return (new Activation(ActivationKind.HardSwish, coefficient: 1f / six, beta: three / six), div.Outputs[0]);
                }
            }
            return (Activation.None, tensor);
        }

        private (float Lo, float Hi)? ClipBounds(OnnxNode n)
        {
            float lo = n.GetFloat("min", float.MinValue), hi = n.GetFloat("max", float.MaxValue);
            if (n.Inputs.Count > 1 && n.Inputs[1].Length > 0) { if (Scalar(n.Inputs[1]) is float l) lo = l; else return null; }
            if (n.Inputs.Count > 2 && n.Inputs[2].Length > 0) { if (Scalar(n.Inputs[2]) is float h) hi = h; else return null; }
            return (lo, hi);
        }

        /// <summary>An activation node applied to <paramref name="input"/>, as MACE's activation types (null if not one).</summary>
        private Activation? ActivationOf(OnnxNode n, string input)
        {
            if (n.Inputs.Count == 0 || n.Inputs[0] != input) return null;
            switch (n.OpType)
            {
                case "Relu": return new Activation(ActivationKind.Relu);
                case "Sigmoid": return new Activation(ActivationKind.Sigmoid);
                case "Tanh": return new Activation(ActivationKind.Tanh);
                case "LeakyRelu": return new Activation(ActivationKind.LeakyRelu, coefficient: n.GetFloat("alpha", 0.01f));
                case "HardSigmoid": return new Activation(ActivationKind.HardSigmoid, coefficient: n.GetFloat("alpha", 0.2f), beta: n.GetFloat("beta", 0.5f));
                case "HardSwish": return new Activation(ActivationKind.HardSwish, coefficient: 1f / 6, beta: 0.5f);
                case "Clip":
                    return ClipBounds(n) is var (lo, hi) && lo == 0 && hi < float.MaxValue ? new Activation(ActivationKind.ReluX, limit: hi) : null;
                default: return null;
            }
        }

        // ---- nodes ---------------------------------------------------------------------------------------------

        private static readonly HashSet<string> Supported = new HashSet<string>(StringComparer.Ordinal)
        {
            "Conv", "BatchNormalization", "Relu", "Sigmoid", "Tanh", "LeakyRelu", "HardSigmoid", "HardSwish", "Clip",
            "Add", "Sub", "Mul", "Div", "Max", "Min", "GlobalAveragePool", "GlobalMaxPool", "MaxPool", "AveragePool", "MatMul", "Gemm",
            "Softmax", "Concat", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Shape", "Gather", "Slice", "Cast", "Identity", "Dropout",
            "Resize", "Upsample", "Pad", "ConvTranspose", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd",
        };

        private static readonly HashSet<string> Renames = new HashSet<string>(StringComparer.Ordinal)
        {
            "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Cast",
        };

        private void Node(OnnxNode n)
        {
            var tensors = n.Inputs.Where(i => i.Length > 0 && V(i).Const == null).ToList();
            if (n.OpType == "ReduceMean" && LayerNorm(n)) return;
            if (Renames.Contains(n.OpType) && tensors.Count > 0)
            {
                // A rename is free on the GPU only where both shapes have the same image layout; else MACE's GPU reshape
                // is a copy through buffers, and here a CPU node.
                ShapeOp(n);
                if (_unsupported.Count > 0 && _unsupported[_unsupported.Count - 1].Contains($"'{n.Name}'")) return;
                var inShape = V(tensors[0]).Shape;
                var outShape = V(n.Outputs[0]).Shape;
                if (!_hostOnly.Contains(R(tensors[0])) && (inShape.Length == 4 || inShape.Length == 2) && Nhwc(inShape).SequenceEqual(Nhwc(outShape))) return;
                _alias.Remove(n.Outputs[0]);
                // MACE's GPU Reshape (v1.1): 4-D to 4-D of a tensor made on the GPU (its placer; the greedy rule), in NCHW order.
                if (T.Version.AtLeast(1, 1, 0) && inShape.Length == 4 && outShape.Length == 4 && !_hostOnly.Contains(R(tensors[0]))
                    && !_cpuMade.Contains(tensors[0]) && !_cpuMade.Contains(R(tensors[0])))
                {
                    GpuReshape(n.Name, tensors[0], n.Outputs[0], inShape, outShape);
                    return;
                }
                AddCpu(n.Name, "Reshape", new[] { tensors[0] }, new[] { n.Outputs[0] }, new Dictionary<string, float[]> { ["shape"] = outShape.Select(d => (float)d).ToArray() },
                    $"{n.OpType} [{string.Join(",", inShape)}] → [{string.Join(",", outShape)}] changes the image layout");
                return;
            }
            // MACE's order: the op's own refusals (its available runtimes), then the greedy rule, then (ours) the rank.
            switch (n.OpType)
            {
                case "MatMul" when !IsFullyConnected(n):
                    Unsupported(n, "MACE's OpenCL MatMul is not implemented (its op refuses at construction); only [N, K] × constant [K, M] runs on the GPU, as FullyConnected");
                    return;
                case "Transpose":
                    Unsupported(n, "MACE's OpenCL Transpose has no kernel: it runs its CPU code on mapped buffers (transpose.cl serves only GPU Reshape's NHWC↔NCHW)");
                    return;
                case "Slice" when V(n.Inputs[0]).Const == null:
                    Unsupported(n, "MACE has no GPU slice kernel (no slice program in v1.1.1's cl/)");
                    return;
            }
            if (FollowsTheCpu(n, tensors)) return;
            // Where MACE's check was not read: its image kernels address 4-D NHWC (and 2-D [N, C]) tensors.
            var odd = tensors.FirstOrDefault(t => V(t).Shape.Length != 4 && V(t).Shape.Length != 2);
            if (odd != null && n.OpType != "Shape")
            {
                Unsupported(n, $"a rank-{V(odd).Shape.Length} input: MACE's GPU image kernels take 4-D NHWC (and 2-D) tensors");
                return;
            }
            switch (n.OpType)
            {
                case "Conv": Conv(n); break;
                case "ConvTranspose": ConvTranspose(n); break;
                case "BatchNormalization": BatchNorm(n); break;
                case "Relu": case "Sigmoid": case "Tanh": case "LeakyRelu": case "HardSigmoid": case "HardSwish": case "Clip": StandaloneActivation(n); break;
                case "Add": case "Sub": case "Mul": case "Div": case "Max": case "Min": Eltwise(n); break;
                case "GlobalAveragePool": case "GlobalMaxPool": GlobalPool(n); break;
                case "ReduceMean": case "ReduceMax": case "ReduceMin": case "ReduceSum": case "ReduceProd": Reduce(n); break;
                case "MaxPool": case "AveragePool": Pool(n); break;
                case "MatMul": case "Gemm": FullyConnected(n); break;
                case "Softmax": Softmax(n); break;
                case "Concat": Concat(n); break;
                case "Flatten": case "Reshape": case "Squeeze": case "Unsqueeze": case "Shape": case "Gather": case "Slice": case "Cast": case "Identity": case "Dropout":
                    ShapeOp(n); break;
                case "Resize": case "Upsample": Resize(n); break;
                case "Pad": Pad(n); break;
                default: Unsupported(n, ""); break;
            }
        }

        /// <summary>
        /// MACE's image ReshapeKernel for an ONNX model: the image copied to a buffer (in_out_image_to_buffer), NHWC → NCHW
        /// (transpose.cl), the NCHW buffer read with the new shape, NCHW → NHWC, and copied back (in_out_buffer_to_image).
        /// </summary>
        private void GpuReshape(string node, string input, string output, int[] inNchw, int[] outNchw)
        {
            string nhwc = output + "#nhwc_in", nchw = output + "#nchw", back = output + "#nhwc_out";
            Add(node, KernelOps.ImageToBuffer(ImageKind.InOut, Nhwc(inNchw), T), "image", input, "buffer", nhwc);
            Add(node, KernelOps.TransposeBuffer(Nhwc(inNchw), true, T), "input", nhwc, "output", nchw);
            Add(node, KernelOps.TransposeBuffer(outNchw, false, T), "input", nchw, "output", back);
            Add(node, KernelOps.BufferToImage(ImageKind.InOut, Nhwc(outNchw), T), "buffer", back, "image", output);
        }

        /// <summary>MatMul/Gemm that MACE's transformer turns into FullyConnected: [N, K] × a constant 2-D weight.</summary>
        private bool IsFullyConnected(OnnxNode n) =>
            n.Inputs.Count > 1 && V(n.Inputs[0]).Shape.Length == 2 && V(n.Inputs[1]).Const != null && V(n.Inputs[1]).Shape.Length == 2;

        /// <summary>
        /// MACE's SelectBestRuntime (mace/core/net_optimizer.cc, v1.1.x): a node that is not compute-intensive (Conv2D,
        /// DepthwiseConv2d, Deconv2D, DepthwiseDeconv2d, FullyConnected) runs on the GPU only when one of its inputs was
        /// made on the GPU (model inputs count as GPU); else it stays on the CPU. True when it placed the node there.
        /// </summary>
        private bool FollowsTheCpu(OnnxNode n, List<string> tensors)
        {
            bool intensive = n.OpType == "Conv" || n.OpType == "ConvTranspose" || (n.OpType == "MatMul" || n.OpType == "Gemm") && IsFullyConnected(n);
            if (intensive || n.OpType == "Shape" || tensors.Count == 0 || !tensors.All(t => _cpuMade.Contains(t) || _cpuMade.Contains(R(t)))) return false;
            const string why = "every input comes from a CPU node and it is not compute-intensive: MACE's placement (SelectBestRuntime) keeps it on the CPU";
            if (Runtime.CpuOps.Supported.Contains(n.OpType)) { Unsupported(n, why); return true; }
            if (n.OpType == "GlobalAveragePool" || n.OpType == "GlobalMaxPool")
            {
                // The CPU reduce over H and W that MACE's converter makes of global pooling.
                AddCpu(n.Name, n.OpType == "GlobalMaxPool" ? "ReduceMax" : "ReduceMean", new[] { n.Inputs[0] }, new[] { n.Outputs[0] },
                    new Dictionary<string, float[]> { ["axes"] = new float[] { 2, 3 }, ["keepdims"] = new float[] { 1 } }, why);
                return true;
            }
            _notes.Add($"{n.Name} ({n.OpType}): {why}; MaceTools has no CPU op for it and runs it on the GPU");
            return false;
        }

        /// <summary>
        /// A node MACE's GPU op refuses: placed on the CPU (MACE's placement) when MaceTools has a CPU op for it, else
        /// listed in the conversion's one error.
        /// </summary>
        private void Unsupported(OnnxNode n, string why)
        {
            // Renames reach the CPU only through Node(), with their target shape resolved; a dynamic one is not ours to run.
            if (!Runtime.CpuOps.Supported.Contains(n.OpType) || Renames.Contains(n.OpType) || n.Inputs.Any(i => i.Length > 0 && !_values.ContainsKey(i)))
            {
                _unsupported.Add($"{n.OpType} '{n.Name}'{(why.Length > 0 ? " (" + why + ")" : "")}");
                return;
            }
            var attrs = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var a in n.Attributes)
                switch (a.Value.Type)
                {
                    case OnnxAttributeType.Int: attrs[a.Key] = new float[] { a.Value.Int }; break;
                    case OnnxAttributeType.Ints: attrs[a.Key] = a.Value.Ints.Select(v => (float)v).ToArray(); break;
                    case OnnxAttributeType.Float: attrs[a.Key] = new[] { a.Value.Float }; break;
                    case OnnxAttributeType.Floats: attrs[a.Key] = a.Value.Floats; break;
                }
            var inputs = n.Inputs.ToList();
            // Opset-10+ Slice and opset-13 Squeeze/Reduce take their parameters as constant inputs: attributes here.
            if (n.OpType == "Slice" && inputs.Count > 1)
            {
                string[] names = { "starts", "ends", "axes", "steps" };
                for (int i = 1; i < inputs.Count && i < 5; i++) if (inputs[i].Length > 0) attrs[names[i - 1]] = Data(inputs[i]);
                inputs = inputs.Take(1).ToList();
            }
            if (n.OpType == "Clip" && inputs.Count > 1)
            {
                if (ClipBounds(n) is var (lo, hi)) { attrs["min"] = new[] { lo }; attrs["max"] = new[] { hi }; }
                inputs = inputs.Take(1).ToList();
            }
            if (n.OpType.StartsWith("Reduce", StringComparison.Ordinal) && inputs.Count > 1)
            {
                attrs["axes"] = Data(inputs[1]);
                inputs = inputs.Take(1).ToList();
            }
            AddCpu(n.Name, n.OpType, inputs, n.Outputs.Take(1).ToList(), attrs, why.Length > 0 ? why : "MACE's GPU has no kernel for it");
        }

        /// <summary>The host buffer of a graph tensor, copied out of its image by MACE's image_to_buffer transform the first time.</summary>
        private string HostOf(string tensor)
        {
            if (_host.TryGetValue(tensor, out var h)) return h;
            string image = R(tensor);
            if (_host.TryGetValue(image, out h)) return _host[tensor] = h;
            h = image + MaceKernel.HostSuffix;
            Add(image, KernelOps.ImageToBuffer(ImageKind.InOut, Nhwc(V(tensor).Shape), T), "image", image, "buffer", h);
            _host[tensor] = _host[image] = h;
            return h;
        }

        /// <summary>
        /// A CPU node: its tensor inputs fetched to host buffers, constants carried with it (<paramref name="constants"/>
        /// replaces a graph constant, as folded weights do), its output shape from running it once on zeros. A node whose
        /// inputs are all constants is folded here instead.
        /// </summary>
        private void AddCpu(string node, string op, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, Dictionary<string, float[]> attrs, string reason,
            Dictionary<int, (int[] Shape, float[] Data)>? constants = null)
        {
            var consts = new Dictionary<int, float[]>();
            var shapes = new List<int[]>();
            var names = new List<string>();
            var probe = new List<(int[] Shape, float[] Data)>();
            for (int i = 0; i < inputs.Count; i++)
            {
                if (constants != null && constants.TryGetValue(i, out var c)) { consts[i] = c.Data; shapes.Add(c.Shape); names.Add(""); probe.Add(c); continue; }
                var v = V(inputs[i]);
                shapes.Add(v.Shape);
                if (v.Const != null) { consts[i] = v.Const; names.Add(""); probe.Add((v.Shape, v.Const)); }
                else { names.Add(""); probe.Add((v.Shape, new float[Count(v.Shape)])); }
            }
            var result = Runtime.CpuOps.Run(op, attrs, probe);
            if (consts.Count == inputs.Count)
            {
                for (int o = 0; o < outputs.Count; o++) Set(outputs[o], result[o].Shape, result[o].Data);
                return;
            }
            for (int i = 0; i < inputs.Count; i++) if (!consts.ContainsKey(i)) names[i] = HostOf(inputs[i]);
            var outNames = new List<string>();
            for (int o = 0; o < outputs.Count; o++)
            {
                Set(outputs[o], result[o].Shape);
                _cpuMade.Add(outputs[o]);
                _host[outputs[o]] = outputs[o] + MaceKernel.HostSuffix;
                _hostOnly.Add(outputs[o]);
                outNames.Add(outputs[o] + MaceKernel.HostSuffix);
            }
            _cpu.Add((_kernels.Count, new CpuNode(_options.ModelName, node, op, names, shapes, outNames, result.Select(r => r.Shape).ToList(), attrs, consts, 0, reason)));
            _notes.Add($"{node} ({op}) runs on the CPU: {reason}");
        }

        /// <summary>
        /// The LayerNorm chain paddle2onnx exports (ReduceMean → Sub → Pow → ReduceMean → Add → Sqrt → Div → Mul → Add) folded
        /// into one LayerNormalization over the last axis, placed on the CPU.
        /// </summary>
        private bool LayerNorm(OnnxNode mean)
        {
            string x = mean.Inputs[0];
            var xs = V(x).Shape;
            bool LastAxis(OnnxNode r) => Ints(r.GetInts("axes")) is var ax && ax.Length == 1 && (ax[0] == -1 || ax[0] == xs.Length - 1);
            if (!LastAxis(mean)) return false;
            var sub = _consumers.TryGetValue(mean.Outputs[0], out var l1) && l1.Count == 1 ? l1[0] : null;
            if (sub == null || sub.OpType != "Sub" || sub.Inputs[0] != x || sub.Inputs[1] != mean.Outputs[0]) return false;
            if (!_consumers.TryGetValue(sub.Outputs[0], out var l2) || l2.Count != 2) return false;
            var pow = l2.FirstOrDefault(u => u.OpType == "Pow");
            var div = l2.FirstOrDefault(u => u.OpType == "Div");
            if (pow == null || div == null || Scalar(pow.Inputs[1]) != 2f || div.Inputs[0] != sub.Outputs[0]) return false;
            if (!(Single(pow.Outputs[0]) is OnnxNode var_ && var_.OpType == "ReduceMean" && LastAxis(var_))) return false;
            if (!(Single(var_.Outputs[0]) is OnnxNode addEps && addEps.OpType == "Add" && Scalar(addEps.Inputs[1]) is float eps)) return false;
            if (!(Single(addEps.Outputs[0]) is OnnxNode sqrt && sqrt.OpType == "Sqrt" && Single(sqrt.Outputs[0]) == div && div.Inputs[1] == sqrt.Outputs[0])) return false;
            if (!(Single(div.Outputs[0]) is OnnxNode mul && mul.OpType == "Mul" && V(mul.Inputs[1]).Const != null)) return false;
            if (!(Single(mul.Outputs[0]) is OnnxNode add && add.OpType == "Add" && V(add.Inputs[1]).Const != null)) return false;
            _done.UnionWith(new[] { sub, pow, var_, addEps, sqrt, div, mul, add });
            AddCpu(mean.Name, "LayerNormalization", new[] { x, mul.Inputs[1], add.Inputs[1] }, new[] { add.Outputs[0] },
                new Dictionary<string, float[]> { ["axis"] = new[] { -1f }, ["epsilon"] = new[] { eps } },
                $"LayerNorm (9 nodes folded) over the last axis of a rank-{xs.Length} tensor: MACE's GPU mvnorm normalises 4-D images");
            return true;
        }

        private void Conv(OnnxNode n)
        {
            var x = V(n.Inputs[0]);
            var w = V(n.Inputs[1]);
            if (x.Shape.Length != 4 || w.Const == null) { Unsupported(n, "needs a 4-D input and constant weights"); return; }
            int group = (int)n.GetInt("group", 1);
            int o = w.Shape[0], kh = w.Shape[2], kw = w.Shape[3];
            var strides = Ints(n.GetInts("strides"), 1, 1);
            var dil = Ints(n.GetInts("dilations"), 1, 1);
            var pads = Pads(n, x.Shape, kh, kw, strides, dil);
            int oh = (x.Shape[2] + pads[0] + pads[2] - ((kh - 1) * dil[0] + 1)) / strides[0] + 1;
            int ow = (x.Shape[3] + pads[1] + pads[3] - ((kw - 1) * dil[1] + 1)) / strides[1] + 1;
            bool bias = n.Inputs.Count > 2 && n.Inputs[2].Length > 0;
            // A folded BatchNorm makes a bias the model does not have: its weight is named after the filter.
            string biasName = bias ? n.Inputs[2] : n.Inputs[1] + "/bias";
            string output = n.Outputs[0];
            float[] filterData = w.Const;
            float[]? biasData = bias ? Data(n.Inputs[2]) : null;
            if (FoldBatchNorm(ref output, ref filterData, ref biasData, o)) bias = true;
            var (act, final) = FuseActivation(output);
            var outNchw = new[] { x.Shape[0], o, oh, ow };
            var inNhwc = Nhwc(x.Shape);
            var outNhwc = Nhwc(outNchw);
            int winograd = group == 1 && kh == 3 && kw == 3 && strides[0] == 1 && strides[1] == 1 && dil[0] == 1 && dil[1] == 1
                ? WinogradBlock(outNchw, x.Shape[1], o) : 0;
            if (winograd == 0 && group != 1 && !(group == x.Shape[1] && o == group)) { Unsupported(n, $"group {group} is neither 1 nor depthwise"); return; }
            if (group != 1 && strides[0] != strides[1] && !_options.GpuUnequalStrideDepthwise)
            {
                // MACE's GPU depthwise op refuses unequal strides: on the CPU, BatchNorm and activation folded as on the GPU.
                var attrs = new Dictionary<string, float[]>(StringComparer.Ordinal)
                {
                    ["strides"] = strides.Select(v => (float)v).ToArray(), ["dilations"] = dil.Select(v => (float)v).ToArray(),
                    ["pads"] = pads.Select(v => (float)v).ToArray(), ["group"] = new float[] { group },
                    ["activation"] = new float[] { (int)act.Kind }, ["limit"] = new[] { act.Limit }, ["coefficient"] = new[] { act.Coefficient }, ["beta"] = new[] { act.Beta },
                };
                var consts = new Dictionary<int, (int[], float[])> { [1] = (new[] { o, 1, kh, kw }, filterData), [2] = (new[] { o }, biasData ?? new float[o]) };
                AddCpu(n.Name, "Conv", new[] { n.Inputs[0], n.Inputs[1], n.Inputs[1] + "/bias" }, new[] { final }, attrs,
                    $"depthwise strides [{strides[0]}, {strides[1]}]: MACE's GPU op refuses unequal strides", consts);
                if (final != n.Outputs[0]) Set(n.Outputs[0], outNchw);
                return;
            }
            string biasImage = bias ? Weight(biasName, ImageKind.Argument, new[] { o }, biasData!) : "";
            if (winograd != 0)
            {
                string filter = Weight(n.Inputs[1], winograd == 4 ? ImageKind.WinogradFilter4 : ImageKind.WinogradFilter2, w.Shape, filterData);
                AddAll(n.Name, KernelOps.WinogradConv2D(inNhwc, w.Shape, outNhwc, new[] { pads[0], pads[1] }, winograd, bias, act, T),
                    "input", n.Inputs[0], "filter", filter, "bias", biasImage, "output", final);
            }
            else if (group == 1)
            {
                string filter = Weight(n.Inputs[1], ImageKind.Conv2DFilter, w.Shape, filterData);
                Add(n.Name, KernelOps.Conv2D(inNhwc, w.Shape, outNhwc, strides, dil, new[] { pads[0], pads[1] }, bias, act, T),
                    "input", n.Inputs[0], "filter", filter, "bias", biasImage, "output", final);
            }
            else
            {
                string filter = Weight(n.Inputs[1], ImageKind.DwConv2DFilter, new[] { 1, o, kh, kw }, filterData);
                if (strides[0] != strides[1]) _notes.Add($"{n.Name}: depthwise strides [{strides[0]}, {strides[1]}]: MACE's GPU op refuses unequal strides (it would run this node on the CPU); MaceTools runs it on the GPU (-DSTRIDE_W), as asked");
                Add(n.Name, KernelOps.DepthwiseConv2D(inNhwc, new[] { 1, o, kh, kw }, outNhwc, strides, dil, new[] { pads[0], pads[1] }, bias, act, T),
                    "input", n.Inputs[0], "filter", filter, "bias", biasImage, "output", final);
            }
            Set(final, outNchw);
            if (final != n.Outputs[0]) Set(n.Outputs[0], outNchw);
        }

        /// <summary>
        /// ConvTranspose (group 1) → MACE's deconv_2d: the IOHW weight transposed to OIHW, a following BatchNormalization
        /// folded and an activation fused as for Conv. Output size (in−1)·s + (k−1)·d + 1 − pads + output_padding, or the
        /// output_shape attribute.
        /// </summary>
        private void ConvTranspose(OnnxNode n)
        {
            var x = V(n.Inputs[0]);
            var w = V(n.Inputs[1]);
            if (x.Shape.Length != 4 || w.Const == null || w.Shape.Length != 4) { Unsupported(n, "needs a 4-D input and constant weights"); return; }
            int group = (int)n.GetInt("group", 1);
            var dil = Ints(n.GetInts("dilations"), 1, 1);
            if (group != 1 || dil[0] != 1 || dil[1] != 1) { Unsupported(n, $"group {group}, dilations [{dil[0]}, {dil[1]}] (MACE's GPU deconv: group 1, no dilation)"); return; }
            int ic = w.Shape[0], o = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3];
            var strides = Ints(n.GetInts("strides"), 1, 1);
            var pads = Ints(n.GetInts("pads"), 0, 0, 0, 0);
            var outPad = Ints(n.GetInts("output_padding"), 0, 0);
            int oh = (x.Shape[2] - 1) * strides[0] + kh - pads[0] - pads[2] + outPad[0];
            int ow = (x.Shape[3] - 1) * strides[1] + kw - pads[1] - pads[3] + outPad[1];
            if (n.GetInts("output_shape") is long[] os && os.Length >= 2) { oh = (int)os[os.Length - 2]; ow = (int)os[os.Length - 1]; }
            var filterData = new float[w.Const.Length];
            int hw = kh * kw;
            for (int i = 0; i < ic; i++)
                for (int c = 0; c < o; c++)
                    Array.Copy(w.Const, (i * o + c) * hw, filterData, (c * ic + i) * hw, hw);
            bool bias = n.Inputs.Count > 2 && n.Inputs[2].Length > 0;
            string biasName = bias ? n.Inputs[2] : n.Inputs[1] + "/bias";
            float[]? biasData = bias ? Data(n.Inputs[2]) : null;
            string output = n.Outputs[0];
            if (FoldBiasAdd(ref output, ref biasName, ref biasData, o)) bias = true;
            if (FoldBatchNorm(ref output, ref filterData, ref biasData, o)) bias = true;
            var (act, final) = FuseActivation(output);
            var outNchw = new[] { x.Shape[0], o, oh, ow };
            var filterShape = new[] { o, ic, kh, kw };
            string filter = Weight(n.Inputs[1], ImageKind.Conv2DFilter, filterShape, filterData);
            string biasImage = bias ? Weight(biasName, ImageKind.Argument, new[] { o }, biasData!) : "";
            Add(n.Name, KernelOps.Deconv2D(Nhwc(x.Shape), filterShape, Nhwc(outNchw), strides, new[] { pads[0], pads[1] }, bias, act, T),
                "input", n.Inputs[0], "filter", filter, "bias", biasImage, "output", final);
            Set(final, outNchw);
            if (final != n.Outputs[0]) Set(n.Outputs[0], outNchw);
            if (output != n.Outputs[0]) Set(output, outNchw);
        }

        /// <summary>
        /// The Winograd block for a 3x3 stride-1 conv, as MACE's CheckUseWinograd decides it: the deployment file's block
        /// if the transformed tensors fit the device's image limits, 4 falling back to 2, else 0 (conv_2d_3x3).
        /// </summary>
        private int WinogradBlock(int[] outNchw, int inChannels, int outChannels)
        {
            bool Fits(int b)
            {
                long tiles = (long)outNchw[0] * ((outNchw[2] + b - 1) / b) * ((outNchw[3] + b - 1) / b);
                long sqr = (b + 2) * (b + 2);
                return tiles < _options.MaxImage.Width && sqr * inChannels < _options.MaxImage.Height && sqr * outChannels < _options.MaxImage.Height;
            }
            int block = _options.Winograd;
            if (block == 4 && Fits(4)) return 4;
            if (block == 4 || block == 2) return Fits(2) ? 2 : 0;
            return 0;
        }

        /// <summary>Pads {top, left, bottom, right} from the attributes or auto_pad.</summary>
        private static int[] Pads(OnnxNode n, int[] x, int kh, int kw, int[] strides, int[] dil)
        {
            string auto = n.GetString("auto_pad", "NOTSET") ?? "NOTSET";
            if (auto == "SAME_UPPER" || auto == "SAME_LOWER")
            {
                int Total(int size, int k, int s, int d) => Math.Max(((size + s - 1) / s - 1) * s + (k - 1) * d + 1 - size, 0);
                int th = Total(x[2], kh, strides[0], dil[0]), tw = Total(x[3], kw, strides[1], dil[1]);
                return auto == "SAME_UPPER" ? new[] { th / 2, tw / 2, th - th / 2, tw - tw / 2 } : new[] { th - th / 2, tw - tw / 2, th / 2, tw / 2 };
            }
            var p = Ints(n.GetInts("pads"), 0, 0, 0, 0);
            return new[] { p[0], p[1], p[2], p[3] };
        }

        private void BatchNorm(OnnxNode n)
        {
            var x = V(n.Inputs[0]);
            if (x.Shape.Length != 4) { Unsupported(n, "needs a 4-D input"); return; }
            int c = x.Shape[1];
            var (act, final) = FuseActivation(n.Outputs[0]);
            if (!n.Inputs.Skip(1).All(i => V(i).Const != null)) { Unsupported(n, "needs constant scale, bias, mean and variance"); return; }
            var (scale, offset) = BatchNormConstants(n);
            string s = Weight(n.Inputs[1] + "/scale", ImageKind.Argument, new[] { c }, scale);
            string t = Weight(n.Inputs[2] + "/offset", ImageKind.Argument, new[] { c }, offset);
            Add(n.Name, KernelOps.BatchNorm(Nhwc(x.Shape), true, 0, act, T), "input", n.Inputs[0], "scale", s, "offset", t, "output", final);
            Set(final, x.Shape);
            Set(n.Outputs[0], x.Shape);
        }

        private void StandaloneActivation(OnnxNode n)
        {
            var x = V(n.Inputs[0]);
            var act = ActivationOf(n, n.Inputs[0]);
            if (act == null)
            {
                // A general Clip: eltwise CLIP with the bounds as coefficients.
                var b = ClipBounds(n);
                if (n.OpType != "Clip" || b == null) { Unsupported(n, "bounds are not constants"); return; }
                Add(n.Name, KernelOps.Eltwise(EltwiseKind.Clip, Nhwc(x.Shape), EltwiseBroadcast.Scalar, T, coefficients: new[] { b.Value.Lo, b.Value.Hi }),
                    "input0", n.Inputs[0], "output", n.Outputs[0]);
            }
            else Add(n.Name, KernelOps.Activation(Nhwc(x.Shape), act, T), "input", n.Inputs[0], "output", n.Outputs[0]);
            Set(n.Outputs[0], x.Shape);
        }

        private void Eltwise(OnnxNode n)
        {
            var kind = n.OpType switch
            {
                "Add" => EltwiseKind.Sum, "Sub" => EltwiseKind.Sub, "Mul" => EltwiseKind.Prod, "Div" => EltwiseKind.Div, "Max" => EltwiseKind.Max, _ => EltwiseKind.Min,
            };
            if (n.Inputs.Count != 2) { Unsupported(n, $"{n.Inputs.Count} inputs"); return; }
            Value a = V(n.Inputs[0]), b = V(n.Inputs[1]);
            if (a.Const != null && b.Const != null)
            {
                // Shape arithmetic on constants: folded, no kernel.
                Set(n.Outputs[0], a.Const.Length >= b.Const.Length ? a.Shape : b.Shape, Fold(kind, a.Const, b.Const));
                return;
            }
            bool swapped = false;
            if (a.Const != null || Count(a.Shape) < Count(b.Shape)) { (a, b) = (b, a); swapped = true; }
            var shape = Nhwc(a.Shape);
            int channels = shape[3];
            EltwiseBroadcast broadcast;
            float scalar = 0;
            string other = swapped ? n.Inputs[0] : n.Inputs[1], first = swapped ? n.Inputs[1] : n.Inputs[0];
            if (b.Const != null && b.Const.Length == 1) { broadcast = EltwiseBroadcast.Scalar; scalar = b.Const[0]; }
            // A constant per channel: [C] against [N, C], or [C, 1, 1] / [1, C, 1, 1] against NCHW ([C] alone would broadcast along W).
            else if (b.Const != null && b.Const.Length == channels && (a.Shape.Length == 2 || b.Shape.Length >= 3 && b.Shape.Skip(b.Shape.Length - 2).All(d => d == 1)))
            { broadcast = EltwiseBroadcast.Vector; other = Weight(other, ImageKind.Argument, new[] { channels }, b.Const); }
            else if (b.Shape.SequenceEqual(a.Shape)) broadcast = EltwiseBroadcast.Tensor;
            else if (a.Shape.Length == 4 && b.Shape.Length == 4 && b.Shape[0] == a.Shape[0] && b.Shape[1] == a.Shape[1] && b.Shape[2] == 1 && b.Shape[3] == 1) broadcast = EltwiseBroadcast.BatchVector;
            else if (a.Shape.Length == 4 && b.Shape.Length == 4 && b.Shape[1] == 1 && b.Shape[2] == a.Shape[2] && b.Shape[3] == a.Shape[3]) broadcast = EltwiseBroadcast.Channel;
            else { Unsupported(n, $"broadcast of [{string.Join(",", b.Shape)}] onto [{string.Join(",", a.Shape)}]"); return; }
            bool commutative = kind == EltwiseKind.Sum || kind == EltwiseKind.Prod || kind == EltwiseKind.Max || kind == EltwiseKind.Min;
            Add(n.Name, KernelOps.Eltwise(kind, shape, broadcast, T, scalar, swapped: swapped && !commutative),
                "input0", first, "input1", other, "output", n.Outputs[0]);
            Set(n.Outputs[0], a.Shape);
        }

        private static long Count(int[] s) => s.Aggregate(1L, (x, y) => x * y);

        private static float[] Fold(EltwiseKind kind, float[] a, float[] b)
        {
            int len = Math.Max(a.Length, b.Length);
            var r = new float[len];
            for (int i = 0; i < len; i++)
            {
                float x = a[a.Length == 1 ? 0 : i], y = b[b.Length == 1 ? 0 : i];
                r[i] = kind switch { EltwiseKind.Sum => x + y, EltwiseKind.Sub => x - y, EltwiseKind.Prod => x * y, EltwiseKind.Div => x / y, EltwiseKind.Max => Math.Max(x, y), _ => Math.Min(x, y) };
            }
            return r;
        }

        private void GlobalPool(OnnxNode n)
        {
            var x = V(n.Inputs[0]);
            if (x.Shape.Length != 4) { Unsupported(n, "needs a 4-D input"); return; }
            // MACE converts global pooling to its reduce op over H and W.
            AddAll(n.Name, KernelOps.Reduce(Nhwc(x.Shape), n.OpType == "GlobalMaxPool" ? ReduceKind.Max : ReduceKind.Mean, T), "input", n.Inputs[0], "output", n.Outputs[0]);
            Set(n.Outputs[0], new[] { x.Shape[0], x.Shape[1], 1, 1 });
        }

        /// <summary>
        /// ONNX Reduce* as MACE's GPU reduce: it keeps the dimensions and reduces H and W (reduce_hw) or, from v1.1, the
        /// channels (reduce_c) of a 4-D tensor; any other axes, or keepdims=0, run on the CPU.
        /// </summary>
        private void Reduce(OnnxNode n)
        {
            var x = V(n.Inputs[0]);
            var axes = Ints(n.GetInts("axes")).ToList();
            if (axes.Count == 0 && n.Inputs.Count > 1 && n.Inputs[1].Length > 0 && V(n.Inputs[1]).Const is float[] ax) axes = ax.Select(a => (int)a).ToList();
            axes = axes.Select(a => a < 0 ? a + x.Shape.Length : a).Distinct().OrderBy(a => a).ToList();
            var kind = n.OpType switch
            {
                "ReduceMean" => ReduceKind.Mean, "ReduceMax" => ReduceKind.Max, "ReduceMin" => ReduceKind.Min, "ReduceSum" => ReduceKind.Sum, _ => ReduceKind.Prod,
            };
            bool keep = n.GetInt("keepdims", 1) != 0;
            bool hw = axes.SequenceEqual(new[] { 2, 3 }), channels = axes.SequenceEqual(new[] { 1 }) && T.Version.AtLeast(1, 1, 0);
            if (x.Shape.Length != 4 || !keep || !(hw || channels))
            {
                Unsupported(n, $"axes [{string.Join(",", axes)}]{(keep ? "" : ", keepdims 0")} of a rank-{x.Shape.Length} tensor: MACE's GPU reduce keeps the dimensions and reduces H and W, or (v1.1) the channels, of a 4-D tensor");
                return;
            }
            var launches = hw ? KernelOps.Reduce(Nhwc(x.Shape), kind, T) : KernelOps.ReduceChannels(Nhwc(x.Shape), kind, T);
            AddAll(n.Name, launches, "input", n.Inputs[0], "output", n.Outputs[0]);
            Set(n.Outputs[0], hw ? new[] { x.Shape[0], x.Shape[1], 1, 1 } : new[] { x.Shape[0], 1, x.Shape[2], x.Shape[3] });
        }

        private void Pool(OnnxNode n)
        {
            var x = V(n.Inputs[0]);
            var k = Ints(n.GetInts("kernel_shape"));
            if (x.Shape.Length != 4 || k.Length != 2) { Unsupported(n, "needs a 4-D input and a 2-D window"); return; }
            if (n.GetInt("count_include_pad", 0) != 0) { Unsupported(n, "count_include_pad=1 (MACE averages over the positions inside the input)"); return; }
            var strides = Ints(n.GetInts("strides"), 1, 1);
            var pads = Pads(n, x.Shape, k[0], k[1], strides, new[] { 1, 1 });
            bool ceil = n.GetInt("ceil_mode", 0) != 0;
            int Out(int size, int kk, int s, int before, int after) =>
                (ceil ? (size + before + after - kk + s - 1) / s : (size + before + after - kk) / s) + 1;
            var outNchw = new[] { x.Shape[0], x.Shape[1], Out(x.Shape[2], k[0], strides[0], pads[0], pads[2]), Out(x.Shape[3], k[1], strides[1], pads[1], pads[3]) };
            Add(n.Name, KernelOps.Pooling(Nhwc(x.Shape), Nhwc(outNchw), n.OpType == "MaxPool" ? PoolingKind.Max : PoolingKind.Average, k, strides, new[] { pads[0], pads[1] }, T),
                "input", n.Inputs[0], "output", n.Outputs[0]);
            Set(n.Outputs[0], outNchw);
        }

        private void FullyConnected(OnnxNode n)
        {
            var a = V(n.Inputs[0]);
            var b = V(n.Inputs[1]);
            bool gemm = n.OpType == "Gemm";
            if (b.Const == null || b.Shape.Length != 2 || a.Shape.Length != 2 || gemm && n.GetInt("transA", 0) != 0)
            {
                Unsupported(n, "only [N, K] x constant [K, M] (MACE's fully connected)");
                return;
            }
            bool transB = gemm && n.GetInt("transB", 0) != 0;
            int outputs = transB ? b.Shape[0] : b.Shape[1], k = a.Shape[1];
            bool bias = gemm && n.Inputs.Count > 2 && n.Inputs[2].Length > 0;
            string biasName = bias ? n.Inputs[2] : "";
            float[]? biasData = bias ? Data(n.Inputs[2]) : null;
            string output = n.Outputs[0];
            if (!bias && FoldBiasAdd(ref output, ref biasName, ref biasData, outputs)) bias = true;
            var (act, final) = FuseActivation(output);
            // The weight as MACE's FC reads it, [outputs, K]: MatMul's [K, outputs] transposed; Gemm's alpha and beta folded in.
            float alpha = gemm ? n.GetFloat("alpha", 1f) : 1f, beta = gemm ? n.GetFloat("beta", 1f) : 1f;
            var weightData = new float[outputs * k];
            for (int m = 0; m < outputs; m++)
                for (int i = 0; i < k; i++)
                    weightData[m * k + i] = alpha * b.Const[transB ? m * k + i : i * outputs + m];
            if (biasData != null && gemm && n.Inputs.Count > 2 && biasName == n.Inputs[2]) biasData = biasData.Select(v => v * beta).ToArray();
            string weight = Weight(n.Inputs[1], ImageKind.WeightWidth, new[] { outputs, k, 1, 1 }, weightData);
            string biasImage = bias ? Weight(biasName, ImageKind.Argument, new[] { outputs }, biasData!) : "";
            Add(n.Name, KernelOps.FullyConnected(new[] { a.Shape[0], 1, 1, k }, outputs, bias, act, T),
                "input", n.Inputs[0], "weight", weight, "bias", biasImage, "output", final);
            Set(final, new[] { a.Shape[0], outputs });
            Set(output, new[] { a.Shape[0], outputs });
            Set(n.Outputs[0], new[] { a.Shape[0], outputs });
        }

        private void Softmax(OnnxNode n)
        {
            var x = V(n.Inputs[0]);
            int axis = (int)n.GetInt("axis", _model.Opset >= 13 ? -1 : 1);
            if (axis < 0) axis += x.Shape.Length;
            bool channels = x.Shape.Length == 2 && axis == 1 || x.Shape.Length == 4 && axis == 1;
            if (!channels) { Unsupported(n, $"axis {axis} of a rank-{x.Shape.Length} tensor (MACE's softmax runs over the channels)"); return; }
            Add(n.Name, KernelOps.Softmax(Nhwc(x.Shape), T), "input", n.Inputs[0], "output", n.Outputs[0]);
            Set(n.Outputs[0], x.Shape);
        }

        private void Concat(OnnxNode n)
        {
            var parts = n.Inputs.Select(V).ToList();
            if (parts.All(p => p.Const != null))
            {
                Set(n.Outputs[0], new[] { parts.Sum(p => p.Const!.Length) }, parts.SelectMany(p => p.Const!).ToArray());
                return;
            }
            int axis = (int)n.GetInt("axis", 1);
            if (axis < 0) axis += parts[0].Shape.Length;
            if (parts.Any(p => p.Shape.Length != 4) || axis != 1) { Unsupported(n, $"axis {axis} (MACE's GPU concat joins channels)"); return; }
            var bind = new List<string> { "output", n.Outputs[0] };
            for (int i = 0; i < n.Inputs.Count; i++) bind.AddRange(new[] { "input" + i, n.Inputs[i] });
            AddAll(n.Name, KernelOps.Concat(parts.Select(p => Nhwc(p.Shape)).ToList(), T), bind.ToArray());
            var s = parts[0].Shape.ToArray();
            s[1] = parts.Sum(p => p.Shape[1]);
            Set(n.Outputs[0], s);
        }

        /// <summary>Ops that only change a shape or compute shapes: no kernel, the result is computed here.</summary>
        private void ShapeOp(OnnxNode n)
        {
            var x = V(n.Inputs[0]);
            if (x.Const == null && n.OpType != "Shape" && n.OpType != "Gather" && n.OpType != "Slice") _alias[n.Outputs[0]] = n.Inputs[0];
            switch (n.OpType)
            {
                case "Identity": case "Dropout": case "Cast": Set(n.Outputs[0], x.Shape, x.Const); return;
                case "Shape": Set(n.Outputs[0], new[] { x.Shape.Length }, x.Shape.Select(d => (float)d).ToArray()); return;
                case "Flatten":
                {
                    int axis = (int)n.GetInt("axis", 1);
                    if (axis < 0) axis += x.Shape.Length;
                    Set(n.Outputs[0], new[] { (int)Count(x.Shape.Take(axis).ToArray()), (int)Count(x.Shape.Skip(axis).ToArray()) }, x.Const);
                    return;
                }
                case "Reshape":
                {
                    var target = V(n.Inputs[1]).Const;
                    if (target == null) { Unsupported(n, "the shape is not a constant"); return; }
                    var s = target.Select((d, i) => d == 0 ? x.Shape[i] : (int)d).ToArray();
                    int unknown = Array.IndexOf(s, -1);
                    if (unknown >= 0) s[unknown] = (int)(Count(x.Shape) / -Count(s));
                    Set(n.Outputs[0], s, x.Const);
                    return;
                }
                case "Squeeze":
                case "Unsqueeze":
                {
                    var axes = Ints(n.GetInts("axes")).ToList();
                    if (axes.Count == 0 && n.Inputs.Count > 1 && V(n.Inputs[1]).Const is float[] ax) axes = ax.Select(a => (int)a).ToList();
                    var s = x.Shape.ToList();
                    if (n.OpType == "Squeeze") s = s.Where((d, i) => axes.Count == 0 ? d != 1 : !axes.Contains(i) && !axes.Contains(i - s.Count)).ToList();
                    else foreach (int a in axes.OrderBy(a => a)) s.Insert(a < 0 ? a + s.Count + 1 : a, 1);
                    Set(n.Outputs[0], s.ToArray(), x.Const);
                    return;
                }
                case "Gather":
                case "Slice":
                    if (x.Const == null) { Unsupported(n, "on a tensor (only shape arithmetic on constants is folded)"); return; }
                    Set(n.Outputs[0], new[] { 0 }, n.OpType == "Gather" ? GatherConst(n, x.Const) : SliceConst(n, x.Const));
                    _values[n.Outputs[0]].Shape = new[] { _values[n.Outputs[0]].Const!.Length };
                    return;
            }
        }

        private float[] GatherConst(OnnxNode n, float[] data)
        {
            var idx = V(n.Inputs[1]).Const ?? Array.Empty<float>();
            return idx.Select(i => data[(int)(i < 0 ? i + data.Length : i)]).ToArray();
        }

        private float[] SliceConst(OnnxNode n, float[] data)
        {
            long start, end;
            if (n.GetInts("starts") is long[] s) { start = s[0]; end = n.GetInts("ends")![0]; }
            else { start = (long)(V(n.Inputs[1]).Const?[0] ?? 0); end = (long)(V(n.Inputs[2]).Const?[0] ?? data.Length); }
            if (start < 0) start += data.Length;
            if (end < 0) end += data.Length;
            start = Math.Max(0, Math.Min(start, data.Length));
            end = Math.Max(start, Math.Min(end, data.Length));
            return data.Skip((int)start).Take((int)(end - start)).ToArray();
        }

        private void Resize(OnnxNode n)
        {
            var x = V(n.Inputs[0]);
            string mode = n.GetString("mode", "nearest") ?? "nearest";
            if (x.Shape.Length != 4 || (mode != "linear" && mode != "bilinear" && mode != "nearest")) { Unsupported(n, $"mode {mode}"); return; }
            // Output size from `sizes` or `scales` (opset 9: input 1; opset 11+: roi, scales, sizes).
            float[]? scales = null, sizes = null;
            if (n.OpType == "Upsample" || _model.Opset < 11) scales = n.Inputs.Count > 1 ? V(n.Inputs[1]).Const : null;
            else
            {
                if (n.Inputs.Count > 3 && n.Inputs[3].Length > 0) sizes = V(n.Inputs[3]).Const;
                if (sizes == null && n.Inputs.Count > 2 && n.Inputs[2].Length > 0) scales = V(n.Inputs[2]).Const;
            }
            int oh, ow;
            if (sizes != null && sizes.Length == 4) { oh = (int)sizes[2]; ow = (int)sizes[3]; }
            else if (scales != null && scales.Length == 4) { oh = (int)Math.Floor(x.Shape[2] * scales[2]); ow = (int)Math.Floor(x.Shape[3] * scales[3]); }
            else { Unsupported(n, "the output size is not a constant"); return; }
            string ct = n.GetString("coordinate_transformation_mode", _model.Opset >= 11 ? "half_pixel" : "asymmetric") ?? "half_pixel";
            var coords = ct == "half_pixel" ? ResizeCoordinates.HalfPixel : ct == "pytorch_half_pixel" ? ResizeCoordinates.PytorchHalfPixel : ResizeCoordinates.Asymmetric;
            if (mode == "nearest")
            {
                // Upsample and opset-10 Resize round down; later Resize says how (round_prefer_floor by default).
                string nm = n.OpType == "Upsample" || _model.Opset < 11 ? "floor" : n.GetString("nearest_mode", "round_prefer_floor") ?? "round_prefer_floor";
                var nearest = nm switch { "floor" => NearestMode.Floor, "ceil" => NearestMode.Ceil, "round_prefer_ceil" => NearestMode.RoundPreferCeil, _ => NearestMode.RoundPreferFloor };
                Add(n.Name, KernelOps.ResizeNearest(Nhwc(x.Shape), oh, ow, ct == "align_corners", coords, nearest, T), "input", n.Inputs[0], "output", n.Outputs[0]);
            }
            else Add(n.Name, KernelOps.ResizeBilinear(Nhwc(x.Shape), oh, ow, ct == "align_corners", coords, T), "input", n.Inputs[0], "output", n.Outputs[0]);
            Set(n.Outputs[0], new[] { x.Shape[0], x.Shape[1], oh, ow });
        }

        private void Pad(OnnxNode n)
        {
            var x = V(n.Inputs[0]);
            var p = n.GetInts("pads")?.Select(v => (int)v).ToArray() ?? V(n.Inputs[1]).Const?.Select(v => (int)v).ToArray();
            string mode = n.GetString("mode", "constant") ?? "constant";
            if (x.Shape.Length != 4 || p == null || p.Length != 8 || p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0 || mode == "edge")
            {
                Unsupported(n, $"mode {mode}, pads [{(p == null ? "?" : string.Join(",", p))}] (MACE pads H and W, constant, reflect or symmetric)");
                return;
            }
            float value = n.GetFloat("value", 0f);
            if (n.Inputs.Count > 2 && n.Inputs[2].Length > 0) value = Scalar(n.Inputs[2]) ?? 0f;
            var launch = KernelOps.Pad(Nhwc(x.Shape), new[] { p[2], p[3], p[6], p[7] }, mode == "reflect" ? PadMode.Reflect : PadMode.Constant, value, T);
            Add(n.Name, launch, "input", n.Inputs[0], "output", n.Outputs[0]);
            Set(n.Outputs[0], new[] { x.Shape[0], x.Shape[1], x.Shape[2] + p[2] + p[6], x.Shape[3] + p[3] + p[7] });
        }
    }
}
