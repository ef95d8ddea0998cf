using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MaceTools.Measurement;
using MaceTools.Tuning;
using Xunit;

namespace MaceTools.Tests.TuningTests
{
    /// <summary>The searches on modelled launches: a known landscape with seeded noise, so the optimum is known exactly.</summary>
    public class LocalSizeSearchTests
    {
        private static readonly MaceVersion V = MaceVersion.Latest;

        /// <summary>
        /// A GPU-like cost: rounded-up items are wasted, work-groups far from 64 items pay, and a narrow first extent pays;
        /// each launch is off by up to ±<paramref name="noise"/> (seeded).
        /// </summary>
        private sealed class Landscape
        {
            private readonly long[] _gws;
            private readonly Random _random;
            private readonly double _noise;

            public Landscape(long[] gws, double noise, int seed)
            {
                _gws = gws;
                _noise = noise;
                _random = new Random(seed);
            }

            public int Launches { get; private set; }
            public Func<long[], bool> Refuses { get; set; } = _ => false;

            public double Cost(long[] local)
            {
                double waste = 1, items = 1;
                for (int i = 0; i < local.Length; i++)
                {
                    waste *= (double)((_gws[i] + local[i] - 1) / local[i] * local[i]) / _gws[i];
                    items *= local[i];
                }
                double occupancy = 1 + 0.15 * Math.Abs(Math.Log2(items) - 6);
                double width = 1 + 0.08 * Math.Abs(Math.Log2(local[0]) - 2);
                return 100 * waste * occupancy * width;
            }

            public double? Time(long[] local)
            {
                Launches++;
                if (Refuses(local)) return null;
                return Cost(local) * (1 + _noise * (2 * _random.NextDouble() - 1));
            }
        }

        private static TuningSpace Space(long[] gws, long kwg = 1024) =>
            TuningSpace.For(gws.Length, gws, kwg, gws.Length == 3 ? new long[] { 1, 1, 1 } : new long[] { 1, 1 }, V);

        [Fact]
        public void The_space_holds_the_default_MACEs_list_and_the_power_of_two_lattice_all_within_the_limit()
        {
            var space = TuningSpace.For(3, new long[] { 2, 20, 24 }, 64, new long[] { 2, 4, 8 }, V);
            Assert.Equal(new long[] { 2, 4, 8 }, space.Candidates[0]);
            foreach (var c in TuningCandidates.Mace3D(new long[] { 2, 20, 24 }, 64))
                Assert.Contains(space.Candidates, s => s.SequenceEqual(c.Take(3)));
            // lattice axes {1,2} x {1,2,4,8,16,20} x {1,2,4,8,16,24}, cut at 64 items
            Assert.Contains(space.Candidates, s => s.SequenceEqual(new long[] { 1, 20, 2 }));
            Assert.Contains(space.Candidates, s => s.SequenceEqual(new long[] { 2, 2, 16 }));
            Assert.DoesNotContain(space.Candidates, s => s.SequenceEqual(new long[] { 2, 4, 16 }));
            Assert.All(space.Candidates, s => Assert.InRange(s.Aggregate(1L, (a, b) => a * b), 1, 64));
            Assert.Equal(space.Candidates.Count, space.Candidates.Select(TuningSpace.Key).Distinct().Count());
        }

        [Fact]
        public void Neighbours_double_halve_or_move_a_factor_of_two_and_stay_in_the_space()
        {
            var space = Space(new long[] { 8, 8, 8 }, 64);
            var near = space.Neighbours(new long[] { 2, 4, 8 }).Select(TuningSpace.Key).ToList();
            Assert.Contains("1,4,8", near);
            Assert.Contains("2,2,8", near);
            Assert.Contains("4,2,8", near);   // a factor of two moved from l1 to l0
            Assert.Contains("2,8,4", near);
            Assert.DoesNotContain("4,4,8", near); // 128 items: over the limit of 64
            Assert.DoesNotContain("2,4,16", near); // past the global size 8
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        [InlineData(5)]
        public void Our_search_lands_within_2_percent_of_the_exhaustive_optimum_in_a_fifth_of_its_launches(int seed)
        {
            long[] gws = { 48, 30, 64 };
            var space = Space(gws);
            var optimum = space.Candidates.Min(c => new Landscape(gws, 0, 0).Cost(c));

            var exhaustive = new Landscape(gws, 0.05, seed);
            var reference = LocalSizeSearch.Run(TuningStrategy.Exhaustive, space, exhaustive.Time, V, seed);
            var ours = new Landscape(gws, 0.05, seed);
            var found = LocalSizeSearch.Run(TuningStrategy.Auto, space, ours.Time, V, seed);

            // every size a warm-up and ten runs, then 2 to 5 leaders (the best four and MACE's default) in the final rounds
            int sweep = space.Candidates.Count * (LocalSizeSearch.ExhaustiveRuns + 1);
            Assert.InRange(reference.Launches, sweep + 2 * LocalSizeSearch.ExhaustiveFinalRounds, sweep + (LocalSizeSearch.ExhaustiveFinalists + 1) * LocalSizeSearch.ExhaustiveFinalRounds);
            Assert.InRange(exhaustive.Cost(reference.Best), optimum, optimum * 1.02);
            Assert.InRange(ours.Cost(found.Best), optimum, optimum * 1.02);
            Assert.True(found.Launches <= reference.Launches / 5, $"{found.Launches} launches vs exhaustive {reference.Launches}");
            Assert.True(found.DefaultMicros > found.Micros);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        [InlineData(5)]
        public void On_a_plateau_the_exhaustive_search_settles_on_MACEs_default_in_every_run(int seed)
        {
            // every size takes 100 µs ± 5%: a noisy minimum would pick a different size each run
            long[] gws = { 48, 30, 64 };
            var space = Space(gws);
            var random = new Random(seed);
            double? Plateau(long[] _) => 100 * (1 + 0.05 * (2 * random.NextDouble() - 1));
            var outcome = LocalSizeSearch.Run(TuningStrategy.Exhaustive, space, Plateau, V, seed);
            Assert.Equal(space.DefaultLocalSize, outcome.Best);
            Assert.Equal(LatencyVerdict.Tie, outcome.Retimed.Verdict);
            Assert.Equal(LocalSizeSearch.RetimeRounds, outcome.DefaultRounds.Length);
        }

        [Fact]
        public void The_re_timing_runs_the_chosen_size_and_the_default_in_the_same_fresh_rounds()
        {
            long[] gws = { 48, 30, 64 };
            var space = Space(gws);
            var landscape = new Landscape(gws, 0.02, 9);
            var timed = new List<string>();
            double? Time(long[] l)
            {
                timed.Add(TuningSpace.Key(l));
                return landscape.Time(l);
            }
            var outcome = LocalSizeSearch.Run(TuningStrategy.Auto, space, Time, V, 9);
            Assert.NotEqual(space.DefaultLocalSize, outcome.Best); // the landscape's optimum is far from [1,1,1]
            // the last launches: both sizes once per round, in either order (both were warmed up by the search)
            var tail = timed.Skip(timed.Count - outcome.RetimeLaunches).ToList();
            Assert.Equal(2 * LocalSizeSearch.RetimeRounds, tail.Count);
            for (int r = 0; r < LocalSizeSearch.RetimeRounds; r++)
                Assert.Equal(new[] { TuningSpace.Key(outcome.Best), TuningSpace.Key(space.DefaultLocalSize) }.OrderBy(k => k), tail.Skip(2 * r).Take(2).OrderBy(k => k));
            Assert.Equal(LocalSizeSearch.RetimeRounds, outcome.BestRounds.Length);
            Assert.Equal(LatencyVerdict.Faster, outcome.Retimed.Verdict);
            Assert.Equal(Statistics.Median(outcome.DefaultRounds), outcome.Retimed.Baseline.Median);
        }

        [Fact]
        public void MACEs_strategy_picks_from_MACEs_list_and_our_search_is_no_worse_with_fewer_launches()
        {
            long[] gws = { 16, 8, 32 }; // 29 of MACE's 30 candidates fit 1024 items (not [16, 8, 32])
            var space = Space(gws);
            var mace = new Landscape(gws, 0.05, 7);
            var maceOutcome = LocalSizeSearch.Run(TuningStrategy.Mace, space, mace.Time, V, 7);
            Assert.Equal(29, TuningCandidates.Mace3D(gws, 1024).Count);
            Assert.Contains(TuningCandidates.Mace3D(gws, 1024), c => c.Take(3).SequenceEqual(maceOutcome.Best));
            var ours = new Landscape(gws, 0.05, 7);
            var found = LocalSizeSearch.Run(TuningStrategy.Auto, space, ours.Time, V, 7);
            Assert.True(ours.Cost(found.Best) <= mace.Cost(maceOutcome.Best));
            Assert.True(found.Launches < maceOutcome.Launches, $"{found.Launches} vs MACE {maceOutcome.Launches}");
        }

        [Theory]
        [InlineData(TuningStrategy.Auto)]
        [InlineData(TuningStrategy.Mace)]
        [InlineData(TuningStrategy.Exhaustive)]
        public void Refused_sizes_are_counted_and_never_chosen(TuningStrategy strategy)
        {
            long[] gws = { 48, 30, 64 };
            var landscape = new Landscape(gws, 0.02, 3) { Refuses = l => l.Aggregate(1L, (a, b) => a * b) > 32 };
            var outcome = LocalSizeSearch.Run(strategy, Space(gws), landscape.Time, V, 3);
            Assert.InRange(outcome.Best.Aggregate(1L, (a, b) => a * b), 1, 32);
            Assert.True(outcome.Refused > 0);
        }

        [Fact]
        public void When_the_driver_refuses_everything_the_error_says_so()
        {
            long[] gws = { 48, 30, 64 };
            var landscape = new Landscape(gws, 0, 1) { Refuses = _ => true };
            var e = Assert.Throws<MaceException>(() => LocalSizeSearch.Run(TuningStrategy.Auto, Space(gws), landscape.Time, V));
            Assert.Contains("refused every local size", e.Message);
            Assert.Contains("[48,30,64]", e.Message);
        }

        [Fact]
        public void A_small_space_is_timed_whole()
        {
            long[] gws = { 2, 1, 1 };
            var space = Space(gws, 4);
            Assert.InRange(space.Candidates.Count, 2, 8);
            var landscape = new Landscape(gws, 0, 1);
            var outcome = LocalSizeSearch.Run(TuningStrategy.Auto, space, landscape.Time, V);
            Assert.Equal(space.Candidates.Count, outcome.Tried);
            Assert.Equal(space.Candidates.Min(landscape.Cost), landscape.Cost(outcome.Best));
        }

        [Fact]
        public void Cancelling_stops_the_search_between_launches()
        {
            long[] gws = { 48, 30, 64 };
            using var cancel = new CancellationTokenSource();
            var landscape = new Landscape(gws, 0, 1);
            double? Time(long[] l)
            {
                if (landscape.Launches == 5) cancel.Cancel();
                return landscape.Time(l);
            }
            Assert.Throws<OperationCanceledException>(() => LocalSizeSearch.Run(TuningStrategy.Auto, Space(gws), Time, V, 1, cancel.Token));
            Assert.Equal(6, landscape.Launches);
        }

        [Fact]
        public void Kernel_splitting_follows_MACEs_block_rule()
        {
            var v = MaceVersion.Latest;
            // 3.5 ms over 64 rows: 4 blocks of 16 rows; uniform work-groups round the block up to l2 = 6 → 18.
            Assert.Equal(16, KernelTuner.Block(3, new long[] { 8, 8, 64 }, new long[] { 1, 1, 6 }, 3500, true, true, v));
            Assert.Equal(18, KernelTuner.Block(3, new long[] { 8, 8, 64 }, new long[] { 1, 1, 6 }, 3500, true, false, v));
            // never more blocks than rows; 2-D kernels split dimension 1
            Assert.Equal(1, KernelTuner.Block(2, new long[] { 8, 3 }, new long[] { 1, 1 }, 9000, true, true, v));
            Assert.Equal(0, KernelTuner.Block(3, new long[] { 8, 8, 64 }, new long[] { 1, 1, 6 }, 3500, false, true, v));
            // before v0.7 the last element is the number of blocks
            var old = MaceVersion.Parse("v0.6.3");
            Assert.Equal(1, KernelTuner.Block(3, new long[] { 8, 8, 64 }, new long[] { 1, 1, 6 }, 3500, false, true, old));
            Assert.Equal(4, KernelTuner.Block(3, new long[] { 8, 8, 64 }, new long[] { 1, 1, 6 }, 3500, true, true, old));
        }
    }
}
