using System;
using System.IO;
using System.Linq;
using MaceTools.Conversion;
using MaceTools.Kernels;
using MaceTools.Models.Onnx;
using MaceTools.Tests.OpenCLTests;
using Xunit;

namespace MaceTools.Tests.ConversionTests
{
    /// <summary>The converter on the real PaddleOCR models of examples/paddleocr.</summary>
    public class OnnxConverterTests
    {
        public static string Example(string name) => Path.Combine(Fixtures.RepoRoot, "examples", "paddleocr", name);
        private const string Cls = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
        private const string Det = "ch_PP-OCRv4_det_infer.onnx";
        private static readonly KernelTarget V111 = new KernelTarget(MaceVersion.Latest, nonUniformWorkGroup: false, adreno: false);

        /// <summary>The classifier with MaceTools' option on (unequal-stride depthwise on the GPU), as examples/paddleocr/mace.yml asks.</summary>
        private static KernelSet Classifier(bool halfWeights = false, bool gpuDepthwise = true) =>
            OnnxConverter.Convert(OnnxModel.Load(Example(Cls)), Example(Cls), new[] { new ModelInput("x", new[] { 1, 3, 48, 192 }) },
                new[] { "softmax_0.tmp_0" }, new ConversionOptions(V111) { HalfWeights = halfWeights, ModelName = "ppocr_cls", GpuUnequalStrideDepthwise = gpuDepthwise });

        [Fact]
        public void The_classifiers_first_layers_are_the_kernels_worked_out_by_hand()
        {
            var set = Classifier();
            var compute = set.Kernels.Where(k => k.Program != "buffer_to_image").ToList();
            // Conv 3x3 stride 2 pad 1 (3 -> 8 channels, 48x192 -> 24x96) + BatchNorm (folded: bias) + hard-swish (fused).
            var first = compute[0];
            Assert.Equal("p2o.Conv.0", first.Node);
            Assert.Equal("conv_2d_3x3 -DBIAS -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DUSE_HARDSWISH -Dconv_2d_3x3=c44CimylqKs", first.ProgramKey);
            Assert.Equal(new long[] { 2, 20, 24 }, first.GlobalSize); // {blk4(8), ceil(96/5), 24·1}
            Assert.Equal("conv2d_3x3_opencl_kernel_1_24_96_8", first.TuningKey);
            // Conv 1x1 + BatchNorm + Relu.
            Assert.Equal("conv_2d_1x1 -DBIAS -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DUSE_RELU -Dconv_2d_1x1=c44CimyloKq", compute[1].ProgramKey);
            Assert.Equal("conv2d_1x1_opencl_kernel_1_24_96_8", compute[1].TuningKey);
            // Depthwise 3x3 with strides [2, 1] + BatchNorm + Relu: 24x96 -> 12x96.
            Assert.Equal("depthwise_conv2d", compute[2].Kernel);
            Assert.Contains("-DSTRIDE=2", compute[2].Options);
            Assert.Contains("-DSTRIDE_W=1", compute[2].Options);
            Assert.Equal("depthwise_conv2d_ocl_kernel_2_24_12_1", compute[2].TuningKey);
            // GlobalAveragePool over 12x96 is MACE's reduce in 16x16 tile passes: 12x96 -> 1x6 -> 1x1.
            Assert.Equal(new[] { "reduce_hw", "reduce_hw" }, compute.Skip(3).Take(2).Select(k => k.Kernel));
            Assert.Equal("reduce_hw_opencl_kernel_6_1_2", compute[3].TuningKey);
            Assert.Equal("reduce_hw_opencl_kernel_1_1_2", compute[4].TuningKey);
            // The squeeze-excite convs: 1x1 with bias + Relu, then 1x1 with bias + HardSigmoid, then the per-channel product.
            Assert.Equal("conv_2d_1x1 -DBIAS -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DUSE_RELU -Dconv_2d_1x1=c44CimyloKq", compute[5].ProgramKey);
            Assert.Contains("-DUSE_HARDSIGMOID", compute[6].Options);
            Assert.Equal("eltwise -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DELTWISE_TYPE=2 -DINPUT_BATCH_VECTOR -Deltwise=e1_D1Bz", compute[7].ProgramKey);
            // The end: flatten (no kernel), MatMul + Add as fully connected with bias, softmax, the output transform.
            Assert.Equal(new[] { "fully_connected_width", "softmax" }, compute.Skip(compute.Count - 2).Select(k => k.Kernel));
            Assert.Contains("-DBIAS", compute[compute.Count - 2].Options);
            Assert.Equal("softmax_opencl_kernel_1_1_1_2", compute[compute.Count - 1].TuningKey);
            Assert.Equal("in_out_image_to_buffer", set.Kernels[set.Kernels.Count - 1].Kernel);
            Assert.Equal("in_out_buffer_to_image", set.Kernels.First(k => k.Node == "x").Kernel);
            Assert.Equal(21, set.ProgramKeys.Count);
            Assert.Equal(4, set.Notes.Count(n => n.Contains("strides [2, 1]")));
        }

        [Fact]
        public void By_default_the_unequal_stride_depthwise_convs_run_on_the_CPU_between_MACEs_transforms_as_MACE_places_them()
        {
            var gpu = Classifier();
            var set = Classifier(gpuDepthwise: false);
            var cpu = set.CpuNodes.Where(c => c.Op == "Conv").ToList();
            Assert.Equal(4, cpu.Count);
            Assert.All(cpu, c => Assert.Contains("unequal strides", c.Reason));
            Assert.DoesNotContain(set.Kernels, k => k.Options.Any(o => o.StartsWith("-DSTRIDE_W", StringComparison.Ordinal)));
            Assert.Contains(gpu.Kernels, k => k.Options.Contains("-DSTRIDE_W=1"));
            // Each CPU node reads a host buffer that an image_to_buffer right before it wrote, and its output goes back to an
            // image through buffer_to_image before the next GPU op.
            foreach (var c in cpu)
            {
                var before = set.Kernels[c.After - 1];
                Assert.Equal("in_out_image_to_buffer", before.Kernel);
                Assert.Equal(c.Inputs[0], before.TensorOf("buffer"));
                Assert.Contains(set.Kernels.Skip(c.After), k => k.Kernel == "in_out_buffer_to_image" && k.TensorOf("buffer") == c.Outputs[0]);
            }
            Assert.Equal(new[] { "CPU" }, set.CpuPlacements.Select(p => p.Device).Distinct());
            // Only the GPU part needs programs and tuning: the depthwise kernel with -DSTRIDE_W is gone.
            Assert.True(set.ProgramKeys.Count < gpu.ProgramKeys.Count);
            Assert.DoesNotContain(set.Kernels, k => cpu.Any(c => c.Node == k.Node));
            Assert.Equal(4, gpu.Kernels.Count(k => k.Options.Contains("-DSTRIDE_W=1")));
        }

        [Fact]
        public void A_node_whose_every_input_comes_from_the_CPU_stays_there_unless_it_is_compute_intensive_as_MACEs_SelectBestRuntime_places_it()
        {
            // The classifier's squeeze-excite pooling right after a CPU depthwise conv: on the CPU (MACE's reduce over H and W).
            var cls = Classifier(gpuDepthwise: false);
            var pools = cls.CpuNodes.Where(c => c.Op == "ReduceMean").ToList();
            Assert.NotEmpty(pools);
            Assert.All(pools, c => Assert.Contains("SelectBestRuntime", c.Reason));
            Assert.All(pools, c => Assert.Contains(cls.CpuNodes, conv => conv.Op == "Conv" && conv.Outputs[0] == c.Inputs[0]));
            // With the depthwise convs on the GPU (MaceTools' option) nothing reads only CPU tensors: no CPU node at all.
            Assert.Empty(Classifier().CpuNodes);

            const string Rec = "ch_PP-OCRv4_rec_infer.onnx";
            var rec = OnnxConverter.Convert(OnnxModel.Load(Example(Rec)), Example(Rec), new[] { new ModelInput("x", new[] { 1, 3, 48, 320 }) }, null,
                new ConversionOptions(V111) { ModelName = "ppocr_rec" });
            // Images uploaded from a CPU node's output at a device boundary (the model input counts as the GPU's).
            var uploaded = rec.Kernels.Where(k => !k.IsWeight && k.Kernel == "in_out_buffer_to_image" && k.Node != "x").Select(k => k.TensorOf("image")).ToList();
            string[] intensive = { "conv2d", "depthwise_conv2d", "deconv_2d", "fully_connected" };
            var gpu = rec.Kernels.Where(k => !k.IsWeight && k.Program != "buffer_to_image" && !intensive.Contains(k.Op)).ToList();
            Assert.NotEmpty(gpu);
            System.Collections.Generic.IEnumerable<string> Images(MaceKernel k) =>
                k.Launch.Inputs.Where(a => a.Kind == KernelArgKind.Image && a.Layout == ImageKind.InOut).Select(a => k.TensorOf(a.Tensor!));
            Assert.All(gpu, k => Assert.Contains(Images(k), t => !uploaded.Contains(t)));
            // Convolutions go back to the GPU whatever made their input.
            Assert.Contains(rec.Kernels, k => k.Op == "conv2d" && Images(k).Any(uploaded.Contains));
            Assert.Contains(rec.CpuNodes, c => c.Op == "Clip" && c.Reason.Contains("SelectBestRuntime"));
        }

        [Fact]
        public void A_reduce_over_the_channels_of_a_4D_tensor_keeping_dims_is_MACEs_reduce_c_and_other_reduces_run_on_the_CPU()
        {
            KernelSet Convert(string name, int[] shape, KernelTarget target)
            {
                string path = Path.Combine(MaceTools.Tests.Models.OnnxTestData.CaseDirectory(name), "model.onnx");
                var model = OnnxModel.Load(path);
                return OnnxConverter.Convert(model, path, new[] { new ModelInput(model.Graph.Inputs[0].Name, shape) }, null, new ConversionOptions(target));
            }
            // ReduceMean over axis 1 with keepdims, fed a 4-D [3, 2, 2, 1]: the channels, on the GPU.
            var gpu = Convert("test_reduce_mean_keepdims_random", new[] { 3, 2, 2, 1 }, V111);
            Assert.Empty(gpu.CpuNodes);
            var reduce = Assert.Single(gpu.Kernels, k => k.Program == "reduce");
            Assert.Equal("reduce_c", reduce.Kernel);
            Assert.Equal(new[] { 3, 1, 2, 1 }, gpu.Outputs[0].Shape);
            // The same node on its own rank-3 input, without keepdims, or for MACE v1.0 (no reduce_c): on the CPU.
            Assert.Equal("ReduceMean", Assert.Single(Convert("test_reduce_mean_keepdims_random", new[] { 3, 2, 2 }, V111).CpuNodes).Op);
            Assert.Single(Convert("test_reduce_mean_do_not_keepdims_random", new[] { 3, 2, 2, 1 }, V111).CpuNodes);
            Assert.Single(Convert("test_reduce_mean_keepdims_random", new[] { 3, 2, 2, 1 }, new KernelTarget(MaceVersion.Parse("v1.0.4"), false, false)).CpuNodes);
        }

        [Fact]
        public void A_4D_reshape_that_changes_the_image_layout_of_a_GPU_tensor_is_MACEs_GPU_reshape_through_transpose_cl()
        {
            // x [2, 6, 2, 4] → Relu (GPU) → Reshape to [2, 3, 4, 4]: NCHW order differs from NHWC order.
            var graph = new MaceTools.Models.Onnx.Proto.GraphProto { Name = "reshape" };
            var relu = new MaceTools.Models.Onnx.Proto.NodeProto { Name = "relu", OpType = "Relu" };
            relu.Input.Add("x");
            relu.Output.Add("r");
            var shape = new MaceTools.Models.Onnx.Proto.TensorProto { Name = "shape", DataType = (int)MaceTools.Models.Onnx.Proto.TensorProto.Types.DataType.Int64 };
            shape.Dims.Add(4);
            shape.Int64Data.AddRange(new long[] { 2, 3, 4, 4 });
            graph.Initializer.Add(shape);
            var reshape = new MaceTools.Models.Onnx.Proto.NodeProto { Name = "reshape", OpType = "Reshape" };
            reshape.Input.Add("r");
            reshape.Input.Add("shape");
            reshape.Output.Add("y");
            graph.Node.Add(relu);
            graph.Node.Add(reshape);
            graph.Input.Add(new MaceTools.Models.Onnx.Proto.ValueInfoProto { Name = "x" });
            graph.Output.Add(new MaceTools.Models.Onnx.Proto.ValueInfoProto { Name = "y" });
            var proto = new MaceTools.Models.Onnx.Proto.ModelProto { IrVersion = 7, Graph = graph };
            proto.OpsetImport.Add(new MaceTools.Models.Onnx.Proto.OperatorSetIdProto { Domain = "", Version = 13 });
            var model = OnnxModel.Parse(Google.Protobuf.MessageExtensions.ToByteArray(proto), "reshape.onnx");
            int[] inShape = { 2, 6, 2, 4 };
            KernelSet Convert(KernelTarget target) =>
                OnnxConverter.Convert(model, "reshape.onnx", new[] { new ModelInput("x", inShape) }, null, new ConversionOptions(target));

            var cpu = Convert(new KernelTarget(MaceVersion.Parse("v1.0.4"), false, false));
            Assert.Equal("Reshape", Assert.Single(cpu.CpuNodes).Op);
            using var runner = new KernelRunner(Pocl.Device);
            var set = Convert(KernelTarget.For(Pocl.Device));
            Assert.Empty(set.CpuNodes);
            Assert.Equal(new[] { "in_out_image_to_buffer", "nhwc_to_nchw", "nchw_to_nhwc", "in_out_buffer_to_image" },
                set.Kernels.Where(k => k.Node == "reshape").Select(k => k.Kernel));
            // Run it: the output is relu(x) read in NCHW order with the new shape.
            var x = MaceTools.Tests.Kernels.Tensors.Random(43, MaceTools.Tests.Kernels.Tensors.Count(inShape));
            runner.UploadBuffer("x" + MaceKernel.HostSuffix, MaceTools.Runtime.ModelData.ToNhwc(x, inShape));
            foreach (var k in set.Kernels) runner.Time(k.Launch, null, k.Tensors);
            var expected = MaceTools.Runtime.ModelData.ToNhwc(x.Select(v => Math.Max(v, 0f)).ToArray(), new[] { 2, 3, 4, 4 });
            MaceTools.Tests.Kernels.Tensors.Close(expected, runner.Download("y" + MaceKernel.HostSuffix), "GPU reshape", 0, 0);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Every_tensor_a_launch_reads_was_written_before_it_or_is_a_model_input(bool gpuDepthwise)
        {
            var set = Classifier(gpuDepthwise: gpuDepthwise);
            var written = new System.Collections.Generic.HashSet<string> { "x" + MaceKernel.HostSuffix };
            for (int i = 0; i < set.Kernels.Count; i++)
            {
                var k = set.Kernels[i];
                foreach (var c in set.CpuNodes.Where(c => c.After == i))
                {
                    Assert.All(c.Inputs.Where(t => t.Length > 0), t => Assert.Contains(t, written));
                    foreach (var o in c.Outputs) written.Add(o);
                }
                foreach (var a in k.Launch.Inputs)
                    Assert.True(written.Contains(k.Tensors[a.Tensor!]) || k.IsWeight && a.Tensor == "buffer",
                        $"{k.Node}: {k.Kernel} reads {a.Name} = {k.Tensors[a.Tensor!]}, which nothing wrote before");
                written.Add(k.Tensors[k.Launch.Output.Tensor!]);
            }
            // The graph's names: the input image, the output buffer, and each op's output under its ONNX tensor name.
            Assert.Equal("x", set.Kernels.First(k => !k.IsWeight).TensorOf("image"));
            Assert.Equal("softmax_0.tmp_0" + MaceKernel.HostSuffix, set.Kernels.Last().TensorOf("buffer"));
            Assert.Equal(new[] { "x" }, set.Inputs.Select(i => i.Name));
            Assert.Equal(new[] { 1, 2 }, set.Outputs.Single().Shape);
        }

        [Fact]
        public void A_folded_BatchNorm_scales_the_filter_and_makes_the_bias_from_its_constants()
        {
            var model = OnnxModel.Load(Example(Cls));
            var set = Classifier();
            var conv = model.Graph.Nodes.First(n => n.Name == "p2o.Conv.0");
            var bn = model.Graph.Nodes.Single(n => n.OpType == "BatchNormalization" && n.Inputs[0] == conv.Outputs[0]);
            float[] T(string name) => model.Graph.FindTensor(name)!.ToFloats();
            float[] w = T(conv.Inputs[1]), gamma = T(bn.Inputs[1]), beta = T(bn.Inputs[2]), mean = T(bn.Inputs[3]), variance = T(bn.Inputs[4]);
            float eps = bn.GetFloat("epsilon", 1e-5f);
            var launch = set.Kernels.First(k => k.Node == "p2o.Conv.0");
            var filter = set.Kernels.Single(k => k.IsWeight && k.TensorOf("image") == launch.TensorOf("filter"));
            var bias = set.Kernels.Single(k => k.IsWeight && k.TensorOf("image") == launch.TensorOf("bias"));
            Assert.Equal(conv.Inputs[1], filter.Node);
            int per = w.Length / gamma.Length;
            for (int o = 0; o < gamma.Length; o++)
            {
                double scale = gamma[o] / Math.Sqrt(variance[o] + eps);
                Assert.Equal(w[o * per] * scale, filter.Data![o * per], 5);
                double b0 = conv.Inputs.Count > 2 && conv.Inputs[2].Length > 0 ? T(conv.Inputs[2])[o] : 0;
                Assert.Equal(b0 * scale + beta[o] - mean[o] * scale, bias.Data![o], 5);
            }
        }

        [Fact]
        public void fp16_fp32_makes_the_weight_transforms_half_and_leaves_the_compute_kernels_float()
        {
            var half = Classifier(halfWeights: true);
            var full = Classifier();
            var weights = half.Kernels.Where(k => k.Op == "buffer_to_image" && k.Kernel != "in_out_buffer_to_image").ToList();
            Assert.NotEmpty(weights);
            Assert.All(weights, k => Assert.Contains("-DDATA_TYPE=half", k.Options));
            Assert.All(half.Kernels.Where(k => k.Program != "buffer_to_image"), k => Assert.Contains("-DDATA_TYPE=float", k.Options));
            Assert.Equal(full.Kernels.Count, half.Kernels.Count);
            Assert.NotEqual(full.ProgramKeys, half.ProgramKeys);
        }

        [Fact]
        public void Every_program_of_the_classifier_builds_on_pocl()
        {
            using var runner = new KernelRunner(Pocl.Device);
            var target = KernelTarget.For(Pocl.Device);
            var set = OnnxConverter.Convert(OnnxModel.Load(Example(Cls)), Example(Cls), new[] { new ModelInput("x", new[] { 1, 3, 48, 192 }) }, null,
                new ConversionOptions(target));
            foreach (var k in set.Kernels.GroupBy(k => k.ProgramKey).Select(g => g.First()))
                Assert.True(runner.Kernel(k.Launch).WorkGroupSize > 0, k.ProgramKey);
        }

        [Fact]
        public void The_detector_converts_its_nearest_resizes_and_transposed_convolutions_to_MACEs_kernels()
        {
            var set = OnnxConverter.Convert(OnnxModel.Load(Example(Det)), Example(Det),
                new[] { new ModelInput("x", new[] { 1, 3, 640, 640 }) }, null, new ConversionOptions(V111));
            var resizes = set.Kernels.Where(k => k.Kernel == "resize_nearest_neighbor_nocache").Select(k => k.Node).ToList();
            Assert.Contains("p2o.Resize.0", resizes);
            Assert.Contains("p2o.Resize.3", resizes);
            var deconv = set.Kernels.Where(k => k.Kernel == "deconv_2d").ToList();
            Assert.Equal(new[] { "p2o.ConvTranspose.0", "p2o.ConvTranspose.2" }, deconv.Select(k => k.Node));
            // The DB head's last 2x2 stride-2 ConvTranspose has the Sigmoid fused (MACE's ActivationType 5 in the key).
            Assert.Contains("-DUSE_SIGMOID", deconv[1].Options);
            Assert.Equal("deconv2d_opencl_kernel_5_1_640_640_1", deconv[1].TuningKey);
        }

        [Fact]
        public void A_wrong_input_name_is_an_error_that_lists_the_models_inputs()
        {
            var e = Assert.Throws<MaceException>(() => OnnxConverter.Convert(OnnxModel.Load(Example(Cls)), Example(Cls),
                new[] { new ModelInput("image", new[] { 1, 3, 48, 192 }) }, null, new ConversionOptions(V111)));
            Assert.Contains("'image'", e.Message);
            Assert.Contains("it has x", e.Message);
        }

        [Fact]
        public void An_NHWC_input_shape_is_the_same_model()
        {
            var nhwc = OnnxConverter.Convert(OnnxModel.Load(Example(Cls)), Example(Cls), new[] { new ModelInput("x", new[] { 1, 48, 192, 3 }, "NHWC") }, null,
                new ConversionOptions(V111));
            Assert.Equal(Classifier(gpuDepthwise: false).ProgramKeys, nhwc.ProgramKeys);
        }
    }
}

namespace MaceTools.Tests.ConversionTests
{
    using Google.Protobuf;
    using MaceTools.Models.Onnx.Proto;
    using MaceTools.Tests.Kernels;
    using MaceTools.Tests.Models;

    /// <summary>winograd 2 and 4 in the deployment file take MACE's Winograd path for 3x3 stride-1 convolutions.</summary>
    public class WinogradConversionTests : IClassFixture<RunnerFixture>
    {
        private readonly KernelRunner _run;
        private readonly KernelTarget _target;

        public WinogradConversionTests(RunnerFixture f)
        {
            _run = f.Runner;
            _target = f.Target;
        }

        /// <summary>The node case as a model whose weight is an initializer (the test data feeds it as an input).</summary>
        internal static string WithConstantWeight(OnnxNodeCase c)
        {
            var w = c.Inputs[1];
            var node = new NodeProto { OpType = "Conv", Name = "conv" };
            node.Input.Add("x");
            node.Input.Add("W");
            node.Output.Add("y");
            foreach (var a in new[] { "kernel_shape", "pads", "strides" })
                if (c.Node.GetInts(a) is long[] v)
                {
                    var attr = new AttributeProto { Name = a, Type = AttributeProto.Types.AttributeType.Ints };
                    attr.Ints.Add(v);
                    node.Attribute.Add(attr);
                }
            var weight = new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float };
            weight.Dims.Add(w.Dims);
            weight.FloatData.Add(w.Data);
            var graph = new GraphProto { Name = "conv" };
            graph.Node.Add(node);
            graph.Initializer.Add(weight);
            graph.Input.Add(new ValueInfoProto { Name = "x" });
            graph.Output.Add(new ValueInfoProto { Name = "y" });
            var model = new ModelProto { IrVersion = 7, Graph = graph };
            model.OpsetImport.Add(new OperatorSetIdProto { Version = 11 });
            string path = Path.Combine(Path.GetTempPath(), $"macetools-wino-{Guid.NewGuid():N}.onnx");
            File.WriteAllBytes(path, model.ToByteArray());
            return path;
        }

        private KernelSet Convert(OnnxNodeCase c, int winograd, (long, long)? maxImage = null)
        {
            string path = WithConstantWeight(c);
            try
            {
                var options = new ConversionOptions(_target) { Winograd = winograd };
                if (maxImage != null) options.MaxImage = maxImage.Value;
                return OnnxConverter.Convert(OnnxModel.Load(path), path, new[] { new ModelInput("x", c.Inputs[0].Shape) }, null, options);
            }
            finally { File.Delete(path); }
        }

        [Theory]
        [InlineData(2)]
        [InlineData(4)]
        public void A_3x3_stride_1_conv_becomes_transform_matmul_inverse_and_matches_ONNXs_output(int block)
        {
            var c = OnnxNodeCase.Load("test_basic_conv_with_padding");
            var set = Convert(c, block);
            var kernels = set.Kernels.Select(k => k.Kernel).ToList();
            Assert.Equal(new[] { $"winograd_filter_buffer_to_image_{block}x{block}", "in_out_buffer_to_image", $"winograd_transform_{block}x{block}", "matmul",
                $"winograd_inverse_transform_{block}x{block}", "in_out_image_to_buffer" }, kernels);
            // No bias: MACE's empty option gives the double space.
            Assert.StartsWith($"winograd_transform  -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dwinograd_inverse_transform_{block}x{block}=", set.Kernels[4].ProgramKey);
            Assert.Equal($"matmul_opencl_kernel_{(block + 2) * (block + 2)}_1_{(block == 2 ? 9 : 4)}", set.Kernels[3].TuningKey);

            // Run the three conv launches with the filter packed on the host (G·g·Gᵀ) and compare with ONNX's reference.
            var nchw = c.Inputs[0];
            var input = new[] { 1, nchw.Shape[2], nchw.Shape[3], 1 };
            _run.Upload("input", ImageKind.InOut, input, nchw.Data); // one channel: NCHW and NHWC agree
            _run.Upload("filter", block == 4 ? ImageKind.WinogradFilter4 : ImageKind.WinogradFilter2, c.Inputs[1].Shape, c.Inputs[1].Data);
            foreach (var k in set.Kernels.Skip(2).Take(3)) _run.Time(k.Launch);
            MaceTools.Tests.Kernels.Tensors.Close(c.Outputs[0].Data, _run.Download("output"), $"winograd {block}", 1e-4f, 1e-4f);
        }

        [Fact]
        public void Image_limits_make_4_fall_back_to_2_and_then_to_conv_2d_3x3_as_MACE_does()
        {
            var c = OnnxNodeCase.Load("test_basic_conv_with_padding");
            // 5x5 output: 4x4 tiles need 36 rows per channel, 2x2 tiles 16; width is the tile count.
            Assert.Contains("matmul", Convert(c, 4, (100, 20)).Kernels.Select(k => k.Kernel));
            Assert.Contains("winograd_transform_2x2", Convert(c, 4, (100, 20)).Kernels.Select(k => k.Kernel));
            Assert.Contains("conv_2d_3x3", Convert(c, 4, (100, 10)).Kernels.Select(k => k.Kernel));
            Assert.Contains("conv_2d_3x3", Convert(c, 0).Kernels.Select(k => k.Kernel));
        }
    }
}
