using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Kernels
{
    public static partial class KernelOps
    {
        // ---------------------------------------------------------------------------------------------------------
        // Winograd convolution (MACE v1.1.1 image path, mace/ops/opencl/image/winograd_conv2d.cc)

        /// <summary>
        /// 3x3 convolution with stride 1 and dilation 1 by Winograd F(b x b, 3x3), b = <paramref name="blockSize"/> (2 or 4),
        /// as MACE runs it when the deployment file sets winograd: three launches, in order,
        /// <list type="number">
        /// <item><c>winograd_transform_&lt;b&gt;x&lt;b&gt;</c>: "input" (IN_OUT) → "winograd_input", IN_OUT_HEIGHT [t·t, I, tiles, 1];</item>
        /// <item><c>matmul</c>: "filter" (<see cref="ImageKind.WinogradFilter2"/> or <see cref="ImageKind.WinogradFilter4"/>, made by
        /// <see cref="BufferToImage"/> from the OIHW buffer) × "winograd_input" → "winograd_output", IN_OUT_HEIGHT [t·t, O, tiles, 1];</item>
        /// <item><c>winograd_inverse_transform_&lt;b&gt;x&lt;b&gt;</c>: "winograd_output" (+ "bias", "prelu_alpha") → "output" (IN_OUT).</item>
        /// </list>
        /// t = b + 2, tiles = N·⌈outH/b⌉·⌈outW/b⌉. Filter OIHW [O, I, 3, 3]; pads {top, left}.
        /// </summary>
        public static IReadOnlyList<KernelLaunch> WinogradConv2D(int[] input, int[] filter, int[] output, int[] pads, int blockSize,
            bool bias, Activation activation, KernelTarget target, bool half = false)
        {
            CheckShape(input, nameof(input));
            CheckShape(output, nameof(output));
            if (blockSize != 2 && blockSize != 4)
                throw new ArgumentException($"the Winograd block size is 2 or 4, not {blockSize}", nameof(blockSize));
            if (filter == null || filter.Length != 4 || filter[2] != 3 || filter[3] != 3 || filter[1] != input[3] || filter[0] != output[3])
                throw new ArgumentException(
                    $"filter [{(filter == null ? "" : string.Join(", ", filter))}] is not a 3x3 OIHW filter from {input[3]} to {output[3]} channels", nameof(filter));
            if (output[0] != input[0]) throw new ArgumentException($"input batch {input[0]} and output batch {output[0]} differ", nameof(output));
            if (pads == null || pads.Length < 2 || pads[0] < 0 || pads[1] < 0)
                throw new ArgumentException("pads are {top, left}, each >= 0", nameof(pads));

            int n = input[0], inC = input[3], outH = output[1], outW = output[2], outC = output[3];
            int t = blockSize + 2, blkSqr = t * t;
            int roundH = (outH + blockSize - 1) / blockSize, roundW = (outW + blockSize - 1) / blockSize;
            int roundHw = roundH * roundW, tiles = n * roundHw;
            string b = blockSize + "x" + blockSize;
            var filterKind = blockSize == 2 ? ImageKind.WinogradFilter2 : ImageKind.WinogradFilter4;
            var tInput = new[] { blkSqr, inC, tiles, 1 };
            var tOutput = new[] { blkSqr, outC, tiles, 1 };

            var transformArgs = new List<KernelArg>
            {
                KernelArg.Image("input", "input", ImageKind.InOut, input),
                KernelArg.Image("output", "winograd_input", ImageKind.InOutHeight, tInput, output: true),
                KernelArg.Int("in_height", input[1]),
                KernelArg.Int("in_width", input[2]),
                KernelArg.Int("in_channel", inC),
                KernelArg.Int("round_hw", roundHw),
                KernelArg.Int("round_w", roundW),
                KernelArg.Int("padding_top", pads[0]),
                KernelArg.Int("padding_left", pads[1]),
            };
            // Bᵀ·d·B by rows and columns: 2·t³ multiply-adds per tile and channel (a dense count).
            var transform = new KernelLaunch("conv2d", "winograd_transform", "winograd_transform_" + b, target, DataType(half),
                new long[] { tiles, Blk4(inC) }, LocalSizeRule.Winograd, "winograd_transform_kernel_" + Dims(tInput[0], tInput[1], tInput[2]),
                transformArgs, 4.0 * t * t * t * tiles * inC);

            var matmulArgs = new List<KernelArg>
            {
                KernelArg.Image("A", "filter", filterKind, filter),
                KernelArg.Image("B", "winograd_input", ImageKind.InOutHeight, tInput),
                KernelArg.Image("C", "winograd_output", ImageKind.InOutHeight, tOutput, output: true),
                KernelArg.Int("M", outC),
                KernelArg.Int("N", tiles),
                KernelArg.Int("K", inC),
                KernelArg.Int("height_blocks", Blk4(outC)),
                KernelArg.Int("k_blocks", Blk4(inC)),
            };
            var matmul = new KernelLaunch("conv2d", "matmul", "matmul", target, DataType(half),
                new long[] { Blk4(tiles), (long)Blk4(outC) * blkSqr }, LocalSizeRule.MatMul, "matmul_opencl_kernel_" + Dims(blkSqr, outC, tiles),
                matmulArgs, 2.0 * blkSqr * outC * tiles * inC);

            // MACE inserts "-DBIAS" or an empty option (a double space in the program key).
            var inverseOptions = new List<string>(DataType(half)) { bias ? "-DBIAS" : "", activation.Option! };
            var inverseArgs = new List<KernelArg> { KernelArg.Image("input", "winograd_output", ImageKind.InOutHeight, tOutput) };
            if (bias) inverseArgs.Add(KernelArg.Image("bias", "bias", ImageKind.Argument, new[] { outC }));
            inverseArgs.AddRange(PReluArg(activation, outC));
            inverseArgs.Add(KernelArg.Image("output", "output", ImageKind.InOut, output, output: true));
            inverseArgs.Add(KernelArg.Int("out_height", outH));
            inverseArgs.Add(KernelArg.Int("out_width", outW));
            inverseArgs.Add(KernelArg.Int("round_hw", roundHw));
            inverseArgs.Add(KernelArg.Int("round_w", roundW));
            inverseArgs.AddRange(ActivationArgs(activation));
            var inverse = new KernelLaunch("conv2d", "winograd_transform", "winograd_inverse_transform_" + b, target, inverseOptions,
                new long[] { tiles, Blk4(outC) }, LocalSizeRule.Winograd,
                "winograd_inverse_transform_kernel_" + Dims(n, outH, outW, outC, tiles), inverseArgs,
                2.0 * blockSize * t * (t + blockSize) * tiles * outC);

            return new[] { transform, matmul, inverse };
        }

        /// <summary>
        /// winograd_filter_buffer_to_image_&lt;b&gt;x&lt;b&gt;: the OIHW 3x3 buffer "buffer" → G·g·Gᵀ in the image "image"
        /// (IN_OUT_HEIGHT [t·t, O, I, 1]); global size {image width, image height / t²} = {I, ⌈O/4⌉}; 2-D tuned under
        /// <c>&lt;kernel&gt;_[O, I, 3, 3]</c>. MACE has no way back (image_to_buffer), nor has this library.
        /// </summary>
        private static KernelLaunch WinogradFilterTransform(ImageKind kind, int[] shape, KernelTarget target, bool half, bool toImage)
        {
            int block = ImageLayout.WinogradBlock(kind);
            if (!toImage)
                throw Unsupported($"no image_to_buffer for the Winograd filter layout {kind}: the transform is not a relayout", "image_to_buffer");
            var (width, height) = ImageLayout.Size(kind, shape);
            int t = block + 2;
            string kernel = $"winograd_filter_buffer_to_image_{block}x{block}";
            int count = (int)ImageLayout.Count(shape);
            var args = new List<KernelArg>
            {
                KernelArg.Buffer("input", "buffer", count),
                KernelArg.Int("input_offset", 0),
                KernelArg.Int("out_channel", shape[0]),
                KernelArg.Int("in_channel", shape[1]),
                KernelArg.Image("output", "image", kind, shape, output: true),
            };
            return new KernelLaunch("buffer_to_image", "buffer_to_image", kernel, target, DataType(half),
                new[] { width, height / (t * t) }, LocalSizeRule.Transform, kernel + "_[" + string.Join(", ", shape) + "]", args,
                2.0 * (3 * t + t * t) * 3 * shape[0] * shape[1]);
        }
    }
}
