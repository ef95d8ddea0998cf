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

        private static KernelSet Classifier(bool halfWeights = false) =>
            OnnxConverter.Convert(OnnxModel.Load(Example(Cls)), Example(Cls), new[] { new ModelInput("x", new[] { 1, 3, 48, 192 }) },
                new[] { "softmax_0.tmp_0" }, new ConversionOptions(V111) { HalfWeights = halfWeights, ModelName = "ppocr_cls" });

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
        public void The_detector_names_exactly_the_nodes_without_a_GPU_kernel_and_nothing_else()
        {
            var e = Assert.Throws<MaceException>(() => OnnxConverter.Convert(OnnxModel.Load(Example(Det)), Example(Det),
                new[] { new ModelInput("x", new[] { 1, 3, 640, 640 }) }, null, new ConversionOptions(V111)));
            Assert.Equal(ErrorIds.Unsupported, e.ErrorId);
            Assert.Contains(Det, e.Message);
            Assert.Contains("Resize 'p2o.Resize.0' (mode nearest)", e.Message);
            Assert.Contains("ConvTranspose 'p2o.ConvTranspose.0'", e.Message);
            Assert.DoesNotContain("Conv '", e.Message);
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
            Assert.Equal(Classifier().ProgramKeys, nhwc.ProgramKeys);
        }
    }
}
