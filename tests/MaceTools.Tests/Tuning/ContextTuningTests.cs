using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Measurement;
using MaceTools.Runtime;
using MaceTools.Tuning;
using Xunit;

namespace MaceTools.Tests.TuningTests
{
    /// <summary>The in-context stage on modelled inferences: known in-model costs per key and local size, seeded noise.</summary>
    public class ContextTuningTests
    {
        /// <summary>
        /// A model of four inference kernels: two instances of key "a", one of "b", one untuned. Each kernel's device time
        /// in an inference depends on the local size its key has there (MACE's default when absent), ±noise (seeded).
        /// </summary>
        private sealed class Model
        {
            private readonly Random _random;
            private readonly double _noise;

            public Model(double noise, int seed)
            {
                _noise = noise;
                _random = new Random(seed);
            }

            public string?[] Keys { get; } = { "a", "b", "a", null };
            /// <summary>In-model microseconds per key and local size ("" = MACE's default).</summary>
            public Dictionary<string, Dictionary<string, double>> Cost { get; } = new Dictionary<string, Dictionary<string, double>>
            {
                ["a"] = new Dictionary<string, double> { [""] = 100, ["8,1,1"] = 80, ["1,8,1"] = 120, ["2,2,2"] = 100 },
                ["b"] = new Dictionary<string, double> { [""] = 50, ["4,4,1"] = 50 },
            };
            public List<IReadOnlyList<IReadOnlyDictionary<string, uint[]>?>> Schedules { get; } = new List<IReadOnlyList<IReadOnlyDictionary<string, uint[]>?>>();

            public IReadOnlyList<ModelRound> Run(IReadOnlyList<IReadOnlyDictionary<string, uint[]>?> schedule, int warmup, int rounds)
            {
                Schedules.Add(schedule);
                var result = new List<ModelRound>();
                for (int i = warmup; i < warmup + rounds; i++)
                {
                    var entry = schedule[i % schedule.Count];
                    var us = Keys.Select(k =>
                    {
                        double t = 30;
                        if (k != null) t = Cost[k][entry != null && entry.TryGetValue(k, out var l) ? string.Join(",", l) : ""];
                        return t * (1 + _noise * (2 * _random.NextDouble() - 1));
                    }).ToArray();
                    result.Add(new ModelRound(0, i - warmup, us.Sum() / 1000 + 0.02, us, Array.Empty<double>()));
                }
                return result;
            }
        }

        private static Dictionary<string, IReadOnlyList<long[]>> Candidates(params (string Key, long[][] Locals)[] keys) =>
            keys.ToDictionary(k => k.Key, k => (IReadOnlyList<long[]>)k.Locals);

        private static readonly Dictionary<string, IReadOnlyList<long[]>> Offered = Candidates(
            ("a", new[] { new long[] { 1, 8, 1 }, new long[] { 8, 1, 1 }, new long[] { 2, 2, 2 } }),
            ("b", new[] { new long[] { 4, 4, 1 } }),
            ("absent", new[] { new long[] { 2, 1, 1 } }));

        [Fact]
        public void A_key_keeps_the_candidate_measurably_faster_inside_the_model_and_the_default_otherwise()
        {
            var model = new Model(noise: 0.05, seed: 3);
            var o = ContextTuning.Run(model.Run, model.Keys, Offered, seed: 1);

            var a = o.Keys.Single(k => k.Key == "a");
            Assert.Equal(new long[] { 8, 1, 1 }, a.Chosen);
            Assert.Equal(2, a.Instances);
            Assert.Equal(LatencyVerdict.Slower, a.Comparisons[0].Verdict); // [1,8,1] costs more in the model
            Assert.InRange(a.Gain!.GainPercent, 15, 25);                    // 100 -> 80 µs per instance
            var b = o.Keys.Single(k => k.Key == "b");
            Assert.Null(b.Chosen);                                          // equal to the default: a tie keeps the default
            Assert.DoesNotContain(o.Keys, k => k.Key == "absent");          // not a key of this model
            Assert.Equal(new Dictionary<string, uint[]> { ["a"] = new uint[] { 8, 1, 1 } }, o.Chosen);
        }

        [Fact]
        public void Every_key_runs_each_of_its_slots_once_per_cycle_beside_a_shuffled_mix_of_the_others()
        {
            var model = new Model(noise: 0.05, seed: 4);
            var o = ContextTuning.Run(model.Run, model.Keys, Offered, seed: 2, cycles: 6);
            Assert.Equal(4, o.Slots); // MACE's default plus a's three candidates
            var search = model.Schedules[0];
            Assert.Equal(o.Slots * (1 + o.Cycles), search.Count); // one warm-up cycle, then the timed ones
            string Slot(IReadOnlyDictionary<string, uint[]>? e, string key) => e != null && e.TryGetValue(key, out var l) ? string.Join(",", l) : "";
            for (int c = 0; c <= o.Cycles; c++)
            {
                var cycle = search.Skip(c * o.Slots).Take(o.Slots).ToList();
                Assert.Equal(new[] { "", "1,8,1", "2,2,2", "8,1,1" }, cycle.Select(e => Slot(e, "a")).OrderBy(x => x, StringComparer.Ordinal));
                Assert.Equal(1, cycle.Count(e => Slot(e, "b") == "4,4,1")); // b's one candidate once, its other slots the default
            }
            // shuffled: the timed cycles do not all pair a's and b's slots the same way
            var pairings = Enumerable.Range(1, o.Cycles).Select(c => string.Join("|", search.Skip(c * o.Slots).Take(o.Slots).Select(e => Slot(e, "a") + "/" + Slot(e, "b")))).Distinct();
            Assert.True(pairings.Count() > 1);
        }

        [Fact]
        public void The_kept_set_is_re_timed_end_to_end_against_the_default_in_fresh_interleaved_pairs()
        {
            var model = new Model(noise: 0.05, seed: 5);
            var o = ContextTuning.Run(model.Run, model.Keys, Offered, seed: 1, pairs: 30);

            Assert.Equal(2, model.Schedules.Count); // the search, then the confirmation: fresh inferences
            var confirm = model.Schedules[1];
            Assert.Equal(2 + 2 * 30, confirm.Count);
            for (int p = 0; p < 31; p++) // each pair (the warm-up one too) is one default and one tuned inference, in either order
                Assert.Equal(1, confirm.Skip(2 * p).Take(2).Count(e => e == null));
            Assert.Contains(Enumerable.Range(1, 30), p => confirm[2 * p] == null);
            Assert.Contains(Enumerable.Range(1, 30), p => confirm[2 * p] != null);
            // kernels 100+50+100+30 µs by default, 80+50+80+30 tuned: 40 of 280 µs, plus 20 µs outside the kernels
            Assert.Equal(30, o.Model.Baseline.Count);
            Assert.Equal(LatencyVerdict.Faster, o.Model.Verdict);
            Assert.InRange(o.Model.GainPercent, 100.0 * 40 / 300 - 3, 100.0 * 40 / 300 + 3);
            Assert.InRange(o.Model.GainPercent, o.Model.GainLowPercent, o.Model.GainHighPercent);
            Assert.Equal(o.Slots * (1 + o.Cycles) + 2 + 2 * 30, o.Inferences);
        }

        [Theory]
        [InlineData(new long[] { 8, 24, 2 }, 2)]
        [InlineData(new long[] { 50, 24, 2 }, 2)]
        [InlineData(new long[] { 7, 1, 1 }, 2)]
        [InlineData(new long[] { 192, 48 }, 4)]
        public void Device_shaped_candidates_pad_no_work_item_and_keep_every_compute_unit_busy(long[] gws, int computeUnits)
        {
            var space = TuningSpace.For(gws.Length, gws, 4096, gws.Select(_ => 1L).ToArray(), MaceVersion.Latest);
            var shaped = space.Shaped(computeUnits);
            Assert.NotEmpty(shaped);
            Assert.All(shaped, l =>
            {
                Assert.True(TuningSpace.IsValid(l, 4096));
                Assert.All(l.Select((v, i) => gws[i] % v), r => Assert.Equal(0, r)); // no padded work-items
                Assert.True(l.Select((v, i) => gws[i] / v).Aggregate(1L, (a, b) => a * b) >= computeUnits); // no idle compute unit
            });
            // the largest work-group whose count is a multiple of the compute units comes first, where one exists (7 is prime)
            long Groups(long[] l) => l.Select((v, i) => gws[i] / v).Aggregate(1L, (a, b) => a * b);
            var even = space.Candidates.Where(l => l.Select((v, i) => gws[i] % v == 0).All(x => x) && Groups(l) >= computeUnits && Groups(l) % computeUnits == 0).ToList();
            Assert.Equal(gws[0] != 7, even.Count > 0);
            if (even.Count > 0) Assert.Equal(even.Max(l => l.Aggregate(1L, (a, b) => a * b)), shaped[0].Aggregate(1L, (a, b) => a * b));
        }

        [Fact]
        public void When_no_candidate_wins_in_the_model_nothing_is_confirmed_and_no_gain_is_claimed()
        {
            var model = new Model(noise: 0.05, seed: 6);
            model.Cost["a"]["8,1,1"] = 100; // as fast as the default
            var o = ContextTuning.Run(model.Run, model.Keys, Offered, seed: 1);
            Assert.Empty(o.Chosen);
            Assert.Single(model.Schedules);
            Assert.Equal(0, o.Model.Baseline.Count);
            var summary = new MaceTuningSummary();
            summary.SetContext(0, o);
            Assert.Equal("Tie", summary.ModelVerdict);
            Assert.Contains("keeps the default sizes", summary.ModelLine);
        }
    }
}
