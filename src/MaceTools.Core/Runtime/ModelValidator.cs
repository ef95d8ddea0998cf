using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using MaceTools.Conversion;
using MaceTools.Models.Onnx;

namespace MaceTools.Runtime
{
    /// <summary>The first ONNX node whose output the runner computes differently (MACE's layers_validate.py).</summary>
    public sealed class MaceDivergentNode
    {
        /// <summary>The ONNX node that produces <see cref="Tensor"/>.</summary>
        public string Node { get; internal set; } = "";
        public string Op { get; internal set; } = "";
        public string Tensor { get; internal set; } = "";
        /// <summary>The converted op whose kernel (or CPU-placed node) wrote the tensor (a fused conv is named after its Conv node).</summary>
        public string KernelNode { get; internal set; } = "";
        /// <summary>The kernel, or "cpu:" and the op type where a CPU-placed node wrote the tensor.</summary>
        public string Kernel { get; internal set; } = "";
        /// <summary>True when a CPU-placed node (C# op on the host) wrote the tensor, false for a GPU kernel.</summary>
        public bool Cpu { get; internal set; }
        /// <summary>The sample the layers were compared on.</summary>
        public int Sample { get; internal set; }
        public TensorComparison Metrics { get; internal set; } = new TensorComparison();
        /// <summary>Tensors compared before it that agreed.</summary>
        public int AgreedBefore { get; internal set; }

        public override string ToString() => FormattableString.Invariant($"{Node} ({Op}) -> {Tensor}: cosine {Metrics.Cosine:0.######}, {(Cpu ? "CPU node" : "kernel")} {Kernel} of {KernelNode}");
    }

    /// <summary>One model output validated against ONNX Runtime over a set of inputs (Test-MaceModel's object).</summary>
    public sealed class MaceValidationResult
    {
        public string Model { get; internal set; } = "";
        public string Device { get; internal set; } = "";
        public string Output { get; internal set; } = "";
        public int[] Shape { get; internal set; } = Array.Empty<int>();
        public int Samples { get; internal set; }
        /// <summary>The lowest cosine similarity over the samples (what passes or fails).</summary>
        public double Cosine { get; internal set; }
        /// <summary>The lowest SQNR over the samples (a ratio, as validate.py prints it).</summary>
        public double Sqnr { get; internal set; }
        /// <summary>Argmax agreement over all rows of all samples.</summary>
        public double PixelAccuracy { get; internal set; }
        public double MaxAbsError { get; internal set; }
        public double MaxRelError { get; internal set; }
        public double Threshold { get; internal set; }
        /// <summary>Every sample's cosine similarity above <see cref="Threshold"/> (validate.py: similarity &gt; threshold).</summary>
        public bool Passed { get; internal set; }
        /// <summary>On failure, the first node that diverges; null when passed or when no intermediate tensor disagrees.</summary>
        public MaceDivergentNode? DivergentNode { get; internal set; }
        /// <summary>Mean wall time of one inference on the device (the worker's clock) and of ONNX Runtime's CPU provider here.</summary>
        public double DeviceMs { get; internal set; }
        public double ReferenceMs { get; internal set; }
        /// <summary>Wall time minus the kernel device times and the CPU-placed nodes' host times, as a share of wall time (mean over rounds; <see cref="ModelRound.HostOverhead"/>).</summary>
        public double HostOverhead { get; internal set; }

        public override string ToString() => FormattableString.Invariant($"{Model}/{Output} on {Device}: {(Passed ? "passed" : "FAILED")}, cosine {Cosine:0.##########} (threshold {Threshold}), {Samples} sample(s){(DivergentNode == null ? "" : "; first divergent node " + DivergentNode)}");
    }

    /// <summary>
    /// Validation as MACE's tools do it: the same inputs through the runner and through ONNX Runtime, every output compared
    /// with validate.py's metrics; on a failure, the model is run again with every intermediate tensor read back and
    /// compared with ONNX Runtime's in graph order, and the first that falls below the threshold is named.
    /// </summary>
    public static class ModelValidator
    {
        public static List<MaceValidationResult> Validate(KernelSet set, ModelRunner runner, IReadOnlyList<IReadOnlyList<MaceTensor>> samples,
            ModelRunOptions options, double threshold, CancellationToken cancel = default)
        {
            string source = set.Source ?? throw new ArgumentException($"{set.Model}: the kernel set does not name its model file", nameof(set));
            var run = runner.Run(set, samples, options, cancel);
            var reference = new List<Dictionary<string, MaceTensor>>();
            double refMs = 0;
            using (var ort = new OnnxReference(source))
            {
                ort.Run(samples[0]); // the first run allocates and plans: not timed
                foreach (var s in samples)
                {
                    cancel.ThrowIfCancellationRequested();
                    var (outs, ms) = ort.Run(s);
                    reference.Add(outs);
                    refMs += ms;
                }
            }
            double deviceMs = run.Rounds.Average(r => r.WallMs);
            double overhead = run.Rounds.Average(r => r.HostOverhead);
            var results = new List<MaceValidationResult>();
            for (int o = 0; o < set.Outputs.Count; o++)
            {
                var spec = set.Outputs[o];
                var per = Enumerable.Range(0, samples.Count).Select(i =>
                {
                    if (!reference[i].TryGetValue(spec.Name, out var e))
                        throw new MaceException(ErrorIds.ReferenceFailed, MaceErrorCategory.InvalidOperation, $"{source}: ONNX Runtime gave no output '{spec.Name}'", source);
                    return ValidationMetrics.Compare(e.Data, run.Outputs[i][o].Data, e.Shape.Length == 0 ? 1 : e.Shape[e.Shape.Length - 1]);
                }).ToList();
                var result = new MaceValidationResult
                {
                    Model = set.Model, Device = runner.Device.Name, Output = spec.Name, Shape = spec.Shape, Samples = samples.Count,
                    Cosine = per.Min(m => m.Cosine), Sqnr = per.Min(m => m.Sqnr), PixelAccuracy = per.Average(m => m.PixelAccuracy),
                    MaxAbsError = per.Max(m => m.MaxAbsError), MaxRelError = per.Max(m => m.MaxRelError), Threshold = threshold,
                    DeviceMs = deviceMs, ReferenceMs = refMs / samples.Count, HostOverhead = overhead,
                };
                result.Passed = per.All(m => m.Cosine > threshold);
                if (!result.Passed)
                {
                    int worst = per.IndexOf(per.OrderBy(m => m.Cosine).First());
                    result.DivergentNode = FirstDivergent(set, runner, samples[worst], worst, options, threshold, cancel);
                }
                results.Add(result);
            }
            return results;
        }

        /// <summary>
        /// Runs one sample again with every tensor an op writes read back (GPU kernels' images and CPU-placed nodes' host
        /// buffers), and ONNX Runtime with the same tensors as extra outputs; compares them in the graph's node order and
        /// returns the first below <paramref name="threshold"/>.
        /// </summary>
        public static MaceDivergentNode? FirstDivergent(KernelSet set, ModelRunner runner, IReadOnlyList<MaceTensor> sample, int sampleIndex,
            ModelRunOptions options, double threshold, CancellationToken cancel = default)
        {
            string source = set.Source!;
            var model = OnnxModel.Load(source);
            var producer = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
            foreach (var n in model.Graph.Nodes)
                foreach (var t in n.Outputs.Where(t => t.Length > 0))
                    producer[t] = n;
            // The tensors the device computes that the graph names: each op's output (inputs and weights excluded).
            // Each with the runner's tensor to read back (a CPU node writes a host buffer), the writer's node and its kernel.
            var writers = new Dictionary<string, (string Dumped, string Node, string Kernel, bool Cpu)>(StringComparer.Ordinal);
            foreach (var k in set.Kernels.Where(k => !k.IsWeight && k.Launch.Op != "image_to_buffer" && k.Launch.Op != "buffer_to_image"))
            {
                string t = k.Tensors[k.Launch.Output.Tensor!];
                if (producer.ContainsKey(t)) writers[t] = (t, k.Node, k.Kernel, false);
            }
            foreach (var c in set.CpuNodes)
                foreach (var buffer in c.Outputs.Where(o => o.EndsWith(MaceKernel.HostSuffix, StringComparison.Ordinal)))
                {
                    string t = buffer.Substring(0, buffer.Length - MaceKernel.HostSuffix.Length);
                    if (producer.ContainsKey(t)) writers[t] = (buffer, c.Node, "cpu:" + c.Op, true);
                }
            var dumpOptions = new ModelRunOptions { Tuned = options.Tuned, ProgramFile = options.ProgramFile, Dump = writers.Values.Select(w => w.Dumped).ToList() };
            var dumped = runner.Run(set, new[] { sample }, dumpOptions, cancel).Dumped;
            Dictionary<string, MaceTensor> expected;
            using (var ort = new OnnxReference(source, writers.Keys.ToList()))
                expected = ort.Run(sample).Outputs;
            int agreed = 0;
            foreach (var n in model.Graph.Nodes)
                foreach (var t in n.Outputs)
                {
                    cancel.ThrowIfCancellationRequested();
                    if (!writers.TryGetValue(t, out var writer) || !dumped.TryGetValue(writer.Dumped, out var mine) || !expected.TryGetValue(t, out var theirs)) continue;
                    if (mine.Data.Length != theirs.Data.Length) continue;
                    var actual = ModelData.Nhwc(theirs.Shape).SequenceEqual(mine.Shape) ? ModelData.ToOnnx(mine.Data, theirs.Shape) : mine.Data;
                    var m = ValidationMetrics.Compare(theirs.Data, actual, theirs.Shape.Length == 0 ? 1 : theirs.Shape[theirs.Shape.Length - 1]);
                    if (m.Cosine > threshold)
                    {
                        agreed++;
                        continue;
                    }
                    return new MaceDivergentNode
                    {
                        Node = n.Name, Op = n.OpType, Tensor = t, KernelNode = writer.Node, Kernel = writer.Kernel, Cpu = writer.Cpu, Sample = sampleIndex, Metrics = m, AgreedBefore = agreed,
                    };
                }
            return null;
        }
    }
}
