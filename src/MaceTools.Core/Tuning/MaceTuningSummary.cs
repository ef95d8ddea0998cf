using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Measurement;

namespace MaceTools.Tuning
{
    /// <summary>
    /// A tuning run's total on one device: the model's kernel time with the stored sizes against MACE's default sizes,
    /// from the re-timing only (never the search's own best times), with the gain's interval and how many kernels
    /// gained measurably.
    /// </summary>
    public sealed class MaceTuningSummary
    {
        public string Device { get; set; } = "";
        public TuningStrategy Strategy { get; set; }
        /// <summary>The tuned-parameter file written (the partial name when the run was stopped).</summary>
        public string Path { get; set; } = "";
        public int Kernels { get; set; }
        /// <summary>Kernels whose searched size is measurably faster than MACE's default (stored).</summary>
        public int Faster { get; set; }
        /// <summary>Kernels whose searched size is inside the noise of MACE's default: no winner claimed.</summary>
        public int NoMeasurableGain { get; set; }
        /// <summary>Kernels whose searched size came out measurably slower in the re-timing.</summary>
        public int Slower { get; set; }
        /// <summary>Kernels for which the search chose MACE's default itself.</summary>
        public int DefaultChosen { get; set; }
        /// <summary>The sum of the kernels' re-timed medians with MACE's default sizes, in microseconds.</summary>
        public double DefaultMicros { get; set; }
        /// <summary>The sum of the kernels' re-timed medians with the stored sizes.</summary>
        public double TunedMicros { get; set; }
        /// <summary>
        /// The file's gain over MACE's default sizes, in percent: the median over the re-timing rounds of each round's
        /// total (every kernel's run in that round) with the stored sizes against the default's.
        /// </summary>
        public double GainPercent { get; set; }
        /// <summary>The lower end of the total gain's confidence interval (≥ 95%, sign test over the rounds).</summary>
        public double GainLowPercent { get; set; }
        /// <summary>The upper end of the total gain's confidence interval.</summary>
        public double GainHighPercent { get; set; }
        /// <summary>Re-timing rounds per kernel.</summary>
        public int Rounds { get; set; }
        /// <summary>Kernel launches made, warm-ups and re-timing included.</summary>
        public int Launches { get; set; }
        /// <summary>Wall time of the run, in seconds (the in-context stage included).</summary>
        public double Seconds { get; set; }

        /// <summary>
        /// True when the in-context stage ran (<see cref="ContextTuning"/>): the stored sizes are its choices, and the Model*
        /// figures are the file against MACE's default sizes end to end, re-timed in fresh interleaved pairs of inferences.
        /// </summary>
        public bool InContext { get; set; }
        /// <summary>Keys whose stored size differs from MACE's default after the in-context stage.</summary>
        public int ContextChanged { get; set; }
        /// <summary>Whole-model inferences the in-context stage ran (warm-ups and the confirmation included), and its seconds.</summary>
        public int ContextInferences { get; set; }
        public double ContextSeconds { get; set; }
        /// <summary>Interleaved pairs of the end-to-end confirmation.</summary>
        public int ModelPairs { get; set; }
        /// <summary>Median wall time per inference with MACE's default sizes and with the file, in milliseconds.</summary>
        public double ModelDefaultMs { get; set; }
        public double ModelTunedMs { get; set; }
        /// <summary>The file's end-to-end gain over MACE's default sizes (median of the paired gains), in percent, with its ≥ 95% interval.</summary>
        public double ModelGainPercent { get; set; }
        public double ModelGainLowPercent { get; set; }
        public double ModelGainHighPercent { get; set; }
        /// <summary>Faster, Tie (inside the noise: no gain claimed) or Slower; Tie when no key changed.</summary>
        public string ModelVerdict { get; set; } = "";

        /// <summary>The totals of <paramref name="results"/>; rounds are paired across kernels by their index (the shortest kernel's count).</summary>
        public static MaceTuningSummary Of(IReadOnlyList<MaceTuningResult> results, string device, TuningStrategy strategy, string path, double seconds)
        {
            int rounds = results.Count == 0 ? 0 : results.Min(r => Math.Min(r.DefaultRounds.Length, r.StoredRounds.Length));
            var defaults = Enumerable.Range(0, rounds).Select(i => results.Sum(r => r.DefaultRounds[i])).ToList();
            var tuned = Enumerable.Range(0, rounds).Select(i => results.Sum(r => r.StoredRounds[i])).ToList();
            var total = LatencyComparison.Of(defaults, tuned);
            return new MaceTuningSummary
            {
                Device = device, Strategy = strategy, Path = path, Kernels = results.Count,
                Faster = results.Count(r => r.Verdict == TuningVerdict.Faster),
                NoMeasurableGain = results.Count(r => r.Verdict == TuningVerdict.NoMeasurableGain),
                Slower = results.Count(r => r.Verdict == TuningVerdict.Slower),
                DefaultChosen = results.Count(r => r.Verdict == TuningVerdict.DefaultChosen),
                DefaultMicros = results.Sum(r => r.DefaultMicros), TunedMicros = results.Sum(r => r.Micros),
                GainPercent = total.GainPercent, GainLowPercent = total.GainLowPercent, GainHighPercent = total.GainHighPercent,
                Rounds = rounds, Launches = results.Sum(r => r.Trials + r.RetimeLaunches), Seconds = Math.Round(seconds, 1),
            };
        }

        /// <summary>Records the in-context stage's outcome (the end-to-end figures).</summary>
        internal void SetContext(int changed, ContextOutcome o)
        {
            InContext = true;
            ContextChanged = changed;
            ContextInferences = o.Inferences;
            ContextSeconds = Math.Round(o.Seconds, 1);
            ModelPairs = o.Model.Baseline.Count;
            ModelDefaultMs = o.Model.Baseline.Median;
            ModelTunedMs = o.Model.Candidate.Median;
            ModelGainPercent = o.Model.GainPercent;
            ModelGainLowPercent = o.Model.GainLowPercent;
            ModelGainHighPercent = o.Model.GainHighPercent;
            ModelVerdict = (ModelPairs == 0 ? Measurement.LatencyVerdict.Tie : o.Model.Verdict).ToString();
        }

        /// <summary>The end-to-end line, empty when the in-context stage did not run.</summary>
        public string ModelLine => !InContext ? "" : ModelPairs == 0
            ? $"in the model: no candidate measurably faster than MACE's default for any key: the file keeps the default sizes (Tie); {ContextInferences} inferences in {ContextSeconds:F1} s"
            : FormattableString.Invariant($"in the model, end to end ({ModelPairs} interleaved pairs): {ModelTunedMs:F2} ms with the file vs {ModelDefaultMs:F2} ms with MACE's default sizes, gain {ModelGainPercent:F1}% [{ModelGainLowPercent:F1}%, {ModelGainHighPercent:F1}%] {ModelVerdict}; {ContextChanged} keys changed in context; {ContextInferences} inferences in {ContextSeconds:F1} s");

        public override string ToString() =>
            $"{Device}: {Kernels} kernels, {TunedMicros:F0} µs tuned vs {DefaultMicros:F0} µs with MACE's default sizes, re-timed: " +
            $"gain {GainPercent:F1}% [{GainLowPercent:F1}%, {GainHighPercent:F1}%]; {Faster} faster, {NoMeasurableGain} no measurable gain, " +
            $"{Slower} slower, {DefaultChosen} default chosen" + (InContext ? "; " + ModelLine : "");
    }
}
