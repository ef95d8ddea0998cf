using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Formats;
using MaceTools.Kernels;
using Xunit;

namespace MaceTools.Tests.Kernels
{
    /// <summary>
    /// The Winograd 3x3 convolution (MACE's winograd 2 and 4): the filter transform, the input transform, the matmul and
    /// the inverse transform on the real pocl device against the direct convolution of the C# reference, plus keys,
    /// work sizes and the host side of the new layouts.
    /// </summary>
    public class WinogradTests : IClassFixture<RunnerFixture>
    {
        private readonly KernelRunner _run;
        private readonly KernelTarget _target;

        public WinogradTests(RunnerFixture f)
        {
            _run = f.Runner;
            _target = f.Target;
        }

        private static Activation Act(ActivationKind kind, int channels) => kind switch
        {
            ActivationKind.ReluX => new Activation(kind, limit: 0.5f),
            ActivationKind.PRelu => new Activation(kind, alpha: Tensors.Random(99, channels, 0f, 0.5f)),
            _ => new Activation(kind),
        };

        private static ImageKind FilterKind(int block) => block == 2 ? ImageKind.WinogradFilter2 : ImageKind.WinogradFilter4;

        /// <summary>The same launch with one tensor bound under another name (the transforms write "image"; the matmul reads "filter").</summary>
        private static KernelLaunch Rebind(KernelLaunch l, string from, string to)
        {
            var args = l.Arguments.Skip(l.Target.NonUniformWorkGroup ? 0 : l.Dimensions).Select(a => a.Tensor != from ? a
                : a.Kind == KernelArgKind.Buffer ? KernelArg.Buffer(a.Name, to, a.Shape[0], a.IsOutput) : KernelArg.Image(a.Name, to, a.Layout, a.Shape, a.IsOutput));
            return new KernelLaunch(l.Op, l.Program, l.Kernel, l.Target, l.Options, l.GlobalSize, l.Rule, l.TuningKey, args, l.Flops, l.RuleParameter);
        }

        /// <summary>Uploads the OIHW filter as a plain buffer and runs winograd_filter_buffer_to_image into the image "filter".</summary>
        private void TransformFilter(int block, int[] filterShape, float[] w, KernelTarget target, long[]? local = null)
        {
            var toImage = KernelOps.BufferToImage(FilterKind(block), filterShape, target);
            _run.UploadBuffer("buffer", w);
            _run.Time(Rebind(toImage, "image", "filter"), local);
        }

        public static IEnumerable<object[]> Cases() => new[]
        {
            //             block  input N,H,W,C       O   pad  bias   activation
            new object[] { 2, new[] { 1, 7, 9, 3 }, 5, 1, true, ActivationKind.Relu },
            new object[] { 2, new[] { 2, 5, 11, 8 }, 13, 0, false, ActivationKind.None },
            new object[] { 2, new[] { 1, 6, 7, 13 }, 8, 1, false, ActivationKind.ReluX },
            new object[] { 2, new[] { 2, 5, 5, 5 }, 6, 1, true, ActivationKind.PRelu },
            new object[] { 4, new[] { 1, 9, 7, 5 }, 3, 1, true, ActivationKind.ReluX },
            new object[] { 4, new[] { 2, 11, 6, 13 }, 8, 0, true, ActivationKind.None },
            new object[] { 4, new[] { 1, 10, 13, 8 }, 13, 1, false, ActivationKind.Relu },
            new object[] { 4, new[] { 2, 3, 3, 3 }, 5, 1, false, ActivationKind.None },
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Winograd_conv_matches_the_direct_reference(int block, int[] input, int outChannels, int pad, bool bias, ActivationKind actKind)
        {
            var act = Act(actKind, outChannels);
            var filterShape = new[] { outChannels, input[3], 3, 3 };
            var x = Tensors.Random(1, Tensors.Count(input));
            var w = Tensors.Random(2, Tensors.Count(filterShape));
            var b = bias ? Tensors.Random(3, outChannels) : null;
            var expected = CpuReference.Conv2D(x, input, w, filterShape, b, new[] { 1, 1 }, new[] { 1, 1 }, new[] { pad, pad, pad, pad }, 1, act, out var outShape);
            // Tiles past the output: ceil(outH/b)·b > outH or the same for the width.
            Assert.True(outShape[1] % block != 0 || outShape[2] % block != 0);

            TransformFilter(block, filterShape, w, _target);
            var launches = KernelOps.WinogradConv2D(input, filterShape, outShape, new[] { pad, pad }, block, bias, act, _target);
            Assert.Equal(new[] { $"winograd_transform_{block}x{block}", "matmul", $"winograd_inverse_transform_{block}x{block}" }, launches.Select(l => l.Kernel));
            _run.Upload("input", ImageKind.InOut, input, x);
            if (b != null) _run.Upload("bias", ImageKind.Argument, new[] { outChannels }, b);
            if (act.Alpha != null) _run.Upload("prelu_alpha", ImageKind.Argument, new[] { outChannels }, act.Alpha);
            foreach (var l in launches) _run.Time(l);
            float tolerance = block == 4 ? 1e-3f : 2e-4f;
            Tensors.Close(expected, _run.Download("output"), launches[2].ToString(), tolerance, tolerance);
        }

        [Theory]
        [InlineData(2)]
        [InlineData(4)]
        public void The_filter_kernel_writes_what_the_host_layout_packs(int block)
        {
            var filterShape = new[] { 6, 5, 3, 3 };
            var w = Tensors.Random(4, Tensors.Count(filterShape));
            var kind = FilterKind(block);
            var toImage = KernelOps.BufferToImage(kind, filterShape, _target);
            Assert.Equal($"winograd_filter_buffer_to_image_{block}x{block}", toImage.Kernel);
            Assert.Equal(new long[] { 5, 2 }, toImage.GlobalSize);
            _run.UploadBuffer("buffer", w);
            _run.Time(toImage);
            // Unpacking inverts G·g·Gᵀ exactly only where the pixels are that transform of some filter.
            Tensors.Close(w, _run.Download("image"), toImage.Kernel, 1e-5f, 1e-4f);

            // Through the convolution: the kernel's filter image and the host-packed one give the same result.
            int[] input = { 1, 7, 5, 5 }, output = { 1, 7, 5, 6 };
            var x = Tensors.Random(5, Tensors.Count(input));
            var launches = KernelOps.WinogradConv2D(input, filterShape, output, new[] { 1, 1 }, block, false, Activation.None, _target);
            _run.Upload("input", ImageKind.InOut, input, x);
            TransformFilter(block, filterShape, w, _target);
            foreach (var l in launches) _run.Time(l);
            var viaKernel = _run.Download("output");
            _run.Upload("filter", kind, filterShape, w);
            foreach (var l in launches) _run.Time(l);
            Tensors.Close(viaKernel, _run.Download("output"), "host-packed filter", 1e-5f, 1e-4f);
        }

        [Fact]
        public void With_NON_UNIFORM_WORK_GROUP_and_local_size_1_the_winograd_launches_still_match()
        {
            var adreno = new KernelTarget(MaceVersion.Latest, nonUniformWorkGroup: true, adreno: true);
            int[] input = { 1, 6, 9, 7 }, filterShape = { 5, 7, 3, 3 };
            var x = Tensors.Random(6, Tensors.Count(input));
            var w = Tensors.Random(7, Tensors.Count(filterShape));
            var expected = CpuReference.Conv2D(x, input, w, filterShape, null, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1, 1, 1, 1 }, 1, Activation.None, out var outShape);
            foreach (int block in new[] { 2, 4 })
            {
                TransformFilter(block, filterShape, w, adreno, new long[] { 1, 1 });
                var launches = KernelOps.WinogradConv2D(input, filterShape, outShape, new[] { 1, 1 }, block, false, Activation.None, adreno);
                Assert.All(launches, l => Assert.DoesNotContain(l.Arguments, a => a.Name.StartsWith("global_size", StringComparison.Ordinal)));
                _run.Upload("input", ImageKind.InOut, input, x);
                foreach (var l in launches) _run.Time(l, new long[] { 1, 1 });
                Tensors.Close(expected, _run.Download("output"), $"winograd {block}x{block}, non-uniform", 1e-3f, 1e-3f);
            }
        }

        [Fact]
        public void Every_winograd_program_builds_with_the_runner()
        {
            int[] input = { 1, 8, 8, 4 }, filter = { 4, 4, 3, 3 };
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (int block in new[] { 2, 4 })
            {
                var toImage = KernelOps.BufferToImage(FilterKind(block), filter, _target);
                Assert.NotNull(_run.Kernel(toImage));
                keys.Add(toImage.ProgramKey);
                foreach (bool bias in new[] { false, true })
                    foreach (var kind in new[] { ActivationKind.None, ActivationKind.Relu, ActivationKind.ReluX, ActivationKind.PRelu, ActivationKind.Sigmoid })
                        foreach (var l in KernelOps.WinogradConv2D(input, filter, input, new[] { 1, 1 }, block, bias, Act(kind, 4), _target))
                        {
                            Assert.NotNull(_run.Kernel(l));
                            Assert.True(_run.DefaultLocalSize(l).All(s => s >= 1), l.ToString());
                            keys.Add(l.ProgramKey);
                        }
            }
            // buffer_to_image (one key per block), matmul (one key), winograd_transform: 2 forward + 2 inverse x 2 bias x 5 activations.
            Assert.Equal(2 + 1 + 2 + 20, keys.Count);
        }

        [Fact]
        public void Program_keys_tuning_keys_work_sizes_and_arguments_are_MACEs()
        {
            var target = new KernelTarget(MaceVersion.Latest, nonUniformWorkGroup: false, adreno: false);
            // N=2, 9x11 output (pad 1), 5 -> 6 channels; b = 2: round 5 x 6, 60 tiles; b = 4: round 3 x 3, 18 tiles.
            int[] input = { 2, 9, 11, 5 }, filter = { 6, 5, 3, 3 }, output = { 2, 9, 11, 6 };
            string Sym(string k) => SymbolObfuscation.Obfuscate(k);

            var two = KernelOps.WinogradConv2D(input, filter, output, new[] { 1, 1 }, 2, false, new Activation(ActivationKind.Relu), target);
            Assert.Equal("winograd_transform -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dwinograd_transform_2x2=" + Sym("winograd_transform_2x2"), two[0].ProgramKey);
            Assert.Equal("matmul -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dmatmul=" + Sym("matmul"), two[1].ProgramKey);
            Assert.Equal("winograd_transform  -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DUSE_RELU -Dwinograd_inverse_transform_2x2=" + Sym("winograd_inverse_transform_2x2"),
                two[2].ProgramKey);
            Assert.Equal("winograd_transform_kernel_16_5_60", two[0].TuningKey);
            Assert.Equal("matmul_opencl_kernel_16_6_60", two[1].TuningKey);
            Assert.Equal("winograd_inverse_transform_kernel_2_9_11_6_60", two[2].TuningKey);
            Assert.Equal(Sym("matmul_opencl_kernel_16_6_60"), two[1].TuningFileKey);
            Assert.Equal(new long[] { 60, 2 }, two[0].GlobalSize);
            Assert.Equal(new long[] { 15, 2 * 16 }, two[1].GlobalSize);
            Assert.Equal(new long[] { 60, 2 }, two[2].GlobalSize);
            Assert.All(two, l => Assert.Equal("conv2d", l.Op));

            // Arguments after the global sizes, in MACE's order.
            Assert.Equal(new[] { "global_size_dim0", "global_size_dim1", "input", "output", "in_height", "in_width", "in_channel", "round_hw", "round_w", "padding_top", "padding_left" },
                two[0].Arguments.Select(a => a.Name));
            Assert.Equal(new[] { 60, 2, 9, 11, 5, 30, 6, 1, 1 }, two[0].Arguments.Where(a => a.Kind == KernelArgKind.Int).Select(a => a.IntValue));
            Assert.Equal(new[] { 16, 5, 60, 1 }, two[0].Output.Shape);
            Assert.Equal(ImageKind.InOutHeight, two[0].Output.Layout);
            Assert.Equal("winograd_input", two[0].Output.Tensor);
            Assert.Equal(new[] { "filter", "winograd_input", "winograd_output" }, two[1].Arguments.Where(a => a.Kind == KernelArgKind.Image).Select(a => a.Tensor));
            Assert.Equal(ImageKind.WinogradFilter2, two[1].Arguments.First(a => a.Tensor == "filter").Layout);
            Assert.Equal(new[] { 15, 32, 6, 60, 5, 2, 2 }, two[1].Arguments.Where(a => a.Kind == KernelArgKind.Int).Select(a => a.IntValue));
            Assert.Equal(new[] { "global_size_dim0", "global_size_dim1", "input", "output", "out_height", "out_width", "round_hw", "round_w",
                "relux_max_limit", "activation_coefficient", "activation_beta" }, two[2].Arguments.Select(a => a.Name));
            Assert.Equal(new[] { "winograd_output", "output" }, two[2].Arguments.Where(a => a.Kind == KernelArgKind.Image).Select(a => a.Tensor));

            var four = KernelOps.WinogradConv2D(input, filter, output, new[] { 1, 1 }, 4, true, new Activation(ActivationKind.PRelu, alpha: new float[6]), target);
            Assert.Equal("winograd_transform -DBIAS -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DUSE_PRELU -Dwinograd_inverse_transform_4x4=" + Sym("winograd_inverse_transform_4x4"),
                four[2].ProgramKey);
            Assert.Equal("winograd_transform_kernel_36_5_18", four[0].TuningKey);
            Assert.Equal("matmul_opencl_kernel_36_6_18", four[1].TuningKey);
            Assert.Equal("winograd_inverse_transform_kernel_2_9_11_6_18", four[2].TuningKey);
            Assert.Equal(new long[] { 5, 2 * 36 }, four[1].GlobalSize);
            Assert.Equal(new[] { "winograd_output", "bias", "prelu_alpha", "output" }, four[2].Arguments.Where(a => a.Kind == KernelArgKind.Image).Select(a => a.Tensor));
            Assert.Equal(new[] { 36, 6, 18, 1 }, four[1].Output.Shape);

            // Default local sizes: {kwg/8, 8} for the transforms, {kwg/64, 64} for the matmul.
            Assert.Equal(new long[] { 32, 8 }, two[0].DefaultLocalSize(256, 32768, 4));
            Assert.Equal(new long[] { 4, 64 }, two[1].DefaultLocalSize(256, 32768, 4));
            Assert.Equal(new long[] { 32, 8 }, two[2].DefaultLocalSize(256, 32768, 4));
            Assert.Equal(LocalSizeRule.Winograd, two[0].Rule);
            Assert.Equal(LocalSizeRule.MatMul, two[1].Rule);

            // The filter transform: buffer_to_image, 2-D tuned like the other transforms, GWS {I, ceil(O/4)}.
            var f4 = KernelOps.BufferToImage(ImageKind.WinogradFilter4, filter, target);
            Assert.Equal("buffer_to_image -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dwinograd_filter_buffer_to_image_4x4=" + Sym("winograd_filter_buffer_to_image_4x4"), f4.ProgramKey);
            Assert.Equal("winograd_filter_buffer_to_image_4x4_[6, 5, 3, 3]", f4.TuningKey);
            Assert.Equal(new long[] { 5, 2 }, f4.GlobalSize);
            Assert.Equal(LocalSizeRule.Transform, f4.Rule);
            Assert.Equal("buffer_to_image", f4.Op);
            Assert.Equal(new[] { "global_size_dim0", "global_size_dim1", "input", "input_offset", "out_channel", "in_channel", "output" }, f4.Arguments.Select(a => a.Name));
            var f2half = KernelOps.BufferToImage(ImageKind.WinogradFilter2, filter, target, half: true);
            Assert.Equal("buffer_to_image -DCMD_DATA_TYPE=h -DDATA_TYPE=half -Dwinograd_filter_buffer_to_image_2x2=" + Sym("winograd_filter_buffer_to_image_2x2"), f2half.ProgramKey);
            Assert.Throws<MaceException>(() => KernelOps.ImageToBuffer(ImageKind.WinogradFilter2, filter, target));
        }

        [Fact]
        public void Bad_block_sizes_and_filters_are_refused()
        {
            int[] input = { 1, 8, 8, 4 }, filter = { 4, 4, 3, 3 };
            Assert.Throws<ArgumentException>(() => KernelOps.WinogradConv2D(input, filter, input, new[] { 1, 1 }, 3, false, Activation.None, _target));
            Assert.Throws<ArgumentException>(() => KernelOps.WinogradConv2D(input, new[] { 4, 4, 5, 5 }, input, new[] { 2, 2 }, 2, false, Activation.None, _target));
            Assert.Throws<ArgumentException>(() => KernelOps.WinogradConv2D(input, new[] { 4, 3, 3, 3 }, input, new[] { 1, 1 }, 2, false, Activation.None, _target));
            Assert.Throws<ArgumentException>(() => ImageLayout.Size(ImageKind.WinogradFilter2, new[] { 4, 4, 5, 5 }));
        }

        [Fact]
        public void The_new_layouts_have_MACEs_image_sizes_and_pack_as_documented()
        {
            Assert.Equal((7L * 2, 3L * 2), ImageLayout.Size(ImageKind.InOutHeight, new[] { 3, 5, 7, 2 }));
            Assert.Equal((5L, 16L * 2), ImageLayout.Size(ImageKind.WinogradFilter2, new[] { 6, 5, 3, 3 }));
            Assert.Equal((5L, 36L * 2), ImageLayout.Size(ImageKind.WinogradFilter4, new[] { 6, 5, 3, 3 }));

            // IN_OUT_HEIGHT: element (a, b, c, d) at pixel (c·d3 + d, a·⌈d1/4⌉ + b/4), lane b%4.
            var shape = new[] { 3, 5, 7, 2 };
            var data = Enumerable.Range(0, (int)Tensors.Count(shape)).Select(i => (float)i + 1).ToArray();
            var pixels = ImageLayout.Pack(ImageKind.InOutHeight, shape, data);
            long width = 14;
            int a = 2, b = 4, c = 3, d = 1;
            float element = data[((a * 5 + b) * 7 + c) * 2 + d];
            Assert.Equal(element, pixels[((a * 2 + b / 4) * width + c * 2 + d) * 4 + b % 4]);
            Assert.Equal(0f, pixels[((a * 2 + 1) * width + c * 2 + d) * 4 + 1]); // channel 5 of 5: padding lane
            Assert.Equal(data, ImageLayout.Unpack(ImageKind.InOutHeight, shape, pixels));

            // Winograd filters: a filter that is one 1 at the centre transforms to (G·e₁)(G·e₁)ᵀ; unpacking inverts the transform.
            var centre = new float[9];
            centre[4] = 1;
            var u2 = ImageLayout.Pack(ImageKind.WinogradFilter2, new[] { 1, 1, 3, 3 }, centre);
            var g1 = new[] { 0, 0.5f, -0.5f, 0 };
            for (int k = 0; k < 16; k++) Assert.Equal(g1[k / 4] * g1[k % 4], u2[k * 4], 6);
            foreach (var kind in new[] { ImageKind.WinogradFilter2, ImageKind.WinogradFilter4 })
            {
                var fs = new[] { 5, 3, 3, 3 };
                var w = Tensors.Random(8, Tensors.Count(fs));
                Tensors.Close(w, ImageLayout.Unpack(kind, fs, ImageLayout.Pack(kind, fs, w)), kind.ToString(), 1e-6f, 1e-5f);
            }
        }
    }
}
