using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using MaceTools.Conversion;
using MaceTools.Measurement;
using MaceTools.Runtime;

namespace MaceTools.Tuning
{
    /// <summary>One tuning key's candidates timed inside the model, and what was kept.</summary>
    public sealed class ContextChoice
    {
        public string Key { get; internal set; } = "";
        /// <summary>Kernel instances of the model that share the key (their device times are summed per inference).</summary>
        public int Instances { get; internal set; }
        /// <summary>The candidates besides MACE's default (dimensions only), in the order they were offered.</summary>
        public long[][] Candidates { get; internal set; } = Array.Empty<long[]>();
        /// <summary>The kept local size; null: MACE's default (no candidate was measurably faster in the model).</summary>
        public long[]? Chosen { get; internal set; }
        /// <summary>Per candidate, its summed device time in the model against the default's, paired by cycle.</summary>
        public LatencyComparison[] Comparisons { get; internal set; } = Array.Empty<LatencyComparison>();
        /// <summary>The kept candidate's comparison (null when the default was kept).</summary>
        public LatencyComparison? Gain { get; internal set; }
    }

    /// <summary>What the in-context stage measured and kept, and the whole set re-timed end to end against the default.</summary>
    public sealed class ContextOutcome
    {
        public IReadOnlyList<ContextChoice> Keys { get; internal set; } = Array.Empty<ContextChoice>();
        /// <summary>The kept local sizes by tuning-file key (keys that keep MACE's default are absent).</summary>
        public Dictionary<string, uint[]> Chosen { get; internal set; } = new Dictionary<string, uint[]>(StringComparer.Ordinal);
        /// <summary>Slots per cycle (MACE's default plus the most candidates any key has) and timed cycles.</summary>
        public int Slots { get; internal set; }
        public int Cycles { get; internal set; }
        /// <summary>
        /// End to end: the model's wall time per inference with the kept sizes against MACE's default sizes, in fresh
        /// interleaved pairs of inferences (each pair in random order) that played no part in the choice.
        /// </summary>
        public LatencyComparison Model { get; internal set; } = LatencyComparison.Of(Array.Empty<double>(), Array.Empty<double>());
        /// <summary>The same pairs' summed kernel device times.</summary>
        public LatencyComparison ModelKernels { get; internal set; } = LatencyComparison.Of(Array.Empty<double>(), Array.Empty<double>());
        /// <summary>Inferences run (warm-ups included) and the stage's wall time in seconds.</summary>
        public int Inferences { get; internal set; }
        public double Seconds { get; internal set; }
    }

    /// <summary>
    /// Runs the model with <paramref name="schedule"/> (inference i, warm-ups first, uses entry i modulo the count; null:
    /// MACE's default sizes) and returns the <paramref name="rounds"/> timed inferences: each one's wall time and its
    /// kernels' device times in the model's kernel order. <see cref="ContextTuning.Runner"/> makes one from a model runner.
    /// </summary>
    public delegate IReadOnlyList<ModelRound> ScheduleRun(IReadOnlyList<IReadOnlyDictionary<string, uint[]>?> schedule, int warmup, int rounds);

    /// <summary>
    /// Times local-size candidates in the model's own context: whole-model inferences in which every key runs one of its
    /// candidates (MACE's default among them), the slots assigned by an independent random permutation per key and cycle,
    /// so every candidate of every key is timed once per cycle beside a random mix of the others' (per-launch profiling
    /// events). A key keeps a candidate only when its device time in the model is measurably below the default's (sign
    /// test over the cycles); then the kept set and the default run in fresh interleaved pairs, and that end-to-end gain
    /// is the one reported.
    /// </summary>
    /// <remarks>
    /// Why: timed alone, a kernel runs with its own data hot in cache and the device otherwise idle; in the model it
    /// follows other kernels, and a size that wins alone can lose there (the per-kernel search's choices tied end to end).
    /// </remarks>
    public static class ContextTuning
    {
        /// <summary>Timed cycles (each key runs each of its slots once per cycle).</summary>
        public const int DefaultCycles = 15;
        /// <summary>Interleaved pairs of the end-to-end confirmation.</summary>
        public const int DefaultPairs = 40;
        /// <summary>The most slots per cycle (MACE's default plus candidates).</summary>
        public const int MaxSlots = 6;

        /// <summary>The model's inferences on <paramref name="runner"/>, one worker request per schedule, on one input sample.</summary>
        public static ScheduleRun Runner(ModelRunner runner, KernelSet set, IReadOnlyList<MaceTensor> sample, CancellationToken cancel = default) =>
            (schedule, warmup, rounds) => runner.Run(set, new List<IReadOnlyList<MaceTensor>> { sample },
                new ModelRunOptions { Schedule = schedule, Warmup = warmup, Rounds = rounds }, cancel).Rounds;

        /// <summary>
        /// Runs the stage. <paramref name="kernelKeys"/>: the tuning-file key of each of the model's inference kernels, in
        /// the order of <see cref="ModelRound.KernelUs"/> (null for a kernel MACE does not tune). <paramref name="candidates"/>:
        /// per key, the local sizes to try besides MACE's default (always slot 0, and not to be listed); keys absent run at
        /// MACE's default throughout.
        /// </summary>
        public static ContextOutcome Run(ScheduleRun run, IReadOnlyList<string?> kernelKeys,
            IReadOnlyDictionary<string, IReadOnlyList<long[]>> candidates, int seed = 1, int cycles = DefaultCycles, int pairs = DefaultPairs)
        {
            var sw = Stopwatch.StartNew();
            var random = new Random(seed);
            var keys = candidates.Where(kv => kv.Value.Count > 0 && kernelKeys.Contains(kv.Key))
                .Select(kv => (Key: kv.Key, Candidates: kv.Value.Take(MaxSlots - 1).ToArray())).OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
            var outcome = new ContextOutcome { Cycles = cycles };
            if (keys.Count == 0)
            {
                outcome.Seconds = sw.Elapsed.TotalSeconds;
                return outcome;
            }
            int slots = outcome.Slots = 1 + keys.Max(k => k.Candidates.Length);

            // Slot of each key in each inference: first one warm-up cycle in order (pocl compiles each new local size at its
            // first launch), then the timed cycles, each key's slots in a fresh random order.
            var assignment = new List<int[]>();
            for (int j = 0; j < slots; j++) assignment.Add(keys.Select(_ => j).ToArray());
            var perms = new int[cycles][][];
            for (int c = 0; c < cycles; c++)
            {
                perms[c] = keys.Select(_ => Shuffled(slots, random)).ToArray();
                for (int j = 0; j < slots; j++) assignment.Add(keys.Select((_, k) => perms[c][k][j]).ToArray());
            }
            var schedule = assignment.Select(a =>
            {
                var d = new Dictionary<string, uint[]>(StringComparer.Ordinal);
                for (int k = 0; k < keys.Count; k++)
                    if (a[k] > 0 && a[k] <= keys[k].Candidates.Length) d[keys[k].Key] = Words(keys[k].Candidates[a[k] - 1]);
                return (IReadOnlyDictionary<string, uint[]>?)d;
            }).ToList();
            var search = run(schedule, slots, cycles * slots);

            // Per key and slot, the key's summed device time in each cycle.
            var instances = keys.Select(k => kernelKeys.Select((x, i) => (x, i)).Where(p => p.x == k.Key).Select(p => p.i).ToArray()).ToList();
            var choices = new List<ContextChoice>();
            for (int k = 0; k < keys.Count; k++)
            {
                var times = new double[slots][];
                for (int s = 0; s < slots; s++) times[s] = new double[cycles];
                for (int r = 0; r < cycles * slots; r++)
                {
                    int c = r / slots, s = perms[c][k][r % slots];
                    times[s][c] = instances[k].Sum(i => search[r].KernelUs[i]);
                }
                var comparisons = keys[k].Candidates.Select((_, n) => LatencyComparison.Of(times[0], times[n + 1])).ToArray();
                int best = -1;
                for (int n = 0; n < comparisons.Length; n++)
                    if (comparisons[n].Verdict == LatencyVerdict.Faster && (best < 0 || comparisons[n].GainPercent > comparisons[best].GainPercent)) best = n;
                choices.Add(new ContextChoice
                {
                    Key = keys[k].Key, Instances = instances[k].Length, Candidates = keys[k].Candidates, Comparisons = comparisons,
                    Chosen = best < 0 ? null : keys[k].Candidates[best], Gain = best < 0 ? null : comparisons[best],
                });
            }
            outcome.Keys = choices;
            outcome.Chosen = choices.Where(c => c.Chosen != null).ToDictionary(c => c.Key, c => Words(c.Chosen!), StringComparer.Ordinal);
            outcome.Inferences = search.Count + slots;
            if (outcome.Chosen.Count > 0)
            {
                var (model, kernelTime, inferences) = Confirm(run, outcome.Chosen, pairs, random);
                outcome.Model = model;
                outcome.ModelKernels = kernelTime;
                outcome.Inferences += inferences;
            }
            outcome.Seconds = sw.Elapsed.TotalSeconds;
            return outcome;
        }

        /// <summary>
        /// MACE's default sizes against <paramref name="tuned"/> in <paramref name="pairs"/> interleaved pairs of inferences
        /// (each pair in random order, one warm-up of each first), in one worker request: the end-to-end gain with its interval.
        /// </summary>
        public static (LatencyComparison Wall, LatencyComparison Kernels, int Inferences) Confirm(ScheduleRun run, IReadOnlyDictionary<string, uint[]> tuned, int pairs, Random random)
        {
            var order = Enumerable.Range(0, pairs).Select(_ => random.Next(2) == 0).ToList(); // true: the default first
            var schedule = new List<IReadOnlyDictionary<string, uint[]>?> { null, tuned };
            foreach (bool defaultFirst in order) schedule.AddRange(defaultFirst ? new[] { null, tuned } : new[] { tuned, null });
            var result = run(schedule, 2, 2 * pairs);
            var defaults = new List<ModelRound>();
            var chosen = new List<ModelRound>();
            for (int p = 0; p < pairs; p++)
            {
                var (a, b) = (result[2 * p], result[2 * p + 1]);
                defaults.Add(order[p] ? a : b);
                chosen.Add(order[p] ? b : a);
            }
            return (LatencyComparison.Of(defaults.Select(r => r.WallMs).ToList(), chosen.Select(r => r.WallMs).ToList()),
                LatencyComparison.Of(defaults.Select(r => r.KernelMs).ToList(), chosen.Select(r => r.KernelMs).ToList()), result.Count + 2);
        }

        private static uint[] Words(long[] local) => local.Select(v => (uint)v).ToArray();

        private static int[] Shuffled(int n, Random random)
        {
            var a = Enumerable.Range(0, n).ToArray();
            Statistics.Shuffle(a, random);
            return a;
        }
    }
}
