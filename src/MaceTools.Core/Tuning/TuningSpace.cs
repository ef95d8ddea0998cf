using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Tuning
{
    /// <summary>
    /// The local sizes a search may try for one kernel instance: in each dimension every power of two below the global
    /// size and the global size itself, combined and kept when the work-group fits the kernel's limit; plus MACE's own
    /// candidates and MACE's default, so the exhaustive optimum is never worse than what MACE would find or start from.
    /// </summary>
    public sealed class TuningSpace
    {
        private TuningSpace(int dimensions, long[] globalSize, long kernelWorkGroupSize, long[] defaultLocalSize, List<long[]> candidates)
        {
            Dimensions = dimensions;
            GlobalSize = globalSize;
            KernelWorkGroupSize = kernelWorkGroupSize;
            DefaultLocalSize = defaultLocalSize;
            Candidates = candidates;
            _members = new HashSet<string>(candidates.Select(Key), StringComparer.Ordinal);
        }

        private readonly HashSet<string> _members;

        public int Dimensions { get; }
        public long[] GlobalSize { get; }
        public long KernelWorkGroupSize { get; }
        public long[] DefaultLocalSize { get; }
        /// <summary>Distinct local sizes (dimensions only), the default first, then MACE's list, then the lattice.</summary>
        public IReadOnlyList<long[]> Candidates { get; }

        public static TuningSpace For(int dimensions, long[] globalSize, long kernelWorkGroupSize, long[] defaultLocalSize, MaceVersion version)
        {
            if (dimensions != 2 && dimensions != 3) throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "MACE tunes 2-D and 3-D kernels");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var list = new List<long[]>();
            void Add(long[] local)
            {
                var l = local.Take(dimensions).ToArray();
                if (IsValid(l, kernelWorkGroupSize) && seen.Add(string.Join(",", l))) list.Add(l);
            }
            Add(defaultLocalSize);
            if (dimensions == 3 || version.AtLeast(0, 7, 0))
                foreach (var c in TuningCandidates.For(dimensions, globalSize, kernelWorkGroupSize, version)) Add(c);
            var axes = globalSize.Take(dimensions).Select(Axis).ToArray();
            foreach (var l in Product(axes)) Add(l);
            return new TuningSpace(dimensions, globalSize, kernelWorkGroupSize, defaultLocalSize.Take(dimensions).ToArray(), list);
        }

        /// <summary>
        /// Sizes shaped for a device that runs each work-group as one loop on one of <paramref name="computeUnits"/> threads
        /// (pocl's CPU device), none with padded work-items: the largest work-group whose count is a multiple of the compute
        /// units (even load, least per-group cost); the largest with at least four groups per compute unit (finer balance);
        /// and the one widest in dimension 0 (pocl vectorises the work-item loop along it). The in-context stage times them.
        /// </summary>
        public List<long[]> Shaped(int computeUnits)
        {
            long cu = Math.Max(computeUnits, 1);
            var exact = Candidates.Where(l => l.Select((v, i) => GlobalSize[i] % v == 0).All(x => x))
                .Select(l => (Local: l, Groups: l.Select((v, i) => GlobalSize[i] / v).Aggregate(1L, (a, b) => a * b), Items: l.Aggregate(1L, (a, b) => a * b))).ToList();
            var picks = new[]
            {
                exact.Where(x => x.Groups >= cu && x.Groups % cu == 0).OrderByDescending(x => x.Items).ThenByDescending(x => x.Local[0]).FirstOrDefault(),
                exact.Where(x => x.Groups >= 4 * cu && x.Groups % cu == 0).OrderByDescending(x => x.Items).ThenByDescending(x => x.Local[0]).FirstOrDefault(),
                exact.Where(x => x.Groups >= cu).OrderByDescending(x => x.Local[0]).ThenByDescending(x => x.Items).FirstOrDefault(),
            };
            return picks.Where(x => x.Local != null).Select(x => x.Local).GroupBy(Key).Select(g => g.First()).ToList();
        }

        /// <summary>A local size the driver can be asked for: every extent at least 1 and the product within the kernel's limit.</summary>
        public static bool IsValid(long[] local, long kernelWorkGroupSize)
        {
            long product = 1;
            foreach (var l in local)
            {
                if (l < 1) return false;
                product *= l;
                if (product > kernelWorkGroupSize) return false;
            }
            return true;
        }

        /// <summary>1, 2, 4, … below <paramref name="g"/>, then <paramref name="g"/> itself.</summary>
        private static List<long> Axis(long g)
        {
            var values = new List<long>();
            for (long v = 1; v < g; v *= 2) values.Add(v);
            values.Add(Math.Max(g, 1));
            return values;
        }

        private static IEnumerable<long[]> Product(IReadOnlyList<List<long>> axes)
        {
            IEnumerable<long[]> acc = new[] { Array.Empty<long>() };
            foreach (var axis in axes)
            {
                var prefix = acc;
                acc = prefix.SelectMany(p => axis.Select(v => p.Append(v).ToArray()));
            }
            return acc;
        }

        /// <summary>The neighbours of <paramref name="local"/> in the space: one extent doubled or halved, or a factor of two moved between two extents.</summary>
        public IEnumerable<long[]> Neighbours(long[] local)
        {
            var near = new List<long[]>();
            for (int i = 0; i < Dimensions; i++)
            {
                near.Add(With(local, i, local[i] * 2));
                near.Add(With(local, i, local[i] / 2));
                for (int j = 0; j < Dimensions; j++)
                    if (i != j && local[j] % 2 == 0) near.Add(With(With(local, j, local[j] / 2), i, local[i] * 2));
            }
            return near.Where(n => _members.Contains(Key(n))).GroupBy(Key).Select(g => g.First());
        }

        private static long[] With(long[] local, int i, long value)
        {
            var copy = (long[])local.Clone();
            copy[i] = value;
            return copy;
        }

        public static string Key(long[] local) => string.Join(",", local);
    }
}
