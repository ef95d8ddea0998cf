using System.Linq;
using MaceTools.Kernels;
using Act = MaceTools.Kernels.Activation;
using MaceTools.Tests.Models;
using Xunit;

namespace MaceTools.Tests.Kernels
{
    /// <summary>
    /// The kernels PaddleOCR's detector needs beyond the classifier's (resize_nearest_neighbor, deconv_2d): the C#
    /// reference worked by hand, the kernels on pocl against it (odd channel counts, batch 2, a local size that does not
    /// divide the global size) and against libonnx-testdata, and their MACE shape (program, options, key, sizes).
    /// </summary>
    public class OcrKernelTests : IClassFixture<RunnerFixture>
    {
        private readonly KernelRunner _run;
        private readonly KernelTarget _target;

        public OcrKernelTests(RunnerFixture f)
        {
            _run = f.Runner;
            _target = f.Target;
        }

        // ---- the C# reference, by hand ---------------------------------------------------------------------------

        [Fact]
        public void Reference_resize_nearest_rounds_as_the_nearest_mode_says()
        {
            // 1x3 row [10, 20, 30] to 1x5: asymmetric source x·3/5 = 0, 0.6, 1.2, 1.8, 2.4.
            var x = new float[] { 10, 20, 30 };
            var shape = new[] { 1, 1, 3, 1 };
            Assert.Equal(new float[] { 10, 10, 20, 20, 30 }, CpuReference.ResizeNearest(x, shape, 1, 5, false, ResizeCoordinates.Asymmetric, NearestMode.Floor));
            Assert.Equal(new float[] { 10, 20, 20, 30, 30 }, CpuReference.ResizeNearest(x, shape, 1, 5, false, ResizeCoordinates.Asymmetric, NearestMode.RoundPreferFloor));
            Assert.Equal(new float[] { 10, 20, 30, 30, 30 }, CpuReference.ResizeNearest(x, shape, 1, 5, false, ResizeCoordinates.Asymmetric, NearestMode.Ceil));
            // 1x2 → 1x4 asymmetric: 0, 0.5, 1, 1.5: a tie rounds down under round_prefer_floor, up under round_prefer_ceil.
            var y = new float[] { 1, 2 };
            Assert.Equal(new float[] { 1, 1, 2, 2 }, CpuReference.ResizeNearest(y, new[] { 1, 1, 2, 1 }, 1, 4, false, ResizeCoordinates.Asymmetric, NearestMode.RoundPreferFloor));
            Assert.Equal(new float[] { 1, 2, 2, 2 }, CpuReference.ResizeNearest(y, new[] { 1, 1, 2, 1 }, 1, 4, false, ResizeCoordinates.Asymmetric, NearestMode.RoundPreferCeil));
        }

        [Fact]
        public void Reference_deconv_scatters_each_input_over_the_strided_footprint()
        {
            // Input 1x2 [1, 2], one channel; filter 1x2 [1, 10]; stride 2, no pads: output 1x4 = [1, 10, 2, 20].
            var output = CpuReference.Deconv2D(new float[] { 1, 2 }, new[] { 1, 1, 2, 1 }, new float[] { 1, 10 }, new[] { 1, 1, 1, 2 }, null,
                new[] { 1, 2 }, new[] { 0, 0 }, new[] { 1, 1, 4, 1 }, Act.None);
            Assert.Equal(new float[] { 1, 10, 2, 20 }, output);
            // Stride 1, filter 3 wide [1, 2, 3], pad left 1: outputs at w - 1 + k: [1·2 + 2·1, 1·3 + 2·2, 2·3] = [4, 7, 6]; bias 1.
            output = CpuReference.Deconv2D(new float[] { 1, 2 }, new[] { 1, 1, 2, 1 }, new float[] { 1, 2, 3 }, new[] { 1, 1, 1, 3 }, new float[] { 1 },
                new[] { 1, 1 }, new[] { 0, 1 }, new[] { 1, 1, 3, 1 }, Act.None);
            Assert.Equal(new float[] { 5, 8, 7 }, output);
        }

        [Fact]
        public void Reference_reduce_over_channels_folds_each_pixels_channels()
        {
            // Two pixels of three channels: [1, 2, 3] and [4, 5, 6].
            var x = new float[] { 1, 2, 3, 4, 5, 6 };
            var shape = new[] { 1, 1, 2, 3 };
            Assert.Equal(new float[] { 2, 5 }, CpuReference.ReduceChannels(x, shape, ReduceKind.Mean));
            Assert.Equal(new float[] { 6, 15 }, CpuReference.ReduceChannels(x, shape, ReduceKind.Sum));
            Assert.Equal(new float[] { 1, 4 }, CpuReference.ReduceChannels(x, shape, ReduceKind.Min));
            Assert.Equal(new float[] { 3, 6 }, CpuReference.ReduceChannels(x, shape, ReduceKind.Max));
            Assert.Equal(new float[] { 6, 120 }, CpuReference.ReduceChannels(x, shape, ReduceKind.Prod));
        }

        // ---- on the device, against the reference -----------------------------------------------------------------

        /// <summary>Runs a multi-pass launch list from "input" to "output".</summary>
        private float[] RunAll(System.Collections.Generic.IReadOnlyList<KernelLaunch> launches, int[] input, float[] x, long[]? local = null)
        {
            _run.Upload("input", ImageKind.InOut, input, x);
            foreach (var l in launches) _run.Time(l, local);
            return _run.Download("output");
        }

        [Theory]
        [InlineData(1, 3, 5, 3, ReduceKind.Mean, 1)]
        [InlineData(2, 4, 3, 5, ReduceKind.Max, 1)]
        [InlineData(2, 2, 3, 7, ReduceKind.Min, 1)]
        [InlineData(1, 3, 2, 9, ReduceKind.Sum, 1)]
        [InlineData(2, 2, 2, 7, ReduceKind.Prod, 1)]
        [InlineData(1, 2, 3, 70, ReduceKind.Mean, 2)]    // 18 blocks: a pass to 2 blocks, then the last
        [InlineData(2, 1, 2, 133, ReduceKind.Max, 2)]    // 34 blocks, not divisible by four: MAX ignores the padding lanes
        [InlineData(1, 1, 2, 1030, ReduceKind.Sum, 3)]   // 258 blocks → 17 → 2 → 1
        public void ReduceChannels_matches_the_reference(int n, int h, int w, int c, ReduceKind kind, int passes)
        {
            var input = new[] { n, h, w, c };
            // Products of many values leave float's range: keep them near 1.
            var x = kind == ReduceKind.Prod ? Tensors.Random(31, Tensors.Count(input), 0.5f, 1.5f) : Tensors.Random(31, Tensors.Count(input));
            var launches = KernelOps.ReduceChannels(input, kind, _target);
            Assert.Equal(passes, launches.Count);
            Tensors.Close(CpuReference.ReduceChannels(x, input, kind), RunAll(launches, input, x), string.Join(" | ", launches), 1e-4f, 1e-4f);
        }


        [Theory]
        [InlineData(1, 5, 7, 3, 10, 14, false, ResizeCoordinates.Asymmetric, NearestMode.Floor)]
        [InlineData(2, 6, 5, 7, 12, 10, false, ResizeCoordinates.Asymmetric, NearestMode.RoundPreferFloor)]
        [InlineData(2, 9, 11, 5, 4, 6, false, ResizeCoordinates.HalfPixel, NearestMode.RoundPreferCeil)]
        [InlineData(1, 4, 6, 9, 7, 9, true, ResizeCoordinates.Asymmetric, NearestMode.Ceil)]
        public void ResizeNearest_matches_the_reference(int n, int h, int w, int c, int oh, int ow, bool align, ResizeCoordinates coords, NearestMode mode)
        {
            var input = new[] { n, h, w, c };
            var x = Tensors.Random(21, Tensors.Count(input));
            var expected = CpuReference.ResizeNearest(x, input, oh, ow, align, coords, mode);
            var launch = KernelOps.ResizeNearest(input, oh, ow, align, coords, mode, _target);
            Tensors.Close(expected, _run.Run(launch, new System.Collections.Generic.Dictionary<string, float[]> { ["input"] = x }), launch.ToString(), 0, 0);
        }

        [Theory]
        [InlineData(1, 4, 5, 3, 5, 2, 2, 2, 2, 0, 0, 0, 0, true, ActivationKind.None)]      // PP-OCR's DB head: 2x2 stride 2
        [InlineData(2, 3, 4, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, false, ActivationKind.Relu)]
        [InlineData(1, 5, 3, 4, 9, 3, 2, 1, 3, 1, 0, 0, 1, true, ActivationKind.Sigmoid)]
        [InlineData(2, 2, 2, 9, 1, 4, 4, 3, 3, 0, 2, 1, 0, true, ActivationKind.None)]
        public void Deconv2D_matches_the_reference(int n, int h, int w, int ic, int oc, int kh, int kw, int sh, int sw,
            int padTop, int padLeft, int padBottom, int padRight, bool bias, ActivationKind actKind)
        {
            var input = new[] { n, h, w, ic };
            var output = new[] { n, (h - 1) * sh + kh - padTop - padBottom, (w - 1) * sw + kw - padLeft - padRight, oc };
            var filter = new[] { oc, ic, kh, kw };
            var x = Tensors.Random(22, Tensors.Count(input));
            var f = Tensors.Random(23, Tensors.Count(filter));
            var b = bias ? Tensors.Random(24, oc) : null;
            var act = new Act(actKind);
            var expected = CpuReference.Deconv2D(x, input, f, filter, b, new[] { sh, sw }, new[] { padTop, padLeft }, output, act);
            var launch = KernelOps.Deconv2D(input, filter, output, new[] { sh, sw }, new[] { padTop, padLeft }, bias, act, _target);
            var data = new System.Collections.Generic.Dictionary<string, float[]> { ["input"] = x, ["filter"] = f };
            if (b != null) data["bias"] = b;
            Tensors.Close(expected, _run.Run(launch, data), launch.ToString());
        }

        [Fact]
        public void Deconv2D_and_resize_with_a_local_size_that_does_not_divide_the_global_size_write_every_output_once()
        {
            int[] input = { 2, 5, 7, 5 }, filter = { 6, 5, 2, 2 }, output = { 2, 10, 14, 6 };
            var x = Tensors.Random(25, Tensors.Count(input));
            var f = Tensors.Random(26, Tensors.Count(filter));
            var expected = CpuReference.Deconv2D(x, input, f, filter, null, new[] { 2, 2 }, new[] { 0, 0 }, output, Act.None);
            var deconv = KernelOps.Deconv2D(input, filter, output, new[] { 2, 2 }, new[] { 0, 0 }, false, Act.None, _target);
            // ⌈⌈14/2⌉/5⌉·2 = 4 width items; a local size of 3 rounds every dimension up.
            Assert.Equal(new long[] { 2, 4, 20 }, deconv.GlobalSize);
            var local = new long[] { 3, 3, 3 };
            Assert.Equal(new long[] { 3, 6, 21 }, deconv.EnqueuedGlobalSize(local));
            _run.Upload("input", ImageKind.InOut, input, x);
            _run.Upload("filter", ImageKind.Conv2DFilter, filter, f);
            _run.Time(deconv, local);
            Tensors.Close(expected, _run.Download("output"), "deconv with local 3x3x3");

            var resize = KernelOps.ResizeNearest(input, 10, 14, false, ResizeCoordinates.Asymmetric, NearestMode.Floor, _target);
            _run.Upload("input", ImageKind.InOut, input, x);
            _run.Time(resize, local);
            Tensors.Close(CpuReference.ResizeNearest(x, input, 10, 14, false, ResizeCoordinates.Asymmetric, NearestMode.Floor), _run.Download("output"), "resize with local 3x3x3", 0, 0);
        }

        [Theory]
        [InlineData(ReduceKind.Mean)]
        [InlineData(ReduceKind.Sum)]
        public void ReduceChannels_ignores_padding_lanes_an_activation_left_non_zero(ReduceKind kind)
        {
            // Sigmoid maps the zero padding lanes of a 7-channel image to 0.5; the reduction must not count them.
            int[] input = { 2, 3, 5, 7 };
            var x = Tensors.Random(35, Tensors.Count(input));
            var sigmoid = KernelOps.Activation(input, new Act(ActivationKind.Sigmoid), _target);
            _run.Upload("input", ImageKind.InOut, input, x);
            _run.Time(sigmoid, null, new System.Collections.Generic.Dictionary<string, string> { ["input"] = "input", ["output"] = "activated" });
            var launch = Assert.Single(KernelOps.ReduceChannels(input, kind, _target));
            _run.Time(launch, null, new System.Collections.Generic.Dictionary<string, string> { ["input"] = "activated", ["output"] = "output" });
            var activated = x.Select(v => (float)(1 / (1 + System.Math.Exp(-v)))).ToArray();
            Tensors.Close(CpuReference.ReduceChannels(activated, input, kind), _run.Download("output"), "reduce_c after sigmoid", 1e-5f, 1e-5f);
        }

        [Theory]
        [InlineData(2, 3, 5, 7, 0)]
        [InlineData(1, 4, 3, 9, 0)]
        [InlineData(2, 5, 7, 3, 3)]   // a local size of 3 divides none of {1 or 2, W or H, N·H or N·C}
        [InlineData(2, 2, 9, 5, 3)]
        public void TransposeBuffer_moves_NHWC_to_NCHW_and_back_as_the_runners_conversions_do(int n, int h, int w, int c, int local)
        {
            var nchw = new[] { n, c, h, w };
            var x = Tensors.Random(41, Tensors.Count(nchw));
            var nhwcData = MaceTools.Runtime.ModelData.ToNhwc(x, nchw);
            long[]? l = local == 0 ? null : new long[] { local, local, local };
            var toNchw = KernelOps.TransposeBuffer(new[] { n, h, w, c }, true, _target);
            _run.UploadBuffer("input", nhwcData);
            _run.Time(toNchw, l);
            Tensors.Close(x, _run.Download("output"), toNchw.ToString(), 0, 0);
            var toNhwc = KernelOps.TransposeBuffer(nchw, false, _target);
            _run.UploadBuffer("input", x);
            _run.Time(toNhwc, l);
            Tensors.Close(nhwcData, _run.Download("output"), toNhwc.ToString(), 0, 0);
        }

        [Fact]
        public void ReduceChannels_with_a_local_size_that_does_not_divide_the_global_size_writes_every_output_once()
        {
            int[] input = { 2, 3, 5, 7 };
            var x = Tensors.Random(33, Tensors.Count(input));
            var launch = Assert.Single(KernelOps.ReduceChannels(input, ReduceKind.Mean, _target));
            Assert.Equal(new long[] { 1, 5, 6 }, launch.GlobalSize);
            var local = new long[] { 3, 3, 4 };
            Assert.Equal(new long[] { 3, 6, 8 }, launch.EnqueuedGlobalSize(local));
            Tensors.Close(CpuReference.ReduceChannels(x, input, ReduceKind.Mean), RunAll(new[] { launch }, input, x, local), "reduce_c with local 3x3x4");
        }

        // ---- MACE's shape -----------------------------------------------------------------------------------------

        [Fact]
        public void TransposeBuffer_has_MACEs_program_options_tuning_key_and_sizes()
        {
            var t = KernelOps.TransposeBuffer(new[] { 2, 3, 5, 7 }, true, _target);
            Assert.Equal("transpose", t.Program);
            Assert.Equal("nhwc_to_nchw", t.Kernel);
            Assert.Contains("-DIN_DATA_TYPE=float", t.Options);
            Assert.Contains("-DOUT_DATA_TYPE=float", t.Options);
            Assert.Equal(new long[] { 2, 5, 6 }, t.GlobalSize);          // {blk4(C), W, N·H}
            Assert.Equal("nhwc_to_nchw_2_7_3_5", t.TuningKey);             // the output's dims
            Assert.Equal(new long[] { 2, 4, 4 }, LocalSizes.Default(t.Rule, t.GlobalSize, 256, 65536, 8)); // {4, 4, 4} clamped
            var back = KernelOps.TransposeBuffer(new[] { 2, 7, 3, 5 }, false, _target);
            Assert.Equal("nchw_to_nhwc", back.Kernel);
            Assert.Equal(new long[] { 2, 3, 14 }, back.GlobalSize);       // {blk4(W), H, N·C}
            Assert.Equal("nchw_to_nhwc_2_3_5_7", back.TuningKey);
        }

        [Fact]
        public void ReduceChannels_has_MACEs_program_options_tuning_keys_and_global_sizes()
        {
            // 7 channels: one pass over 2 blocks; NOT_DIVISIBLE_FOUR; MACE's default 3-D local size.
            var one = Assert.Single(KernelOps.ReduceChannels(new[] { 2, 3, 5, 7 }, ReduceKind.Max, _target));
            Assert.Equal("reduce", one.Program);
            Assert.Equal("reduce_c", one.Kernel);
            Assert.Contains("-DREDUCE_TYPE=2", one.Options);
            Assert.Contains("-DNOT_DIVISIBLE_FOUR", one.Options);
            Assert.Contains("-DDATA_TYPE=float", one.Options);
            Assert.Equal("reduce_c_opencl_kernel_1_5_6", one.TuningKey);
            Assert.Equal(LocalSizeRule.Default3D, one.Rule);
            // 1030 channels (258 blocks): passes to 17, 2 and 1 blocks, each keyed by its own global size; 1032 is divisible.
            var passes = KernelOps.ReduceChannels(new[] { 1, 4, 6, 1030 }, ReduceKind.Mean, _target);
            Assert.Equal(new[] { "reduce_c_opencl_kernel_17_6_4", "reduce_c_opencl_kernel_2_6_4", "reduce_c_opencl_kernel_1_6_4" }, passes.Select(p => p.TuningKey));
            Assert.DoesNotContain("-DNOT_DIVISIBLE_FOUR", KernelOps.ReduceChannels(new[] { 1, 4, 6, 1032 }, ReduceKind.Mean, _target)[0].Options);
            // MACE before v1.1 has no GPU reduce over the channels.
            Assert.Throws<MaceException>(() => KernelOps.ReduceChannels(new[] { 1, 1, 1, 4 }, ReduceKind.Mean, new KernelTarget(MaceVersion.Parse("v1.0.4"), false, false)));
        }

        [Fact]
        public void The_new_launches_have_MACEs_program_options_tuning_key_and_global_size()
        {
            var resize = KernelOps.ResizeNearest(new[] { 1, 40, 40, 64 }, 80, 80, false, ResizeCoordinates.Asymmetric, NearestMode.Floor, _target);
            Assert.Equal("resize_nearest_neighbor", resize.Program);
            Assert.Equal("resize_nearest_neighbor_nocache", resize.Kernel);
            Assert.Contains("-DCT_MODE=0", resize.Options);
            Assert.Equal("resize_nearest_neighbor_opencl_kernel_1_80_80_64", resize.TuningKey);
            Assert.Equal(new long[] { 16, 80, 80 }, resize.GlobalSize);
            Assert.Equal(LocalSizeRule.ResizeBilinear, resize.Rule); // MACE's resize_nearest_neighbor::LocalWS is the same formula

            var deconv = KernelOps.Deconv2D(new[] { 1, 160, 160, 16 }, new[] { 1, 16, 2, 2 }, new[] { 1, 320, 320, 1 }, new[] { 2, 2 }, new[] { 0, 0 },
                true, new Act(ActivationKind.Sigmoid), _target);
            Assert.Equal("deconv_2d", deconv.Program);
            Assert.Contains("-DBIAS", deconv.Options);
            Assert.Contains("-DUSE_SIGMOID", deconv.Options);
            Assert.Equal("deconv2d_opencl_kernel_5_1_320_320_1", deconv.TuningKey);
            Assert.Equal(new long[] { 1, 64, 320 }, deconv.GlobalSize);
            Assert.Equal(LocalSizeRule.Default3D, deconv.Rule);
        }

        // ---- against ONNX's own test data ---------------------------------------------------------------------------

        [Theory]
        [InlineData("test_convtranspose")]
        [InlineData("test_convtranspose_pads")]
        [InlineData("test_convtranspose_kernel_shape")]
        public void ConvTranspose_matches_libonnx_testdata(string name)
        {
            var c = OnnxNodeCase.Load(name);
            var xs = c.Inputs[0].Shape;
            var x = MaceTools.Runtime.ModelData.ToNhwc(c.Inputs[0].Data, xs);
            var input = new[] { xs[0], xs[2], xs[3], xs[1] };
            var ws = c.Inputs[1].Shape; // IOHW
            var e = c.Outputs[0];
            var output = new[] { e.Shape[0], e.Shape[2], e.Shape[3], e.Shape[1] };
            var filter = new[] { ws[1], ws[0], ws[2], ws[3] };
            var oihw = new float[c.Inputs[1].Data.Length];
            int hw = ws[2] * ws[3];
            for (int i = 0; i < ws[0]; i++)
                for (int o = 0; o < ws[1]; o++)
                    System.Array.Copy(c.Inputs[1].Data, (i * ws[1] + o) * hw, oihw, (o * ws[0] + i) * hw, hw);
            var strides = (c.Node.GetInts("strides") ?? new long[] { 1, 1 }).Select(v => (int)v).ToArray();
            var pads = (c.Node.GetInts("pads") ?? new long[] { 0, 0, 0, 0 }).Select(v => (int)v).ToArray();
            var launch = KernelOps.Deconv2D(input, filter, output, strides, new[] { pads[0], pads[1] }, false, Act.None, _target);
            var got = _run.Run(launch, new System.Collections.Generic.Dictionary<string, float[]> { ["input"] = x, ["filter"] = oihw });
            Tensors.Close(e.Data, MaceTools.Runtime.ModelData.ToOnnx(got, e.Shape), name, 1e-4f, 1e-4f);
        }

        [Theory]
        [InlineData("test_resize_upsample_scales_nearest", ResizeCoordinates.HalfPixel, NearestMode.RoundPreferFloor)]
        [InlineData("test_resize_upsample_sizes_nearest", ResizeCoordinates.HalfPixel, NearestMode.RoundPreferFloor)]
        [InlineData("test_resize_upsample_sizes_nearest_ceil_half_pixel", ResizeCoordinates.HalfPixel, NearestMode.Ceil)]
        [InlineData("test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric", ResizeCoordinates.Asymmetric, NearestMode.RoundPreferCeil)]
        public void Resize_nearest_matches_libonnx_testdata(string name, ResizeCoordinates coords, NearestMode mode)
        {
            var c = OnnxNodeCase.Load(name);
            var xs = c.Inputs[0].Shape;
            var x = MaceTools.Runtime.ModelData.ToNhwc(c.Inputs[0].Data, xs);
            var e = c.Outputs[0];
            var launch = KernelOps.ResizeNearest(new[] { xs[0], xs[2], xs[3], xs[1] }, e.Shape[2], e.Shape[3], false, coords, mode, _target);
            var got = _run.Run(launch, new System.Collections.Generic.Dictionary<string, float[]> { ["input"] = x });
            Tensors.Close(e.Data, MaceTools.Runtime.ModelData.ToOnnx(got, e.Shape), name, 0, 0);
        }
    
        [Theory]
        [InlineData("test_reduce_mean_keepdims_example", ReduceKind.Mean)]
        [InlineData("test_reduce_mean_keepdims_random", ReduceKind.Mean)]
        [InlineData("test_reduce_mean_negative_axes_keepdims_random", ReduceKind.Mean)]
        [InlineData("test_reduce_max_keepdims_random", ReduceKind.Max)]
        [InlineData("test_reduce_min_keepdims_random", ReduceKind.Min)]
        [InlineData("test_reduce_sum_keepdims_random", ReduceKind.Sum)]
        public void ReduceChannels_matches_libonnx_testdata(string name, ReduceKind kind)
        {
            // [A, B, C] reduced over axis 1 (or -2) with keepdims: as NCHW [A, B, C, 1], the channels B of each pixel.
            var c = OnnxNodeCase.Load(name);
            var dims = c.Inputs[0].Shape;
            var axes = c.Node.GetInts("axes") ?? c.Inputs[1].Data.Select(v => (long)v).ToArray();
            Assert.Equal(3, dims.Length);
            Assert.Equal(1, (int)((axes.Single() + 3) % 3));
            var nchw = new[] { dims[0], dims[1], dims[2], 1 };
            var x = MaceTools.Runtime.ModelData.ToNhwc(c.Inputs[0].Data, nchw);
            var input = new[] { dims[0], dims[2], 1, dims[1] };
            // The output [A, 1, C] is NHWC [A, C, 1, 1]: the same order.
            Tensors.Close(c.Outputs[0].Data, RunAll(KernelOps.ReduceChannels(input, kind, _target), input, x), name, 1e-5f, 1e-5f);
        }
    }
}
