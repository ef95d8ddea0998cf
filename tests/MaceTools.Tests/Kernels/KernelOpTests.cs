using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Kernels;
using MaceTools.Tests.OpenCLTests;
using Xunit;

namespace MaceTools.Tests.Kernels
{
    /// <summary>One runner for the class: programs are built once per key on the real pocl device.</summary>
    public sealed class RunnerFixture : IDisposable
    {
        public RunnerFixture()
        {
            Runner = new KernelRunner(Pocl.Device);
            Target = KernelTarget.For(Pocl.Device);
        }

        public KernelRunner Runner { get; }
        public KernelTarget Target { get; }
        public void Dispose() => Runner.Dispose();
    }

    /// <summary>Shared helpers: seeded random tensors and a tolerance check that names the first bad element.</summary>
    public static class Tensors
    {
        public static float[] Random(int seed, long count, float low = -1f, float high = 1f) => ImageLayout.RandomData(seed, count, low, high);

        public static long Count(params int[] shape) => ImageLayout.Count(shape);

        /// <summary>
        /// |actual - expected| &lt;= abs + rel·|expected| everywhere. The kernels build with -cl-fast-relaxed-math and
        /// -cl-mad-enable as MACE's do, and sum in another order than the reference, so exact equality is not expected.
        /// </summary>
        public static void Close(float[] expected, float[] actual, string what, float abs = 1e-4f, float rel = 1e-4f)
        {
            Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
            for (int i = 0; i < expected.Length; i++)
            {
                float e = expected[i], a = actual[i];
                if (!(Math.Abs(a - e) <= abs + rel * Math.Abs(e)))
                    Assert.Fail($"{what}: element {i} is {a}, expected {e} (difference {Math.Abs(a - e)})");
            }
        }
    }

    /// <summary>Each kernel on the real device against the C# reference, on random data and awkward shapes.</summary>
    public class KernelOpTests : IClassFixture<RunnerFixture>
    {
        private readonly KernelRunner _run;
        private readonly KernelTarget _target;

        public KernelOpTests(RunnerFixture f)
        {
            _run = f.Runner;
            _target = f.Target;
        }

        private static Dictionary<string, float[]> Data(params (string, float[])[] items) => items.ToDictionary(i => i.Item1, i => i.Item2);

        public static IEnumerable<object[]> ConvCases() => new[]
        {
            // input N,H,W,C   O  KH KW  stride  dilation  pads t,l,b,r   bias  activation
            new object[] { new[] { 1, 5, 7, 6 }, 10, 1, 1, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 0, 0, 0, 0 }, true, ActivationKind.Relu },
            new object[] { new[] { 2, 9, 11, 5 }, 7, 1, 1, new[] { 2, 2 }, new[] { 1, 1 }, new[] { 0, 0, 0, 0 }, false, ActivationKind.None },
            new object[] { new[] { 2, 9, 11, 5 }, 7, 3, 3, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1, 1, 1, 1 }, true, ActivationKind.ReluX },
            new object[] { new[] { 1, 10, 13, 3 }, 8, 3, 3, new[] { 2, 2 }, new[] { 1, 1 }, new[] { 0, 1, 1, 0 }, true, ActivationKind.None },
            new object[] { new[] { 1, 12, 12, 4 }, 5, 3, 3, new[] { 1, 1 }, new[] { 2, 2 }, new[] { 2, 2, 2, 2 }, false, ActivationKind.Sigmoid },
            new object[] { new[] { 1, 8, 9, 3 }, 6, 5, 5, new[] { 2, 2 }, new[] { 1, 1 }, new[] { 2, 2, 2, 2 }, true, ActivationKind.Relu },
            new object[] { new[] { 2, 6, 10, 7 }, 9, 1, 3, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 0, 1, 0, 1 }, true, ActivationKind.LeakyRelu },
            new object[] { new[] { 1, 11, 11, 4 }, 4, 5, 5, new[] { 1, 1 }, new[] { 2, 2 }, new[] { 4, 3, 4, 5 }, false, ActivationKind.Tanh },
            new object[] { new[] { 1, 1, 1, 9 }, 6, 1, 1, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 0, 0, 0, 0 }, true, ActivationKind.HardSwish },
            new object[] { new[] { 1, 7, 7, 16 }, 24, 7, 7, new[] { 2, 2 }, new[] { 1, 1 }, new[] { 3, 3, 3, 3 }, true, ActivationKind.None },
        };

        private static Activation Act(ActivationKind kind, int channels) => kind switch
        {
            ActivationKind.ReluX => new Activation(kind, limit: 0.5f),
            ActivationKind.LeakyRelu => new Activation(kind, coefficient: 0.1f),
            ActivationKind.Elu => new Activation(kind, coefficient: 0.7f),
            ActivationKind.HardSigmoid => new Activation(kind, coefficient: 0.2f, beta: 0.5f),
            ActivationKind.HardSwish => new Activation(kind, coefficient: 1f / 6, beta: 0.5f),
            ActivationKind.PRelu => new Activation(kind, alpha: Tensors.Random(99, channels, 0f, 0.5f)),
            _ => new Activation(kind),
        };

        [Theory]
        [MemberData(nameof(ConvCases))]
        public void Conv2D_matches_the_reference(int[] input, int outChannels, int kh, int kw, int[] strides, int[] dilations, int[] pads, bool bias, ActivationKind actKind)
        {
            var act = Act(actKind, outChannels);
            var x = Tensors.Random(1, Tensors.Count(input));
            var filterShape = new[] { outChannels, input[3], kh, kw };
            var w = Tensors.Random(2, Tensors.Count(filterShape));
            var b = bias ? Tensors.Random(3, outChannels) : null;
            var expected = CpuReference.Conv2D(x, input, w, filterShape, b, strides, dilations, pads, 1, act, out var outShape);
            var launch = KernelOps.Conv2D(input, filterShape, outShape, strides, dilations, new[] { pads[0], pads[1] }, bias, act, _target);
            var data = Data(("input", x), ("filter", w));
            if (b != null) data["bias"] = b;
            Tensors.Close(expected, _run.Run(launch, data), launch.ToString());
        }

        [Fact]
        public void Conv2D_with_a_local_size_that_does_not_divide_the_global_size_still_writes_every_output_once()
        {
            // No non-uniform work-groups on pocl: the global size is rounded up and the kernel must skip the extra items.
            int[] input = { 1, 9, 13, 5 }, filter = { 7, 5, 3, 3 };
            var x = Tensors.Random(4, Tensors.Count(input));
            var w = Tensors.Random(5, Tensors.Count(filter));
            var expected = CpuReference.Conv2D(x, input, w, filter, null, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1, 1, 1, 1 }, 1, Activation.None, out var outShape);
            var launch = KernelOps.Conv2D(input, filter, outShape, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1, 1 }, false, Activation.None, _target);
            Assert.False(_target.NonUniformWorkGroup);
            Assert.Equal(new long[] { 2, 3, 9 }, launch.GlobalSize);
            Assert.Equal(new long[] { 4, 4, 12 }, launch.EnqueuedGlobalSize(new long[] { 4, 4, 4 }));
            _run.Upload("input", ImageKind.InOut, input, x);
            _run.Upload("filter", ImageKind.Conv2DFilter, filter, w);
            _run.Time(launch, new long[] { 4, 4, 4 });
            Tensors.Close(expected, _run.Download("output"), "conv 3x3 with local 4x4x4");
        }

        [Fact]
        public void With_NON_UNIFORM_WORK_GROUP_the_kernels_take_no_global_size_arguments_and_still_match()
        {
            // The Adreno argument lists: built with -DNON_UNIFORM_WORK_GROUP and launched without rounding. pocl builds
            // OpenCL C 1.2 here, so the local size must divide the global size: 1 in every direction (the whole group
            // for the kernels that share local memory across dims 0 and 1).
            var adreno = new KernelTarget(MaceVersion.Latest, nonUniformWorkGroup: true, adreno: true);
            int[] input = { 1, 9, 11, 6 }, filter = { 5, 6, 3, 3 };
            var x = Tensors.Random(40, Tensors.Count(input));
            var w = Tensors.Random(41, Tensors.Count(filter));
            var expected = CpuReference.Conv2D(x, input, w, filter, null, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1, 1, 1, 1 }, 1, Activation.None, out var outShape);
            var conv = KernelOps.Conv2D(input, filter, outShape, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1, 1 }, false, Activation.None, adreno);
            Assert.DoesNotContain(conv.Arguments, a => a.Name.StartsWith("global_size", StringComparison.Ordinal));
            _run.Upload("input", ImageKind.InOut, input, x);
            _run.Upload("filter", ImageKind.Conv2DFilter, filter, w);
            _run.Time(conv, new long[] { 1, 1, 1 });
            Tensors.Close(expected, _run.Download("output"), "conv 3x3, non-uniform");

            var fcInput = new[] { 2, 1, 1, 10 };
            var fx = Tensors.Random(42, 20);
            var fw = Tensors.Random(43, 70);
            var fc = KernelOps.FullyConnected(fcInput, 7, false, Activation.None, adreno, adrenoWaveSize: 32);
            Assert.Equal(new long[] { 4, 8, 4 }, fc.GlobalSize);
            _run.Upload("input", ImageKind.InOut, fcInput, fx);
            _run.Upload("weight", ImageKind.WeightWidth, new[] { 7, 10, 1, 1 }, fw);
            _run.Time(fc, new long[] { 4, 8, 1 });
            Tensors.Close(CpuReference.FullyConnected(fx, fcInput, fw, 7, null, Activation.None), _run.Download("output"), "fully connected, Adreno form", 2e-4f, 2e-4f);

            var sm = new[] { 2, 3, 4, 7 };
            var sx = Tensors.Random(44, Tensors.Count(sm));
            var softmax = KernelOps.Softmax(sm, adreno);
            _run.Upload("input", ImageKind.InOut, sm, sx);
            _run.Time(softmax, new long[] { 1, 1, 1 });
            Tensors.Close(CpuReference.Softmax(sx, sm), _run.Download("output"), "softmax, non-uniform", 1e-5f, 1e-3f);
        }

        public static IEnumerable<object[]> DepthwiseCases() => new[]
        {
            new object[] { new[] { 1, 8, 9, 6 }, 3, 1, new[] { 1, 1 }, new[] { 1, 1, 1, 1 }, true, ActivationKind.Relu },
            new object[] { new[] { 2, 11, 10, 5 }, 3, 2, new[] { 1, 1 }, new[] { 0, 1, 1, 0 }, false, ActivationKind.ReluX },
            new object[] { new[] { 1, 12, 12, 8 }, 3, 1, new[] { 2, 2 }, new[] { 2, 2, 2, 2 }, true, ActivationKind.None },
            new object[] { new[] { 1, 9, 14, 3 }, 5, 1, new[] { 1, 1 }, new[] { 2, 2, 2, 2 }, true, ActivationKind.HardSigmoid },
            new object[] { new[] { 1, 1, 1, 4 }, 3, 1, new[] { 1, 1 }, new[] { 1, 1, 1, 1 }, false, ActivationKind.None },
            // PaddleOCR's MobileNetV3 strides 2 in height and 1 in width (-DSTRIDE=2 -DSTRIDE_W=1).
            new object[] { new[] { 1, 12, 48, 16 }, 3, 2, new[] { 1, 1 }, new[] { 1, 1, 1, 1 }, false, ActivationKind.Relu, 1 },
            new object[] { new[] { 1, 6, 24, 40 }, 5, 2, new[] { 1, 1 }, new[] { 2, 2, 2, 2 }, true, ActivationKind.None, 1 },
        };

        [Theory]
        [MemberData(nameof(DepthwiseCases))]
        public void DepthwiseConv2D_matches_the_reference(int[] input, int k, int stride, int[] dilations, int[] pads, bool bias, ActivationKind actKind, int? strideW = null)
        {
            int c = input[3];
            var act = Act(actKind, c);
            var x = Tensors.Random(6, Tensors.Count(input));
            var filterShape = new[] { 1, c, k, k };
            var w = Tensors.Random(7, Tensors.Count(filterShape));
            var b = bias ? Tensors.Random(8, c) : null;
            // The reference takes the grouped OIHW form [C, 1, K, K]: the same numbers as MACE's [1, C, K, K].
            var expected = CpuReference.Conv2D(x, input, w, new[] { c, 1, k, k }, b, new[] { stride, strideW ?? stride }, dilations, pads, c, act, out var outShape);
            var launch = KernelOps.DepthwiseConv2D(input, filterShape, outShape, new[] { stride, strideW ?? stride }, dilations, new[] { pads[0], pads[1] }, bias, act, _target);
            Assert.Equal(stride == 1 && (strideW ?? 1) == 1 && dilations[0] == 1 ? "depthwise_conv2d_s1" : "depthwise_conv2d", launch.Kernel);
            var data = Data(("input", x), ("filter", w));
            if (b != null) data["bias"] = b;
            Tensors.Close(expected, _run.Run(launch, data), launch.ToString());
        }

        [Theory]
        [InlineData(PoolingKind.Max, 3, 2, 1, 1, 2)]
        [InlineData(PoolingKind.Average, 3, 2, 1, 1, 1)]
        [InlineData(PoolingKind.Average, 2, 2, 0, 0, 2)]
        [InlineData(PoolingKind.Max, 2, 1, 0, 1, 1)]
        public void Pooling_matches_the_reference(PoolingKind kind, int k, int stride, int padTop, int padLeft, int batch)
        {
            var input = new[] { batch, 9, 10, 7 };
            var x = Tensors.Random(9, Tensors.Count(input));
            var pads = new[] { padTop, padLeft, padTop, padLeft };
            var expected = CpuReference.Pooling(x, input, kind, new[] { k, k }, new[] { stride, stride }, pads, false, false, out var outShape);
            var launch = KernelOps.Pooling(input, outShape, kind, new[] { k, k }, new[] { stride, stride }, new[] { padTop, padLeft }, _target);
            Tensors.Close(expected, _run.Run(launch, Data(("input", x))), launch.ToString());
        }

        private float[] RunAll(IReadOnlyList<KernelLaunch> launches, string input, int[] shape, float[] x)
        {
            _run.Upload(input, ImageKind.InOut, shape, x);
            foreach (var l in launches) _run.Time(l);
            return _run.Download(launches[launches.Count - 1].Output.Tensor!);
        }

        [Theory]
        [InlineData(ReduceKind.Mean, 7, 5, 6, 1)]
        [InlineData(ReduceKind.Mean, 16, 16, 16, 1)]
        [InlineData(ReduceKind.Max, 7, 5, 5, 1)]
        [InlineData(ReduceKind.Sum, 7, 5, 3, 1)]
        [InlineData(ReduceKind.Mean, 37, 20, 6, 2)]
        [InlineData(ReduceKind.Min, 300, 17, 5, 3)]
        public void Reduce_over_height_and_width_matches_the_reference_in_MACEs_16x16_tile_passes(ReduceKind kind, int h, int w, int channels, int passes)
        {
            var input = new[] { 2, h, w, channels };
            var x = Tensors.Random(10, Tensors.Count(input));
            var launches = KernelOps.Reduce(input, kind, _target);
            Assert.Equal(passes, launches.Count);
            Assert.All(launches, l => Assert.Equal("reduce_hw", l.Kernel));
            Assert.Equal($"reduce_hw_opencl_kernel_1_1_{2 * ((channels + 3) / 4)}", launches[passes - 1].TuningKey);
            Tensors.Close(CpuReference.Reduce(x, input, kind), RunAll(launches, "input", input, x), launches[0].ToString(), 2e-4f, 2e-4f);
        }

        [Fact]
        public void Reduce_for_MACE_v0_12_uses_the_work_group_kernel_and_matches_too()
        {
            var input = new[] { 1, 13, 11, 10 };
            var x = Tensors.Random(11, Tensors.Count(input));
            var old = new KernelTarget(MaceVersion.Parse("v0.12.0"), false, false);
            var launch = Assert.Single(KernelOps.Reduce(input, ReduceKind.Mean, old));
            Assert.Equal("reduce", launch.Kernel);
            Assert.Contains("-DNON_QUALCOMM_ADRENO", launch.Options);
            Assert.Null(launch.TuningKey);
            Tensors.Close(CpuReference.Reduce(x, input, ReduceKind.Mean), _run.Run(launch, Data(("input", x))), launch.ToString());
        }

        [Theory]
        [InlineData(EltwiseKind.Sum, EltwiseBroadcast.Tensor, false)]
        [InlineData(EltwiseKind.Sub, EltwiseBroadcast.Tensor, true)]
        [InlineData(EltwiseKind.Prod, EltwiseBroadcast.Vector, false)]
        [InlineData(EltwiseKind.Div, EltwiseBroadcast.Vector, true)]
        [InlineData(EltwiseKind.Sub, EltwiseBroadcast.Scalar, true)]
        [InlineData(EltwiseKind.Prod, EltwiseBroadcast.Scalar, false)]
        [InlineData(EltwiseKind.Max, EltwiseBroadcast.BatchVector, false)]
        [InlineData(EltwiseKind.Min, EltwiseBroadcast.Channel, false)]
        [InlineData(EltwiseKind.Div, EltwiseBroadcast.Channel, false)]
        [InlineData(EltwiseKind.SqrDiff, EltwiseBroadcast.Tensor, false)]
        public void Eltwise_matches_the_reference(EltwiseKind kind, EltwiseBroadcast broadcast, bool swapped)
        {
            var shape = new[] { 2, 3, 5, 7 };
            var a = Tensors.Random(12, Tensors.Count(shape));
            int[]? bShape = broadcast switch
            {
                EltwiseBroadcast.Tensor => shape,
                EltwiseBroadcast.Vector => new[] { 7 },
                EltwiseBroadcast.BatchVector => new[] { 2, 1, 1, 7 },
                EltwiseBroadcast.Channel => new[] { 2, 3, 5, 1 },
                _ => null,
            };
            // Divisors away from 0 so that the relative tolerance means something.
            var b = bShape == null ? null : Tensors.Random(13, Tensors.Count(bShape), 0.5f, 2f);
            float scalar = 1.75f;
            var expected = CpuReference.Eltwise(kind, a, shape, b, bShape == null ? null : bShape.Length == 1 ? new[] { 1, 1, 1, 7 } : bShape, broadcast, scalar, swapped: swapped);
            var launch = KernelOps.Eltwise(kind, shape, broadcast, _target, scalar, swapped: swapped);
            var data = Data(("input0", a));
            if (b != null) data["input1"] = b;
            Tensors.Close(expected, _run.Run(launch, data), launch.ToString(), 2e-4f, 2e-4f);
        }

        [Fact]
        public void Eltwise_weighted_sum_and_clip_use_the_coefficients()
        {
            var shape = new[] { 1, 4, 3, 6 };
            var a = Tensors.Random(14, Tensors.Count(shape), -3, 3);
            var b = Tensors.Random(15, Tensors.Count(shape));
            var sum = KernelOps.Eltwise(EltwiseKind.Sum, shape, EltwiseBroadcast.Tensor, _target, coefficients: new[] { 0.5f, -2f });
            Assert.Contains("-DCOEFF_SUM", sum.Options);
            Tensors.Close(CpuReference.Eltwise(EltwiseKind.Sum, a, shape, b, shape, EltwiseBroadcast.Tensor, 0f, 0.5f, -2f, false, true),
                _run.Run(sum, Data(("input0", a), ("input1", b))), "coefficient sum");
            var clip = KernelOps.Eltwise(EltwiseKind.Clip, shape, EltwiseBroadcast.Scalar, _target, coefficients: new[] { -1f, 0.5f });
            Tensors.Close(CpuReference.Eltwise(EltwiseKind.Clip, a, shape, null, null, EltwiseBroadcast.Scalar, 0f, -1f, 0.5f),
                _run.Run(clip, Data(("input0", a))), "clip");
        }

        [Theory]
        [InlineData(ActivationKind.Relu)]
        [InlineData(ActivationKind.ReluX)]
        [InlineData(ActivationKind.PRelu)]
        [InlineData(ActivationKind.Tanh)]
        [InlineData(ActivationKind.Sigmoid)]
        [InlineData(ActivationKind.LeakyRelu)]
        [InlineData(ActivationKind.Elu)]
        [InlineData(ActivationKind.HardSigmoid)]
        [InlineData(ActivationKind.HardSwish)]
        public void Activation_matches_the_reference(ActivationKind kind)
        {
            var shape = new[] { 2, 3, 4, 5 };
            var act = Act(kind, shape[3]);
            var x = Tensors.Random(16, Tensors.Count(shape), -4, 4);
            var launch = KernelOps.Activation(shape, act, _target);
            var data = Data(("input", x));
            if (act.Alpha != null) data["prelu_alpha"] = act.Alpha;
            Tensors.Close(CpuReference.ActivationOp(x, shape, act), _run.Run(launch, data), launch.ToString(), 2e-4f, 2e-4f);
        }

        [Theory]
        [InlineData(1, 1, 1, 10, false)]
        [InlineData(2, 3, 4, 7, false)]
        [InlineData(1, 2, 2, 1001, false)]
        [InlineData(1, 1, 3, 6, true)]
        public void Softmax_matches_the_reference(int n, int h, int w, int c, bool log)
        {
            var shape = new[] { n, h, w, c };
            var x = Tensors.Random(17, Tensors.Count(shape), -10, 10);
            var launch = KernelOps.Softmax(shape, _target, log);
            Tensors.Close(CpuReference.Softmax(x, shape, log), _run.Run(launch, Data(("input", x))), launch.ToString(), 1e-5f, 1e-3f);
        }

        [Theory]
        [InlineData(1, 1, 1, 10, 7, true)]
        [InlineData(2, 3, 3, 5, 9, true)]
        [InlineData(1, 1, 1, 1280, 1000, false)]
        [InlineData(3, 2, 1, 4, 2, false)]
        public void FullyConnected_matches_the_reference(int n, int h, int w, int c, int outputs, bool bias)
        {
            var input = new[] { n, h, w, c };
            var act = bias ? new Activation(ActivationKind.Relu) : Activation.None;
            var x = Tensors.Random(18, Tensors.Count(input));
            var weight = Tensors.Random(19, (long)outputs * c * h * w);
            var b = bias ? Tensors.Random(20, outputs) : null;
            var launch = KernelOps.FullyConnected(input, outputs, bias, act, _target);
            var data = Data(("input", x), ("weight", weight));
            if (b != null) data["bias"] = b;
            Tensors.Close(CpuReference.FullyConnected(x, input, weight, outputs, b, act), _run.Run(launch, data), launch.ToString(), 2e-4f, 2e-4f);
        }

        [Theory]
        [InlineData(new[] { 3, 5 })]
        [InlineData(new[] { 4, 6 })]
        [InlineData(new[] { 4, 8, 5 })]
        [InlineData(new[] { 8, 4, 4, 1 })]
        public void Concat_matches_the_reference(int[] channels)
        {
            var shapes = channels.Select(c => new[] { 2, 3, 5, c }).ToList();
            var inputs = shapes.Select((s, i) => Tensors.Random(21 + i, Tensors.Count(s))).ToList();
            var expected = CpuReference.Concat(inputs, shapes, out _);
            var launches = KernelOps.Concat(shapes, _target);
            Assert.Equal(channels.Length == 2 ? 1 : channels.Length, launches.Count);
            if (channels.Length == 2)
            {
                Tensors.Close(expected, _run.Run(launches[0], Data(("input0", inputs[0]), ("input1", inputs[1]))), launches[0].ToString());
                return;
            }
            for (int i = 0; i < inputs.Count; i++) _run.Upload("input" + i, ImageKind.InOut, shapes[i], inputs[i]);
            foreach (var l in launches) _run.Time(l);
            Tensors.Close(expected, _run.Download("output"), "concat_channel_multi");
        }

        [Theory]
        [InlineData(5, 7, 9, 13, false, ResizeCoordinates.Asymmetric)]
        [InlineData(5, 7, 9, 13, true, ResizeCoordinates.Asymmetric)]
        [InlineData(4, 4, 8, 8, false, ResizeCoordinates.HalfPixel)]
        [InlineData(8, 6, 3, 4, false, ResizeCoordinates.HalfPixel)]
        [InlineData(4, 5, 1, 10, false, ResizeCoordinates.PytorchHalfPixel)]
        public void ResizeBilinear_matches_the_reference(int h, int w, int outH, int outW, bool alignCorners, ResizeCoordinates coordinates)
        {
            var input = new[] { 2, h, w, 6 };
            var x = Tensors.Random(25, Tensors.Count(input));
            var launch = KernelOps.ResizeBilinear(input, outH, outW, alignCorners, coordinates, _target);
            Tensors.Close(CpuReference.ResizeBilinear(x, input, outH, outW, alignCorners, coordinates), _run.Run(launch, Data(("input", x))), launch.ToString(), 2e-4f, 2e-4f);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void BatchNorm_matches_the_reference(bool folded)
        {
            var shape = new[] { 2, 4, 3, 7 };
            var x = Tensors.Random(26, Tensors.Count(shape));
            var scale = Tensors.Random(27, 7);
            var offset = Tensors.Random(28, 7);
            var mean = folded ? null : Tensors.Random(29, 7);
            var variance = folded ? null : Tensors.Random(30, 7, 0.1f, 2f);
            var act = new Activation(ActivationKind.Relu);
            var launch = KernelOps.BatchNorm(shape, folded, 1e-3f, act, _target);
            var data = Data(("input", x), ("scale", scale), ("offset", offset));
            if (!folded) { data["mean"] = mean!; data["var"] = variance!; }
            Tensors.Close(CpuReference.BatchNorm(x, shape, scale, offset, mean, variance, 1e-3f, act), _run.Run(launch, data), launch.ToString(), 2e-4f, 2e-4f);
        }

        [Theory]
        [InlineData(PadMode.Constant, 1, 2, 0, 3)]
        [InlineData(PadMode.Reflect, 2, 1, 2, 3)]
        [InlineData(PadMode.Symmetric, 3, 0, 1, 4)]
        public void Pad_matches_the_reference(PadMode mode, int top, int left, int bottom, int right)
        {
            var input = new[] { 2, 4, 5, 6 };
            var pads = new[] { top, left, bottom, right };
            var x = Tensors.Random(31, Tensors.Count(input));
            var expected = CpuReference.Pad(x, input, pads, mode, 0.25f, out _);
            var launch = KernelOps.Pad(input, pads, mode, 0.25f, _target);
            Tensors.Close(expected, _run.Run(launch, Data(("input", x))), launch.ToString(), 0, 0);
        }

        public static IEnumerable<object[]> TransformCases() => new[]
        {
            new object[] { ImageKind.InOut, new[] { 2, 3, 5, 7 } },
            new object[] { ImageKind.Conv2DFilter, new[] { 6, 5, 3, 3 } },
            new object[] { ImageKind.DwConv2DFilter, new[] { 1, 7, 3, 3 } },
            new object[] { ImageKind.Argument, new[] { 10 } },
            new object[] { ImageKind.WeightWidth, new[] { 5, 6, 2, 3 } },
            new object[] { ImageKind.WeightHeight, new[] { 7, 5, 2, 2 } },
        };

        [Theory]
        [MemberData(nameof(TransformCases))]
        public void Buffer_to_image_packs_like_the_host_layout_and_image_to_buffer_inverts_it(ImageKind kind, int[] shape)
        {
            var data = Tensors.Random(32, Tensors.Count(shape));
            var toImage = KernelOps.BufferToImage(kind, shape, _target);
            _run.UploadBuffer("buffer", data);
            _run.Time(toImage);
            // Download unpacks with ImageLayout, so equality here means the kernel wrote the host layout exactly.
            Tensors.Close(data, _run.Download("image"), toImage.Kernel, 0, 0);
            var back = KernelOps.ImageToBuffer(kind, shape, _target);
            _run.UploadBuffer("buffer", new float[data.Length]);
            _run.Time(back);
            Tensors.Close(data, _run.Download("buffer"), back.Kernel, 0, 0);
        }
    }
}
