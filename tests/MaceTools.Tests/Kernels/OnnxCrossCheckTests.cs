using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Kernels;
using Act = MaceTools.Kernels.Activation;
using MaceTools.Models.Onnx;
using MaceTools.Tests.Models;
using Xunit;

namespace MaceTools.Tests.Kernels
{
    /// <summary>
    /// Our kernels on pocl against the reference outputs of Debian's libonnx-testdata (single-operator ONNX models with
    /// inputs and outputs computed by the ONNX project), which no one here wrote. ONNX tensors are NCHW; MACE's are NHWC.
    /// </summary>
    public class OnnxCrossCheckTests : IClassFixture<RunnerFixture>
    {
        private const string PyTorch = "../pytorch-converted/";
        private readonly KernelRunner _run;
        private readonly KernelTarget _target;

        public OnnxCrossCheckTests(RunnerFixture f)
        {
            _run = f.Runner;
            _target = f.Target;
        }

        // ---- layout helpers -------------------------------------------------------------------------------------

        /// <summary>NCHW [N, C, H, W] data to NHWC (the runner's conversion), with the NHWC shape.</summary>
        private static (float[] Data, int[] Shape) ToNhwc(OnnxCaseTensor t) =>
            (MaceTools.Runtime.ModelData.ToNhwc(t.Data, t.Shape), new[] { t.Shape[0], t.Shape[2], t.Shape[3], t.Shape[1] });

        /// <summary>NHWC data of NHWC shape [N, H, W, C] back to NCHW (the runner's conversion).</summary>
        private static float[] ToNchw(float[] nhwc, int[] shape) =>
            MaceTools.Runtime.ModelData.ToOnnx(nhwc, new[] { shape[0], shape[3], shape[1], shape[2] });

        /// <summary>A tensor of rank ≤ 4 whose last axis is the channel: [.., C] as NHWC with leading ones.</summary>
        private static int[] LastAxisAsChannels(int[] dims)
        {
            var s = new List<int>(dims);
            while (s.Count < 4) s.Insert(0, 1);
            if (s.Count > 4) throw new ArgumentException("rank > 4");
            return s.ToArray();
        }

        private static Dictionary<string, float[]> Data(params (string, float[])[] items) => items.ToDictionary(i => i.Item1, i => i.Item2);

        // ---- convolution ----------------------------------------------------------------------------------------

        [Theory]
        [InlineData("test_basic_conv_with_padding")]
        [InlineData("test_basic_conv_without_padding")]
        [InlineData("test_conv_with_strides_padding")]
        [InlineData("test_conv_with_strides_no_padding")]
        [InlineData("test_conv_with_strides_and_asymmetric_padding")]
        [InlineData(PyTorch + "test_Conv2d")]
        [InlineData(PyTorch + "test_Conv2d_no_bias")]
        [InlineData(PyTorch + "test_Conv2d_padding")]
        [InlineData(PyTorch + "test_Conv2d_strided")]
        [InlineData(PyTorch + "test_Conv2d_dilated")]
        [InlineData(PyTorch + "test_Conv2d_depthwise")]
        [InlineData(PyTorch + "test_Conv2d_depthwise_padded")]
        [InlineData(PyTorch + "test_Conv2d_depthwise_strided")]
        public void Conv(string name)
        {
            var c = OnnxNodeCase.Load(name);
            Assert.Equal("Conv", c.OpType);
            var (x, inShape) = ToNhwc(c.Inputs[0]);
            var w = c.Inputs[1];
            bool bias = c.Inputs.Count > 2 && !c.Inputs[2].Omitted;
            int group = (int)c.Node.GetInt("group", 1);
            var strides = (c.Node.GetInts("strides") ?? new long[] { 1, 1 }).Select(v => (int)v).ToArray();
            var dilations = (c.Node.GetInts("dilations") ?? new long[] { 1, 1 }).Select(v => (int)v).ToArray();
            var pads = (c.Node.GetInts("pads") ?? new long[] { 0, 0, 0, 0 }).Select(v => (int)v).ToArray(); // top, left, bottom, right
            var expectedNchw = c.Outputs[0];
            var outShape = new[] { expectedNchw.Shape[0], expectedNchw.Shape[2], expectedNchw.Shape[3], expectedNchw.Shape[1] };
            KernelLaunch launch;
            var data = Data(("input", x), ("filter", w.Data));
            if (bias) data["bias"] = c.Inputs[2].Data;
            if (group == 1)
                launch = KernelOps.Conv2D(inShape, w.Shape, outShape, strides, dilations, new[] { pads[0], pads[1] }, bias, Act.None, _target);
            else
            {
                Assert.Equal(inShape[3], group); // depthwise: [C, 1, KH, KW] is MACE's [1, C, KH, KW] in the same order
                Assert.Equal(strides[0], strides[1]);
                launch = KernelOps.DepthwiseConv2D(inShape, new[] { 1, group, w.Shape[2], w.Shape[3] }, outShape, strides, dilations, new[] { pads[0], pads[1] }, bias, Act.None, _target);
            }
            Tensors.Close(expectedNchw.Data, ToNchw(_run.Run(launch, data), outShape), name + " " + launch, 1e-4f, 1e-4f);
        }

        // ---- pooling and reduction ------------------------------------------------------------------------------

        [Theory]
        [InlineData("test_maxpool_2d_default")]
        [InlineData("test_maxpool_2d_pads")]
        [InlineData("test_maxpool_2d_strides")]
        [InlineData("test_maxpool_2d_precomputed_pads")]
        [InlineData("test_maxpool_2d_precomputed_strides")]
        [InlineData("test_averagepool_2d_default")]
        [InlineData("test_averagepool_2d_pads")]
        [InlineData("test_averagepool_2d_strides")]
        [InlineData("test_averagepool_2d_precomputed_pads")]
        [InlineData("test_averagepool_2d_precomputed_strides")]
        public void Pool(string name)
        {
            var c = OnnxNodeCase.Load(name);
            var kind = c.OpType == "MaxPool" ? PoolingKind.Max : PoolingKind.Average;
            Assert.Equal(0, c.Node.GetInt("count_include_pad", 0)); // MACE averages over the positions inside the input
            var (x, inShape) = ToNhwc(c.Inputs[0]);
            var k = c.Node.GetInts("kernel_shape")!.Select(v => (int)v).ToArray();
            var strides = (c.Node.GetInts("strides") ?? new long[] { 1, 1 }).Select(v => (int)v).ToArray();
            var pads = (c.Node.GetInts("pads") ?? new long[] { 0, 0, 0, 0 }).Select(v => (int)v).ToArray();
            var e = c.Outputs[0];
            var outShape = new[] { e.Shape[0], e.Shape[2], e.Shape[3], e.Shape[1] };
            var launch = KernelOps.Pooling(inShape, outShape, kind, k, strides, new[] { pads[0], pads[1] }, _target);
            Tensors.Close(e.Data, ToNchw(_run.Run(launch, Data(("input", x))), outShape), name, 1e-5f, 1e-5f);
        }

        [Theory]
        [InlineData("test_globalaveragepool", ReduceKind.Mean)]
        [InlineData("test_globalaveragepool_precomputed", ReduceKind.Mean)]
        [InlineData("test_globalmaxpool", ReduceKind.Max)]
        [InlineData("test_globalmaxpool_precomputed", ReduceKind.Max)]
        public void GlobalPool_is_MACEs_reduce(string name, ReduceKind kind)
        {
            var c = OnnxNodeCase.Load(name);
            var (x, inShape) = ToNhwc(c.Inputs[0]);
            var launches = KernelOps.Reduce(inShape, kind, _target);
            _run.Upload("input", ImageKind.InOut, inShape, x);
            foreach (var l in launches) _run.Time(l);
            // Output [N, C, 1, 1] in NCHW is [N, 1, 1, C] in NHWC: the same order.
            Tensors.Close(c.Outputs[0].Data, _run.Download("output"), name, 1e-5f, 1e-5f);
        }

        // ---- activations and element-wise -----------------------------------------------------------------------

        [Theory]
        [InlineData("test_relu")]
        [InlineData("test_sigmoid")]
        [InlineData("test_sigmoid_example")]
        [InlineData("test_tanh")]
        [InlineData("test_tanh_example")]
        [InlineData("test_leakyrelu")]
        [InlineData("test_leakyrelu_default")]
        [InlineData("test_leakyrelu_example")]
        [InlineData("test_hardsigmoid")]
        [InlineData("test_hardsigmoid_default")]
        [InlineData("test_hardsigmoid_example")]
        [InlineData("test_hardswish")]
        [InlineData("test_prelu_broadcast")]
        public void Activations(string name)
        {
            var c = OnnxNodeCase.Load(name);
            var x = c.Inputs[0];
            var shape = LastAxisAsChannels(x.Shape);
            Activation act = c.OpType switch
            {
                "Relu" => new Activation(ActivationKind.Relu),
                "Sigmoid" => new Activation(ActivationKind.Sigmoid),
                "Tanh" => new Activation(ActivationKind.Tanh),
                "LeakyRelu" => new Activation(ActivationKind.LeakyRelu, coefficient: c.Node.GetFloat("alpha", 0.01f)),
                "HardSigmoid" => new Activation(ActivationKind.HardSigmoid, coefficient: c.Node.GetFloat("alpha", 0.2f), beta: c.Node.GetFloat("beta", 0.5f)),
                "HardSwish" => new Activation(ActivationKind.HardSwish, coefficient: 1f / 6, beta: 0.5f),
                "PRelu" => new Activation(ActivationKind.PRelu, alpha: c.Inputs[1].Data),
                _ => throw new InvalidOperationException(c.OpType),
            };
            if (act.Kind == ActivationKind.PRelu) Assert.Equal(new[] { shape[3] }, c.Inputs[1].Shape); // a per-channel slope
            var launch = KernelOps.Activation(shape, act, _target);
            var data = Data(("input", x.Data));
            if (act.Alpha != null) data["prelu_alpha"] = act.Alpha;
            Tensors.Close(c.Outputs[0].Data, _run.Run(launch, data), name, 2e-5f, 2e-5f);
        }

        [Theory]
        [InlineData("test_add", EltwiseKind.Sum)]
        [InlineData("test_add_bcast", EltwiseKind.Sum)]
        [InlineData("test_sub", EltwiseKind.Sub)]
        [InlineData("test_sub_bcast", EltwiseKind.Sub)]
        [InlineData("test_mul", EltwiseKind.Prod)]
        [InlineData("test_mul_bcast", EltwiseKind.Prod)]
        [InlineData("test_div", EltwiseKind.Div)]
        [InlineData("test_div_bcast", EltwiseKind.Div)]
        [InlineData("test_max_two_inputs", EltwiseKind.Max)]
        [InlineData("test_min_two_inputs", EltwiseKind.Min)]
        public void Eltwise(string name, EltwiseKind kind)
        {
            var c = OnnxNodeCase.Load(name);
            var a = c.Inputs[0];
            var b = c.Inputs[1];
            var shape = LastAxisAsChannels(a.Shape);
            var broadcast = b.Shape.SequenceEqual(a.Shape) ? EltwiseBroadcast.Tensor
                : b.Shape.Length == 1 && b.Shape[0] == shape[3] ? EltwiseBroadcast.Vector
                : throw new InvalidOperationException($"{name}: broadcast of [{string.Join(",", b.Shape)}]");
            var launch = KernelOps.Eltwise(kind, shape, broadcast, _target);
            Tensors.Close(c.Outputs[0].Data, _run.Run(launch, Data(("input0", a.Data), ("input1", b.Data))), name, 1e-5f, 1e-5f);
        }

        [Theory]
        [InlineData("test_clip_example")]
        [InlineData("test_clip")]
        [InlineData("test_clip_inbounds")]
        [InlineData("test_clip_splitbounds")]
        public void Clip_is_eltwise_clip_with_the_bounds_as_coefficients(string name)
        {
            var c = OnnxNodeCase.Load(name);
            var x = c.Inputs[0];
            float min = c.Inputs[1].Data[0], max = c.Inputs[2].Data[0];
            var launch = KernelOps.Eltwise(EltwiseKind.Clip, LastAxisAsChannels(x.Shape), EltwiseBroadcast.Scalar, _target, coefficients: new[] { min, max });
            Tensors.Close(c.Outputs[0].Data, _run.Run(launch, Data(("input0", x.Data))), name, 0, 0);
        }

        [Theory]
        [InlineData("test_batchnorm_example")]
        [InlineData("test_batchnorm_epsilon")]
        public void BatchNormalization(string name)
        {
            var c = OnnxNodeCase.Load(name);
            var (x, shape) = ToNhwc(c.Inputs[0]);
            float eps = c.Node.GetFloat("epsilon", 1e-5f);
            var launch = KernelOps.BatchNorm(shape, false, eps, Act.None, _target);
            var data = Data(("input", x), ("scale", c.Inputs[1].Data), ("offset", c.Inputs[2].Data), ("mean", c.Inputs[3].Data), ("var", c.Inputs[4].Data));
            Tensors.Close(c.Outputs[0].Data, ToNchw(_run.Run(launch, data), shape), name, 1e-5f, 1e-4f);
        }

        // ---- softmax, fully connected, concat, resize, pad ------------------------------------------------------

        [Theory]
        [InlineData("test_softmax_example", false)]
        [InlineData("test_softmax_large_number", false)]
        [InlineData("test_softmax_axis_2", false)]
        [InlineData("test_softmax_default_axis", false)]
        [InlineData("test_softmax_negative_axis", false)]
        [InlineData("test_logsoftmax_example_1", true)]
        [InlineData("test_logsoftmax_large_number", true)]
        [InlineData("test_logsoftmax_axis_2", true)]
        public void Softmax_over_the_last_axis(string name, bool log)
        {
            var c = OnnxNodeCase.Load(name);
            var x = c.Inputs[0];
            long axis = c.Node.GetInt("axis", -1);
            Assert.True(axis == -1 || axis == x.Shape.Length - 1, $"{name}: axis {axis} is not the last");
            var launch = KernelOps.Softmax(LastAxisAsChannels(x.Shape), _target, log);
            // log under -cl-fast-relaxed-math is good to about 2.5e-4 absolute.
            Tensors.Close(c.Outputs[0].Data, _run.Run(launch, Data(("input", x.Data))), name, log ? 5e-4f : 1e-5f, 1e-4f);
        }

        [Theory]
        [InlineData("test_gemm_default_no_bias")]
        [InlineData("test_gemm_default_vector_bias")]
        [InlineData("test_gemm_default_single_elem_vector_bias")]
        [InlineData("test_gemm_default_zero_bias")]
        [InlineData("test_gemm_transposeA")]
        [InlineData("test_gemm_transposeB")]
        [InlineData("test_gemm_alpha")]
        [InlineData("test_gemm_beta")]
        [InlineData("test_gemm_all_attributes")]
        [InlineData("test_matmul_2d")]
        public void Gemm_and_MatMul_are_fully_connected(string name)
        {
            // As MACE's converter does: A [M, K] is the input [M, 1, 1, K]; B becomes the weight [N, K] (scaled by alpha);
            // the bias a vector of N (scaled by beta).
            var c = OnnxNodeCase.Load(name);
            float alpha = c.Node.GetFloat("alpha", 1f), beta = c.Node.GetFloat("beta", 1f);
            bool transA = c.Node.GetInt("transA", 0) != 0, transB = c.Node.GetInt("transB", 0) != 0;
            var a = Matrix(c.Inputs[0], transA);
            var b = Matrix(c.Inputs[1], !transB); // weight rows are outputs
            int m = a.Rows, k = a.Cols, n = b.Rows;
            Assert.Equal(k, b.Cols);
            var weight = b.Data.Select(v => v * alpha).ToArray();
            float[]? bias = null;
            if (c.Inputs.Count > 2 && !c.Inputs[2].Omitted)
            {
                var cv = c.Inputs[2];
                Assert.True(cv.Data.Length == 1 || cv.Data.Length == n, $"{name}: a bias of shape [{string.Join(",", cv.Shape)}] is not a vector");
                bias = Enumerable.Range(0, n).Select(i => beta * cv.Data[cv.Data.Length == 1 ? 0 : i]).ToArray();
            }
            var launch = KernelOps.FullyConnected(new[] { m, 1, 1, k }, n, bias != null, Act.None, _target);
            var data = Data(("input", a.Data), ("weight", weight));
            if (bias != null) data["bias"] = bias;
            Tensors.Close(c.Outputs[0].Data, _run.Run(launch, data), name, 1e-4f, 1e-4f);
        }

        private static (float[] Data, int Rows, int Cols) Matrix(OnnxCaseTensor t, bool transpose)
        {
            int r = t.Shape[0], cols = t.Shape[1];
            if (!transpose) return (t.Data, r, cols);
            var d = new float[t.Data.Length];
            for (int i = 0; i < r; i++)
            for (int j = 0; j < cols; j++)
                d[j * r + i] = t.Data[i * cols + j];
            return (d, cols, r);
        }

        [Theory]
        [InlineData("test_concat_3d_axis_2")]
        [InlineData("test_concat_3d_axis_negative_1")]
        [InlineData("test_concat_2d_axis_1")]
        public void Concat_on_the_last_axis(string name)
        {
            var c = OnnxNodeCase.Load(name);
            var shapes = c.Inputs.Select(i => LastAxisAsChannels(i.Shape)).ToList();
            var launches = KernelOps.Concat(shapes, _target);
            var data = Data(c.Inputs.Select((t, i) => ("input" + i, t.Data)).ToArray());
            Tensors.Close(c.Outputs[0].Data, _run.Run(Assert.Single(launches), data), name, 0, 0);
        }

        [Theory]
        [InlineData("test_resize_upsample_scales_linear")]
        [InlineData("test_resize_upsample_scales_linear_align_corners")]
        [InlineData("test_resize_downsample_sizes_linear_pytorch_half_pixel")]
        public void Resize_linear(string name)
        {
            // Cases where the output size gives the scale exactly: MACE computes the scale from the sizes, ONNX from
            // `scales` (test_resize_downsample_scales_linear*, 4 x 0.6 = 2.4 columns, differ by design).
            var c = OnnxNodeCase.Load(name);
            var (x, inShape) = ToNhwc(c.Inputs[0]);
            var e = c.Outputs[0];
            string mode = c.Node.GetString("coordinate_transformation_mode", "half_pixel")!;
            bool align = mode == "align_corners";
            var coords = mode switch
            {
                "half_pixel" => ResizeCoordinates.HalfPixel,
                "pytorch_half_pixel" => ResizeCoordinates.PytorchHalfPixel,
                _ => ResizeCoordinates.Asymmetric,
            };
            var launch = KernelOps.ResizeBilinear(inShape, e.Shape[2], e.Shape[3], align, coords, _target);
            var outShape = new[] { e.Shape[0], e.Shape[2], e.Shape[3], e.Shape[1] };
            Tensors.Close(e.Data, ToNchw(_run.Run(launch, Data(("input", x))), outShape), name, 1e-5f, 1e-5f);
        }

        [Theory]
        [InlineData("test_constant_pad", PadMode.Constant)]
        [InlineData("test_reflect_pad", PadMode.Reflect)]
        public void Pad_spatial(string name, PadMode mode)
        {
            var c = OnnxNodeCase.Load(name);
            var (x, inShape) = ToNhwc(c.Inputs[0]);
            var p = c.Inputs[1].Data.Select(v => (int)v).ToArray(); // [n0, c0, h0, w0, n1, c1, h1, w1]
            Assert.True(p[0] == 0 && p[1] == 0 && p[4] == 0 && p[5] == 0, $"{name}: pads outside H and W");
            float constant = c.Inputs.Count > 2 && !c.Inputs[2].Omitted ? c.Inputs[2].Data[0] : 0f;
            var launch = KernelOps.Pad(inShape, new[] { p[2], p[3], p[6], p[7] }, mode, constant, _target);
            var outShape = launch.Output.Shape;
            Tensors.Close(c.Outputs[0].Data, ToNchw(_run.Run(launch, Data(("input", x))), outShape), name, 0, 0);
        }
    }
}
