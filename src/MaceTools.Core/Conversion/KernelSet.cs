using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Kernels;

namespace MaceTools.Conversion
{
    /// <summary>A model input as the deployment file gives it: name, shape and the shape's layout.</summary>
    public sealed class ModelInput
    {
        public ModelInput(string name, int[] shape, string format = "NCHW")
        {
            Name = name;
            Shape = shape;
            Format = format;
        }

        public string Name { get; }
        public int[] Shape { get; }
        /// <summary>NCHW (ONNX's own) or NHWC (MACE's default in a deployment file).</summary>
        public string Format { get; }
    }

    /// <summary>What the converter needs besides the model: the target and the deployment file's switches.</summary>
    public sealed class ConversionOptions
    {
        public ConversionOptions(KernelTarget target) => Target = target;

        public KernelTarget Target { get; }
        /// <summary>data_type fp16_fp32: weights are transformed to half images (compute kernels stay float from MACE v0.12).</summary>
        public bool HalfWeights { get; set; }
        /// <summary>The deployment file's <c>winograd</c> (0, 2 or 4): 3x3 stride-1 convolutions take MACE's Winograd path.</summary>
        public int Winograd { get; set; }
        /// <summary>The device's largest 2-D image (width, height): MACE falls back from Winograd 4 to 2, or to conv_2d_3x3, beyond it.</summary>
        public (long Width, long Height) MaxImage { get; set; } = (long.MaxValue, long.MaxValue);
        public string ModelName { get; set; } = "model";
        /// <summary>
        /// Runs depthwise convolutions with unequal strides on the GPU (MaceTools' -DSTRIDE_W), where MACE's GPU op refuses
        /// them and MACE places them on the CPU. Off by default, so that the kernel set equals MACE's.
        /// </summary>
        public bool GpuUnequalStrideDepthwise { get; set; }
    }

    /// <summary>One kernel launch of a converted model: what MACE (or our runtime) asks the driver for.</summary>
    public sealed class MaceKernel
    {
        internal MaceKernel(string model, string node, KernelLaunch launch, IReadOnlyDictionary<string, string>? tensors = null, float[]? data = null)
        {
            Model = model;
            Node = node;
            Launch = launch;
            // Every tensor argument gets a name: the converter's binding, else one scoped to the node (a multi-launch op's
            // intermediates, a launch made outside a model).
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var a in launch.Arguments.Where(a => a.Tensor != null))
                map[a.Tensor!] = tensors != null && tensors.TryGetValue(a.Tensor!, out var t) ? t : node + "/" + a.Tensor;
            Tensors = map;
            Data = data;
        }

        public string Model { get; }
        /// <summary>The ONNX node (or weight tensor, for a transform) this launch serves.</summary>
        public string Node { get; }
        public string Op => Launch.Op;
        public string Program => Launch.Program;
        public string Kernel => Launch.Kernel;
        public IReadOnlyList<string> Options => Launch.Options;
        public string ProgramKey => Launch.ProgramKey;
        public string? TuningKey => Launch.TuningKey;
        public string? TuningFileKey => Launch.TuningFileKey;
        public long[] GlobalSize => Launch.GlobalSize;
        public KernelLaunch Launch { get; }
        /// <summary>
        /// The binding: each tensor argument's placeholder (<see cref="KernelArg.Tensor"/>: "input", "filter", "output" …)
        /// → the graph tensor it reads or writes (the ONNX tensor name; a weight's image is named after its initializer,
        /// the host buffer a transform reads or writes after its tensor with <see cref="HostSuffix"/>).
        /// </summary>
        public IReadOnlyDictionary<string, string> Tensors { get; }
        /// <summary>A weight transform's host data (the buffer buffer_to_image reads, folded as the converter decided); null otherwise.</summary>
        internal float[]? Data { get; }

        /// <summary>
        /// A copy of a weight transform's host data (what buffer_to_image reads: BatchNorm folded, MatMul weights transposed);
        /// null for other launches. A method, so that listings and JSON output do not carry every weight.
        /// </summary>
        public float[]? GetData() => Data == null ? null : (float[])Data.Clone();
        /// <summary>True for the launches MACE's init makes once (weight transforms), false for those of every inference.</summary>
        public bool IsWeight => Data != null;

        /// <summary>The suffix of a host buffer's name (the plain buffer a transform reads or writes).</summary>
        public const string HostSuffix = ":host";

        /// <summary>The graph tensor bound to an argument's placeholder.</summary>
        public string TensorOf(string placeholder) => Tensors.TryGetValue(placeholder, out var t) ? t
            : throw new ArgumentException($"{Node}: {Launch.Kernel} has no tensor argument '{placeholder}'", nameof(placeholder));

        public override string ToString() => $"{Node}: {Launch}";
    }

    /// <summary>A model input or output as the runner sees it: its ONNX name and logical (ONNX, NCHW) shape.</summary>
    public sealed class ModelTensor
    {
        public ModelTensor(string name, int[] shape)
        {
            Name = name;
            Shape = shape;
        }

        public string Name { get; }
        /// <summary>The ONNX shape (NCHW for 4-D tensors).</summary>
        public int[] Shape { get; }
        public long Count => Shape.Aggregate(1L, (a, b) => a * b);

        public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]";
    }

    /// <summary>The kernels a model needs on one target, in execution order (weight transforms first, as MACE's init runs them).</summary>
    public sealed class KernelSet
    {
        internal KernelSet(string model, KernelTarget target, IReadOnlyList<MaceKernel> kernels, IReadOnlyList<string> notes,
            IReadOnlyList<ModelTensor>? inputs = null, IReadOnlyList<ModelTensor>? outputs = null, string? source = null, IReadOnlyList<CpuNode>? cpuNodes = null)
        {
            CpuNodes = cpuNodes ?? Array.Empty<CpuNode>();
            Model = model;
            Target = target;
            Kernels = kernels;
            Notes = notes;
            Inputs = inputs ?? Array.Empty<ModelTensor>();
            Outputs = outputs ?? Array.Empty<ModelTensor>();
            Source = source;
        }

        /// <summary>The same set with kernel <paramref name="index"/> replaced (a test's broken argument, a what-if).</summary>
        internal KernelSet With(int index, MaceKernel kernel)
        {
            var list = Kernels.ToList();
            list[index] = kernel;
            return new KernelSet(Model, Target, list, Notes, Inputs, Outputs, Source, CpuNodes);
        }

        /// <summary>
        /// The nodes placed on the CPU (MACE's placement for what its GPU ops refuse), each with its place among
        /// <see cref="Kernels"/>; their neighbours on the GPU reach them through image↔buffer transforms in <see cref="Kernels"/>.
        /// </summary>
        public IReadOnlyList<CpuNode> CpuNodes { get; }

        /// <summary>Where each node runs: the CPU-placed nodes (GPU is every other node's place).</summary>
        public IReadOnlyList<MaceNodePlacement> CpuPlacements => CpuNodes.Select(c => new MaceNodePlacement(Model, c.Node, c.Op, "CPU", c.Reason)).ToList();

        /// <summary>The model inputs the runner feeds (host buffers <c>name:host</c>), in the deployment file's order.</summary>
        public IReadOnlyList<ModelTensor> Inputs { get; }
        /// <summary>The model outputs the runner reads back (host buffers <c>name:host</c>).</summary>
        public IReadOnlyList<ModelTensor> Outputs { get; }
        /// <summary>The model file converted (what a reference runtime runs), where known.</summary>
        public string? Source { get; }

        public string Model { get; }
        public KernelTarget Target { get; }
        public IReadOnlyList<MaceKernel> Kernels { get; }
        /// <summary>What the conversion decided that a user should know (fusions, MACE differences).</summary>
        public IReadOnlyList<string> Notes { get; }
        /// <summary>The distinct program keys: the entries of the program file.</summary>
        public IReadOnlyList<string> ProgramKeys => Kernels.Select(k => k.ProgramKey).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();
        /// <summary>
        /// One launch per tuning key over <paramref name="sets"/> (the first instance; MACE stores one vector per key) and how
        /// many instances share the key: what a tuner launches.
        /// </summary>
        public static List<(KernelLaunch Launch, int Count)> TuningInstances(IEnumerable<KernelSet> sets) =>
            sets.SelectMany(s => s.Kernels).Where(k => k.TuningKey != null).GroupBy(k => k.TuningKey!, StringComparer.Ordinal)
                .Select(g => (g.First().Launch, g.Count())).ToList();

        /// <summary>The distinct tuning keys (plain), as the tuner will see them.</summary>
        public IReadOnlyList<string> TuningKeys => Kernels.Where(k => k.TuningKey != null).Select(k => k.TuningKey!).Distinct().ToList();
    }
}
