using System;

namespace MaceTools.Kernels
{
    /// <summary>MACE's OpenCLBufferType: how a tensor is laid out in a 2-D RGBA image (see common.h for the pixel maps).</summary>
    public enum ImageKind
    {
        /// <summary>NHWC activations [N, H, W, C]: width W·⌈C/4⌉, height N·H.</summary>
        InOut,
        /// <summary>Convolution filter OIHW [O, I, KH, KW]: width I, height ⌈O/4⌉·KH·KW.</summary>
        Conv2DFilter,
        /// <summary>Depthwise filter MIHW [M, I, KH, KW]: width KH·KW, height M·⌈I/4⌉.</summary>
        DwConv2DFilter,
        /// <summary>A 1-D argument [C] (bias, scale, slopes): width ⌈C/4⌉, height 1.</summary>
        Argument,
        /// <summary>Fully-connected weight OIHW [O, I, H, W]: width H·W·⌈I/4⌉, height O.</summary>
        WeightWidth,
        /// <summary>Fully-connected weight OIHW [O, I, H, W]: width H·W·4·⌈I/4⌉, height ⌈O/4⌉.</summary>
        WeightHeight,
    }

    /// <summary>
    /// The host side of the image layouts: image sizes, and packing a plain tensor into RGBA pixels and back. It is the
    /// reference the buffer_to_image kernels are tested against, and how tests and benchmarks upload data directly.
    /// </summary>
    public static class ImageLayout
    {
        public static int Blocks(int channels) => (channels + 3) >> 2;

        public static long Count(int[] shape)
        {
            long n = 1;
            foreach (int d in shape) n *= d;
            return n;
        }

        public static (long Width, long Height) Size(ImageKind kind, int[] shape)
        {
            Check(kind, shape);
            switch (kind)
            {
                case ImageKind.InOut: return ((long)shape[2] * Blocks(shape[3]), (long)shape[0] * shape[1]);
                case ImageKind.Conv2DFilter: return (shape[1], (long)Blocks(shape[0]) * shape[2] * shape[3]);
                case ImageKind.DwConv2DFilter: return ((long)shape[2] * shape[3], (long)shape[0] * Blocks(shape[1]));
                case ImageKind.Argument: return (Blocks(shape[0]), 1);
                case ImageKind.WeightWidth: return ((long)shape[2] * shape[3] * Blocks(shape[1]), shape[0]);
                case ImageKind.WeightHeight: return ((long)shape[2] * shape[3] * 4 * Blocks(shape[1]), Blocks(shape[0]));
                default: throw new ArgumentOutOfRangeException(nameof(kind));
            }
        }

        /// <summary>Packs <paramref name="data"/> (row-major in the order of <paramref name="shape"/>) into RGBA pixels; unused lanes are 0.</summary>
        public static float[] Pack(ImageKind kind, int[] shape, float[] data)
        {
            if (data.Length != Count(shape)) throw new ArgumentException($"{data.Length} values for shape [{string.Join(", ", shape)}]", nameof(data));
            var (width, height) = Size(kind, shape);
            var pixels = new float[width * height * 4];
            Walk(kind, shape, (element, x, y, lane) => pixels[(y * width + x) * 4 + lane] = data[element]);
            return pixels;
        }

        public static float[] Unpack(ImageKind kind, int[] shape, float[] pixels)
        {
            var (width, height) = Size(kind, shape);
            if (pixels.Length != width * height * 4) throw new ArgumentException($"{pixels.Length} values for a {width}x{height} image", nameof(pixels));
            var data = new float[Count(shape)];
            Walk(kind, shape, (element, x, y, lane) => data[element] = pixels[(y * width + x) * 4 + lane]);
            return data;
        }

        /// <summary>Calls <paramref name="visit"/>(element index, pixel x, pixel y, lane) for every element of the tensor.</summary>
        private static void Walk(ImageKind kind, int[] shape, Action<long, long, long, int> visit)
        {
            switch (kind)
            {
                case ImageKind.InOut:
                {
                    int n = shape[0], h = shape[1], w = shape[2], c = shape[3];
                    long e = 0;
                    for (int ni = 0; ni < n; ni++)
                    for (int hi = 0; hi < h; hi++)
                    for (int wi = 0; wi < w; wi++)
                    for (int ci = 0; ci < c; ci++, e++)
                        visit(e, (long)(ci >> 2) * w + wi, (long)ni * h + hi, ci & 3);
                    break;
                }
                case ImageKind.Conv2DFilter:
                {
                    int o = shape[0], i = shape[1], kh = shape[2], kw = shape[3];
                    long e = 0;
                    for (int oi = 0; oi < o; oi++)
                    for (int ii = 0; ii < i; ii++)
                    for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++, e++)
                        visit(e, ii, ((long)(oi >> 2) * kh + y) * kw + x, oi & 3);
                    break;
                }
                case ImageKind.DwConv2DFilter:
                {
                    int m = shape[0], i = shape[1], kh = shape[2], kw = shape[3], blocks = Blocks(i);
                    long e = 0;
                    for (int mi = 0; mi < m; mi++)
                    for (int ii = 0; ii < i; ii++)
                    for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++, e++)
                        visit(e, (long)y * kw + x, (long)mi * blocks + (ii >> 2), ii & 3);
                    break;
                }
                case ImageKind.Argument:
                    for (int ci = 0; ci < shape[0]; ci++) visit(ci, ci >> 2, 0, ci & 3);
                    break;
                case ImageKind.WeightWidth:
                {
                    int o = shape[0], i = shape[1], h = shape[2], w = shape[3], blocks = Blocks(i);
                    long e = 0;
                    for (int oi = 0; oi < o; oi++)
                    for (int ii = 0; ii < i; ii++)
                    for (int hi = 0; hi < h; hi++)
                    for (int wi = 0; wi < w; wi++, e++)
                        visit(e, (long)hi * w * blocks + (long)(ii >> 2) * w + wi, oi, ii & 3);
                    break;
                }
                case ImageKind.WeightHeight:
                {
                    int o = shape[0], i = shape[1], h = shape[2], w = shape[3], blocks = Blocks(i);
                    long e = 0;
                    for (int oi = 0; oi < o; oi++)
                    for (int ii = 0; ii < i; ii++)
                    for (int hi = 0; hi < h; hi++)
                    for (int wi = 0; wi < w; wi++, e++)
                        visit(e, (((long)hi * w + wi) * blocks + (ii >> 2)) * 4 + (ii & 3), oi >> 2, oi & 3);
                    break;
                }
                default: throw new ArgumentOutOfRangeException(nameof(kind));
            }
        }

        private static void Check(ImageKind kind, int[] shape)
        {
            int rank = kind == ImageKind.Argument ? 1 : 4;
            if (shape == null || shape.Length != rank) throw new ArgumentException($"{kind} needs a shape of rank {rank}", nameof(shape));
            foreach (int d in shape)
                if (d <= 0) throw new ArgumentException($"{kind} shape [{string.Join(", ", shape)}] has a non-positive dimension", nameof(shape));
        }
    }
}
