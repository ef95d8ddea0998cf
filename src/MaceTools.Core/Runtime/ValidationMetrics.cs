using System;
using System.Linq;

namespace MaceTools.Runtime
{
    /// <summary>One comparison of a tensor with its reference: MACE v1.1.1 tools/python/validate.py's metrics plus max errors.</summary>
    public sealed class TensorComparison
    {
        /// <summary>Cosine similarity u·v / (|u|·|v|) in double precision (validate.py's calculate_similarity).</summary>
        public double Cosine { get; internal set; }
        /// <summary>Signal-to-quantisation-noise ratio Σe² / (Σ(e−a)² + 1e-15), a ratio as validate.py prints it (not dB).</summary>
        public double Sqnr { get; internal set; }
        /// <summary>Share of rows (the last axis) whose argmax agrees (validate.py's calculate_pixel_accuracy; 1 for one class).</summary>
        public double PixelAccuracy { get; internal set; }
        public double MaxAbsError { get; internal set; }
        /// <summary>max |a−e| / max(|e|, 1e-6).</summary>
        public double MaxRelError { get; internal set; }
    }

    public static class ValidationMetrics
    {
        /// <summary>MACE's default thresholds when the deployment file gives no validation_threshold for the device type.</summary>
        public const double DefaultGpu = 0.995, DefaultCpu = 0.999;

        /// <summary>Compares <paramref name="actual"/> with <paramref name="expected"/> (same element order; <paramref name="lastAxis"/> is the row length for pixel accuracy).</summary>
        public static TensorComparison Compare(float[] expected, float[] actual, int lastAxis)
        {
            if (expected.Length != actual.Length)
                throw new ArgumentException($"the tensors differ in size ({expected.Length} and {actual.Length} values)", nameof(actual));
            double dot = 0, ee = 0, aa = 0, noise = 0, maxAbs = 0, maxRel = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                double e = expected[i], a = actual[i], d = e - a;
                dot += e * a;
                ee += e * e;
                aa += a * a;
                noise += d * d;
                double abs = Math.Abs(d);
                if (abs > maxAbs || double.IsNaN(abs)) maxAbs = abs;
                double rel = abs / Math.Max(Math.Abs(e), 1e-6);
                if (rel > maxRel || double.IsNaN(rel)) maxRel = rel;
            }
            // Two all-zero tensors agree; one zero tensor against another has no direction (validate.py gives NaN: a failure).
            double cosine = ee == 0 && aa == 0 ? 1 : dot / (Math.Sqrt(ee) * Math.Sqrt(aa));
            return new TensorComparison
            {
                Cosine = double.IsNaN(cosine) ? 0 : cosine,
                Sqnr = ee / (noise + 1e-15),
                PixelAccuracy = PixelAccuracy(expected, actual, lastAxis),
                MaxAbsError = maxAbs,
                MaxRelError = maxRel,
            };
        }

        private static double PixelAccuracy(float[] expected, float[] actual, int classes)
        {
            if (classes <= 1 || expected.Length % classes != 0) return 1.0;
            int rows = expected.Length / classes, correct = 0;
            for (int r = 0; r < rows; r++)
                if (ArgMax(expected, r * classes, classes) == ArgMax(actual, r * classes, classes)) correct++;
            return rows == 0 ? 1.0 : (double)correct / rows;
        }

        private static int ArgMax(float[] v, int offset, int count)
        {
            int best = 0;
            for (int i = 1; i < count; i++)
                if (v[offset + i] > v[offset + best]) best = i;
            return best;
        }

        /// <summary>The threshold for a device type ("GPU", "CPU") from a subgraph's validation_threshold, else MACE's default.</summary>
        public static double Threshold(System.Collections.Generic.IReadOnlyDictionary<string, double> configured, string deviceType)
        {
            var hit = configured.FirstOrDefault(kv => string.Equals(kv.Key, deviceType, StringComparison.OrdinalIgnoreCase));
            if (hit.Key != null) return hit.Value;
            return string.Equals(deviceType, "CPU", StringComparison.OrdinalIgnoreCase) ? DefaultCpu : DefaultGpu;
        }
    }
}
