using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Conversion;

namespace MaceTools.Verification
{
    /// <summary>
    /// Whether a tuned-parameter file fits a model's kernels: keys no kernel looks up (MACE ignores them) and kernels with
    /// no entry (MACE runs them with its default local size). A file none of whose keys is looked up is for another model,
    /// device kind or MACE version.
    /// </summary>
    public static class TuningCoverage
    {
        public static List<MaceFinding> Check(MaceProgram file, IEnumerable<MaceKernel> kernels, string modelSource)
        {
            var findings = new List<MaceFinding>();
            var lookedUp = kernels.Where(k => k.TuningFileKey != null).GroupBy(k => k.TuningFileKey!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var stored = file.Entries.Where(e => e.Kind == MaceEntryKind.TuningParameter).ToList();
            var storedKeys = new HashSet<string>(stored.Select(e => e.Key), StringComparer.Ordinal);
            foreach (var e in stored.Where(e => !lookedUp.ContainsKey(e.Key)))
                findings.Add(new MaceFinding(FindingSeverity.Warning, "TuningKeyNotLookedUp",
                    $"{e.TuningKey}: no kernel of {modelSource} looks this key up; MACE ignores the entry", MaceSymptom.None, e.Key, e.Offset));
            foreach (var kv in lookedUp.Where(kv => !storedKeys.Contains(kv.Key)))
                findings.Add(new MaceFinding(FindingSeverity.Warning, "KernelNotTuned",
                    $"{kv.Value.TuningKey}: no tuned entry; MACE runs {kv.Value.Kernel} ({kv.Value.Node}) with its default local size", MaceSymptom.SlowStart, kv.Key));
            if (stored.Count > 0 && stored.All(e => !lookedUp.ContainsKey(e.Key)))
                findings.Add(new MaceFinding(FindingSeverity.Error, "TuningFileNotForModel",
                    $"none of the {stored.Count} tuned keys is looked up by {modelSource}: the file was tuned for another model, GPU kind, obfuscation setting or MACE version", MaceSymptom.WrongDevice));
            return findings;
        }
    }
}
