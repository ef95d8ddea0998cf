using System;
using System.Collections.Generic;

namespace MaceTools.Tuning
{
    /// <summary>
    /// MACE's local-work-size candidate lists (mace-formats.md §4.3), in MACE's order and with its duplicates, so a
    /// `Mace` tuning strategy tries exactly what MACE tries. Products are MACE's unsigned 32-bit ones.
    /// </summary>
    public static class TuningCandidates
    {
        /// <summary>v0.7.0 … v1.1.1, 3-D kernels: [x, g1, z, 0] for x in [g0, g0/4, g0/8, 4, 1], z in [g2, g2/8, g2/4, 8, 4, 1], kept when 0 &lt; x·g1·z ≤ kwg.</summary>
        public static List<long[]> Mace3D(long[] gws, long kernelWorkGroupSize)
        {
            uint g0 = (uint)gws[0], g1 = (uint)gws[1], g2 = (uint)gws[2], kwg = (uint)kernelWorkGroupSize;
            var list = new List<long[]>();
            foreach (uint x in new[] { g0, g0 / 4, g0 / 8, 4u, 1u })
                foreach (uint z in new[] { g2, g2 / 8, g2 / 4, 8u, 4u, 1u })
                {
                    uint product = unchecked(x * g1 * z);
                    if (product > 0 && product <= kwg) list.Add(new long[] { x, g1, z, 0 });
                }
            return list;
        }

        /// <summary>v0.7.0 … v1.1.1, 2-D kernels: [kwg/k, k, 0] for k = 2 … 256 (powers of two), then [kwg, 1, 0] and [1, kwg, 0].</summary>
        public static List<long[]> Mace2D(long kernelWorkGroupSize)
        {
            uint kwg = (uint)kernelWorkGroupSize;
            var pairs = new List<(uint, uint)>();
            for (uint k = 2; k <= 256; k *= 2) pairs.Add((kwg / k, k));
            pairs.Add((kwg, 1));
            pairs.Add((1, kwg));
            var list = new List<long[]>();
            foreach (var (a, b) in pairs)
            {
                uint product = unchecked(a * b);
                if (product > 0 && product <= kwg) list.Add(new long[] { a, b, 0 });
            }
            return list;
        }

        /// <summary>
        /// ≤ v0.6.3, 3-D kernels: the first fit [min(g0, kwg), min(g1, kwg/l0), min(g2, kwg/(l0·l1))], then a fixed list,
        /// unfiltered; the fourth element was then the number of blocks (1), not a block size.
        /// </summary>
        public static List<long[]> Legacy3D(long[] gws, long kernelWorkGroupSize)
        {
            uint g0 = (uint)gws[0], g1 = (uint)gws[1], g2 = (uint)gws[2], kwg = (uint)kernelWorkGroupSize;
            uint l0 = Math.Min(g0, kwg);
            uint l1 = Math.Min(g1, l0 == 0 ? 0 : kwg / l0);
            uint l2 = Math.Min(g2, l0 * l1 == 0 ? 0 : kwg / (l0 * l1));
            var raw = new (uint, uint, uint)[]
            {
                (l0, l1, l2), (kwg / 16, 4, 4), (kwg / 32, 4, 8), (kwg / 32, 8, 4), (kwg / 64, 8, 8), (kwg / 64, 16, 4),
                (kwg / 128, 8, 16), (kwg / 128, 16, 8), (kwg / 128, 32, 4), (1, kwg / 32, 32), (1, kwg / 64, 64),
                (1, kwg / 128, 128), (4, kwg / 16, 4), (4, kwg / 28, 7), (4, kwg / 32, 8), (4, kwg / 56, 14), (1, kwg, 1),
            };
            var list = new List<long[]>();
            foreach (var (a, b, c) in raw) list.Add(new long[] { a, b, c, 1 });
            return list;
        }

        /// <summary>MACE's list for a kernel of <paramref name="dimensions"/> (2 or 3) under <paramref name="version"/>.</summary>
        public static List<long[]> For(int dimensions, long[] gws, long kernelWorkGroupSize, MaceVersion version)
        {
            if (dimensions == 2)
            {
                if (version.AtLeast(0, 7, 0)) return Mace2D(kernelWorkGroupSize);
                throw new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidArgument, $"2-D candidates of MACE {version} (≤ v0.6.3) are not reproduced", version.Text);
            }
            return version.AtLeast(0, 7, 0) ? Mace3D(gws, kernelWorkGroupSize) : Legacy3D(gws, kernelWorkGroupSize);
        }
    }
}
