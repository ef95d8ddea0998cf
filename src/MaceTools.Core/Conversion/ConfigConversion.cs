using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Config;
using MaceTools.Devices;
using MaceTools.Kernels;
using MaceTools.Models.Onnx;
using MaceTools.Operations;

namespace MaceTools.Conversion
{
    /// <summary>Reads one model file and converts a subgraph of it (one per model platform).</summary>
    public delegate KernelSet ModelConverter(string modelFile, IReadOnlyList<ModelInput> inputs, IReadOnlyList<string> outputs, ConversionOptions options);

    /// <summary>A deployment file's GPU models, fetched and converted for one device: what MACE's converter step does.</summary>
    public static class ConfigConversion
    {
        /// <summary>The platforms MaceTools reads, by the deployment file's <c>platform</c> value (TensorFlow and Caffe readers go here).</summary>
        public static readonly IReadOnlyDictionary<string, ModelConverter> Converters = new Dictionary<string, ModelConverter>(StringComparer.Ordinal)
        {
            ["onnx"] = (file, inputs, outputs, options) => OnnxConverter.Convert(OnnxModel.Load(file), file, inputs, outputs, options),
        };

        /// <summary>The model fetcher of an operation: <paramref name="modelCache"/> (relative to the host's directory) or the default cache, logging verbosely.</summary>
        public static ModelFetcher Fetcher(string? modelCache, IOperationHost host) =>
            new ModelFetcher(modelCache == null ? null : PathResolver.FullPath(modelCache, host.CurrentDirectory)) { Log = host.WriteVerbose };

        /// <summary>One kernel set per GPU model and subgraph of <paramref name="config"/>, for <paramref name="device"/> under <paramref name="version"/>.</summary>
        public static List<KernelSet> Convert(MaceConfig config, MaceDevice device, MaceVersion version, ModelFetcher fetcher, IOperationHost host)
        {
            var sets = new List<KernelSet>();
            foreach (var model in config.Models)
            {
                host.CancellationToken.ThrowIfCancellationRequested();
                if (model.Runtime != "gpu")
                {
                    host.WriteVerbose($"{config.Path}: model {model.Name} runs on {model.Runtime}: no OpenCL kernels");
                    continue;
                }
                if (!Converters.TryGetValue(model.Platform, out var converter))
                    throw Unsupported(config, $"model {model.Name}: platform {model.Platform}: MaceTools reads {string.Join(", ", Converters.Keys)} models (TensorFlow and Caffe readers are not written yet)");
                if (model.ClMemType == "buffer")
                    throw Unsupported(config, $"model {model.Name}: cl_mem_type buffer: MaceTools' kernel library has the image kernels only");
                var files = fetcher.Fetch(model, host.CancellationToken);
                var target = new KernelTarget(version, device.NonUniformWorkGroupFor(version), device.GpuType == MaceGpuType.Adreno, model.Obfuscate);
                foreach (var graph in model.Subgraphs)
                {
                    var inputs = Inputs(graph);
                    var options = new ConversionOptions(target)
                    {
                        HalfWeights = model.DataType == "fp16_fp32" || model.DataType == "fp16_fp16",
                        Winograd = model.Winograd,
                        MaxImage = (device.Image2DMaxWidth > 0 ? device.Image2DMaxWidth : long.MaxValue, device.Image2DMaxHeight > 0 ? device.Image2DMaxHeight : long.MaxValue),
                        ModelName = model.Name,
                        GpuUnequalStrideDepthwise = model.GpuUnequalStrideDepthwise,
                    };
                    var set = converter(files.ModelFile, inputs, graph.OutputTensors, options);
                    foreach (var note in set.Notes) host.WriteVerbose($"{model.Name}: {note}");
                    host.WriteVerbose($"{model.Name}/{graph.Name}: {set.Kernels.Count} launches, {set.ProgramKeys.Count} programs, {set.CpuNodes.Count} nodes on the CPU for {device.Name}");
                    sets.Add(set);
                }
            }
            return sets;
        }

        /// <summary>A subgraph's inputs: names, shapes, and their layout (MACE's default NHWC unless the file says NCHW).</summary>
        public static List<ModelInput> Inputs(MaceSubgraphConfig graph) =>
            graph.InputTensors.Select((name, i) => new ModelInput(name, graph.InputShapes[i],
                i < graph.InputDataFormats.Length && graph.InputDataFormats[i] == "NCHW" ? "NCHW" : "NHWC")).ToList();

        private static MaceException Unsupported(MaceConfig config, string message) =>
            new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidData, $"{config.Path}: {message}", config.Path);
    }
}
