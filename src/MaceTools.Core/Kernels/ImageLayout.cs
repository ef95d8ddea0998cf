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
        /// <summary>
        /// MACE's IN_OUT_HEIGHT for a 4-D [d0, d1, d2, d3] (the Winograd intermediates, [t·t, C, tiles, 1]): width d2·d3,
        /// height d0·⌈d1/4⌉; pixel (c·d3 + d, a·⌈d1/4⌉ + b/4), lane b%4, holds element (a, b, c, d).
        /// </summary>
        InOutHeight,
        /// <summary>
        /// A 3x3 filter OIHW [O, I, 3, 3] transformed for Winograd F(2x2, 3x3): U = G·g·Gᵀ (4x4 per filter) stored as
        /// IN_OUT_HEIGHT [16, O, I, 1]: width I, height 16·⌈O/4⌉. Not a relayout: packing applies the transform, and
        /// unpacking undoes it (exactly for images made by packing).
        /// </summary>
        WinogradFilter2,
        /// <summary>As <see cref="WinogradFilter2"/> for F(4x4, 3x3): 6x6 per filter, IN_OUT_HEIGHT [36, O, I, 1], height 36·⌈O/4⌉.</summary>
        WinogradFilter4,
    }

    /// <summary>
    /// The host side of the image layouts: image sizes, and packing a plain tensor into RGBA pixels and back. It is the
    /// reference the buffer_to_image kernels are tested against, and how tests and benchmarks upload data directly.
    /// </summary>
    public static class ImageLayout
    {
        public static int Blocks(int channels) => (channels + 3) >> 2;

        /// <summary>Seeded uniform random values in [low, high): test and benchmark tensors (reproducible runs).</summary>
        public static float[] RandomData(int seed, long count, float low = -1f, float high = 1f)
        {
            var rng = new Random(seed);
            var v = new float[count];
            for (long i = 0; i < count; i++) v[i] = (float)(low + (high - low) * rng.NextDouble());
            return v;
        }

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
                case ImageKind.InOutHeight: return ((long)shape[2] * shape[3], (long)shape[0] * Blocks(shape[1]));
                case ImageKind.WinogradFilter2:
                case ImageKind.WinogradFilter4:
                {
                    int t = WinogradTile(kind);
                    return (shape[1], (long)t * t * Blocks(shape[0]));
                }
                default: throw new ArgumentOutOfRangeException(nameof(kind));
            }
        }

        /// <summary>The Winograd output block b of a filter layout (2 or 4), or 0 for the other layouts.</summary>
        public static int WinogradBlock(ImageKind kind) => kind == ImageKind.WinogradFilter2 ? 2 : kind == ImageKind.WinogradFilter4 ? 4 : 0;

        private static int WinogradTile(ImageKind kind) => WinogradBlock(kind) + 2;

        /// <summary>
        /// G of Winograd F(2x2, 3x3) (points 0, 1, -1) and F(4x4, 3x3) (points 0, 1, -1, 2, -2), Lavin &amp; Gray; the same
        /// numbers as winograd_filter_buffer_to_image_&lt;b&gt;x&lt;b&gt; in buffer_to_image.cl.
        /// </summary>
        private static double[,] WinogradG(int block) => block == 2
            ? new double[,] { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 }, { 0, 0, 1 } }
            : new double[,]
            {
                { 1 / 4.0, 0, 0 }, { -1 / 6.0, -1 / 6.0, -1 / 6.0 }, { -1 / 6.0, 1 / 6.0, -1 / 6.0 },
                { 1 / 24.0, 1 / 12.0, 1 / 6.0 }, { 1 / 24.0, -1 / 12.0, 1 / 6.0 }, { 0, 0, 1 },
            };

        /// <summary>P·X·Qᵀ for P (r x n), X (n x m), Q (c x m).</summary>
        private static double[,] Sandwich(double[,] p, double[,] x, double[,] q)
        {
            int r = p.GetLength(0), n = p.GetLength(1), m = x.GetLength(1), c = q.GetLength(0);
            var px = new double[r, m];
            for (int i = 0; i < r; i++)
                for (int j = 0; j < m; j++)
                {
                    double s = 0;
                    for (int k = 0; k < n; k++) s += p[i, k] * x[k, j];
                    px[i, j] = s;
                }
            var y = new double[r, c];
            for (int i = 0; i < r; i++)
                for (int j = 0; j < c; j++)
                {
                    double s = 0;
                    for (int k = 0; k < m; k++) s += px[i, k] * q[j, k];
                    y[i, j] = s;
                }
            return y;
        }

        /// <summary>The left inverse (GᵀG)⁻¹Gᵀ (3 x t) of G (t x 3): recovers g from G·g·Gᵀ.</summary>
        private static double[,] LeftInverse(double[,] g)
        {
            int t = g.GetLength(0);
            var a = new double[3, 3];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    for (int k = 0; k < t; k++) a[i, j] += g[k, i] * g[k, j];
            // 3x3 inverse by cofactors.
            double det = a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]) - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0])
                + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);
            var inv = new double[3, 3];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
                    inv[i, j] = (a[r0, c0] * a[r1, c1] - a[r0, c1] * a[r1, c0]) / det;
                }
            var left = new double[3, t];
            for (int i = 0; i < 3; i++)
                for (int k = 0; k < t; k++)
                    for (int j = 0; j < 3; j++) left[i, k] += inv[i, j] * g[k, j];
            return left;
        }

        /// <summary>Packs an OIHW 3x3 filter as G·g·Gᵀ per (o, i) into IN_OUT_HEIGHT [t·t, O, I, 1] pixels.</summary>
        private static float[] PackWinograd(ImageKind kind, int[] shape, float[] data, long width, long height)
        {
            int o = shape[0], i = shape[1], t = WinogradTile(kind), blocks = Blocks(o);
            var g = WinogradG(WinogradBlock(kind));
            var pixels = new float[width * height * 4];
            var f = new double[3, 3];
            for (int oi = 0; oi < o; oi++)
                for (int ii = 0; ii < i; ii++)
                {
                    long e = ((long)oi * i + ii) * 9;
                    for (int y = 0; y < 3; y++)
                        for (int x = 0; x < 3; x++) f[y, x] = data[e + y * 3 + x];
                    var u = Sandwich(g, f, g);
                    for (int y = 0; y < t; y++)
                        for (int x = 0; x < t; x++)
                            pixels[(((long)(y * t + x) * blocks + (oi >> 2)) * width + ii) * 4 + (oi & 3)] = (float)u[y, x];
                }
            return pixels;
        }

        /// <summary>Recovers the OIHW filter from G·g·Gᵀ pixels with G's left inverse (least squares for other images).</summary>
        private static float[] UnpackWinograd(ImageKind kind, int[] shape, float[] pixels, long width)
        {
            int o = shape[0], i = shape[1], t = WinogradTile(kind), blocks = Blocks(o);
            var left = LeftInverse(WinogradG(WinogradBlock(kind)));
            var data = new float[Count(shape)];
            var u = new double[t, t];
            for (int oi = 0; oi < o; oi++)
                for (int ii = 0; ii < i; ii++)
                {
                    for (int y = 0; y < t; y++)
                        for (int x = 0; x < t; x++)
                            u[y, x] = pixels[(((long)(y * t + x) * blocks + (oi >> 2)) * width + ii) * 4 + (oi & 3)];
                    var f = Sandwich(left, u, left);
                    long e = ((long)oi * i + ii) * 9;
                    for (int y = 0; y < 3; y++)
                        for (int x = 0; x < 3; x++) data[e + y * 3 + x] = (float)f[y, x];
                }
            return data;
        }

        /// <summary>Packs <paramref name="data"/> (row-major in the order of <paramref name="shape"/>) into RGBA pixels; unused lanes are 0.</summary>
        public static float[] Pack(ImageKind kind, int[] shape, float[] data)
        {
            if (data.Length != Count(shape)) throw new ArgumentException($"{data.Length} values for shape [{string.Join(", ", shape)}]", nameof(data));
            var (width, height) = Size(kind, shape);
            if (WinogradBlock(kind) != 0) return PackWinograd(kind, shape, data, width, height);
            var pixels = new float[width * height * 4];
            Walk(kind, shape, (element, x, y, lane) => pixels[(y * width + x) * 4 + lane] = data[element]);
            return pixels;
        }

        public static float[] Unpack(ImageKind kind, int[] shape, float[] pixels)
        {
            var (width, height) = Size(kind, shape);
            if (pixels.Length != width * height * 4) throw new ArgumentException($"{pixels.Length} values for a {width}x{height} image", nameof(pixels));
            if (WinogradBlock(kind) != 0) return UnpackWinograd(kind, shape, pixels, width);
            var data = new float[Count(shape)];
            Walk(kind, shape, (element, x, y, lane) => data[element] = pixels[(y * width + x) * 4 + lane]);
            return data;
        }

        /// <summary>Calls <paramref name="visit"/>(element index, pixel x, pixel y, lane) for every element of the tensor.</summary>
        private static void Walk(ImageKind kind, int[] shape, Action<long, long, long, int> visit)
        {
            if (kind == ImageKind.Argument)
            {
                for (int ci = 0; ci < shape[0]; ci++) visit(ci, ci >> 2, 0, ci & 3);
                return;
            }
            // Rank-4 layouts: the elements in row-major order of the shape, each mapped to its pixel and lane.
            var pixel = PixelOf(kind, shape);
            long element = 0;
            for (int a = 0; a < shape[0]; a++)
            for (int b = 0; b < shape[1]; b++)
            for (int c = 0; c < shape[2]; c++)
            for (int d = 0; d < shape[3]; d++, element++)
            {
                var (x, y, lane) = pixel(a, b, c, d);
                visit(element, x, y, lane);
            }
        }

        /// <summary>Where element [a, b, c, d] of a rank-4 tensor lies in the image of <paramref name="kind"/> (see common.h).</summary>
        private static Func<int, int, int, int, (long X, long Y, int Lane)> PixelOf(ImageKind kind, int[] shape)
        {
            int s1 = shape[1], s2 = shape[2], s3 = shape[3], blocks = Blocks(s1);
            switch (kind)
            {
                case ImageKind.InOut: // [N, H, W, C]
                    return (n, h, w, c) => ((long)(c >> 2) * s2 + w, (long)n * s1 + h, c & 3);
                case ImageKind.Conv2DFilter: // [O, I, KH, KW]
                    return (o, i, y, x) => (i, ((long)(o >> 2) * s2 + y) * s3 + x, o & 3);
                case ImageKind.DwConv2DFilter: // [M, I, KH, KW]
                    return (m, i, y, x) => ((long)y * s3 + x, (long)m * blocks + (i >> 2), i & 3);
                case ImageKind.WeightWidth: // [O, I, H, W]
                    return (o, i, h, w) => ((long)h * s3 * blocks + (long)(i >> 2) * s3 + w, o, i & 3);
                case ImageKind.WeightHeight: // [O, I, H, W]
                    return (o, i, h, w) => ((((long)h * s3 + w) * blocks + (i >> 2)) * 4 + (i & 3), o >> 2, o & 3);
                case ImageKind.InOutHeight: // [d0, d1, d2, d3]
                    return (a, b, c, d) => ((long)c * s3 + d, (long)a * blocks + (b >> 2), b & 3);
                default: throw new ArgumentOutOfRangeException(nameof(kind));
            }
        }

        private static void Check(ImageKind kind, int[] shape)
        {
            int rank = kind == ImageKind.Argument ? 1 : 4;
            if (shape == null || shape.Length != rank) throw new ArgumentException($"{kind} needs a shape of rank {rank}", nameof(shape));
            foreach (int d in shape)
                if (d <= 0) throw new ArgumentException($"{kind} shape [{string.Join(", ", shape)}] has a non-positive dimension", nameof(shape));
            if (WinogradBlock(kind) != 0 && (shape[2] != 3 || shape[3] != 3))
                throw new ArgumentException($"{kind} needs a 3x3 filter [O, I, 3, 3], not [{string.Join(", ", shape)}]", nameof(shape));
        }
    }
}
