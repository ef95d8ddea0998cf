using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MaceTools.Conversion
{
    /// <summary>
    /// A node MACE's GPU ops refuse, placed on the CPU as MACE places it: an ONNX op (or a folded one such as
    /// LayerNormalization) run by the C# reference ops (<see cref="Runtime.CpuOps"/>) on host tensors in ONNX order. The
    /// converter surrounds it with the image↔buffer transforms MACE inserts at device boundaries.
    /// </summary>
    public sealed class CpuNode
    {
        internal CpuNode(string model, string node, string op, IReadOnlyList<string> inputs, IReadOnlyList<int[]> inputShapes,
            IReadOnlyList<string> outputs, IReadOnlyList<int[]> outputShapes, IReadOnlyDictionary<string, float[]> attributes,
            IReadOnlyDictionary<int, float[]> constants, int after, string reason)
        {
            Model = model;
            Node = node;
            Op = op;
            Inputs = inputs;
            InputShapes = inputShapes;
            Outputs = outputs;
            OutputShapes = outputShapes;
            Attributes = attributes;
            Constants = constants;
            After = after;
            Reason = reason;
        }

        public string Model { get; }
        /// <summary>The ONNX node's name (the first of a folded pattern).</summary>
        public string Node { get; }
        /// <summary>The ONNX op type (LayerNormalization for a folded ReduceMean…Add chain; Conv carries a fused activation).</summary>
        public string Op { get; }
        /// <summary>Host buffers read (graph tensor names with <see cref="MaceKernel.HostSuffix"/>); "" where the input is a constant.</summary>
        public IReadOnlyList<string> Inputs { get; }
        /// <summary>The inputs' ONNX shapes.</summary>
        public IReadOnlyList<int[]> InputShapes { get; }
        /// <summary>Host buffers written (graph tensor names with <see cref="MaceKernel.HostSuffix"/>).</summary>
        public IReadOnlyList<string> Outputs { get; }
        public IReadOnlyList<int[]> OutputShapes { get; }
        /// <summary>The op's attributes as numbers (ints and floats alike), e.g. perm, axes, epsilon.</summary>
        public IReadOnlyDictionary<string, float[]> Attributes { get; }
        /// <summary>Constant inputs by position (weights, exponents, shapes): they travel with the weights.</summary>
        public IReadOnlyDictionary<int, float[]> Constants { get; }
        /// <summary>How many kernel launches of the set run before this node (its place in execution order).</summary>
        public int After { get; }
        /// <summary>Why MACE's GPU op does not take it.</summary>
        public string Reason { get; }

        /// <summary>The same node at another place in execution order.</summary>
        internal CpuNode At(int after) => new CpuNode(Model, Node, Op, Inputs, InputShapes, Outputs, OutputShapes, Attributes, Constants, after, Reason);

        public int[] Ints(string name, params int[] fallback) => Attributes.TryGetValue(name, out var v) ? v.Select(x => (int)x).ToArray() : fallback;
        public float Float(string name, float fallback) => Attributes.TryGetValue(name, out var v) && v.Length > 0 ? v[0] : fallback;

        public override string ToString() => $"{Node} ({Op}) on CPU: {Reason}";

        /// <summary>One line for the worker's plan (attributes as name=v,v;…; constants travel separately).</summary>
        internal string FormatAttributes() =>
            string.Join(";", Attributes.Select(a => a.Key + "=" + string.Join(",", a.Value.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));

        internal static Dictionary<string, float[]> ParseAttributes(string text)
        {
            var d = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var part in text.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = part.IndexOf('=');
                d[part.Substring(0, eq)] = part.Substring(eq + 1).Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries)
                    .Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            }
            return d;
        }
    }

    /// <summary>Where a node of a converted model runs, as Get-MaceKernel -Config lists the CPU-placed ones.</summary>
    public sealed class MaceNodePlacement
    {
        internal MaceNodePlacement(string model, string node, string op, string device, string reason)
        {
            Model = model;
            Node = node;
            Op = op;
            Device = device;
            Reason = reason;
        }

        public string Model { get; }
        public string Node { get; }
        public string Op { get; }
        /// <summary>GPU or CPU.</summary>
        public string Device { get; }
        /// <summary>Why the node is not on the GPU (empty for GPU nodes).</summary>
        public string Reason { get; }

        public override string ToString() => $"{Model} {Node} ({Op}): {Device}{(Reason.Length > 0 ? " — " + Reason : "")}";
    }
}
