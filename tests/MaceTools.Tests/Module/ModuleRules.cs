using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Build;

namespace MaceTools.Tests.Module
{
    /// <summary>
    /// The engine's and PSScriptAnalyzer's cmdlet rules (powershell-module.md §3.1-§3.2, §4.3), each a function from a
    /// cmdlet's metadata to its violations, so the tests run them on the real module and on deliberately broken classes.
    /// </summary>
    internal static class ModuleRules
    {
        /// <summary>engine/CommonCommandParameters.cs, with aliases; ProgressAction is pwsh 7.4+.</summary>
        public static readonly string[] CommonParameters =
        {
            "Verbose", "vb", "Debug", "db", "ErrorAction", "ea", "WarningAction", "wa", "InformationAction", "infa",
            "ProgressAction", "proga", "ErrorVariable", "ev", "WarningVariable", "wv", "InformationVariable", "iv",
            "OutVariable", "ov", "OutBuffer", "ob", "PipelineVariable", "pv",
        };

        /// <summary>engine/UserFeedbackParameters.cs: added when SupportsShouldProcess is set.</summary>
        public static readonly string[] ShouldProcessParameters = { "WhatIf", "wi", "Confirm", "cf" };

        /// <summary>Verbs that change state (PSScriptAnalyzer's list plus the ones that write files here).</summary>
        public static readonly string[] StateChangingVerbs =
        {
            "New", "Set", "Remove", "Publish", "Start", "Stop", "Restart", "Reset", "Update", "Export", "Optimize", "Invoke", "Import", "Convert", "Merge",
        };

        /// <summary>Nouns that end in s and are still singular.</summary>
        public static readonly string[] SingularNounsEndingInS = { "Status", "Settings", "Alias", "Address", "Process", "Class", "Access", "Analysis" };

        private const string RestrictedNounCharacters = "#,(){}[]&-/\\$^;:\"'<>|?@`*%+=~";

        public static List<string> CommonParameterCollisions(CmdletInfo c)
        {
            var reserved = new HashSet<string>(CommonParameters, StringComparer.OrdinalIgnoreCase);
            if (c.SupportsShouldProcess) reserved.UnionWith(ShouldProcessParameters);
            return c.Parameters.SelectMany(p => new[] { p.Name }.Concat(p.Aliases).Where(reserved.Contains)
                .Select(n => $"{c.Name}: -{p.Name}{(n == p.Name ? "" : $" (alias {n})")} collides with a common parameter")).ToList();
        }

        public static List<string> DuplicateNamesOrAliases(CmdletInfo c) =>
            c.Parameters.SelectMany(p => new[] { p.Name }.Concat(p.Aliases).Select(n => (Name: n, Owner: p.Name)))
                .GroupBy(x => x.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)
                .Select(g => $"{c.Name}: '{g.Key}' is declared by {string.Join(", ", g.Select(x => "-" + x.Owner))}").ToList();

        public static List<string> ParameterDeclaredTwiceInASet(CmdletInfo c) =>
            c.Parameters.Where(p => p.Sets.GroupBy(s => s.Name).Any(g => g.Count() > 1))
                .Select(p => $"{c.Name}: -{p.Name} has two [Parameter] attributes for one parameter set").ToList();

        public static List<string> PositionConflicts(CmdletInfo c) =>
            c.ParameterSetNames.SelectMany(set => c.ParametersIn(set).Where(x => x.Set.Position != null).GroupBy(x => x.Set.Position!.Value)
                .Where(g => g.Count() > 1)
                .Select(g => $"{c.Name}: parameter set {set}: position {g.Key} is taken by {string.Join(", ", g.Select(x => "-" + x.Parameter.Name))}")).ToList();

        public static List<string> RemainingArgumentsConflicts(CmdletInfo c) =>
            c.ParameterSetNames.Where(set => c.ParametersIn(set).Count(x => x.Set.ValueFromRemainingArguments) > 1)
                .Select(set => $"{c.Name}: parameter set {set} has more than one ValueFromRemainingArguments parameter").ToList();

        public static List<string> DefaultParameterSetProblems(CmdletInfo c)
        {
            var named = c.Parameters.SelectMany(p => p.Sets).Select(s => s.Name).Where(n => n != CmdletInfo.AllParameterSets).Distinct().ToList();
            var problems = new List<string>();
            if (c.DefaultParameterSetName != null && named.Count > 0 && !named.Contains(c.DefaultParameterSetName))
                problems.Add($"{c.Name}: DefaultParameterSetName '{c.DefaultParameterSetName}' is not a parameter set ({string.Join(", ", named)})");
            if (c.DefaultParameterSetName == null && named.Count > 1)
                problems.Add($"{c.Name}: {named.Count} parameter sets and no DefaultParameterSetName");
            return problems;
        }

        public static List<string> SwitchProblems(CmdletInfo c)
        {
            var problems = new List<string>();
            foreach (var p in c.Parameters.Where(p => p.IsSwitch))
            {
                if (p.Sets.Any(s => s.Mandatory)) problems.Add($"{c.Name}: switch -{p.Name} is mandatory");
                if (p.DefaultValue == "True") problems.Add($"{c.Name}: switch -{p.Name} defaults to true");
            }
            return problems;
        }

        public static List<string> AccessorProblems(CmdletInfo c) =>
            c.Parameters.Where(p => !p.HasPublicGetAndSet).Select(p => $"{c.Name}: -{p.Name} is not a public property with a public getter and setter").ToList();

        public static List<string> ValidateSetProblems(CmdletInfo c) =>
            c.Parameters.Where(p => p.ValidateSet != null && (p.ValidateSet.Count == 0 || p.ValidateSet.Any(string.IsNullOrEmpty)))
                .Select(p => $"{c.Name}: -{p.Name} has an empty [ValidateSet]").ToList();

        public static List<string> ShouldProcessProblems(CmdletInfo c)
        {
            var problems = new List<string>();
            if (StateChangingVerbs.Contains(c.Verb) && !c.SupportsShouldProcess)
                problems.Add($"{c.Name}: '{c.Verb}' changes state, so the cmdlet must declare SupportsShouldProcess = true");
            if (c.Verb == "Remove" && c.ConfirmImpact != "High")
                problems.Add($"{c.Name}: a Remove cmdlet must declare ConfirmImpact = High");
            return problems;
        }

        public static List<string> VerbProblems(CmdletInfo c, IReadOnlyCollection<string> approved) =>
            approved.Contains(c.Verb, StringComparer.Ordinal) ? new List<string>() : new List<string> { $"{c.Name}: '{c.Verb}' is not an approved verb" };

        public static List<string> NounProblems(CmdletInfo c)
        {
            var problems = new List<string>();
            string noun = c.Noun;
            if (!noun.StartsWith("Mace", StringComparison.Ordinal) || noun.Length == 4 || !char.IsUpper(noun[4]))
                problems.Add($"{c.Name}: the noun must start with the product prefix 'Mace' followed by a Pascal-case word");
            if (noun.IndexOfAny(RestrictedNounCharacters.ToCharArray()) >= 0 || noun.Any(char.IsWhiteSpace))
                problems.Add($"{c.Name}: the noun holds a character PowerShell warns about");
            var words = System.Text.RegularExpressions.Regex.Matches(noun, "[A-Z][a-z0-9]*").Select(m => m.Value).ToList();
            string lastWord = words.Count > 0 ? words[words.Count - 1] : noun;
            if (lastWord.EndsWith("s", StringComparison.Ordinal) && !SingularNounsEndingInS.Contains(lastWord, StringComparer.Ordinal))
                problems.Add($"{c.Name}: nouns are singular ('{lastWord}' looks plural)");
            return problems;
        }

        public static List<string> OutputTypeProblems(CmdletInfo c) =>
            c.OutputTypes.Count == 0 ? new List<string> { $"{c.Name}: no [OutputType]" } : new List<string>();

        /// <summary>Every rule that needs only the cmdlet's metadata.</summary>
        public static List<string> All(CmdletInfo c, IReadOnlyCollection<string> approvedVerbs) =>
            CommonParameterCollisions(c).Concat(DuplicateNamesOrAliases(c)).Concat(ParameterDeclaredTwiceInASet(c)).Concat(PositionConflicts(c))
                .Concat(RemainingArgumentsConflicts(c)).Concat(DefaultParameterSetProblems(c)).Concat(SwitchProblems(c)).Concat(AccessorProblems(c))
                .Concat(ValidateSetProblems(c)).Concat(ShouldProcessProblems(c)).Concat(VerbProblems(c, approvedVerbs)).Concat(NounProblems(c))
                .Concat(OutputTypeProblems(c)).ToList();
    }
}
