using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Kernels
{
    /// <summary>
    /// Plain CPU reference implementations of the operators the OpenCL kernels compute, on NHWC float tensors. This is the
    /// ground truth the kernels are tested against, so every operator is written as simple nested loops straight from its
    /// definition (sums are accumulated in double). Shapes are <c>int[4] {N, H, W, C}</c>; data is row-major NHWC, element
    /// (n, h, w, c) at <c>((n*H + h)*W + w)*C + c</c>. Arguments are validated (an <see cref="ArgumentException"/> names the
    /// argument) and every result is a new array.
    /// </summary>
    public static class CpuReference
    {
        // ------------------------------------------------------------------ convolution

        /// <summary>
        /// The output shape of a convolution: strides {h, w}, dilations {h, w}, pads {top, left, bottom, right};
        /// out = floor((in + padBefore + padAfter - ((k-1)*d + 1)) / s) + 1 for H and W, and C = outChannels.
        /// </summary>
        public static int[] ConvOutputShape(int[] inShape, int outChannels, int kh, int kw, int[] strides, int[] dilations, int[] pads)
        {
            CheckShape(inShape, nameof(inShape));
            CheckPositive(outChannels, nameof(outChannels));
            CheckPositive(kh, nameof(kh));
            CheckPositive(kw, nameof(kw));
            CheckPair(strides, nameof(strides));
            CheckPair(dilations, nameof(dilations));
            CheckPads(pads, nameof(pads));
            int outH = ConvOutputSize(inShape[1], kh, strides[0], dilations[0], pads[0], pads[2], nameof(kh));
            int outW = ConvOutputSize(inShape[2], kw, strides[1], dilations[1], pads[1], pads[3], nameof(kw));
            return new[] { inShape[0], outH, outW, outChannels };
        }

        /// <summary>
        /// 2-D convolution. The filter is OIHW, <c>filterShape {O, C/group, KH, KW}</c>; output channel o belongs to group
        /// g = o / (O/group) and reads input channels [g*C/group, (g+1)*C/group). Taps outside the input read zero. bias
        /// (O values) is added, then <c>activation.Apply(value, o)</c>.
        /// </summary>
        public static float[] Conv2D(float[] input, int[] inShape, float[] filter, int[] filterShape, float[]? bias,
            int[] strides, int[] dilations, int[] pads, int group, Activation activation, out int[] outShape)
        {
            CheckTensor(input, nameof(input), inShape, nameof(inShape));
            CheckShape(filterShape, nameof(filterShape));
            CheckLength(filter, nameof(filter), Count(filterShape));
            CheckPositive(group, nameof(group));
            int outChannels = filterShape[0], inPerGroup = filterShape[1], kh = filterShape[2], kw = filterShape[3];
            int channels = inShape[3];
            if (outChannels % group != 0)
                throw new ArgumentException($"group ({group}) does not divide the output channels ({outChannels}).", nameof(group));
            if ((long)inPerGroup * group != channels)
                throw new ArgumentException(
                    $"filterShape[1] ({inPerGroup}) times group ({group}) must equal the input channels ({channels}).", nameof(filterShape));
            if (bias != null) CheckLength(bias, nameof(bias), outChannels);
            CheckActivation(activation, outChannels);

            outShape = ConvOutputShape(inShape, outChannels, kh, kw, strides, dilations, pads);
            int batch = inShape[0], inH = inShape[1], inW = inShape[2];
            int outH = outShape[1], outW = outShape[2];
            int outPerGroup = outChannels / group;
            var output = new float[Count(outShape)];

            for (int n = 0; n < batch; n++)
            for (int oh = 0; oh < outH; oh++)
            for (int ow = 0; ow < outW; ow++)
            for (int o = 0; o < outChannels; o++)
            {
                int g = o / outPerGroup;
                double sum = bias != null ? bias[o] : 0.0;
                for (int i = 0; i < inPerGroup; i++)
                {
                    int c = g * inPerGroup + i;
                    for (int y = 0; y < kh; y++)
                    {
                        int ih = oh * strides[0] - pads[0] + y * dilations[0];
                        if (ih < 0 || ih >= inH) continue; // zero padding
                        for (int x = 0; x < kw; x++)
                        {
                            int iw = ow * strides[1] - pads[1] + x * dilations[1];
                            if (iw < 0 || iw >= inW) continue; // zero padding
                            float value = input[Index(inShape, n, ih, iw, c)];
                            float weight = filter[((o * inPerGroup + i) * kh + y) * kw + x];
                            sum += (double)value * weight;
                        }
                    }
                }
                output[Index(outShape, n, oh, ow, o)] = activation.Apply((float)sum, o);
            }
            return output;
        }

        // ------------------------------------------------------------------ pooling

        /// <summary>
        /// Max or average pooling. kernel {kh, kw}, strides {h, w}, pads {top, left, bottom, right} (each pad smaller than
        /// the kernel). out = floor (ceil with ceilMode) of (in + pb + pa - k)/s, plus 1; with ceilMode a last window that
        /// would start inside the bottom/right padding is dropped (ONNX: if (out-1)*s &gt;= in + padBefore, out -= 1).
        /// Max ignores padding. Average divides by the window positions inside the input (countIncludePad false) or by
        /// the window positions inside the padded input, the window clipped to in + padAfter (countIncludePad true).
        /// </summary>
        public static float[] Pooling(float[] input, int[] inShape, PoolingKind kind, int[] kernel, int[] strides, int[] pads,
            bool countIncludePad, bool ceilMode, out int[] outShape)
        {
            CheckTensor(input, nameof(input), inShape, nameof(inShape));
            if (kind != PoolingKind.Max && kind != PoolingKind.Average)
                throw new ArgumentException($"Unknown pooling kind {kind}.", nameof(kind));
            CheckPair(kernel, nameof(kernel));
            CheckPair(strides, nameof(strides));
            CheckPads(pads, nameof(pads));
            for (int i = 0; i < 4; i++)
            {
                // Keeps every window overlapping the input, so Max and the countIncludePad=false average are defined.
                if (pads[i] >= kernel[i % 2])
                    throw new ArgumentException($"pads[{i}] ({pads[i]}) must be smaller than the kernel ({kernel[i % 2]}).", nameof(pads));
            }

            int batch = inShape[0], inH = inShape[1], inW = inShape[2], channels = inShape[3];
            int outH = PoolOutputSize(inH, kernel[0], strides[0], pads[0], pads[2], ceilMode);
            int outW = PoolOutputSize(inW, kernel[1], strides[1], pads[1], pads[3], ceilMode);
            outShape = new[] { batch, outH, outW, channels };
            var output = new float[Count(outShape)];

            for (int n = 0; n < batch; n++)
            for (int oh = 0; oh < outH; oh++)
            for (int ow = 0; ow < outW; ow++)
            {
                // The window in input coordinates, before clipping (may start in the top/left padding).
                int hStart = oh * strides[0] - pads[0];
                int wStart = ow * strides[1] - pads[1];
                int hEnd = hStart + kernel[0];
                int wEnd = wStart + kernel[1];
                // The part inside the input.
                int h0 = Math.Max(hStart, 0), h1 = Math.Min(hEnd, inH);
                int w0 = Math.Max(wStart, 0), w1 = Math.Min(wEnd, inW);
                // The part inside the padded input (ONNX count_include_pad divisor).
                int paddedCount = (Math.Min(hEnd, inH + pads[2]) - hStart) * (Math.Min(wEnd, inW + pads[3]) - wStart);
                int inputCount = (h1 - h0) * (w1 - w0);

                for (int c = 0; c < channels; c++)
                {
                    if (kind == PoolingKind.Max)
                    {
                        float max = float.NegativeInfinity;
                        for (int h = h0; h < h1; h++)
                        for (int w = w0; w < w1; w++)
                            max = Math.Max(max, input[Index(inShape, n, h, w, c)]);
                        output[Index(outShape, n, oh, ow, c)] = max;
                    }
                    else
                    {
                        double sum = 0;
                        for (int h = h0; h < h1; h++)
                        for (int w = w0; w < w1; w++)
                            sum += input[Index(inShape, n, h, w, c)];
                        output[Index(outShape, n, oh, ow, c)] = (float)(sum / (countIncludePad ? paddedCount : inputCount));
                    }
                }
            }
            return output;
        }

        // ------------------------------------------------------------------ reduce, activation, eltwise

        /// <summary>Reduces over the channels: the output shape is {N, H, W, 1}.</summary>
        public static float[] ReduceChannels(float[] input, int[] inShape, ReduceKind kind)
        {
            CheckTensor(input, nameof(input), inShape, nameof(inShape));
            int channels = inShape[3], pixels = input.Length / channels;
            var output = new float[pixels];
            for (int p = 0; p < pixels; p++)
            {
                var values = input.Skip(p * channels).Take(channels).ToList();
                double acc = kind switch
                {
                    ReduceKind.Mean => values.Sum(v => (double)v) / channels,
                    ReduceKind.Sum => values.Sum(v => (double)v),
                    ReduceKind.Prod => values.Aggregate(1.0, (a, v) => a * v),
                    ReduceKind.Min => values.Min(),
                    ReduceKind.Max => values.Max(),
                    _ => throw new ArgumentException($"Unknown reduce kind {kind}.", nameof(kind)),
                };
                output[p] = (float)acc;
            }
            return output;
        }

        /// <summary>Reduces over H and W: the output shape is {N, 1, 1, C}.</summary>
        public static float[] Reduce(float[] input, int[] inShape, ReduceKind kind)
        {
            CheckTensor(input, nameof(input), inShape, nameof(inShape));
            int batch = inShape[0], height = inShape[1], width = inShape[2], channels = inShape[3];
            var output = new float[batch * channels];
            for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
            {
                double acc;
                switch (kind)
                {
                    case ReduceKind.Mean:
                    case ReduceKind.Sum: acc = 0; break;
                    case ReduceKind.Prod: acc = 1; break;
                    case ReduceKind.Min: acc = double.PositiveInfinity; break;
                    case ReduceKind.Max: acc = double.NegativeInfinity; break;
                    default: throw new ArgumentException($"Unknown reduce kind {kind}.", nameof(kind));
                }
                for (int h = 0; h < height; h++)
                for (int w = 0; w < width; w++)
                {
                    double v = input[Index(inShape, n, h, w, c)];
                    switch (kind)
                    {
                        case ReduceKind.Mean:
                        case ReduceKind.Sum: acc += v; break;
                        case ReduceKind.Prod: acc *= v; break;
                        case ReduceKind.Min: acc = Math.Min(acc, v); break;
                        case ReduceKind.Max: acc = Math.Max(acc, v); break;
                    }
                }
                if (kind == ReduceKind.Mean) acc /= (double)height * width;
                output[n * channels + c] = (float)acc;
            }
            return output;
        }

        /// <summary>Applies <paramref name="activation"/> to every element; the channel passed is c.</summary>
        public static float[] ActivationOp(float[] input, int[] shape, Activation activation)
        {
            CheckTensor(input, nameof(input), shape, nameof(shape));
            int channels = shape[3];
            CheckActivation(activation, channels);
            var output = new float[input.Length];
            for (int i = 0; i < input.Length; i++)
                output[i] = activation.Apply(input[i], i % channels);
            return output;
        }

        /// <summary>
        /// Element-wise operation; the output has aShape. b is read according to <paramref name="broadcast"/>: Tensor: bShape
        /// equals aShape; Scalar: <paramref name="scalar"/> (b unused); BatchVector: bShape {N, 1, 1, C}; Vector: C values
        /// (bShape {1, 1, 1, C} or null); Channel: bShape {N, H, W, 1}. With <paramref name="swapped"/> the operation is
        /// b op a. Sum with <paramref name="coeffSum"/> is coeff0*x + coeff1*y (x, y after the swap). Clip is
        /// clamp(a, coeff0, coeff1); Neg, Abs, Sign, None and Clip are unary on a (b, the broadcast and swapped are
        /// ignored, b may be null). Equal/NotEqual give 1 or 0; FloorDiv is floor(x/y); SqrDiff is (x-y)^2; Pow is x^y.
        /// </summary>
        public static float[] Eltwise(EltwiseKind kind, float[] a, int[] aShape, float[]? b, int[]? bShape,
            EltwiseBroadcast broadcast, float scalar = 0f, float coeff0 = 1f, float coeff1 = 1f, bool swapped = false, bool coeffSum = false)
        {
            CheckTensor(a, nameof(a), aShape, nameof(aShape));
            bool unary = IsUnary(kind);
            if (!unary && !IsBinary(kind)) throw new ArgumentException($"Unknown eltwise kind {kind}.", nameof(kind));
            int batch = aShape[0], height = aShape[1], width = aShape[2], channels = aShape[3];

            // Validate b whenever it will be read (a binary op) or is given anyway, except for Scalar where it is unused.
            if (broadcast != EltwiseBroadcast.Scalar && (!unary || b != null))
            {
                if (b == null) throw new ArgumentNullException(nameof(b), $"{kind} with {broadcast} broadcast needs b.");
                switch (broadcast)
                {
                    case EltwiseBroadcast.Tensor:
                        CheckExactShape(bShape, nameof(bShape), aShape);
                        break;
                    case EltwiseBroadcast.BatchVector:
                        CheckExactShape(bShape, nameof(bShape), new[] { batch, 1, 1, channels });
                        break;
                    case EltwiseBroadcast.Vector:
                        if (bShape != null) CheckExactShape(bShape, nameof(bShape), new[] { 1, 1, 1, channels });
                        break;
                    case EltwiseBroadcast.Channel:
                        CheckExactShape(bShape, nameof(bShape), new[] { batch, height, width, 1 });
                        break;
                    default:
                        throw new ArgumentException($"Unknown broadcast {broadcast}.", nameof(broadcast));
                }
                int expected = broadcast == EltwiseBroadcast.Vector ? channels : Count(bShape!);
                CheckLength(b, nameof(b), expected);
            }

            var output = new float[a.Length];
            for (int n = 0; n < batch; n++)
            for (int h = 0; h < height; h++)
            for (int w = 0; w < width; w++)
            for (int c = 0; c < channels; c++)
            {
                int i = Index(aShape, n, h, w, c);
                float av = a[i];
                float result;
                if (unary)
                {
                    result = ApplyUnary(kind, av, coeff0, coeff1);
                }
                else
                {
                    float bv;
                    switch (broadcast)
                    {
                        case EltwiseBroadcast.Tensor: bv = b![i]; break;
                        case EltwiseBroadcast.Scalar: bv = scalar; break;
                        case EltwiseBroadcast.BatchVector: bv = b![n * channels + c]; break;
                        case EltwiseBroadcast.Vector: bv = b![c]; break;
                        default: bv = b![(n * height + h) * width + w]; break; // Channel
                    }
                    result = swapped
                        ? ApplyBinary(kind, bv, av, coeff0, coeff1, coeffSum)
                        : ApplyBinary(kind, av, bv, coeff0, coeff1, coeffSum);
                }
                output[i] = result;
            }
            return output;
        }

        private static bool IsUnary(EltwiseKind kind) =>
            kind == EltwiseKind.Neg || kind == EltwiseKind.Abs || kind == EltwiseKind.Sign || kind == EltwiseKind.None
            || kind == EltwiseKind.Clip;

        private static bool IsBinary(EltwiseKind kind) =>
            kind == EltwiseKind.Sum || kind == EltwiseKind.Sub || kind == EltwiseKind.Prod || kind == EltwiseKind.Div
            || kind == EltwiseKind.Min || kind == EltwiseKind.Max || kind == EltwiseKind.SqrDiff || kind == EltwiseKind.Pow
            || kind == EltwiseKind.Equal || kind == EltwiseKind.FloorDiv || kind == EltwiseKind.NotEqual;

        private static float ApplyUnary(EltwiseKind kind, float x, float coeff0, float coeff1)
        {
            switch (kind)
            {
                case EltwiseKind.Neg: return -x;
                case EltwiseKind.Abs: return Math.Abs(x);
                // Like OpenCL sign(): 0 for +-0 and for NaN (Math.Sign would throw on NaN).
                case EltwiseKind.Sign: return x > 0 ? 1f : x < 0 ? -1f : 0f;
                case EltwiseKind.None: return x;
                case EltwiseKind.Clip: return Math.Min(Math.Max(x, coeff0), coeff1);
                default: throw new ArgumentOutOfRangeException(nameof(kind));
            }
        }

        private static float ApplyBinary(EltwiseKind kind, float x, float y, float coeff0, float coeff1, bool coeffSum)
        {
            switch (kind)
            {
                case EltwiseKind.Sum: return coeffSum ? (float)((double)coeff0 * x + (double)coeff1 * y) : x + y;
                case EltwiseKind.Sub: return x - y;
                case EltwiseKind.Prod: return x * y;
                case EltwiseKind.Div: return x / y;
                case EltwiseKind.Min: return Math.Min(x, y);
                case EltwiseKind.Max: return Math.Max(x, y);
                case EltwiseKind.SqrDiff: { float d = x - y; return d * d; }
                case EltwiseKind.Pow: return (float)Math.Pow(x, y);
                case EltwiseKind.Equal: return x == y ? 1f : 0f;
                case EltwiseKind.NotEqual: return x != y ? 1f : 0f;
                // The float quotient, then floor (as the kernel computes it in float).
                case EltwiseKind.FloorDiv: return (float)Math.Floor(x / y);
                default: throw new ArgumentOutOfRangeException(nameof(kind));
            }
        }

        // ------------------------------------------------------------------ softmax, fully connected, concat

        /// <summary>Softmax (or log-softmax) over C, numerically stable: the channel maximum is subtracted first.</summary>
        public static float[] Softmax(float[] input, int[] shape, bool log = false)
        {
            CheckTensor(input, nameof(input), shape, nameof(shape));
            int channels = shape[3];
            int rows = input.Length / channels;
            var output = new float[input.Length];
            for (int r = 0; r < rows; r++)
            {
                int start = r * channels;
                double max = double.NegativeInfinity;
                for (int c = 0; c < channels; c++) max = Math.Max(max, input[start + c]);
                double sum = 0;
                for (int c = 0; c < channels; c++) sum += Math.Exp(input[start + c] - max);
                for (int c = 0; c < channels; c++)
                {
                    double shifted = input[start + c] - max;
                    output[start + c] = (float)(log ? shifted - Math.Log(sum) : Math.Exp(shifted) / sum);
                }
            }
            return output;
        }

        /// <summary>
        /// Fully connected: weight is [outputs, C, H, W] (the input's C, H, W);
        /// out[n, 0, 0, o] = sum over c, h, w of in[n, h, w, c] * weight[((o*C + c)*H + h)*W + w], plus bias[o], then
        /// <c>activation.Apply(v, o)</c>. The output shape is {N, 1, 1, outputs}.
        /// </summary>
        public static float[] FullyConnected(float[] input, int[] inShape, float[] weight, int outputs, float[]? bias,
            Activation activation)
        {
            CheckTensor(input, nameof(input), inShape, nameof(inShape));
            CheckPositive(outputs, nameof(outputs));
            int batch = inShape[0], height = inShape[1], width = inShape[2], channels = inShape[3];
            CheckLength(weight, nameof(weight), (long)outputs * height * width * channels);
            if (bias != null) CheckLength(bias, nameof(bias), outputs);
            CheckActivation(activation, outputs);
            if ((long)batch * outputs > int.MaxValue) throw new ArgumentException("The output is too large.", nameof(outputs));

            var output = new float[batch * outputs];
            for (int n = 0; n < batch; n++)
            for (int o = 0; o < outputs; o++)
            {
                double sum = bias != null ? bias[o] : 0.0;
                for (int c = 0; c < channels; c++)
                for (int h = 0; h < height; h++)
                for (int w = 0; w < width; w++)
                    sum += (double)input[Index(inShape, n, h, w, c)] * weight[((o * channels + c) * height + h) * width + w];
                output[n * outputs + o] = activation.Apply((float)sum, o);
            }
            return output;
        }

        /// <summary>Concatenates along C; every input must have the same N, H and W.</summary>
        public static float[] Concat(IReadOnlyList<float[]> inputs, IReadOnlyList<int[]> shapes, out int[] outShape)
        {
            if (inputs == null) throw new ArgumentNullException(nameof(inputs));
            if (shapes == null) throw new ArgumentNullException(nameof(shapes));
            if (inputs.Count == 0) throw new ArgumentException("Concat needs at least one input.", nameof(inputs));
            if (shapes.Count != inputs.Count)
                throw new ArgumentException($"{shapes.Count} shapes for {inputs.Count} inputs.", nameof(shapes));
            long totalChannels = 0;
            for (int k = 0; k < inputs.Count; k++)
            {
                CheckTensor(inputs[k], $"{nameof(inputs)}[{k}]", shapes[k], $"{nameof(shapes)}[{k}]");
                for (int d = 0; d < 3; d++)
                {
                    if (shapes[k][d] != shapes[0][d])
                        throw new ArgumentException(
                            $"shapes[{k}] {Format(shapes[k])} differs from shapes[0] {Format(shapes[0])} outside C.", nameof(shapes));
                }
                totalChannels += shapes[k][3];
            }
            if (totalChannels > int.MaxValue) throw new ArgumentException("Too many channels in all.", nameof(shapes));

            outShape = new[] { shapes[0][0], shapes[0][1], shapes[0][2], (int)totalChannels };
            var output = new float[Count(outShape)];
            int batch = outShape[0], height = outShape[1], width = outShape[2];
            for (int n = 0; n < batch; n++)
            for (int h = 0; h < height; h++)
            for (int w = 0; w < width; w++)
            {
                int offset = 0;
                for (int k = 0; k < inputs.Count; k++)
                {
                    int channels = shapes[k][3];
                    for (int c = 0; c < channels; c++)
                        output[Index(outShape, n, h, w, offset + c)] = inputs[k][Index(shapes[k], n, h, w, c)];
                    offset += channels;
                }
            }
            return output;
        }

        // ------------------------------------------------------------------ resize, batch norm, pad, matmul

        /// <summary>
        /// Bilinear resize of H and W to outH x outW. Per output index x (separately for H and W), with
        /// scale = alignCorners &amp;&amp; out &gt; 1 ? (in-1)/(out-1) : in/out, the source coordinate is: alignCorners or
        /// Asymmetric: x*scale; HalfPixel: max((x+0.5)*scale - 0.5, 0); PytorchHalfPixel: out &gt; 1 ?
        /// max((x+0.5)*scale - 0.5, 0) : 0. lower = min(floor(src), in-1), upper = min(lower+1, in-1),
        /// lerp = src - lower, and the four pixels are mixed bilinearly.
        /// </summary>
        public static float[] ResizeBilinear(float[] input, int[] inShape, int outH, int outW, bool alignCorners,
            ResizeCoordinates coordinates)
        {
            CheckTensor(input, nameof(input), inShape, nameof(inShape));
            CheckPositive(outH, nameof(outH));
            CheckPositive(outW, nameof(outW));
            if (coordinates != ResizeCoordinates.Asymmetric && coordinates != ResizeCoordinates.HalfPixel
                && coordinates != ResizeCoordinates.PytorchHalfPixel)
                throw new ArgumentException($"Unknown coordinate transformation {coordinates}.", nameof(coordinates));

            int batch = inShape[0], inH = inShape[1], inW = inShape[2], channels = inShape[3];
            var outShape = new[] { batch, outH, outW, channels };
            var output = new float[Count(outShape)];
            for (int n = 0; n < batch; n++)
            for (int y = 0; y < outH; y++)
            {
                SourceCoordinate(y, inH, outH, alignCorners, coordinates, out int top, out int bottom, out double yLerp);
                for (int x = 0; x < outW; x++)
                {
                    SourceCoordinate(x, inW, outW, alignCorners, coordinates, out int left, out int right, out double xLerp);
                    for (int c = 0; c < channels; c++)
                    {
                        double topLeft = input[Index(inShape, n, top, left, c)];
                        double topRight = input[Index(inShape, n, top, right, c)];
                        double bottomLeft = input[Index(inShape, n, bottom, left, c)];
                        double bottomRight = input[Index(inShape, n, bottom, right, c)];
                        double topMix = topLeft + (topRight - topLeft) * xLerp;
                        double bottomMix = bottomLeft + (bottomRight - bottomLeft) * xLerp;
                        output[Index(outShape, n, y, x, c)] = (float)(topMix + (bottomMix - topMix) * yLerp);
                    }
                }
            }
            return output;
        }

        private static void SourceCoordinate(int x, int inSize, int outSize, bool alignCorners, ResizeCoordinates coordinates,
            out int lower, out int upper, out double lerp)
        {
            double scale = alignCorners && outSize > 1 ? (inSize - 1) / (double)(outSize - 1) : inSize / (double)outSize;
            double src;
            if (alignCorners || coordinates == ResizeCoordinates.Asymmetric)
                src = x * scale;
            else if (coordinates == ResizeCoordinates.HalfPixel)
                src = Math.Max((x + 0.5) * scale - 0.5, 0.0);
            else // PytorchHalfPixel
                src = outSize > 1 ? Math.Max((x + 0.5) * scale - 0.5, 0.0) : 0.0;
            lower = Math.Min((int)Math.Floor(src), inSize - 1);
            upper = Math.Min(lower + 1, inSize - 1);
            lerp = src - lower;
        }

        /// <summary>
        /// Nearest-neighbour resize of H and W to outH x outW, per ONNX Resize: the source coordinate as in
        /// <see cref="ResizeBilinear"/> (without its clamp at 0), then rounded by <paramref name="nearest"/> and clamped to
        /// [0, in-1].
        /// </summary>
        public static float[] ResizeNearest(float[] input, int[] inShape, int outH, int outW, bool alignCorners,
            ResizeCoordinates coordinates, NearestMode nearest)
        {
            CheckTensor(input, nameof(input), inShape, nameof(inShape));
            CheckPositive(outH, nameof(outH));
            CheckPositive(outW, nameof(outW));
            int batch = inShape[0], inH = inShape[1], inW = inShape[2], channels = inShape[3];
            var outShape = new[] { batch, outH, outW, channels };
            var output = new float[Count(outShape)];
            for (int n = 0; n < batch; n++)
            for (int y = 0; y < outH; y++)
            {
                int sy = NearestSource(y, inH, outH, alignCorners, coordinates, nearest);
                for (int x = 0; x < outW; x++)
                {
                    int sx = NearestSource(x, inW, outW, alignCorners, coordinates, nearest);
                    for (int c = 0; c < channels; c++) output[Index(outShape, n, y, x, c)] = input[Index(inShape, n, sy, sx, c)];
                }
            }
            return output;
        }

        private static int NearestSource(int x, int inSize, int outSize, bool alignCorners, ResizeCoordinates coordinates, NearestMode nearest)
        {
            // From the sizes, so that ties (x.5) are exact.
            double src = alignCorners && outSize > 1 ? x * (inSize - 1) / (double)(outSize - 1)
                : alignCorners || coordinates == ResizeCoordinates.Asymmetric ? x * inSize / (double)outSize
                : coordinates == ResizeCoordinates.PytorchHalfPixel && outSize == 1 ? 0 : ((2.0 * x + 1) * inSize - outSize) / (2.0 * outSize);
            double i = nearest switch
            {
                NearestMode.Floor => Math.Floor(src),
                NearestMode.Ceil => Math.Ceiling(src),
                NearestMode.RoundPreferCeil => Math.Floor(src + 0.5),
                _ => Math.Ceiling(src - 0.5),
            };
            return (int)Math.Max(0, Math.Min(i, inSize - 1));
        }

        /// <summary>
        /// Transposed convolution (ONNX ConvTranspose, group 1), written as a scatter: every input pixel adds
        /// input·filter[o, i, kh, kw] at output (h·sh − padTop + kh, w·sw − padLeft + kw) where that lies inside
        /// <paramref name="outShape"/>. Filter OIHW [O, I, KH, KW]; then bias and activation per output channel.
        /// </summary>
        public static float[] Deconv2D(float[] input, int[] inShape, float[] filter, int[] filterShape, float[]? bias,
            int[] strides, int[] pads, int[] outShape, Activation activation)
        {
            CheckTensor(input, nameof(input), inShape, nameof(inShape));
            CheckShape(outShape, nameof(outShape));
            CheckPair(strides, nameof(strides));
            if (filterShape == null || filterShape.Length != 4 || filterShape[1] != inShape[3] || filterShape[0] != outShape[3])
                throw new ArgumentException("The filter must be OIHW [outChannels, inChannels, KH, KW].", nameof(filterShape));
            CheckLength(filter, nameof(filter), (long)filterShape[0] * filterShape[1] * filterShape[2] * filterShape[3]);
            int o = filterShape[0], ic = filterShape[1], kh = filterShape[2], kw = filterShape[3];
            var acc = new double[Count(outShape)];
            for (int n = 0; n < inShape[0]; n++)
            for (int h = 0; h < inShape[1]; h++)
            for (int w = 0; w < inShape[2]; w++)
            for (int i = 0; i < ic; i++)
            {
                double v = input[Index(inShape, n, h, w, i)];
                for (int y = 0; y < kh; y++)
                {
                    int oy = h * strides[0] - pads[0] + y;
                    if (oy < 0 || oy >= outShape[1]) continue;
                    for (int x = 0; x < kw; x++)
                    {
                        int ox = w * strides[1] - pads[1] + x;
                        if (ox < 0 || ox >= outShape[2]) continue;
                        for (int c = 0; c < o; c++) acc[Index(outShape, n, oy, ox, c)] += v * filter[((c * ic + i) * kh + y) * kw + x];
                    }
                }
            }
            var output = new float[acc.Length];
            for (int k = 0; k < acc.Length; k++)
            {
                int c = k % o;
                output[k] = activation.Apply((float)(acc[k] + (bias == null ? 0 : bias[c])), c);
            }
            return output;
        }

        /// <summary>
        /// Batch normalization per channel: with mean and variance, (x - mean)*scale/sqrt(variance + epsilon) + offset;
        /// without (folded), x*scale + offset. Then <c>activation.Apply(v, c)</c>.
        /// </summary>
        public static float[] BatchNorm(float[] input, int[] shape, float[] scale, float[] offset, float[]? mean, float[]? variance,
            float epsilon, Activation activation)
        {
            CheckTensor(input, nameof(input), shape, nameof(shape));
            int channels = shape[3];
            CheckLength(scale, nameof(scale), channels);
            CheckLength(offset, nameof(offset), channels);
            if ((mean == null) != (variance == null))
                throw new ArgumentException("mean and variance must be given together.", mean == null ? nameof(mean) : nameof(variance));
            if (mean != null) CheckLength(mean, nameof(mean), channels);
            if (variance != null) CheckLength(variance, nameof(variance), channels);
            CheckActivation(activation, channels);

            var output = new float[input.Length];
            for (int i = 0; i < input.Length; i++)
            {
                int c = i % channels;
                double v = mean != null
                    ? (input[i] - (double)mean[c]) * scale[c] / Math.Sqrt((double)variance![c] + epsilon) + offset[c]
                    : (double)input[i] * scale[c] + offset[c];
                output[i] = activation.Apply((float)v, c);
            }
            return output;
        }

        /// <summary>
        /// Pads H and W: pads {top, left, bottom, right}. Constant fills with <paramref name="constant"/>; Reflect mirrors
        /// without repeating the edge (numpy 'reflect', each pad smaller than its dimension); Symmetric mirrors repeating
        /// the edge (numpy 'symmetric', each pad at most its dimension).
        /// </summary>
        public static float[] Pad(float[] input, int[] inShape, int[] pads, PadMode mode, float constant, out int[] outShape)
        {
            CheckTensor(input, nameof(input), inShape, nameof(inShape));
            CheckPads(pads, nameof(pads));
            if (mode != PadMode.Constant && mode != PadMode.Reflect && mode != PadMode.Symmetric)
                throw new ArgumentException($"Unknown pad mode {mode}.", nameof(mode));
            int batch = inShape[0], inH = inShape[1], inW = inShape[2], channels = inShape[3];
            for (int i = 0; i < 4; i++)
            {
                int dim = i % 2 == 0 ? inH : inW;
                if (mode == PadMode.Reflect && pads[i] >= dim)
                    throw new ArgumentException($"Reflect pads[{i}] ({pads[i]}) must be smaller than the dimension ({dim}).", nameof(pads));
                if (mode == PadMode.Symmetric && pads[i] > dim)
                    throw new ArgumentException($"Symmetric pads[{i}] ({pads[i]}) must not exceed the dimension ({dim}).", nameof(pads));
            }

            long outHL = (long)inH + pads[0] + pads[2], outWL = (long)inW + pads[1] + pads[3];
            if (outHL > int.MaxValue || outWL > int.MaxValue) throw new ArgumentException("The padded size is too large.", nameof(pads));
            outShape = new[] { batch, (int)outHL, (int)outWL, channels };
            int outH = outShape[1], outW = outShape[2];
            var output = new float[Count(outShape)];
            for (int n = 0; n < batch; n++)
            for (int y = 0; y < outH; y++)
            {
                int sy = PadSource(y - pads[0], inH, mode);
                for (int x = 0; x < outW; x++)
                {
                    int sx = PadSource(x - pads[1], inW, mode);
                    for (int c = 0; c < channels; c++)
                    {
                        output[Index(outShape, n, y, x, c)] = sy < 0 || sx < 0
                            ? constant
                            : input[Index(inShape, n, sy, sx, c)];
                    }
                }
            }
            return output;
        }

        /// <summary>The input index an output position maps to (i = output index minus the pad before), or -1 for the constant.</summary>
        private static int PadSource(int i, int size, PadMode mode)
        {
            if (i >= 0 && i < size) return i;
            switch (mode)
            {
                case PadMode.Constant: return -1;
                // numpy 'reflect': ... 2 1 | 0 1 2 | 1 0 ...
                case PadMode.Reflect: return i < 0 ? -i : 2 * (size - 1) - i;
                // numpy 'symmetric': ... 1 0 | 0 1 2 | 2 1 ...
                default: return i < 0 ? -i - 1 : 2 * size - 1 - i;
            }
        }

        /// <summary>
        /// Plain row-major matrix product: a is rows x inner; b is inner x cols, or cols x inner with
        /// <paramref name="transposeB"/>. The result is rows x cols.
        /// </summary>
        public static float[] MatMul(float[] a, int rows, int inner, float[] b, int cols, bool transposeB = false)
        {
            CheckPositive(rows, nameof(rows));
            CheckPositive(inner, nameof(inner));
            CheckPositive(cols, nameof(cols));
            CheckLength(a, nameof(a), (long)rows * inner);
            CheckLength(b, nameof(b), (long)inner * cols);
            if ((long)rows * cols > int.MaxValue) throw new ArgumentException("The result is too large.", nameof(rows));

            var output = new float[rows * cols];
            for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double sum = 0;
                for (int k = 0; k < inner; k++)
                    sum += (double)a[r * inner + k] * (transposeB ? b[c * inner + k] : b[k * cols + c]);
                output[r * cols + c] = (float)sum;
            }
            return output;
        }

        // ------------------------------------------------------------------ helpers

        private static int Index(int[] shape, int n, int h, int w, int c) => ((n * shape[1] + h) * shape[2] + w) * shape[3] + c;

        private static int Count(int[] shape) => shape[0] * shape[1] * shape[2] * shape[3];

        private static string Format(int[] shape) => "{" + string.Join(", ", shape) + "}";

        private static void CheckPositive(int value, string name)
        {
            if (value <= 0) throw new ArgumentException($"{name} must be positive, not {value}.", name);
        }

        /// <summary>A 4-D shape of positive sizes whose element count fits an array.</summary>
        private static void CheckShape(int[]? shape, string name)
        {
            if (shape == null) throw new ArgumentNullException(name);
            if (shape.Length != 4) throw new ArgumentException($"{name} must have 4 dimensions {{N, H, W, C}}, not {shape.Length}.", name);
            long count = 1;
            foreach (int d in shape)
            {
                if (d <= 0) throw new ArgumentException($"{name} {Format(shape)} has a size that is not positive.", name);
                count *= d;
                if (count > int.MaxValue) throw new ArgumentException($"{name} {Format(shape)} has too many elements.", name);
            }
        }

        private static void CheckExactShape(int[]? shape, string name, int[] expected)
        {
            CheckShape(shape, name);
            for (int i = 0; i < 4; i++)
            {
                if (shape![i] != expected[i])
                    throw new ArgumentException($"{name} must be {Format(expected)}, not {Format(shape)}.", name);
            }
        }

        private static void CheckLength(float[]? data, string name, long expected)
        {
            if (data == null) throw new ArgumentNullException(name);
            if (data.Length != expected)
                throw new ArgumentException($"{name} has {data.Length} values; {expected} expected.", name);
        }

        private static void CheckTensor(float[]? data, string dataName, int[]? shape, string shapeName)
        {
            CheckShape(shape, shapeName);
            CheckLength(data, dataName, Count(shape!));
        }

        /// <summary>Two positive values {h, w} (kernel sizes, strides, dilations).</summary>
        private static void CheckPair(int[]? pair, string name)
        {
            if (pair == null) throw new ArgumentNullException(name);
            if (pair.Length != 2) throw new ArgumentException($"{name} must have 2 values {{h, w}}, not {pair.Length}.", name);
            if (pair[0] <= 0 || pair[1] <= 0) throw new ArgumentException($"{name} {{{pair[0]}, {pair[1]}}} must be positive.", name);
        }

        /// <summary>Four non-negative pads {top, left, bottom, right}.</summary>
        private static void CheckPads(int[]? pads, string name)
        {
            if (pads == null) throw new ArgumentNullException(name);
            if (pads.Length != 4) throw new ArgumentException($"{name} must have 4 values {{top, left, bottom, right}}, not {pads.Length}.", name);
            foreach (int p in pads)
            {
                if (p < 0) throw new ArgumentException($"{name} {Format(pads)} must not be negative.", name);
            }
        }

        private static void CheckActivation(Activation? activation, int channels)
        {
            if (activation == null) throw new ArgumentNullException(nameof(activation));
            if (activation.Kind == ActivationKind.PRelu && activation.Alpha!.Length != 1 && activation.Alpha.Length != channels)
                throw new ArgumentException(
                    $"PRelu has {activation.Alpha.Length} slopes for {channels} channels (1 or {channels} expected).", nameof(activation));
        }

        private static int ConvOutputSize(int inSize, int kernel, int stride, int dilation, int padBefore, int padAfter, string kernelName)
        {
            long effectiveKernel = (long)(kernel - 1) * dilation + 1;
            long span = (long)inSize + padBefore + padAfter - effectiveKernel;
            // A negative span would truncate toward zero in C# and give a bogus size of 1.
            if (span < 0)
                throw new ArgumentException(
                    $"The dilated kernel ({effectiveKernel}) is larger than the padded input ({(long)inSize + padBefore + padAfter}).", kernelName);
            long size = span / stride + 1;
            if (size > int.MaxValue) throw new ArgumentException("The output is too large.", kernelName);
            return (int)size;
        }

        private static int PoolOutputSize(int inSize, int kernel, int stride, int padBefore, int padAfter, bool ceilMode)
        {
            long span = (long)inSize + padBefore + padAfter - kernel;
            if (span < 0)
                throw new ArgumentException(
                    $"The kernel ({kernel}) is larger than the padded input ({(long)inSize + padBefore + padAfter}).", "kernel");
            long size = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
            // ONNX: a last window that would start inside the after-padding is dropped.
            if (ceilMode && (size - 1) * stride >= (long)inSize + padBefore) size--;
            return (int)size;
        }
    }
}
