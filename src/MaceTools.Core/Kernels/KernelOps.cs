using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Kernels
{
    /// <summary>
    /// Launch descriptions per operator, following MACE's image-mode dispatch, options, work decomposition and tuning
    /// keys (mace-formats.md §3.6). Tensor names: "input" (or "input0", "input1"), "filter", "bias", "output", …;
    /// shapes are NHWC {N, H, W, C} for activations.
    /// </summary>
    public static partial class KernelOps
    {
        private static int Blk4(int c) => (c + 3) >> 2;
        private static string Dims(params int[] d) => string.Join("_", d);

        private static string[] DataType(bool half) => half
            ? new[] { "-DDATA_TYPE=half", "-DCMD_DATA_TYPE=h" }
            : new[] { "-DDATA_TYPE=float", "-DCMD_DATA_TYPE=f" };

        private static MaceException Unsupported(string message, string op) =>
            new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidArgument, message, op);

        private static void CheckShape(int[] shape, string name)
        {
            if (shape == null || shape.Length != 4 || shape.Any(d => d <= 0))
                throw new ArgumentException($"{name} must be an NHWC shape of four positive sizes, not [{(shape == null ? "" : string.Join(", ", shape))}]", name);
        }

        /// <summary>Arguments every fusing kernel takes after its output: PRelu slopes (if any) come before the output.</summary>
        private static IEnumerable<KernelArg> ActivationArgs(Activation act)
        {
            yield return KernelArg.Float("relux_max_limit", act.Kind == ActivationKind.ReluX ? act.Limit : 0f);
            yield return KernelArg.Float("activation_coefficient", act.Coefficient);
            yield return KernelArg.Float("activation_beta", act.Beta);
        }

        private static IEnumerable<KernelArg> PReluArg(Activation act, int channels)
        {
            if (act.Kind == ActivationKind.PRelu) yield return KernelArg.Image("prelu_alpha", "prelu_alpha", ImageKind.Argument, new[] { channels });
        }

        // ---------------------------------------------------------------------------------------------------------
        // Convolution

        /// <summary>The leading arguments all convolution kernels share: images, fused bias and activation, sizes.</summary>
        private static List<KernelArg> ConvArgs(int[] input, ImageKind filterKind, int[] filter, int[] output, bool bias, Activation activation)
        {
            int oc = output[3];
            var args = new List<KernelArg>
            {
                KernelArg.Image("input", "input", ImageKind.InOut, input),
                KernelArg.Image("filter", "filter", filterKind, filter),
            };
            if (bias) args.Add(KernelArg.Image("bias", "bias", ImageKind.Argument, new[] { oc }));
            args.AddRange(PReluArg(activation, oc));
            args.Add(KernelArg.Image("output", "output", ImageKind.InOut, output, output: true));
            args.AddRange(ActivationArgs(activation));
            args.Add(KernelArg.Int("in_height", input[1]));
            args.Add(KernelArg.Int("in_width", input[2]));
            args.Add(KernelArg.Int("in_ch_blks", Blk4(input[3])));
            args.Add(KernelArg.Int("out_height", output[1]));
            args.Add(KernelArg.Int("out_width", output[2]));
            return args;
        }

        /// <summary>
        /// Conv2D in MACE's dispatch: 1x1 → conv_2d_1x1, 3x3 → conv_2d_3x3, else conv_2d. Filter OIHW [O, C, KH, KW];
        /// strides/dilations {h, w}; pads {top, left} (the bottom and right follow from the output size).
        /// </summary>
        public static KernelLaunch Conv2D(int[] input, int[] filter, int[] output, int[] strides, int[] dilations, int[] pads,
            bool bias, Activation activation, KernelTarget target, bool half = false)
        {
            CheckShape(input, nameof(input));
            CheckShape(output, nameof(output));
            if (filter.Length != 4 || filter[1] != input[3] || filter[0] != output[3])
                throw new ArgumentException($"filter [{string.Join(", ", filter)}] does not map {input[3]} input to {output[3]} output channels (OIHW)", nameof(filter));
            int kh = filter[2], kw = filter[3];
            bool oneByOne = kh == 1 && kw == 1, threeByThree = kh == 3 && kw == 3;
            // MACE's GPU op refuses dilation with stride > 1; our conv_2d and conv_2d_3x3 compute it (ONNX-checked).
            if (oneByOne && (pads[0] != 0 || pads[1] != 0))
                throw Unsupported(
                    "conv2d 1x1 with padding is not implemented by MACE's GPU kernels", "conv2d");
            int n = output[0], oh = output[1], ow = output[2], oc = output[3];
            string program = oneByOne ? "conv_2d_1x1" : threeByThree ? "conv_2d_3x3" : "conv_2d";
            var options = new List<string>(DataType(half)) { activation.Option! };
            // MACE inserts "-DBIAS" or an empty option, except in the 1x1 op, which adds BIAS only when there is one.
            if (bias) options.Add("-DBIAS"); else if (!oneByOne) options.Add("");
            var args = ConvArgs(input, ImageKind.Conv2DFilter, filter, output, bias, activation);
            if (!oneByOne && !threeByThree)
            {
                args.Add(KernelArg.Int("filter_height", kh));
                args.Add(KernelArg.Int("filter_width", kw));
            }
            args.Add(KernelArg.Int("stride_h", strides[0]));
            args.Add(KernelArg.Int("stride_w", strides[1]));
            if (!oneByOne)
            {
                args.Add(KernelArg.Int("padding_top", pads[0]));
                args.Add(KernelArg.Int("padding_left", pads[1]));
                args.Add(KernelArg.Int("dilation_h", dilations[0]));
                args.Add(KernelArg.Int("dilation_w", dilations[1]));
            }
            double flops = 2.0 * n * oh * ow * oc * input[3] * kh * kw;
            if (oneByOne)
                return new KernelLaunch("conv2d", program, program, target, options, new long[] { Blk4(oc), Blk4(ow), (long)oh * n },
                    LocalSizeRule.Conv1x1, "conv2d_1x1_opencl_kernel_" + Dims(output), args, flops);
            if (threeByThree)
                return new KernelLaunch("conv2d", program, program, target, options, new long[] { Blk4(oc), (ow + 4) / 5, (long)oh * n },
                    LocalSizeRule.Conv3x3, "conv2d_3x3_opencl_kernel_" + Dims(output), args, flops);
            return new KernelLaunch("conv2d", program, program, target, options, new long[] { Blk4(oc), Blk4(ow), (long)oh * n },
                LocalSizeRule.ConvGeneral, "conv2d_general_opencl_kernel_" + Dims(output) + "_" + kh + "_" + kw, args, flops, kh * kw);
        }

        /// <summary>
        /// Depthwise Conv2D (multiplier 1): filter [1, C, KH, KW]. Stride 1 with dilation 1 uses depthwise_conv2d_s1;
        /// the stride is a build option (<c>-DSTRIDE</c>, plus <c>-DSTRIDE_W</c> where the width stride differs).
        /// </summary>
        public static KernelLaunch DepthwiseConv2D(int[] input, int[] filter, int[] output, int[] strides, int[] dilations, int[] pads,
            bool bias, Activation activation, KernelTarget target, bool half = false)
        {
            CheckShape(input, nameof(input));
            CheckShape(output, nameof(output));
            if (filter.Length != 4 || filter[0] != 1 || filter[1] != input[3] || output[3] != input[3])
                throw Unsupported(
                    $"depthwise conv2d filter [{string.Join(", ", filter)}] on {input[3]} channels: MACE's GPU kernel supports multiplier 1 only", "depthwise_conv2d");
            int kh = filter[2], kw = filter[3], c = input[3];
            bool s1 = strides[0] == 1 && strides[1] == 1 && dilations[0] == 1 && dilations[1] == 1;
            string kernel = s1 ? "depthwise_conv2d_s1" : "depthwise_conv2d";
            var options = new List<string>(DataType(half)) { activation.Option!, bias ? "-DBIAS" : "", "-DSTRIDE=" + strides[0] };
            // MACE's GPU op refuses unequal strides (it runs them on the CPU); ours takes the width stride as an extra option.
            if (strides[1] != strides[0]) options.Add("-DSTRIDE_W=" + strides[1]);
            var args = ConvArgs(input, ImageKind.DwConv2DFilter, filter, output, bias, activation);
            args.Add(KernelArg.Int("filter_height", kh));
            args.Add(KernelArg.Int("filter_width", kw));
            args.Add(KernelArg.Int("padding_top", pads[0]));
            args.Add(KernelArg.Int("padding_left", pads[1]));
            if (!s1)
            {
                args.Add(KernelArg.Int("dilation_h", dilations[0]));
                args.Add(KernelArg.Int("dilation_w", dilations[1]));
            }
            var gws = new long[] { Blk4(c), Blk4(output[2]), (long)output[1] * output[0] };
            double flops = 2.0 * output[0] * output[1] * output[2] * c * kh * kw;
            return new KernelLaunch("depthwise_conv2d", "depthwise_conv2d", kernel, target, options, gws, LocalSizeRule.Depthwise,
                $"depthwise_conv2d_ocl_kernel_{gws[0]}_{gws[1]}_{gws[2]}_1", args, flops);
        }

        // ---------------------------------------------------------------------------------------------------------
        // Pooling, reduction

        /// <summary>Max or average pooling; kernel {kh, kw}, strides {h, w}, pads {top, left}. Averages exclude padding.</summary>
        public static KernelLaunch Pooling(int[] input, int[] output, PoolingKind kind, int[] kernel, int[] strides, int[] pads,
            KernelTarget target, bool half = false)
        {
            CheckShape(input, nameof(input));
            CheckShape(output, nameof(output));
            var options = new List<string>(DataType(half));
            if (kind == PoolingKind.Average) options.Add("-DPOOL_AVG");
            var args = new List<KernelArg>
            {
                KernelArg.Image("input", "input", ImageKind.InOut, input),
                KernelArg.Int("in_height", input[1]), KernelArg.Int("in_width", input[2]), KernelArg.Int("out_height", output[1]),
                KernelArg.Int("pad_top", pads[0]), KernelArg.Int("pad_left", pads[1]),
                KernelArg.Int("stride_h", strides[0]), KernelArg.Int("stride_w", strides[1]),
                KernelArg.Int("pooling_h", kernel[0]), KernelArg.Int("pooling_w", kernel[1]),
                KernelArg.Image("output", "output", ImageKind.InOut, output, output: true),
            };
            return new KernelLaunch("pooling", "pooling", "pooling", target, options,
                new long[] { Blk4(output[3]), output[2], (long)output[0] * output[1] }, LocalSizeRule.Pooling,
                "pooling_opencl_kernel__" + Dims(output), args, (double)ImageLayout.Count(output) * kernel[0] * kernel[1]);
        }

        /// <summary>
        /// Reduction over H and W to [N, 1, 1, C], as MACE's ReduceHW: from v1.1, passes of <c>reduce_hw</c> over 16x16
        /// tiles (intermediate tensors "reduce_pass1", "reduce_pass2", …; always <c>-DNOT_DIVISIBLE_FOUR</c>, a default
        /// argument in MACE v1.1.1); before (observed at v0.12), one work-group <c>reduce</c> with local memory and
        /// <c>-DNON_QUALCOMM_ADRENO</c>, not tuned.
        /// </summary>
        public static IReadOnlyList<KernelLaunch> Reduce(int[] input, ReduceKind kind, KernelTarget target, bool half = false)
        {
            CheckShape(input, nameof(input));
            int n = input[0], c = input[3];
            var output = new[] { n, 1, 1, c };
            var options = new List<string>(DataType(half)) { "-DREDUCE_TYPE=" + (int)kind };
            double flops = ImageLayout.Count(input);
            if (!target.Version.AtLeast(1, 1, 0))
            {
                if (!target.Adreno) options.Add("-DNON_QUALCOMM_ADRENO");
                // MACE: group = min(2·sqrt(H·W), kwg) items as {4, group/4}; 256 stands in for kwg, which every GPU allows.
                int group = Math.Min(2 * (int)Math.Sqrt((double)input[1] * input[2]), 256);
                var g = new long[] { 4, Math.Max(group / 4, 1), (long)n * Blk4(c) };
                var oldArgs = new List<KernelArg>
                {
                    KernelArg.Image("input", "input", ImageKind.InOut, input), KernelArg.Local("scratch", 4),
                    KernelArg.Int("in_height", input[1]), KernelArg.Int("in_width", input[2]), KernelArg.Int("channels", c),
                    KernelArg.Image("output", "output", ImageKind.InOut, output, output: true),
                };
                if (c % 4 != 0) options.Add("-DNOT_DIVISIBLE_FOUR");
                return new[] { new KernelLaunch("reduce", "reduce", "reduce", target, options, g, LocalSizeRule.Reduce, null, oldArgs, flops) };
            }
            options.Add("-DNOT_DIVISIBLE_FOUR");
            const int Tile = 16;
            var launches = new List<KernelLaunch>();
            int inH = input[1], inW = input[2], pass = 0;
            string source = "input";
            while (true)
            {
                bool last = inH <= Tile && inW <= Tile;
                int outH = last ? 1 : (inH + Tile - 1) / Tile, outW = last ? 1 : (inW + Tile - 1) / Tile;
                string target_ = last ? "output" : "reduce_pass" + (++pass);
                var inShape = new[] { n, inH, inW, c };
                var outShape = new[] { n, outH, outW, c };
                var gws = new long[] { outW, outH, (long)n * Blk4(c) };
                var args = new List<KernelArg>
                {
                    KernelArg.Image("input", source, ImageKind.InOut, inShape),
                    KernelArg.Int("out_height", outH), KernelArg.Int("out_width", outW),
                    KernelArg.Int("in_height", inH), KernelArg.Int("in_width", inW),
                    KernelArg.Int("org_height", input[1]), KernelArg.Int("org_width", input[2]),
                    KernelArg.Int("channel_blocks", Blk4(c)),
                    KernelArg.Image("output", target_, ImageKind.InOut, outShape, output: true),
                };
                launches.Add(new KernelLaunch("reduce", "reduce", "reduce_hw", target, options, gws, LocalSizeRule.Default3D,
                    $"reduce_hw_opencl_kernel_{gws[0]}_{gws[1]}_{gws[2]}", args, (double)ImageLayout.Count(inShape)));
                if (last) return launches;
                source = target_;
                inH = outH;
                inW = outW;
            }
        }

        /// <summary>
        /// Reduction over the channels to [N, H, W, 1], as MACE v1.1's ReduceC: passes of <c>reduce_c</c> that fold at most 16
        /// channel blocks each (intermediate tensors "reduce_pass1", …, [N, H, W, 4·blocks]) until one block is left, the last
        /// folding its four lanes. Options: the float data type, <c>-DREDUCE_TYPE</c>, and <c>-DNOT_DIVISIBLE_FOUR</c> when
        /// C % 4 != 0; global size {blocks out, W, N·H}, MACE's default 3-D local size, tuning key
        /// <c>reduce_c_opencl_kernel_{g0}_{g1}_{g2}</c>. MACE before v1.1 has no GPU reduce over the channels.
        /// </summary>
        public static IReadOnlyList<KernelLaunch> ReduceChannels(int[] input, ReduceKind kind, KernelTarget target)
        {
            CheckShape(input, nameof(input));
            if (!target.Version.AtLeast(1, 1, 0))
                throw new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidArgument, $"MACE {target.Version} has no GPU reduce over the channels (reduce_c is v1.1's)", "reduce_c");
            int n = input[0], h = input[1], w = input[2], c = input[3];
            var options = new List<string>(DataType(false)) { "-DREDUCE_TYPE=" + (int)kind };
            if (c % 4 != 0) options.Add("-DNOT_DIVISIBLE_FOUR");
            const int Tile = 16;
            var launches = new List<KernelLaunch>();
            int inBlocks = Blk4(c), pass = 0;
            string source = "input";
            void Pass(int outBlocks, string output)
            {
                var inShape = new[] { n, h, w, 4 * inBlocks };
                var outShape = new[] { n, h, w, outBlocks == 1 && output == "output" ? 1 : 4 * outBlocks };
                var gws = new long[] { outBlocks, w, (long)n * h };
                var args = new List<KernelArg>
                {
                    KernelArg.Image("input", source, ImageKind.InOut, source == "input" ? input : inShape),
                    KernelArg.Int("height", h), KernelArg.Int("width", w), KernelArg.Int("channels", c),
                    KernelArg.Int("channel_blocks", Blk4(c)), KernelArg.Int("in_ch_blks", inBlocks),
                    KernelArg.Image("output", output, ImageKind.InOut, outShape, output: true),
                };
                launches.Add(new KernelLaunch("reduce", "reduce", "reduce_c", target, options, gws, LocalSizeRule.Default3D,
                    $"reduce_c_opencl_kernel_{gws[0]}_{gws[1]}_{gws[2]}", args, (double)n * h * w * 4 * inBlocks));
                source = output;
                inBlocks = outBlocks;
            }
            // MACE's ReduceC: one pass when 16 blocks or fewer; else a first pass, further passes while more than one
            // block would be left, and the last pass to one value.
            if (inBlocks > Tile)
            {
                Pass((inBlocks + Tile - 1) / Tile, "reduce_pass" + (++pass));
                while (inBlocks > Tile) Pass((inBlocks + Tile - 1) / Tile, "reduce_pass" + (++pass));
            }
            Pass(1, "output");
            return launches;
        }

        /// <summary>
        /// MACE v1.1's buffer transpose (program <c>transpose</c>): <c>nhwc_to_nchw</c> of an NHWC buffer
        /// <paramref name="input"/> [N, H, W, C], or <c>nchw_to_nhwc</c> of an NCHW buffer [N, C, H, W]. Global size
        /// {ceil(d3/4), d2, d1·d0} of the input dims, local size {4, 4, 4} clamped to it, tuning key
        /// <c>{kernel}_{output dims}</c>, options <c>-DIN_DATA_TYPE=float -DOUT_DATA_TYPE=float</c>. MACE's GPU Reshape
        /// uses the pair to reshape an image in NCHW order; it has no other GPU permutation.
        /// </summary>
        public static KernelLaunch TransposeBuffer(int[] input, bool toNchw, KernelTarget target)
        {
            CheckShape(input, nameof(input));
            string kernel = toNchw ? "nhwc_to_nchw" : "nchw_to_nhwc";
            var output = toNchw ? new[] { input[0], input[3], input[1], input[2] } : new[] { input[0], input[2], input[3], input[1] };
            int count = (int)ImageLayout.Count(input);
            var args = new List<KernelArg>
            {
                KernelArg.Buffer("input", "input", count),
                KernelArg.Int(toNchw ? "in_height" : "in_channel", input[1]), KernelArg.Int(toNchw ? "in_channel" : "in_width", input[3]),
                KernelArg.Buffer("output", "output", count, output: true),
            };
            return new KernelLaunch("reshape", "transpose", kernel, target, new[] { "-DIN_DATA_TYPE=float", "-DOUT_DATA_TYPE=float" },
                new long[] { Blk4(input[3]), input[2], (long)input[1] * input[0] }, LocalSizeRule.BufferTranspose,
                kernel + "_" + Dims(output), args, count);
        }

        // ---------------------------------------------------------------------------------------------------------
        // Element-wise

        /// <summary>
        /// Eltwise of input0 [N, H, W, C] with input1 shaped by <paramref name="broadcast"/> (or the scalar
        /// <paramref name="scalar"/>). <paramref name="coefficients"/> makes a SUM a weighted sum (COEFF_SUM); for CLIP
        /// they are the bounds.
        /// </summary>
        public static KernelLaunch Eltwise(EltwiseKind kind, int[] input0, EltwiseBroadcast broadcast, KernelTarget target,
            float scalar = 0f, float[]? coefficients = null, bool swapped = false, bool half = false)
        {
            CheckShape(input0, nameof(input0));
            if (kind == EltwiseKind.Equal)
                throw Unsupported(
                    "eltwise EQUAL is rejected on the GPU by MACE", "eltwise");
            int n = input0[0], h = input0[1], w = input0[2], c = input0[3];
            var options = new List<string>(DataType(half)) { "-DELTWISE_TYPE=" + (int)kind };
            bool oldStyle = !target.Version.AtLeast(0, 13, 0);
            int typeNumber = broadcast switch
            {
                EltwiseBroadcast.Scalar => 1, EltwiseBroadcast.BatchVector => 2, EltwiseBroadcast.Vector => 3, EltwiseBroadcast.Channel => 4, _ => 0,
            };
            if (typeNumber != 0)
                options.Add(oldStyle ? "-DINPUT_TYPE=" + typeNumber : broadcast switch
                {
                    EltwiseBroadcast.Scalar => "-DINPUT_SCALAR",
                    EltwiseBroadcast.BatchVector => "-DINPUT_BATCH_VECTOR",
                    EltwiseBroadcast.Vector => "-DINPUT_VECTOR",
                    _ => "-DINPUT_TENSOR_BC_CHAN",
                });
            if (swapped) options.Add("-DSWAPPED");
            if (!oldStyle && c % 4 != 0) options.Add("-DNOT_DIVISIBLE_FOUR");
            bool coeffSum = kind == EltwiseKind.Sum && coefficients != null;
            if (coeffSum) options.Add("-DCOEFF_SUM");
            var args = new List<KernelArg> { KernelArg.Image("input0", "input0", ImageKind.InOut, input0) };
            switch (broadcast)
            {
                case EltwiseBroadcast.Tensor: args.Add(KernelArg.Image("input1", "input1", ImageKind.InOut, input0)); break;
                case EltwiseBroadcast.BatchVector: args.Add(KernelArg.Image("input1", "input1", ImageKind.InOut, new[] { n, 1, 1, c })); break;
                case EltwiseBroadcast.Vector: args.Add(KernelArg.Image("input1", "input1", ImageKind.Argument, new[] { c })); break;
                case EltwiseBroadcast.Channel: args.Add(KernelArg.Image("input1", "input1", ImageKind.InOut, new[] { n, h, w, 1 })); break;
                default: args.Add(KernelArg.Image("input1", "input0", ImageKind.InOut, input0)); break; // a scalar op still binds an image
            }
            args.Add(KernelArg.Float("value", scalar));
            args.Add(KernelArg.Int("height", h));
            args.Add(KernelArg.Int("width", w));
            args.Add(KernelArg.Int("channel", c));
            args.Add(KernelArg.Float("coeff0", coefficients != null && coefficients.Length > 0 ? coefficients[0] : 1f));
            args.Add(KernelArg.Float("coeff1", coefficients != null && coefficients.Length > 1 ? coefficients[1] : 1f));
            args.Add(KernelArg.Image("output", "output", ImageKind.InOut, input0, output: true));
            return new KernelLaunch("eltwise", "eltwise", "eltwise", target, options, new long[] { Blk4(c), w, (long)n * h },
                LocalSizeRule.Default3D, "eltwise_opencl_kernel_" + Dims(input0), args, ImageLayout.Count(input0));
        }

        /// <summary>A stand-alone activation (its tuning key starts with the activation's name).</summary>
        public static KernelLaunch Activation(int[] shape, Activation activation, KernelTarget target, bool half = false)
        {
            CheckShape(shape, nameof(shape));
            if (activation.Kind == ActivationKind.None) throw new ArgumentException("an activation op needs an activation", nameof(activation));
            var args = new List<KernelArg> { KernelArg.Image("input", "input", ImageKind.InOut, shape) };
            args.AddRange(PReluArg(activation, shape[3]));
            args.AddRange(ActivationArgs(activation));
            args.Add(KernelArg.Image("output", "output", ImageKind.InOut, shape, output: true));
            return new KernelLaunch("activation", "activation", "activation", target, new List<string>(DataType(half)) { activation.Option! },
                new long[] { Blk4(shape[3]), shape[2], (long)shape[1] * shape[0] }, LocalSizeRule.Default3D,
                activation.Kind.ToString().ToLowerInvariant() + "_opencl_kernel_" + Dims(shape), args, ImageLayout.Count(shape));
        }

        /// <summary>Batch normalisation (<paramref name="folded"/>: scale and offset already carry mean and variance).</summary>
        public static KernelLaunch BatchNorm(int[] shape, bool folded, float epsilon, Activation activation, KernelTarget target, bool half = false)
        {
            CheckShape(shape, nameof(shape));
            int c = shape[3];
            var options = new List<string>(DataType(half)) { activation.Option! };
            if (folded) options.Add("-DFOLDED_CONSTANT");
            var args = new List<KernelArg>
            {
                KernelArg.Image("input", "input", ImageKind.InOut, shape),
                KernelArg.Image("scale", "scale", ImageKind.Argument, new[] { c }),
                KernelArg.Image("offset", "offset", ImageKind.Argument, new[] { c }),
            };
            if (!folded)
            {
                args.Add(KernelArg.Image("mean", "mean", ImageKind.Argument, new[] { c }));
                args.Add(KernelArg.Image("var", "var", ImageKind.Argument, new[] { c }));
                args.Add(KernelArg.Float("epsilon", epsilon));
            }
            args.AddRange(PReluArg(activation, c));
            args.AddRange(ActivationArgs(activation));
            args.Add(KernelArg.Image("output", "output", ImageKind.InOut, shape, output: true));
            return new KernelLaunch("batch_norm", "batch_norm", "batch_norm", target, options,
                new long[] { Blk4(c), shape[2], (long)shape[1] * shape[0] }, LocalSizeRule.Default3D,
                "batch_norm_opencl_kernel_" + Dims(shape), args, 2.0 * ImageLayout.Count(shape));
        }

        /// <summary>Softmax over the channels; a 2-D input [N, C] is passed as [N, 1, 1, C], as MACE does.</summary>
        public static KernelLaunch Softmax(int[] shape, KernelTarget target, bool log = false, bool half = false)
        {
            CheckShape(shape, nameof(shape));
            var options = new List<string>(DataType(half));
            if (log) options.Add("-DUSE_LOG");
            var args = new List<KernelArg>
            {
                KernelArg.Image("input", "input", ImageKind.InOut, shape),
                KernelArg.Int("channels", shape[3]),
                KernelArg.Image("output", "output", ImageKind.InOut, shape, output: true),
            };
            return new KernelLaunch("softmax", "softmax", "softmax", target, options,
                new long[] { Blk4(shape[3]), shape[2], (long)shape[1] * shape[0] }, LocalSizeRule.Softmax,
                "softmax_opencl_kernel_" + Dims(shape), args, 3.0 * ImageLayout.Count(shape));
        }

        /// <summary>
        /// Fully connected on an [N, H, W, C] input with weight [O, C, H, W] (WEIGHT_WIDTH): fully_connected_width, not
        /// tuned by MACE; a local scratch of 4 bytes per work-item.
        /// </summary>
        public static KernelLaunch FullyConnected(int[] input, int outputs, bool bias, Activation activation, KernelTarget target,
            int adrenoWaveSize = 64, bool half = false)
        {
            CheckShape(input, nameof(input));
            int n = input[0];
            var options = new List<string>(DataType(half)) { activation.Option! };
            if (bias) options.Add("-DBIAS");
            if (!target.Adreno) options.Add("-DNON_QUALCOMM_ADRENO");
            var weight = new[] { outputs, input[3], input[1], input[2] };
            var args = new List<KernelArg>
            {
                KernelArg.Image("input", "input", ImageKind.InOut, input),
                KernelArg.Image("weight", "weight", ImageKind.WeightWidth, weight),
            };
            if (bias) args.Add(KernelArg.Image("bias", "bias", ImageKind.Argument, new[] { outputs }));
            args.AddRange(PReluArg(activation, outputs));
            args.Add(KernelArg.Image("output", "output", ImageKind.InOut, new[] { n, 1, 1, outputs }, output: true));
            args.Add(KernelArg.Local("scratch", 4));
            args.AddRange(ActivationArgs(activation));
            args.Add(KernelArg.Int("input_height", input[1]));
            args.Add(KernelArg.Int("input_width", input[2]));
            args.Add(KernelArg.Int("in_ch_blks", Blk4(input[3])));
            args.Add(KernelArg.Int("out_blks", Blk4(outputs)));
            var gws = target.Adreno ? new long[] { 4, adrenoWaveSize / 4, (long)n * Blk4(outputs) } : new long[] { 4, 8, (long)n * Blk4(outputs) };
            return new KernelLaunch("fully_connected", "fully_connected", "fully_connected_width", target, options, gws,
                LocalSizeRule.FullyConnected, null, args, 2.0 * n * outputs * input[1] * input[2] * input[3]);
        }

        /// <summary>
        /// Concatenation along the channels: two inputs with one concat_channel launch; more inputs with one
        /// concat_channel_multi launch each (every input but the last a multiple of four channels), as MACE does.
        /// </summary>
        public static IReadOnlyList<KernelLaunch> Concat(IReadOnlyList<int[]> inputs, KernelTarget target, bool half = false)
        {
            if (inputs.Count < 2) throw new ArgumentException("concat needs at least two inputs", nameof(inputs));
            foreach (var s in inputs) CheckShape(s, nameof(inputs));
            int n = inputs[0][0], h = inputs[0][1], w = inputs[0][2];
            if (inputs.Any(s => s[0] != n || s[1] != h || s[2] != w))
                throw new ArgumentException("concat inputs must agree in N, H and W", nameof(inputs));
            var output = new[] { n, h, w, inputs.Sum(s => s[3]) };
            if (inputs.Count == 2)
            {
                var options = new List<string>(DataType(half));
                if (inputs[0][3] % 4 == 0) options.Add("-DDIVISIBLE_FOUR");
                var args = new List<KernelArg>
                {
                    KernelArg.Image("input0", "input0", ImageKind.InOut, inputs[0]),
                    KernelArg.Image("input1", "input1", ImageKind.InOut, inputs[1]),
                    KernelArg.Int("input0_chan", inputs[0][3]),
                    KernelArg.Image("output", "output", ImageKind.InOut, output, output: true),
                };
                return new[] { new KernelLaunch("concat", "concat", "concat_channel", target, options,
                    new long[] { Blk4(output[3]), w, (long)n * h }, LocalSizeRule.Concat, "concat_opencl_kernel_" + Dims(output), args, ImageLayout.Count(output)) };
            }
            for (int i = 0; i < inputs.Count - 1; i++)
                if (inputs[i][3] % 4 != 0)
                    throw Unsupported(
                        $"concat of {inputs.Count} inputs needs every input but the last to have a multiple of four channels; input {i} has {inputs[i][3]}", "concat");
            var launches = new List<KernelLaunch>();
            int offset = 0;
            for (int i = 0; i < inputs.Count; i++)
            {
                var args = new List<KernelArg>
                {
                    KernelArg.Image("input", "input" + i, ImageKind.InOut, inputs[i]),
                    KernelArg.Int("chan_blk_offset", offset / 4),
                    KernelArg.Image("output", "output", ImageKind.InOut, output, output: true),
                };
                // From v0.12 MACE builds concat_channel_multi in float; before, in the tensors' type.
                launches.Add(new KernelLaunch("concat", "concat", "concat_channel_multi", target, DataType(half && !target.Version.AtLeast(0, 12, 0)),
                    new long[] { Blk4(inputs[i][3]), w, (long)n * h }, LocalSizeRule.Concat, null, args, ImageLayout.Count(inputs[i])));
                offset += inputs[i][3];
            }
            return launches;
        }

        /// <summary>Bilinear resize to {outH, outW}. <c>-DCT_MODE</c> exists from MACE v1.1 (absent in the v0.10 and v0.12 keys).</summary>
        public static KernelLaunch ResizeBilinear(int[] input, int outHeight, int outWidth, bool alignCorners, ResizeCoordinates coordinates,
            KernelTarget target, bool half = false)
        {
            CheckShape(input, nameof(input));
            int n = input[0], c = input[3];
            var output = new[] { n, outHeight, outWidth, c };
            var options = new List<string>(DataType(half));
            if (target.Version.AtLeast(1, 1, 0)) options.Add("-DCT_MODE=" + (int)coordinates);
            else if (coordinates != ResizeCoordinates.Asymmetric)
                throw Unsupported(
                    $"resize_bilinear with {coordinates} coordinates needs MACE v1.1 or later (target {target.Version})", "resize_bilinear");
            var args = ResizeArgs(input, output, alignCorners);
            return new KernelLaunch("resize_bilinear", "resize_bilinear", "resize_bilinear_nocache", target, options,
                new long[] { Blk4(c), outWidth, (long)outHeight * n }, LocalSizeRule.ResizeBilinear,
                "resize_bilinear_opencl_kernel_" + Dims(output), args, 8.0 * ImageLayout.Count(output));
        }

        /// <summary>The arguments both of MACE's resize kernels begin with: images, scales (align-corners or not), sizes.</summary>
        private static List<KernelArg> ResizeArgs(int[] input, int[] output, bool alignCorners)
        {
            float Scale(int inSize, int outSize) => alignCorners && outSize > 1 ? (inSize - 1) / (float)(outSize - 1) : inSize / (float)outSize;
            return new List<KernelArg>
            {
                KernelArg.Image("input", "input", ImageKind.InOut, input),
                KernelArg.Image("output", "output", ImageKind.InOut, output, output: true),
                KernelArg.Float("height_scale", Scale(input[1], output[1])),
                KernelArg.Float("width_scale", Scale(input[2], output[2])),
                KernelArg.Int("in_height", input[1]),
                KernelArg.Int("in_width", input[2]),
                KernelArg.Int("out_height", output[1]),
            };
        }

        /// <summary>
        /// Nearest-neighbour resize to {outH, outW} (MACE's resize_nearest_neighbor_nocache). From MACE v1.1 the
        /// coordinate transform (<c>-DCT_MODE</c>) and the rounding (<c>-DNEAREST_MODE</c>) are build options; before,
        /// only asymmetric coordinates with floor (round under align-corners) exist. Default local size: the resize rule.
        /// </summary>
        public static KernelLaunch ResizeNearest(int[] input, int outHeight, int outWidth, bool alignCorners, ResizeCoordinates coordinates,
            NearestMode nearest, KernelTarget target, bool half = false)
        {
            CheckShape(input, nameof(input));
            int n = input[0], c = input[3];
            var output = new[] { n, outHeight, outWidth, c };
            var options = new List<string>(DataType(half));
            if (target.Version.AtLeast(1, 1, 0))
            {
                options.Add("-DCT_MODE=" + (int)coordinates);
                options.Add("-DNEAREST_MODE=" + (int)nearest);
            }
            else if (coordinates != ResizeCoordinates.Asymmetric || nearest != (alignCorners ? NearestMode.RoundPreferCeil : NearestMode.Floor))
                throw Unsupported(
                    $"resize_nearest_neighbor with {coordinates} coordinates and {nearest} rounding needs MACE v1.1 or later (target {target.Version})", "resize_nearest_neighbor");
            var args = ResizeArgs(input, output, alignCorners);
            args.Add(KernelArg.Int("align_corner", alignCorners ? 1 : 0));
            return new KernelLaunch("resize_nearest_neighbor", "resize_nearest_neighbor", "resize_nearest_neighbor_nocache", target, options,
                new long[] { Blk4(c), outWidth, (long)outHeight * n }, LocalSizeRule.ResizeBilinear,
                "resize_nearest_neighbor_opencl_kernel_" + Dims(output), args, ImageLayout.Count(output));
        }

        /// <summary>
        /// Transposed convolution (ONNX ConvTranspose, group 1) as MACE's deconv_2d: filter OIHW [O, I, KH, KW] (ONNX's
        /// IOHW weight transposed by the converter), strides {h, w}, pads {top, left}; the output shape is given (it carries
        /// output_padding and the bottom/right pads). Global size {⌈O/4⌉, ⌈⌈W/sw⌉/5⌉·sw, H·N}, Default3D local size, tuning
        /// key <c>deconv2d_opencl_kernel_&lt;activation&gt;_N_H_W_C</c> (MACE's ActivationType number).
        /// </summary>
        public static KernelLaunch Deconv2D(int[] input, int[] filter, int[] output, int[] strides, int[] pads,
            bool bias, Activation activation, KernelTarget target, bool half = false)
        {
            CheckShape(input, nameof(input));
            CheckShape(output, nameof(output));
            if (filter.Length != 4 || filter[1] != input[3] || filter[0] != output[3])
                throw new ArgumentException($"filter [{string.Join(", ", filter)}] does not map {input[3]} input to {output[3]} output channels (OIHW)", nameof(filter));
            if (strides[0] <= 0 || strides[1] <= 0) throw new ArgumentException("strides must be positive", nameof(strides));
            int n = output[0], oh = output[1], ow = output[2], oc = output[3], sw = strides[1];
            var options = new List<string>(DataType(half)) { activation.Option!, bias ? "-DBIAS" : "" };
            var args = ConvArgs(input, ImageKind.Conv2DFilter, filter, output, bias, activation);
            args.Add(KernelArg.Int("stride_h", strides[0]));
            args.Add(KernelArg.Int("stride_w", sw));
            args.Add(KernelArg.Int("padding_top", pads[0]));
            args.Add(KernelArg.Int("padding_left", pads[1]));
            args.Add(KernelArg.Int("filter_height", filter[2]));
            args.Add(KernelArg.Int("filter_width", filter[3]));
            long widthBlocks = ((ow + sw - 1) / sw + 4) / 5 * (long)sw;
            return new KernelLaunch("deconv2d", "deconv_2d", "deconv_2d", target, options, new long[] { Blk4(oc), widthBlocks, (long)oh * n },
                LocalSizeRule.Default3D, $"deconv2d_opencl_kernel_{(int)activation.Kind}_{Dims(output)}", args,
                2.0 * input[0] * input[1] * input[2] * input[3] * oc * filter[2] * filter[3]);
        }

        /// <summary>Spatial padding {top, left, bottom, right} of an IN_OUT image.</summary>
        public static KernelLaunch Pad(int[] input, int[] pads, PadMode mode, float constant, KernelTarget target, bool half = false)
        {
            CheckShape(input, nameof(input));
            if (pads.Length != 4 || pads.Any(p => p < 0)) throw new ArgumentException("pads are {top, left, bottom, right}, each >= 0", nameof(pads));
            if (mode == PadMode.Reflect && (pads[0] >= input[1] || pads[2] >= input[1] || pads[1] >= input[2] || pads[3] >= input[2]) ||
                mode == PadMode.Symmetric && (pads[0] > input[1] || pads[2] > input[1] || pads[1] > input[2] || pads[3] > input[2]))
                throw new ArgumentException($"{mode} padding [{string.Join(", ", pads)}] is larger than the input [{string.Join(", ", input)}] allows", nameof(pads));
            var output = new[] { input[0], input[1] + pads[0] + pads[2], input[2] + pads[1] + pads[3], input[3] };
            var args = new List<KernelArg>
            {
                KernelArg.Image("input", "input", ImageKind.InOut, input),
                KernelArg.Image("output", "output", ImageKind.InOut, output, output: true),
                KernelArg.Float("constant_value", constant),
                KernelArg.Int("input_height", input[1]),
                KernelArg.Int("input_width", input[2]),
                KernelArg.Int("output_height", output[1]),
                KernelArg.Int("height_padding", pads[0]),
                KernelArg.Int("width_padding", pads[1]),
            };
            return new KernelLaunch("pad", "pad", "pad", target, new List<string>(DataType(half)) { "-DPAD_TYPE=" + (int)mode },
                new long[] { Blk4(output[3]), output[2], (long)output[1] * output[0] }, LocalSizeRule.Default3D,
                "pad_opencl_kernel_" + Dims(output), args, ImageLayout.Count(output));
        }

        // ---------------------------------------------------------------------------------------------------------
        // Transforms between buffers and images

        private static string TransformName(ImageKind kind) => kind switch
        {
            ImageKind.InOut => "in_out",
            ImageKind.Conv2DFilter => "filter",
            ImageKind.DwConv2DFilter => "dw_filter",
            ImageKind.Argument => "arg",
            ImageKind.WeightWidth => "weight_width",
            ImageKind.WeightHeight => "weight_height",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        /// <summary>
        /// buffer_to_image for a tensor of <paramref name="shape"/> in <paramref name="kind"/> layout: reads the plain
        /// buffer "buffer", writes the image "image". 2-D, tuned under <c>&lt;kernel&gt;_[shape]</c>.
        /// </summary>
        public static KernelLaunch BufferToImage(ImageKind kind, int[] shape, KernelTarget target, bool half = false) =>
            Transform(kind, shape, target, half, toImage: true);

        /// <summary>image_to_buffer: reads the image "image", writes the plain buffer "buffer".</summary>
        public static KernelLaunch ImageToBuffer(ImageKind kind, int[] shape, KernelTarget target, bool half = false) =>
            Transform(kind, shape, target, half, toImage: false);

        private static KernelLaunch Transform(ImageKind kind, int[] shape, KernelTarget target, bool half, bool toImage)
        {
            if (ImageLayout.WinogradBlock(kind) != 0) return WinogradFilterTransform(kind, shape, target, half, toImage);
            var (width, height) = ImageLayout.Size(kind, shape);
            string kernel = TransformName(kind) + (toImage ? "_buffer_to_image" : "_image_to_buffer");
            int count = (int)ImageLayout.Count(shape);
            var args = new List<KernelArg> { KernelArg.Buffer(toImage ? "input" : "output", "buffer", count, output: !toImage) };
            if (toImage) args.Add(KernelArg.Int("input_offset", 0));
            switch (kind)
            {
                case ImageKind.InOut: args.Add(KernelArg.Int("height", shape[1])); args.Add(KernelArg.Int("width", shape[2])); args.Add(KernelArg.Int("channels", shape[3])); break;
                case ImageKind.Conv2DFilter:
                    args.Add(KernelArg.Int("out_channel", shape[0])); args.Add(KernelArg.Int("filter_h", shape[2])); args.Add(KernelArg.Int("filter_w", shape[3]));
                    args.Add(KernelArg.Int("inner_size", shape[1] * shape[2] * shape[3]));
                    break;
                case ImageKind.DwConv2DFilter: args.Add(KernelArg.Int("filter_h", shape[2])); args.Add(KernelArg.Int("filter_w", shape[3])); args.Add(KernelArg.Int("in_channel", shape[1])); break;
                case ImageKind.Argument: args.Add(KernelArg.Int("count", shape[0])); break;
                case ImageKind.WeightWidth: args.Add(KernelArg.Int("in_channel", shape[1])); args.Add(KernelArg.Int("height", shape[2])); args.Add(KernelArg.Int("width", shape[3])); break;
                case ImageKind.WeightHeight:
                    args.Add(KernelArg.Int("out_channel", shape[0])); args.Add(KernelArg.Int("in_channel", shape[1]));
                    args.Add(KernelArg.Int("height", shape[2])); args.Add(KernelArg.Int("width", shape[3]));
                    break;
            }
            args.Add(KernelArg.Image(toImage ? "output" : "input", "image", kind, shape, output: toImage));
            return new KernelLaunch(toImage ? "buffer_to_image" : "image_to_buffer", "buffer_to_image", kernel, target, DataType(half),
                new[] { width, height }, kind == ImageKind.Conv2DFilter ? LocalSizeRule.FilterTransform : LocalSizeRule.Transform,
                kernel + "_[" + string.Join(", ", shape) + "]", args, count);
        }
    }
}
