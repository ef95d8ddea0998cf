using System;
using System.Collections.Generic;
using MaceTools.Kernels;

namespace MaceTools.Tests.Kernels
{
    /// <summary>
    /// CpuReference: small cases whose expected values were worked out by hand from each operator's definition (the
    /// arithmetic is in the comments), plus the edge cases the OpenCL kernels are most likely to get wrong.
    /// </summary>
    public sealed class CpuReferenceTests
    {
        private static readonly Activation Relu = new Activation(ActivationKind.Relu);

        private static void AssertClose(float[] expected, float[] actual, double tolerance = 1e-5)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double allowed = tolerance * Math.Max(1.0, Math.Abs(expected[i]));
                Assert.True(Math.Abs(expected[i] - actual[i]) <= allowed,
                    $"element {i}: expected {expected[i]}, got {actual[i]} (all: [{string.Join(", ", actual)}])");
            }
        }

        private static void AssertArgument(string name, Action action)
        {
            var e = Assert.ThrowsAny<ArgumentException>(action);
            Assert.Equal(name, e.ParamName);
        }

        /// <summary>1, 2, ..., count.</summary>
        private static float[] Ramp(int count)
        {
            var data = new float[count];
            for (int i = 0; i < count; i++) data[i] = i + 1;
            return data;
        }

        // ------------------------------------------------------------------ convolution

        [Fact]
        public void ConvOutputShape_StrideDilationAndAsymmetricPads()
        {
            // H: (5 + 1 + 0 - 3)/2 + 1 = 2; W: (5 + 0 + 1 - 3)/2 + 1 = 2.
            Assert.Equal(new[] { 1, 2, 2, 7 },
                CpuReference.ConvOutputShape(new[] { 1, 5, 5, 3 }, 7, 3, 3, new[] { 2, 2 }, new[] { 1, 1 }, new[] { 1, 0, 0, 1 }));
            // Dilation 2 turns k=3 into 5: (7 - 5)/1 + 1 = 3; W with dilation 1: (7 - 3) + 1 = 5.
            Assert.Equal(new[] { 2, 3, 5, 4 },
                CpuReference.ConvOutputShape(new[] { 2, 7, 7, 1 }, 4, 3, 3, new[] { 1, 1 }, new[] { 2, 1 }, new[] { 0, 0, 0, 0 }));
            // floor: (6 - 3)/2 + 1 = 2.
            Assert.Equal(new[] { 1, 2, 2, 1 },
                CpuReference.ConvOutputShape(new[] { 1, 6, 6, 1 }, 1, 3, 3, new[] { 2, 2 }, new[] { 1, 1 }, new[] { 0, 0, 0, 0 }));
        }

        [Fact]
        public void Conv2D_1x1_ThreeOutputChannels_BiasAndBatch()
        {
            // N=2, one pixel each, C=2: batch 0 [1, 2], batch 1 [3, 4].
            var input = new float[] { 1, 2, 3, 4 };
            // o0 = c0, o1 = c1, o2 = c0 - c1.
            var filter = new float[] { 1, 0, 0, 1, 1, -1 };
            var bias = new float[] { 10, 20, 30 };
            var output = CpuReference.Conv2D(input, new[] { 2, 1, 1, 2 }, filter, new[] { 3, 2, 1, 1 }, bias,
                new[] { 1, 1 }, new[] { 1, 1 }, new[] { 0, 0, 0, 0 }, 1, Activation.None, out var outShape);
            Assert.Equal(new[] { 2, 1, 1, 3 }, outShape);
            AssertClose(new float[] { 11, 22, 29, 13, 24, 29 }, output);
        }

        [Fact]
        public void Conv2D_Stride2_AsymmetricPadding()
        {
            // 4x4 input 1..16 (row r: 4r+1 .. 4r+4), 3x3 kernel, stride 2, pads top 1, left 0, bottom 0, right 1 -> 2x2.
            // Window (oh, ow) covers rows 2oh-1 .. 2oh+1 and columns 2ow .. 2ow+2.
            var input = Ramp(16);
            var inShape = new[] { 1, 4, 4, 1 };

            // All-ones kernel: window sums over the part inside the input.
            // (0,0): rows 0-1, cols 0-2: 1+2+3+5+6+7 = 24; (0,1): rows 0-1, cols 2-3: 3+4+7+8 = 22;
            // (1,0): rows 1-3, cols 0-2: 18+30+42 = 90; (1,1): rows 1-3, cols 2-3: 7+8+11+12+15+16 = 69.
            var ones = new float[] { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
            var output = CpuReference.Conv2D(input, inShape, ones, new[] { 1, 1, 3, 3 }, null,
                new[] { 2, 2 }, new[] { 1, 1 }, new[] { 1, 0, 0, 1 }, 1, Activation.None, out var outShape);
            Assert.Equal(new[] { 1, 2, 2, 1 }, outShape);
            AssertClose(new float[] { 24, 22, 90, 69 }, output);

            // Kernel with 1 at the top-left tap and 2 at the bottom-right tap (catches flipped kernels).
            // (0,0): tl (-1,0) pad, br (1,2)=7 -> 14; (0,1): tl (-1,2) pad, br (1,4) pad -> 0;
            // (1,0): tl (1,0)=5, br (3,2)=15 -> 35; (1,1): tl (1,2)=7, br (3,4) pad -> 7.
            var corners = new float[] { 1, 0, 0, 0, 0, 0, 0, 0, 2 };
            output = CpuReference.Conv2D(input, inShape, corners, new[] { 1, 1, 3, 3 }, null,
                new[] { 2, 2 }, new[] { 1, 1 }, new[] { 1, 0, 0, 1 }, 1, Activation.None, out outShape);
            Assert.Equal(new[] { 1, 2, 2, 1 }, outShape);
            AssertClose(new float[] { 14, 0, 35, 7 }, output);
        }

        [Fact]
        public void Conv2D_Dilation2()
        {
            // 5x5 input, in(r, c) = 5r + c + 1. 2x2 kernel [[1, 2], [3, 4]].
            var input = Ramp(25);
            var inShape = new[] { 1, 5, 5, 1 };
            var filter = new float[] { 1, 2, 3, 4 };

            // Dilation {2, 2}: out = in(oh,ow) + 2 in(oh,ow+2) + 3 in(oh+2,ow) + 4 in(oh+2,ow+2) = 50oh + 10ow + 92
            // (e.g. (0,0): 1 + 2*3 + 3*11 + 4*13 = 92). Output 3x3.
            var output = CpuReference.Conv2D(input, inShape, filter, new[] { 1, 1, 2, 2 }, null,
                new[] { 1, 1 }, new[] { 2, 2 }, new[] { 0, 0, 0, 0 }, 1, Activation.None, out var outShape);
            Assert.Equal(new[] { 1, 3, 3, 1 }, outShape);
            AssertClose(new float[] { 92, 102, 112, 142, 152, 162, 192, 202, 212 }, output);

            // Dilation {2, 1} (H only): out = in(oh,ow) + 2 in(oh,ow+1) + 3 in(oh+2,ow) + 4 in(oh+2,ow+1) = 50oh + 10ow + 86
            // ((0,0): 1 + 2*2 + 3*11 + 4*12 = 86). Output 3 rows x 4 columns.
            output = CpuReference.Conv2D(input, inShape, filter, new[] { 1, 1, 2, 2 }, null,
                new[] { 1, 1 }, new[] { 2, 1 }, new[] { 0, 0, 0, 0 }, 1, Activation.None, out outShape);
            Assert.Equal(new[] { 1, 3, 4, 1 }, outShape);
            AssertClose(new float[] { 86, 96, 106, 116, 136, 146, 156, 166, 186, 196, 206, 216 }, output);
        }

        [Fact]
        public void Conv2D_Depthwise_GroupEqualsChannels_ThreeChannels()
        {
            // 2x2 input, C=3: channel 0 = [1, 2, 3, 4], channel 1 = 10x, channel 2 = 100x (NHWC interleaved).
            var input = new float[] { 1, 10, 100, 2, 20, 200, 3, 30, 300, 4, 40, 400 };
            // filterShape {3, 1, 2, 2}: o0 all ones, o1 bottom-right only, o2 top-left minus bottom-right.
            var filter = new float[] { 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, -1 };
            var output = CpuReference.Conv2D(input, new[] { 1, 2, 2, 3 }, filter, new[] { 3, 1, 2, 2 }, null,
                new[] { 1, 1 }, new[] { 1, 1 }, new[] { 0, 0, 0, 0 }, 3, Activation.None, out var outShape);
            Assert.Equal(new[] { 1, 1, 1, 3 }, outShape);
            // o0 = 1+2+3+4 = 10; o1 = 40; o2 = 100 - 400 = -300.
            AssertClose(new float[] { 10, 40, -300 }, output);
        }

        [Fact]
        public void Conv2D_Group2_FourOutputs()
        {
            // C=4, group 2, O=4: o0, o1 read channels 0-1; o2, o3 read channels 2-3.
            var input = new float[] { 1, 2, 3, 4 };
            var filter = new float[] { 1, 10, 2, 0, 1, 10, 0, -1 };
            var output = CpuReference.Conv2D(input, new[] { 1, 1, 1, 4 }, filter, new[] { 4, 2, 1, 1 }, null,
                new[] { 1, 1 }, new[] { 1, 1 }, new[] { 0, 0, 0, 0 }, 2, Activation.None, out _);
            // o0 = 1 + 20 = 21; o1 = 2*1 = 2; o2 = 3 + 40 = 43; o3 = -4.
            AssertClose(new float[] { 21, 2, 43, -4 }, output);
        }

        [Fact]
        public void Conv2D_FiveChannels_WithActivations()
        {
            // C=5 one pixel [1..5]; o0 = sum - 20 = -5; o1 = c0 + c4 = 6.
            var input = Ramp(5);
            var filter = new float[] { 1, 1, 1, 1, 1, 1, 0, 0, 0, 1 };
            var bias = new float[] { -20, 0 };
            var output = CpuReference.Conv2D(input, new[] { 1, 1, 1, 5 }, filter, new[] { 2, 5, 1, 1 }, bias,
                new[] { 1, 1 }, new[] { 1, 1 }, new[] { 0, 0, 0, 0 }, 1, Relu, out _);
            AssertClose(new float[] { 0, 6 }, output);

            // PRelu gets the output channel: bias -26 makes o1 = -20 -> slope 0.25 -> -5; o0 = -5 * 0.5 = -2.5.
            var prelu = new Activation(ActivationKind.PRelu, alpha: new float[] { 0.5f, 0.25f });
            output = CpuReference.Conv2D(input, new[] { 1, 1, 1, 5 }, filter, new[] { 2, 5, 1, 1 }, new float[] { -20, -26 },
                new[] { 1, 1 }, new[] { 1, 1 }, new[] { 0, 0, 0, 0 }, 1, prelu, out _);
            AssertClose(new float[] { -2.5f, -5 }, output);
        }

        // ------------------------------------------------------------------ pooling

        [Fact]
        public void Pooling_Max2x2Stride2_TwoChannels()
        {
            // Channel 0 = 1..16 over a 4x4 grid, channel 1 = its negation.
            var input = new float[32];
            for (int i = 0; i < 16; i++) { input[2 * i] = i + 1; input[2 * i + 1] = -(i + 1); }
            var output = CpuReference.Pooling(input, new[] { 1, 4, 4, 2 }, PoolingKind.Max, new[] { 2, 2 }, new[] { 2, 2 },
                new[] { 0, 0, 0, 0 }, false, false, out var outShape);
            Assert.Equal(new[] { 1, 2, 2, 2 }, outShape);
            // Windows {1,2,5,6}, {3,4,7,8}, {9,10,13,14}, {11,12,15,16}.
            AssertClose(new float[] { 6, -1, 8, -3, 14, -9, 16, -11 }, output);

            output = CpuReference.Pooling(input, new[] { 1, 4, 4, 2 }, PoolingKind.Average, new[] { 2, 2 }, new[] { 2, 2 },
                new[] { 0, 0, 0, 0 }, false, false, out _);
            AssertClose(new float[] { 3.5f, -3.5f, 5.5f, -5.5f, 11.5f, -11.5f, 13.5f, -13.5f }, output);
        }

        [Fact]
        public void Pooling_MaxIgnoresPadding()
        {
            // All-negative 2x2 [-1, -2; -3, -4], kernel 2, stride 1, pads 1 all round -> 3x3; window (oh, ow) covers
            // rows oh-1..oh, columns ow-1..ow. A zero from the padding must never win.
            var output = CpuReference.Pooling(new float[] { -1, -2, -3, -4 }, new[] { 1, 2, 2, 1 }, PoolingKind.Max,
                new[] { 2, 2 }, new[] { 1, 1 }, new[] { 1, 1, 1, 1 }, false, false, out var outShape);
            Assert.Equal(new[] { 1, 3, 3, 1 }, outShape);
            AssertClose(new float[] { -1, -1, -2, -1, -1, -2, -3, -3, -4 }, output);
        }

        [Fact]
        public void Pooling_CountIncludePad()
        {
            // 3x3 input 1..9, kernel 3, stride 1, pads 1 -> 3x3; every window is 9 positions of the padded input.
            var input = Ramp(9);
            var exclude = CpuReference.Pooling(input, new[] { 1, 3, 3, 1 }, PoolingKind.Average, new[] { 3, 3 }, new[] { 1, 1 },
                new[] { 1, 1, 1, 1 }, false, false, out var outShape);
            Assert.Equal(new[] { 1, 3, 3, 1 }, outShape);
            // Sums: corners 12, 16, 24, 28 (4 inputs); edges 21, 27, 33, 39 (6 inputs); centre 45 (9).
            AssertClose(new float[] { 3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7 }, exclude);

            var include = CpuReference.Pooling(input, new[] { 1, 3, 3, 1 }, PoolingKind.Average, new[] { 3, 3 }, new[] { 1, 1 },
                new[] { 1, 1, 1, 1 }, true, false, out _);
            AssertClose(new float[] { 12f / 9, 21f / 9, 16f / 9, 27f / 9, 5, 33f / 9, 24f / 9, 39f / 9, 28f / 9 }, include);
        }

        [Fact]
        public void Pooling_CeilMode_AddsPartialWindow()
        {
            // 3x3 input 1..9, kernel 2, stride 2, no pads. floor: (3-2)/2+1 = 1; ceil: ceil(1/2)+1 = 2 and
            // (2-1)*2 = 2 < 3, so the partial window stays. Windows: rows {0,1} / {2}, columns {0,1} / {2}.
            var input = Ramp(9);
            var inShape = new[] { 1, 3, 3, 1 };
            var floor = CpuReference.Pooling(input, inShape, PoolingKind.Max, new[] { 2, 2 }, new[] { 2, 2 },
                new[] { 0, 0, 0, 0 }, false, false, out var floorShape);
            Assert.Equal(new[] { 1, 1, 1, 1 }, floorShape);
            AssertClose(new float[] { 5 }, floor);

            var max = CpuReference.Pooling(input, inShape, PoolingKind.Max, new[] { 2, 2 }, new[] { 2, 2 },
                new[] { 0, 0, 0, 0 }, false, true, out var outShape);
            Assert.Equal(new[] { 1, 2, 2, 1 }, outShape);
            AssertClose(new float[] { 5, 6, 8, 9 }, max);

            // Averages: {1,2,4,5} = 3, {3,6} = 4.5, {7,8} = 7.5, {9} = 9.
            var average = CpuReference.Pooling(input, inShape, PoolingKind.Average, new[] { 2, 2 }, new[] { 2, 2 },
                new[] { 0, 0, 0, 0 }, false, true, out _);
            AssertClose(new float[] { 3, 4.5f, 7.5f, 9 }, average);
            // count_include_pad clips the window to in + pads = 3, so with no pads the divisors are the same.
            var averageInclude = CpuReference.Pooling(input, inShape, PoolingKind.Average, new[] { 2, 2 }, new[] { 2, 2 },
                new[] { 0, 0, 0, 0 }, true, true, out _);
            AssertClose(new float[] { 3, 4.5f, 7.5f, 9 }, averageInclude);
        }

        [Fact]
        public void Pooling_CeilMode_WithPadding()
        {
            // A 1x5 row [1..5], kernel {1,3}, stride {1,2}, right pad 1. floor: (5+1-3)/2+1 = 2; ceil: ceil(3/2)+1 = 3
            // and (3-1)*2 = 4 < 5, kept. Windows [0,3), [2,5), [4,7): the last has column 4, the pad column 5 and
            // column 6 beyond the padded input.
            var input = Ramp(5);
            var inShape = new[] { 1, 1, 5, 1 };
            var exclude = CpuReference.Pooling(input, inShape, PoolingKind.Average, new[] { 1, 3 }, new[] { 1, 2 },
                new[] { 0, 0, 0, 1 }, false, true, out var outShape);
            Assert.Equal(new[] { 1, 1, 3, 1 }, outShape);
            // Inside the input: {1,2,3}, {3,4,5}, {5}.
            AssertClose(new float[] { 2, 4, 5 }, exclude);
            // Divisors 3, 3 and min(7, 5+1) - 4 = 2: 6/3, 12/3, 5/2.
            var include = CpuReference.Pooling(input, inShape, PoolingKind.Average, new[] { 1, 3 }, new[] { 1, 2 },
                new[] { 0, 0, 0, 1 }, true, true, out _);
            AssertClose(new float[] { 2, 4, 2.5f }, include);
            var max = CpuReference.Pooling(input, inShape, PoolingKind.Max, new[] { 1, 3 }, new[] { 1, 2 },
                new[] { 0, 0, 0, 1 }, false, true, out _);
            AssertClose(new float[] { 3, 5, 5 }, max);
        }

        [Fact]
        public void Pooling_CeilMode_DropsWindowStartingInPadding()
        {
            // 3x3 input 1..9, kernel 2, stride 2, pads 1 all round: ceil((3+2-2)/2)+1 = 3, but (3-1)*2 = 4 >= 3+1,
            // so the last window (starting in the bottom/right pad) is dropped: 2x2. Windows rows {-1,0} / {1,2}.
            var input = Ramp(9);
            var inShape = new[] { 1, 3, 3, 1 };
            var max = CpuReference.Pooling(input, inShape, PoolingKind.Max, new[] { 2, 2 }, new[] { 2, 2 },
                new[] { 1, 1, 1, 1 }, false, true, out var outShape);
            Assert.Equal(new[] { 1, 2, 2, 1 }, outShape);
            AssertClose(new float[] { 1, 3, 7, 9 }, max);

            // Inside the input: {1}, {2,3}, {4,7}, {5,6,8,9}.
            var exclude = CpuReference.Pooling(input, inShape, PoolingKind.Average, new[] { 2, 2 }, new[] { 2, 2 },
                new[] { 1, 1, 1, 1 }, false, true, out _);
            AssertClose(new float[] { 1, 2.5f, 5.5f, 7 }, exclude);
            // Every window lies inside the padded 5x5 input: divisor 4.
            var include = CpuReference.Pooling(input, inShape, PoolingKind.Average, new[] { 2, 2 }, new[] { 2, 2 },
                new[] { 1, 1, 1, 1 }, true, true, out _);
            AssertClose(new float[] { 0.25f, 1.25f, 2.75f, 7 }, include);
        }

        // ------------------------------------------------------------------ reduce, activation

        [Fact]
        public void Reduce_AllKinds_TwoBatches()
        {
            // Batch 0: channel 0 = [1, 2, 3, 4], channel 1 = [-1, 0.5, 2, 4]; batch 1: channel 0 all 1, channel 1 all 2.
            var input = new float[] { 1, -1, 2, 0.5f, 3, 2, 4, 4, 1, 2, 1, 2, 1, 2, 1, 2 };
            var shape = new[] { 2, 2, 2, 2 };
            AssertClose(new float[] { 2.5f, 1.375f, 1, 2 }, CpuReference.Reduce(input, shape, ReduceKind.Mean));
            AssertClose(new float[] { 10, 5.5f, 4, 8 }, CpuReference.Reduce(input, shape, ReduceKind.Sum));
            AssertClose(new float[] { 1, -1, 1, 2 }, CpuReference.Reduce(input, shape, ReduceKind.Min));
            AssertClose(new float[] { 4, 4, 1, 2 }, CpuReference.Reduce(input, shape, ReduceKind.Max));
            AssertClose(new float[] { 24, -4, 1, 16 }, CpuReference.Reduce(input, shape, ReduceKind.Prod));
        }

        [Fact]
        public void ActivationOp_UsesChannelIndex()
        {
            var input = new float[] { -1, 0.5f, -2, 3, -4, 7 };
            var shape = new[] { 1, 1, 2, 3 };
            AssertClose(new float[] { 0, 0.5f, 0, 3, 0, 6 },
                CpuReference.ActivationOp(input, shape, new Activation(ActivationKind.ReluX, limit: 6)));
            // Slopes per channel 0.1, 0.2, 0.3: -1*0.1, 0.5, -2*0.3, 3, -4*0.2, 7.
            var prelu = new Activation(ActivationKind.PRelu, alpha: new float[] { 0.1f, 0.2f, 0.3f });
            AssertClose(new float[] { -0.1f, 0.5f, -0.6f, 3, -0.8f, 7 }, CpuReference.ActivationOp(input, shape, prelu));
            AssertArgument("activation", () => CpuReference.ActivationOp(input, shape,
                new Activation(ActivationKind.PRelu, alpha: new float[] { 0.1f, 0.2f })));
        }

        // ------------------------------------------------------------------ eltwise

        [Fact]
        public void Eltwise_TensorAndScalar()
        {
            var a = new float[] { 1, 2, 3, 4, 5, 6 };
            var shape = new[] { 1, 1, 2, 3 };
            AssertClose(new float[] { 11, 22, 33, 44, 55, 66 }, CpuReference.Eltwise(EltwiseKind.Sum, a, shape,
                new float[] { 10, 20, 30, 40, 50, 60 }, shape, EltwiseBroadcast.Tensor));
            AssertClose(new float[] { 0, 1, 2, 3, 4, 5 }, CpuReference.Eltwise(EltwiseKind.Sub, a, shape, null, null,
                EltwiseBroadcast.Scalar, scalar: 1));
            // Swapped: 1 - a.
            AssertClose(new float[] { 0, -1, -2, -3, -4, -5 }, CpuReference.Eltwise(EltwiseKind.Sub, a, shape, null, null,
                EltwiseBroadcast.Scalar, scalar: 1, swapped: true));
        }

        [Fact]
        public void Eltwise_SwappedDiv()
        {
            var a = new float[] { 1, 2, 4, 8 };
            var shape = new[] { 1, 1, 1, 4 };
            AssertClose(new float[] { 0.125f, 0.25f, 0.5f, 1 }, CpuReference.Eltwise(EltwiseKind.Div, a, shape, null, null,
                EltwiseBroadcast.Scalar, scalar: 8));
            AssertClose(new float[] { 8, 4, 2, 1 }, CpuReference.Eltwise(EltwiseKind.Div, a, shape, null, null,
                EltwiseBroadcast.Scalar, scalar: 8, swapped: true));
            var b = new float[] { 2, 2, 2, 2 };
            AssertClose(new float[] { 0.5f, 1, 2, 4 }, CpuReference.Eltwise(EltwiseKind.Div, a, shape, b, shape,
                EltwiseBroadcast.Tensor));
            AssertClose(new float[] { 2, 1, 0.5f, 0.25f }, CpuReference.Eltwise(EltwiseKind.Div, a, shape, b, shape,
                EltwiseBroadcast.Tensor, swapped: true));
        }

        [Fact]
        public void Eltwise_BatchVectorVectorAndChannel()
        {
            // N=2, W=2, C=2: batch 0 pixels [1,2], [3,4]; batch 1 pixels [5,6], [7,8].
            var a = new float[] { 1, 2, 3, 4, 5, 6, 7, 8 };
            var shape = new[] { 2, 1, 2, 2 };

            // BatchVector {2,1,1,2} = batch 0 [10, 20], batch 1 [30, 40]; Prod.
            AssertClose(new float[] { 10, 40, 30, 80, 150, 240, 210, 320 }, CpuReference.Eltwise(EltwiseKind.Prod, a, shape,
                new float[] { 10, 20, 30, 40 }, new[] { 2, 1, 1, 2 }, EltwiseBroadcast.BatchVector));

            // Vector [10, 100] per channel, with and without a shape.
            var vectorSum = new float[] { 11, 102, 13, 104, 15, 106, 17, 108 };
            AssertClose(vectorSum, CpuReference.Eltwise(EltwiseKind.Sum, a, shape, new float[] { 10, 100 }, new[] { 1, 1, 1, 2 },
                EltwiseBroadcast.Vector));
            AssertClose(vectorSum, CpuReference.Eltwise(EltwiseKind.Sum, a, shape, new float[] { 10, 100 }, null,
                EltwiseBroadcast.Vector));

            // Channel {2,1,2,1}: one value per pixel [1, 2, 3, 4]; a - b and, swapped, b - a.
            var perPixel = new float[] { 1, 2, 3, 4 };
            AssertClose(new float[] { 0, 1, 1, 2, 2, 3, 3, 4 }, CpuReference.Eltwise(EltwiseKind.Sub, a, shape, perPixel,
                new[] { 2, 1, 2, 1 }, EltwiseBroadcast.Channel));
            AssertClose(new float[] { 0, -1, -1, -2, -2, -3, -3, -4 }, CpuReference.Eltwise(EltwiseKind.Sub, a, shape, perPixel,
                new[] { 2, 1, 2, 1 }, EltwiseBroadcast.Channel, swapped: true));
            // Channel with swapped Div: b / a = 1/1, 1/2, 2/3, 2/4, 3/5, 3/6, 4/7, 4/8.
            AssertClose(new float[] { 1, 0.5f, 2f / 3, 0.5f, 0.6f, 0.5f, 4f / 7, 0.5f }, CpuReference.Eltwise(EltwiseKind.Div, a,
                shape, perPixel, new[] { 2, 1, 2, 1 }, EltwiseBroadcast.Channel, swapped: true));
        }

        [Fact]
        public void Eltwise_CoefficientSum()
        {
            var a = new float[] { 1, 2 };
            var b = new float[] { 10, 20 };
            var shape = new[] { 1, 1, 1, 2 };
            // 2a - b.
            AssertClose(new float[] { -8, -16 }, CpuReference.Eltwise(EltwiseKind.Sum, a, shape, b, shape,
                EltwiseBroadcast.Tensor, coeff0: 2, coeff1: -1, coeffSum: true));
            // Swapped: 2b - a.
            AssertClose(new float[] { 19, 38 }, CpuReference.Eltwise(EltwiseKind.Sum, a, shape, b, shape,
                EltwiseBroadcast.Tensor, coeff0: 2, coeff1: -1, swapped: true, coeffSum: true));
            // Without coeffSum the coefficients are ignored.
            AssertClose(new float[] { 11, 22 }, CpuReference.Eltwise(EltwiseKind.Sum, a, shape, b, shape,
                EltwiseBroadcast.Tensor, coeff0: 2, coeff1: -1));
        }

        [Fact]
        public void Eltwise_BinaryKinds()
        {
            var a = new float[] { -2, -0.5f, 0, 3 };
            var b = new float[] { 2, 2, 0, 2 };
            var shape = new[] { 1, 1, 1, 4 };
            float[] Run(EltwiseKind kind) => CpuReference.Eltwise(kind, a, shape, b, shape, EltwiseBroadcast.Tensor);
            AssertClose(new float[] { -2, -0.5f, 0, 2 }, Run(EltwiseKind.Min));
            AssertClose(new float[] { 2, 2, 0, 3 }, Run(EltwiseKind.Max));
            AssertClose(new float[] { 16, 6.25f, 0, 1 }, Run(EltwiseKind.SqrDiff));
            AssertClose(new float[] { 0, 0, 1, 0 }, Run(EltwiseKind.Equal));
            AssertClose(new float[] { 1, 1, 0, 1 }, Run(EltwiseKind.NotEqual));
            AssertClose(new float[] { -4, -1, 0, 6 }, Run(EltwiseKind.Prod));

            // Pow: 2^3, 4^0.5, 9^0.5, (-2)^2.
            AssertClose(new float[] { 8, 2, 3, 4 }, CpuReference.Eltwise(EltwiseKind.Pow, new float[] { 2, 4, 9, -2 }, shape,
                new float[] { 3, 0.5f, 0.5f, 2 }, shape, EltwiseBroadcast.Tensor));
            // FloorDiv rounds toward minus infinity: 3.5 -> 3, -3.5 -> -4.
            AssertClose(new float[] { 3, -4, -4, 3 }, CpuReference.Eltwise(EltwiseKind.FloorDiv, new float[] { 7, -7, 7, -7 }, shape,
                new float[] { 2, 2, -2, -2 }, shape, EltwiseBroadcast.Tensor));
        }

        [Fact]
        public void Eltwise_UnaryKinds_IgnoreB()
        {
            var a = new float[] { -2, -0.5f, 0, 3 };
            var shape = new[] { 1, 1, 1, 4 };
            float[] Run(EltwiseKind kind) => CpuReference.Eltwise(kind, a, shape, null, null, EltwiseBroadcast.Tensor,
                coeff0: -1, coeff1: 1, swapped: true);
            AssertClose(new float[] { 2, 0.5f, 0, -3 }, Run(EltwiseKind.Neg));
            AssertClose(new float[] { 2, 0.5f, 0, 3 }, Run(EltwiseKind.Abs));
            AssertClose(new float[] { -1, -1, 0, 1 }, Run(EltwiseKind.Sign));
            AssertClose(new float[] { -2, -0.5f, 0, 3 }, Run(EltwiseKind.None));
            AssertClose(new float[] { -1, -0.5f, 0, 1 }, Run(EltwiseKind.Clip));
            // Sign of NaN is 0 (OpenCL sign()), not an exception.
            Assert.Equal(0f, CpuReference.Eltwise(EltwiseKind.Sign, new[] { float.NaN }, new[] { 1, 1, 1, 1 }, null, null,
                EltwiseBroadcast.Tensor)[0]);
        }

        // ------------------------------------------------------------------ softmax, fully connected, concat

        [Fact]
        public void Softmax_LargeValuesStayFinite()
        {
            // Row 0 [1000, 1001]: 1/(1 + e) and 1/(1 + e^-1) = 0.26894142, 0.73105858. Row 1 [0, 0]: 0.5 each.
            var input = new float[] { 1000, 1001, 0, 0 };
            var shape = new[] { 1, 1, 2, 2 };
            var output = CpuReference.Softmax(input, shape);
            foreach (float v in output) Assert.False(float.IsNaN(v) || float.IsInfinity(v));
            AssertClose(new float[] { 0.26894142f, 0.73105858f, 0.5f, 0.5f }, output);

            // log: ln 0.26894142 = -1.31326169, ln 0.73105858 = -0.31326169, ln 0.5 = -0.69314718.
            var log = CpuReference.Softmax(input, shape, log: true);
            AssertClose(new float[] { -1.31326169f, -0.31326169f, -0.69314718f, -0.69314718f }, log);

            // Five channels of 0: 0.2 each.
            AssertClose(new float[] { 0.2f, 0.2f, 0.2f, 0.2f, 0.2f }, CpuReference.Softmax(new float[5], new[] { 1, 1, 1, 5 }));
        }

        [Fact]
        public void FullyConnected_WeightIsOihw()
        {
            // inShape {2, 2, 1, 2} (H=2, W=1, C=2). Batch 0: (h0: c0=1, c1=2), (h1: c0=3, c1=4).
            // Weight rows are ordered (c, h): o0 = [c0h0 1, c0h1 10, c1h0 100, c1h1 1000]
            //   -> 1*1 + 3*10 + 2*100 + 4*1000 = 4231 (NHWC order would give 4321); + bias 0.5.
            // o1 = all ones -> 10, bias -20 -> -10, PRelu slope 0.5 for channel 1 -> -5.
            // Batch 1: only (h1, c1) = 1 -> o0 = 1000 + 0.5; o1 = 1 - 20 = -19 -> -9.5.
            var input = new float[] { 1, 2, 3, 4, 0, 0, 0, 1 };
            var weight = new float[] { 1, 10, 100, 1000, 1, 1, 1, 1 };
            var prelu = new Activation(ActivationKind.PRelu, alpha: new float[] { 1, 0.5f });
            var output = CpuReference.FullyConnected(input, new[] { 2, 2, 1, 2 }, weight, 2, new float[] { 0.5f, -20 }, prelu);
            AssertClose(new float[] { 4231.5f, -5, 1000.5f, -9.5f }, output);
        }

        [Fact]
        public void Concat_AlongChannels()
        {
            var inputs = new List<float[]> { new float[] { 1, 2 }, new float[] { 10, 11, 12, 20, 21, 22 }, new float[] { 100, 200 } };
            var shapes = new List<int[]> { new[] { 1, 1, 2, 1 }, new[] { 1, 1, 2, 3 }, new[] { 1, 1, 2, 1 } };
            var output = CpuReference.Concat(inputs, shapes, out var outShape);
            Assert.Equal(new[] { 1, 1, 2, 5 }, outShape);
            AssertClose(new float[] { 1, 10, 11, 12, 100, 2, 20, 21, 22, 200 }, output);
        }

        // ------------------------------------------------------------------ resize

        [Fact]
        public void ResizeBilinear_2x2To4x4()
        {
            // [[1, 2], [3, 4]] is the plane 1 + x + 2y, so every result is 1 + xs + 2ys at the (clamped) source point.
            var input = new float[] { 1, 2, 3, 4 };
            var inShape = new[] { 1, 2, 2, 1 };

            // align_corners: scale 1/3, sources 0, 1/3, 2/3, 1.
            AssertClose(new float[]
            {
                1, 4f / 3, 5f / 3, 2,
                5f / 3, 2, 7f / 3, 8f / 3,
                7f / 3, 8f / 3, 3, 10f / 3,
                3, 10f / 3, 11f / 3, 4,
            }, CpuReference.ResizeBilinear(input, inShape, 4, 4, true, ResizeCoordinates.Asymmetric));

            // half-pixel: scale 1/2, sources max(-0.25, 0) = 0, 0.25, 0.75, 1.25 (clamped to pixel 1).
            var halfPixel = new float[]
            {
                1, 1.25f, 1.75f, 2,
                1.5f, 1.75f, 2.25f, 2.5f,
                2.5f, 2.75f, 3.25f, 3.5f,
                3, 3.25f, 3.75f, 4,
            };
            AssertClose(halfPixel, CpuReference.ResizeBilinear(input, inShape, 4, 4, false, ResizeCoordinates.HalfPixel));
            // PyTorch half-pixel only differs when the output size is 1.
            AssertClose(halfPixel, CpuReference.ResizeBilinear(input, inShape, 4, 4, false, ResizeCoordinates.PytorchHalfPixel));

            // asymmetric: sources 0, 0.5, 1, 1.5 (clamped to pixel 1).
            AssertClose(new float[]
            {
                1, 1.5f, 2, 2,
                2, 2.5f, 3, 3,
                3, 3.5f, 4, 4,
                3, 3.5f, 4, 4,
            }, CpuReference.ResizeBilinear(input, inShape, 4, 4, false, ResizeCoordinates.Asymmetric));
        }

        [Fact]
        public void ResizeBilinear_ToOnePixel_AndChannels()
        {
            var input = new float[] { 1, 2, 3, 4 };
            var inShape = new[] { 1, 2, 2, 1 };
            // half-pixel: scale 2, source 0.5 in both directions -> the mean 2.5.
            AssertClose(new float[] { 2.5f }, CpuReference.ResizeBilinear(input, inShape, 1, 1, false, ResizeCoordinates.HalfPixel));
            // PyTorch half-pixel with one output: source 0.
            AssertClose(new float[] { 1 }, CpuReference.ResizeBilinear(input, inShape, 1, 1, false, ResizeCoordinates.PytorchHalfPixel));
            // align_corners with one output uses in/out, source 0.
            AssertClose(new float[] { 1 }, CpuReference.ResizeBilinear(input, inShape, 1, 1, true, ResizeCoordinates.HalfPixel));
            AssertClose(new float[] { 1 }, CpuReference.ResizeBilinear(input, inShape, 1, 1, false, ResizeCoordinates.Asymmetric));

            // 1x2 -> 1x3 with two channels, align_corners: sources 0, 0.5, 1. Pixels [0, 10], [2, 20].
            AssertClose(new float[] { 0, 10, 1, 15, 2, 20 }, CpuReference.ResizeBilinear(new float[] { 0, 10, 2, 20 },
                new[] { 1, 1, 2, 2 }, 1, 3, true, ResizeCoordinates.Asymmetric));
        }

        // ------------------------------------------------------------------ batch norm, pad, matmul

        [Fact]
        public void BatchNorm_WithStatisticsAndFolded()
        {
            // Two pixels, C=2: x = [1, 2], [3, 4].
            var input = new float[] { 1, 2, 3, 4 };
            var shape = new[] { 1, 1, 2, 2 };
            var scale = new float[] { 2, 3 };
            var offset = new float[] { 0.5f, -1 };
            // mean [1, 2], variance [3, 0], eps 1: sqrt 2 and 1. c0: (x-1)*2/2 + 0.5 = x - 0.5; c1: (x-2)*3 - 1.
            AssertClose(new float[] { 0.5f, -1, 2.5f, 5 }, CpuReference.BatchNorm(input, shape, scale, offset,
                new float[] { 1, 2 }, new float[] { 3, 0 }, 1, Activation.None));
            AssertClose(new float[] { 0.5f, 0, 2.5f, 5 }, CpuReference.BatchNorm(input, shape, scale, offset,
                new float[] { 1, 2 }, new float[] { 3, 0 }, 1, Relu));
            // Folded: x*scale + offset.
            AssertClose(new float[] { 2.5f, 5, 6.5f, 11 }, CpuReference.BatchNorm(input, shape, scale, offset,
                null, null, 0, Activation.None));
        }

        [Fact]
        public void Pad_RowOfThree()
        {
            var row = new float[] { 1, 2, 3 };
            var shape = new[] { 1, 1, 3, 1 };
            // numpy.pad([1,2,3], 2, 'reflect') = [3, 2, 1, 2, 3, 2, 1].
            AssertClose(new float[] { 3, 2, 1, 2, 3, 2, 1 },
                CpuReference.Pad(row, shape, new[] { 0, 2, 0, 2 }, PadMode.Reflect, 0, out var outShape));
            Assert.Equal(new[] { 1, 1, 7, 1 }, outShape);
            // 'symmetric' = [2, 1, 1, 2, 3, 3, 2].
            AssertClose(new float[] { 2, 1, 1, 2, 3, 3, 2 },
                CpuReference.Pad(row, shape, new[] { 0, 2, 0, 2 }, PadMode.Symmetric, 0, out _));
            // symmetric with pads equal to the dimension: [3, 2, 1 | 1, 2, 3 | 3, 2, 1].
            AssertClose(new float[] { 3, 2, 1, 1, 2, 3, 3, 2, 1 },
                CpuReference.Pad(row, shape, new[] { 0, 3, 0, 3 }, PadMode.Symmetric, 0, out _));
            // Asymmetric constant pad.
            AssertClose(new float[] { 9, 1, 2, 3, 9, 9 },
                CpuReference.Pad(row, shape, new[] { 0, 1, 0, 2 }, PadMode.Constant, 9, out outShape));
            Assert.Equal(new[] { 1, 1, 6, 1 }, outShape);

            // Reflect needs pad < 3, symmetric pad <= 3.
            AssertArgument("pads", () => CpuReference.Pad(row, shape, new[] { 0, 3, 0, 0 }, PadMode.Reflect, 0, out _));
            AssertArgument("pads", () => CpuReference.Pad(row, shape, new[] { 0, 0, 0, 4 }, PadMode.Symmetric, 0, out _));
            // H is 1: any reflect pad of H fails.
            AssertArgument("pads", () => CpuReference.Pad(row, shape, new[] { 1, 0, 0, 0 }, PadMode.Reflect, 0, out _));
        }

        [Fact]
        public void Pad_HeightAndChannels()
        {
            // [[1, 2], [3, 4]] symmetric, top 1 and right 1: rows [1,2,2], [1,2,2], [3,4,4].
            AssertClose(new float[] { 1, 2, 2, 1, 2, 2, 3, 4, 4 }, CpuReference.Pad(new float[] { 1, 2, 3, 4 },
                new[] { 1, 2, 2, 1 }, new[] { 1, 0, 0, 1 }, PadMode.Symmetric, 0, out var outShape));
            Assert.Equal(new[] { 1, 3, 3, 1 }, outShape);
            // Reflect, bottom 1: the third row is row 0.
            AssertClose(new float[] { 1, 2, 3, 4, 1, 2 }, CpuReference.Pad(new float[] { 1, 2, 3, 4 },
                new[] { 1, 2, 2, 1 }, new[] { 0, 0, 1, 0 }, PadMode.Reflect, 0, out _));
            // Constant fills every channel of a padded pixel.
            AssertClose(new float[] { -1, -1, 5, 6 }, CpuReference.Pad(new float[] { 5, 6 }, new[] { 1, 1, 1, 2 },
                new[] { 0, 1, 0, 0 }, PadMode.Constant, -1, out outShape));
            Assert.Equal(new[] { 1, 1, 2, 2 }, outShape);
        }

        [Fact]
        public void MatMul_PlainAndTransposed()
        {
            // [[1,2,3],[4,5,6]] x [[7,8],[9,10],[11,12]] = [[58, 64], [139, 154]].
            var a = new float[] { 1, 2, 3, 4, 5, 6 };
            AssertClose(new float[] { 58, 64, 139, 154 }, CpuReference.MatMul(a, 2, 3, new float[] { 7, 8, 9, 10, 11, 12 }, 2));
            AssertClose(new float[] { 58, 64, 139, 154 },
                CpuReference.MatMul(a, 2, 3, new float[] { 7, 9, 11, 8, 10, 12 }, 2, transposeB: true));
        }

        // ------------------------------------------------------------------ bad arguments

        [Fact]
        public void BadArguments_NameTheArgument()
        {
            var one = new[] { 1, 1 };
            var noPads = new[] { 0, 0, 0, 0 };
            var input = new float[12];
            var inShape = new[] { 1, 2, 2, 3 };
            var filter = new float[3];
            var filterShape = new[] { 1, 3, 1, 1 };

            AssertArgument("input", () => CpuReference.Conv2D(new float[11], inShape, filter, filterShape, null, one, one, noPads, 1, Activation.None, out _));
            AssertArgument("inShape", () => CpuReference.Conv2D(input, new[] { 2, 2, 3 }, filter, filterShape, null, one, one, noPads, 1, Activation.None, out _));
            AssertArgument("inShape", () => CpuReference.Conv2D(input, new[] { 0, 2, 2, 3 }, filter, filterShape, null, one, one, noPads, 1, Activation.None, out _));
            AssertArgument("filter", () => CpuReference.Conv2D(input, inShape, new float[2], filterShape, null, one, one, noPads, 1, Activation.None, out _));
            AssertArgument("filterShape", () => CpuReference.Conv2D(input, inShape, new float[2], new[] { 1, 2, 1, 1 }, null, one, one, noPads, 1, Activation.None, out _));
            AssertArgument("group", () => CpuReference.Conv2D(input, inShape, new float[2], new[] { 2, 1, 1, 1 }, null, one, one, noPads, 3, Activation.None, out _));
            AssertArgument("bias", () => CpuReference.Conv2D(input, inShape, filter, filterShape, new float[2], one, one, noPads, 1, Activation.None, out _));
            AssertArgument("strides", () => CpuReference.Conv2D(input, inShape, filter, filterShape, null, new[] { 0, 1 }, one, noPads, 1, Activation.None, out _));
            AssertArgument("dilations", () => CpuReference.Conv2D(input, inShape, filter, filterShape, null, one, new[] { 1 }, noPads, 1, Activation.None, out _));
            AssertArgument("pads", () => CpuReference.Conv2D(input, inShape, filter, filterShape, null, one, one, new[] { 0, -1, 0, 0 }, 1, Activation.None, out _));
            AssertArgument("activation", () => CpuReference.Conv2D(input, inShape, filter, filterShape, null, one, one, noPads, 1, null!, out _));
            // A 3x3 kernel does not fit the unpadded 2x2 input (C#'s truncating division would otherwise give size 1).
            AssertArgument("kh", () => CpuReference.Conv2D(input, inShape, new float[27], new[] { 1, 3, 3, 3 }, null, one, one, noPads, 1, Activation.None, out _));

            AssertArgument("pads", () => CpuReference.Pooling(input, inShape, PoolingKind.Max, new[] { 2, 2 }, one, new[] { 0, 0, 2, 0 }, false, false, out _));
            AssertArgument("kernel", () => CpuReference.Pooling(input, inShape, PoolingKind.Max, new[] { 0, 2 }, one, noPads, false, false, out _));
            AssertArgument("kernel", () => CpuReference.Pooling(input, inShape, PoolingKind.Max, new[] { 3, 3 }, one, noPads, false, false, out _));
            AssertArgument("inShape", () => CpuReference.Reduce(input, new[] { 1, 2, 2 }, ReduceKind.Sum));
            AssertArgument("shape", () => CpuReference.ActivationOp(input, new[] { 1, 2, 2, 0 }, Activation.None));

            AssertArgument("b", () => CpuReference.Eltwise(EltwiseKind.Sum, input, inShape, null, inShape, EltwiseBroadcast.Tensor));
            AssertArgument("bShape", () => CpuReference.Eltwise(EltwiseKind.Sum, input, inShape, input, new[] { 1, 2, 3, 2 }, EltwiseBroadcast.Tensor));
            AssertArgument("bShape", () => CpuReference.Eltwise(EltwiseKind.Sum, input, inShape, new float[3], new[] { 2, 1, 1, 3 }, EltwiseBroadcast.BatchVector));
            AssertArgument("b", () => CpuReference.Eltwise(EltwiseKind.Sum, input, inShape, new float[2], null, EltwiseBroadcast.Vector));
            AssertArgument("bShape", () => CpuReference.Eltwise(EltwiseKind.Sum, input, inShape, new float[4], new[] { 1, 2, 2, 3 }, EltwiseBroadcast.Channel));
            AssertArgument("a", () => CpuReference.Eltwise(EltwiseKind.Neg, new float[5], inShape, null, null, EltwiseBroadcast.Tensor));

            AssertArgument("shape", () => CpuReference.Softmax(input, new[] { 1, 2, 2 }));
            AssertArgument("weight", () => CpuReference.FullyConnected(input, inShape, new float[11], 1, null, Activation.None));
            AssertArgument("outputs", () => CpuReference.FullyConnected(input, inShape, new float[0], 0, null, Activation.None));
            AssertArgument("inputs", () => CpuReference.Concat(new List<float[]>(), new List<int[]>(), out _));
            AssertArgument("shapes", () => CpuReference.Concat(new List<float[]> { input, new float[6] },
                new List<int[]> { inShape, new[] { 1, 1, 2, 3 } }, out _));
            AssertArgument("outH", () => CpuReference.ResizeBilinear(input, inShape, 0, 4, false, ResizeCoordinates.HalfPixel));
            AssertArgument("variance", () => CpuReference.BatchNorm(input, inShape, new float[3], new float[3], new float[3], null, 0, Activation.None));
            AssertArgument("scale", () => CpuReference.BatchNorm(input, inShape, new float[4], new float[3], null, null, 0, Activation.None));
            AssertArgument("pads", () => CpuReference.Pad(input, inShape, new[] { 0, 0, 0 }, PadMode.Constant, 0, out _));
            AssertArgument("b", () => CpuReference.MatMul(new float[6], 2, 3, new float[5], 2));
            AssertArgument("cols", () => CpuReference.MatMul(new float[6], 2, 3, new float[0], 0));
        }
    }
}
