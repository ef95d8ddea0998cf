using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MaceTools.Measurement;

namespace MaceTools.Tuning
{
    /// <summary>How the tuner searches local sizes.</summary>
    public enum TuningStrategy
    {
        /// <summary>Ours: successive halving over a wide space, refinement around the leader, an interleaved re-check.</summary>
        Auto,
        /// <summary>MACE's candidate list and timing rule, as MACE tunes on a phone.</summary>
        Mace,
        /// <summary>
        /// Every local size of the <see cref="TuningSpace"/>, each timed ten times, then the leaders and MACE's default
        /// timed together in more interleaved rounds: the reference optimum.
        /// </summary>
        Exhaustive,
    }

    /// <summary>Device microseconds of one launch with this local size, or null when the driver refuses the size.</summary>
    public delegate double? LaunchTimer(long[] local);

    /// <summary>What a search found and what it cost.</summary>
    public sealed class SearchOutcome
    {
        internal SearchOutcome(long[] best, double micros, double defaultMicros, int launches, int tried, int refused, double spread)
        {
            DefaultRounds = BestRounds = Array.Empty<double>();
            Best = best;
            Micros = micros;
            DefaultMicros = defaultMicros;
            Launches = launches;
            Tried = tried;
            Refused = refused;
            Spread = spread;
        }

        /// <summary>The chosen local size (dimensions only).</summary>
        public long[] Best { get; }
        /// <summary>
        /// The chosen size's time as the search saw it (median; MACE's strategy: its integer mean). Biased low: the
        /// best of many noisy candidates (the winner's curse); <see cref="Retimed"/> is the honest figure.
        /// </summary>
        public double Micros { get; }
        /// <summary>MACE's default size's time as the search saw it.</summary>
        public double DefaultMicros { get; }
        /// <summary>Kernel launches the search made, warm-ups included (the re-timing's are <see cref="RetimeLaunches"/>).</summary>
        public int Launches { get; }
        /// <summary>Distinct local sizes launched.</summary>
        public int Tried { get; }
        public int Refused { get; }
        /// <summary>The winner's run-to-run spread (median absolute deviation over the median).</summary>
        public double Spread { get; }

        /// <summary>
        /// After the search, fresh runs of MACE's default size (baseline) and the chosen one (candidate) in the same
        /// shuffled rounds, never used to choose: the gain a user gets, with its interval.
        /// </summary>
        public LatencyComparison Retimed { get; internal set; } = LatencyComparison.Of(Array.Empty<double>(), Array.Empty<double>());
        /// <summary>The re-timing's runs of the default size, round by round.</summary>
        public double[] DefaultRounds { get; internal set; }
        /// <summary>The re-timing's runs of the chosen size, round by round (the default's own runs when it was chosen).</summary>
        public double[] BestRounds { get; internal set; }
        /// <summary>Launches the re-timing made, warm-ups included.</summary>
        public int RetimeLaunches { get; internal set; }
        /// <summary>The search's last finalists, best first (the chosen size among them): the in-context stage's candidates.</summary>
        public long[][] Finalists { get; internal set; } = Array.Empty<long[]>();
        /// <summary>The driver refuses MACE's default size for this kernel: the chosen size is needed whatever its gain.</summary>
        public bool DefaultRefused { get; internal set; }
    }

    /// <summary>The three searches over one kernel instance, on any timer (a real launch, or a model of one in tests).</summary>
    public static class LocalSizeSearch
    {
        /// <summary>Runs of each local size in the exhaustive search: MACE's ten, so its medians are at least as steady as MACE's means.</summary>
        public const int ExhaustiveRuns = 10;
        private const int SmallSpace = 8;
        /// <summary>The first round samples a sixth of the space, within these bounds: about a third of the exhaustive cost at most.</summary>
        private const int MinSample = 10, MaxSample = 48;
        private const int RefineSteps = 4;
        private const int Finalists = 3;
        private const int RecheckRuns = 3;
        /// <summary>
        /// Rounds of the final re-timing of the chosen size against MACE's default (≥ 10, so the gain's sign-test
        /// interval reaches 95%: at 15 rounds it is the 4th to 12th ranked per-round gain).
        /// </summary>
        public const int RetimeRounds = 15;
        /// <summary>The exhaustive search's leaders re-timed together, with MACE's default, before it chooses.</summary>
        public const int ExhaustiveFinalists = 4;
        /// <summary>Interleaved rounds of those leaders: fresh runs, so the choice does not rest on the runs that made them leaders.</summary>
        public const int ExhaustiveFinalRounds = 20;
        /// <summary>A refused launch counts as 1e12 µs under MACE's rule: past its 200 ms stop after one run, and never the best.</summary>
        private const double RefusedMicros = 1e12;

        public static SearchOutcome Run(TuningStrategy strategy, TuningSpace space, LaunchTimer timer, MaceVersion version, int seed = 1, CancellationToken cancel = default)
        {
            var book = new TrialBook(timer, cancel, new Random(seed));
            var outcome = strategy switch
            {
                TuningStrategy.Mace => Mace(space, book, version),
                TuningStrategy.Exhaustive => Exhaustive(space, book),
                _ => Auto(space, book),
            };
            Retime(outcome, space, book);
            return outcome;
        }

        /// <summary>
        /// The chosen size against MACE's default in <see cref="RetimeRounds"/> fresh shuffled rounds (both sizes once per
        /// round, in random order): the search picked the best of many noisy medians, so its own figures overstate the
        /// gain; these runs played no part in the choice. When the default itself was chosen it is timed alone.
        /// </summary>
        private static void Retime(SearchOutcome outcome, TuningSpace space, TrialBook book)
        {
            int before = book.Launches;
            var fallback = book[space.DefaultLocalSize];
            var chosen = book[outcome.Best];
            var rounds = book.Rounds(chosen == fallback ? new[] { fallback } : new[] { fallback, chosen }, RetimeRounds);
            outcome.BestRounds = rounds[chosen].ToArray();
            // A default the driver refuses has no runs: nothing to gain against, and nothing to fall back on.
            outcome.DefaultRefused = fallback.Refused;
            outcome.DefaultRounds = fallback.Refused ? outcome.BestRounds : rounds[fallback].ToArray();
            outcome.Retimed = LatencyComparison.Of(outcome.DefaultRounds, outcome.BestRounds);
            outcome.RetimeLaunches = book.Launches - before;
        }

        /// <summary>MACE's Tune: its list (duplicates and all) and its timing rule; a refused size is never chosen (MACE would time it as 0 µs).</summary>
        private static SearchOutcome Mace(TuningSpace space, TrialBook book, MaceVersion version)
        {
            var candidates = TuningCandidates.For(space.Dimensions, space.GlobalSize, space.KernelWorkGroupSize, version);
            var refused = new HashSet<string>(StringComparer.Ordinal);
            var (best, micros, launches) = MaceTimingRule.Tune(candidates, p =>
            {
                book.Cancel.ThrowIfCancellationRequested();
                var local = p.Take(space.Dimensions).ToArray();
                double? t = book.Timer(local);
                if (t == null) refused.Add(TuningSpace.Key(local));
                return t ?? RefusedMicros;
            });
            var chosen = best.Take(space.Dimensions).ToArray();
            if (refused.Contains(TuningSpace.Key(chosen))) chosen = space.DefaultLocalSize; // every candidate refused
            int tried = candidates.Select(c => TuningSpace.Key(c.Take(space.Dimensions).ToArray())).Distinct().Count();
            var check = book[chosen];
            book.Interleaved(new[] { check, book[space.DefaultLocalSize] }, RecheckRuns, counted: false);
            return new SearchOutcome(chosen, micros, book[space.DefaultLocalSize].Median, launches, tried, refused.Count, check.Spread);
        }

        private static SearchOutcome Exhaustive(TuningSpace space, TrialBook book)
        {
            var all = space.Candidates.Select(c => book[c]).ToList();
            foreach (var t in all) book.Measure(t, ExhaustiveRuns);
            var leaders = Ranked(all).Take(ExhaustiveFinalists).Append(book[space.DefaultLocalSize]).Where(t => !t.Refused).Distinct().ToList();
            if (leaders.Count < 2) return book.Outcome(Winner(all, space), space);
            var rounds = book.Rounds(leaders, ExhaustiveFinalRounds, counted: true);
            var outcome = book.Outcome(Settle(leaders, rounds), space);
            outcome.Finalists = leaders.OrderBy(t => Statistics.Median(rounds[t])).ThenBy(t => t.Order).Select(t => t.Local).ToArray();
            return outcome;
        }

        /// <summary>
        /// The leader of fresh interleaved rounds; but among the sizes it does not measurably beat (its gain over them is
        /// a <see cref="LatencyVerdict.Tie"/>), the one first in the space's order, MACE's default first. A noisy minimum
        /// would pick a different one of several equals each run; a fixed order picks the same one, at no cost in speed.
        /// </summary>
        private static Trial Settle(IReadOnlyList<Trial> leaders, IReadOnlyDictionary<Trial, List<double>> rounds)
        {
            var leader = leaders.OrderBy(t => Statistics.Median(rounds[t])).ThenBy(t => t.Order).First();
            return leaders.Where(t => t == leader || LatencyComparison.Of(rounds[t], rounds[leader]).Verdict == LatencyVerdict.Tie)
                .OrderBy(t => t.Order).First();
        }

        /// <summary>
        /// Successive halving: a spread sample of the space timed once each (after a warm-up, since drivers such as pocl
        /// compile per local size), the better half kept and timed again, interleaved so drift hits all alike, down to three;
        /// then the finalists' neighbours, step by step while newcomers reach the finalists; then the finalists and MACE's default re-timed together, with more runs while the
        /// top two are closer than their noise. Medians throughout.
        /// </summary>
        private static SearchOutcome Auto(TuningSpace space, TrialBook book)
        {
            List<Trial> pool;
            if (space.Candidates.Count <= SmallSpace)
            {
                pool = space.Candidates.Select(c => book[c]).ToList();
                book.Interleaved(pool, RecheckRuns);
            }
            else
            {
                pool = Sample(space, book.Random).Select(c => book[c]).ToList();
                book.Interleaved(pool, 1);
                while (pool.Count > Finalists)
                {
                    pool = Ranked(pool).Take(Math.Max(Finalists, (pool.Count + 1) / 2)).ToList();
                    book.Interleaved(pool, 2);
                }
                // Hill-climb from all finalists, not only the leader: near-ties on a plateau hide which one leads downhill.
                for (int step = 0; step < RefineSteps; step++)
                {
                    var fresh = Ranked(pool).SelectMany(t => space.Neighbours(t.Local)).Select(n => book[n]).Where(t => !t.WarmedUp).Distinct().ToList();
                    if (fresh.Count == 0) break;
                    book.Interleaved(fresh, 1);
                    pool = Ranked(pool.Concat(fresh)).Take(Finalists).ToList();
                    if (!pool.Intersect(fresh).Any()) break;
                    book.Interleaved(pool, 2);
                }
            }
            var finalists = Ranked(book.Measured).Take(Finalists).Append(book[space.DefaultLocalSize]).Distinct().ToList();
            book.Interleaved(finalists, RecheckRuns);
            var ranked = Ranked(finalists);
            if (ranked.Count == 0) ranked.Add(Winner(book.Measured, space));
            if (ranked.Count > 1 && ranked[1].Median - ranked[0].Median <= ranked[0].Median * Math.Max(ranked[0].Spread, ranked[1].Spread))
            {
                book.Interleaved(ranked.Take(2).ToList(), RecheckRuns);
                ranked = Ranked(finalists);
            }
            var outcome = book.Outcome(ranked[0], space);
            outcome.Finalists = ranked.Select(t => t.Local).ToArray();
            return outcome;
        }

        /// <summary>The default, then local sizes spread evenly over the space ordered by work-group size, from a random start.</summary>
        private static IEnumerable<long[]> Sample(TuningSpace space, Random random)
        {
            var ordered = space.Candidates.Skip(1).OrderBy(c => c.Aggregate(1L, (a, b) => a * b)).ThenBy(TuningSpace.Key, StringComparer.Ordinal).ToList();
            int n = Math.Min(Math.Max(MinSample, Math.Min(MaxSample, space.Candidates.Count / 6)) - 1, ordered.Count);
            double step = (double)ordered.Count / n;
            double start = random.NextDouble() * step;
            yield return space.DefaultLocalSize;
            for (int i = 0; i < n; i++) yield return ordered[(int)(start + i * step)];
        }

        private static Trial Winner(IEnumerable<Trial> trials, TuningSpace space) =>
            Ranked(trials).FirstOrDefault() ?? throw new MaceException(ErrorIds.OpenClCallFailed, MaceErrorCategory.InvalidOperation,
                $"the driver refused every local size tried for global size [{TuningSpace.Key(space.GlobalSize)}] (work-group limit {space.KernelWorkGroupSize})");

        private static List<Trial> Ranked(IEnumerable<Trial> trials) =>
            trials.Where(t => !t.Refused && t.Runs.Count > 0).OrderBy(t => t.Median).ThenBy(t => t.Order).ToList();

        /// <summary>Every local size timed so far, with its runs; the single place launches are made and counted.</summary>
        private sealed class TrialBook
        {
            private readonly Dictionary<string, Trial> _trials = new Dictionary<string, Trial>(StringComparer.Ordinal);

            public TrialBook(LaunchTimer timer, CancellationToken cancel, Random random)
            {
                Timer = timer;
                Cancel = cancel;
                Random = random;
            }

            public LaunchTimer Timer { get; }
            public CancellationToken Cancel { get; }
            public Random Random { get; }
            public int Launches { get; private set; }
            public IEnumerable<Trial> Measured => _trials.Values;

            public Trial this[long[] local]
            {
                get
                {
                    string key = TuningSpace.Key(local);
                    if (!_trials.TryGetValue(key, out var t)) _trials[key] = t = new Trial(local, _trials.Count);
                    return t;
                }
            }

            /// <summary>Warms up new local sizes, then times each of <paramref name="trials"/> <paramref name="runs"/> times, a shuffled round at a time.</summary>
            public void Interleaved(IReadOnlyList<Trial> trials, int runs, bool counted = true)
            {
                foreach (var t in trials) WarmUp(t, counted);
                var order = trials.Where(t => !t.Refused).ToArray();
                for (int r = 0; r < runs; r++)
                {
                    Statistics.Shuffle(order, Random);
                    foreach (var t in order) Launch(t, counted);
                }
            }

            /// <summary>
            /// Fresh runs of <paramref name="trials"/>, each once per shuffled round, kept apart from the search's runs
            /// (round i of each list is the same round); a size refused on the way has fewer runs and is marked refused.
            /// </summary>
            public Dictionary<Trial, List<double>> Rounds(IReadOnlyList<Trial> trials, int rounds, bool counted = true)
            {
                foreach (var t in trials) WarmUp(t, counted);
                var result = trials.Distinct().ToDictionary(t => t, _ => new List<double>());
                var order = result.Keys.Where(t => !t.Refused).ToArray();
                for (int r = 0; r < rounds; r++)
                {
                    Statistics.Shuffle(order, Random);
                    foreach (var t in order)
                    {
                        double? micros = Time(t, counted);
                        if (micros == null) t.Refused = true;
                        else result[t].Add(micros.Value);
                    }
                }
                // A size refused mid-way (it should not be: it ran before) would leave rounds unpaired: drop it from all.
                foreach (var t in result.Keys.Where(t => t.Refused).ToList()) result[t].Clear();
                return result;
            }

            public void Measure(Trial t, int runs)
            {
                WarmUp(t, true);
                for (int r = 0; r < runs && !t.Refused; r++) Launch(t, true);
            }

            private void WarmUp(Trial t, bool counted)
            {
                if (t.WarmedUp || t.Refused) return;
                t.WarmedUp = true;
                if (Time(t, counted) == null) t.Refused = true;
            }

            private void Launch(Trial t, bool counted)
            {
                double? micros = Time(t, counted);
                if (micros == null) t.Refused = true;
                else t.Runs.Add(micros.Value);
            }

            private double? Time(Trial t, bool counted)
            {
                Cancel.ThrowIfCancellationRequested();
                if (counted) Launches++;
                return Timer(t.Local);
            }

            public SearchOutcome Outcome(Trial best, TuningSpace space)
            {
                var defaultTrial = this[space.DefaultLocalSize];
                if (defaultTrial.Runs.Count == 0) Interleaved(new[] { defaultTrial }, RecheckRuns, counted: false);
                return new SearchOutcome(best.Local, best.Median, defaultTrial.Median, Launches,
                    _trials.Values.Count(t => t.WarmedUp), _trials.Values.Count(t => t.Refused), best.Spread);
            }
        }

        private sealed class Trial
        {
            public Trial(long[] local, int order)
            {
                Local = local;
                Order = order;
            }

            public long[] Local { get; }
            /// <summary>When the trial was first seen: ties go to the earlier one, as in MACE.</summary>
            public int Order { get; }
            public bool WarmedUp { get; set; }
            public bool Refused { get; set; }
            public List<double> Runs { get; } = new List<double>();
            public double Median => Statistics.Median(Runs);
            public double Spread => Statistics.RelativeSpread(Runs);
        }
    }
}
