using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MaceTools.Build
{
    /// <summary>What the help of a cmdlet shows apart from the human text: the full parameter list and the syntax.</summary>
    internal static class HelpModel
    {
        public const string WhatIfDescription = "Shows what would happen if the cmdlet runs. The cmdlet is not run.";
        public const string ConfirmDescription = "Prompts you for confirmation before running the cmdlet.";

        public const string CommonParametersText =
            "This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable,\n" +
            "-InformationAction, -InformationVariable, -OutBuffer, -OutVariable, -PipelineVariable,\n" +
            "-ProgressAction, -Verbose, -WarningAction, and -WarningVariable. For more information, see\n" +
            "[about_CommonParameters](https://go.microsoft.com/fwlink/?LinkID=113216).";

        /// <summary>The declared parameters plus -WhatIf and -Confirm for a cmdlet that supports ShouldProcess, sorted by name.</summary>
        public static List<ParameterInfo> DocumentedParameters(CmdletInfo c)
        {
            var list = c.Parameters.ToList();
            if (c.SupportsShouldProcess)
            {
                list.Add(RiskParameter("WhatIf", "wi"));
                list.Add(RiskParameter("Confirm", "cf"));
            }
            return list.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
        }

        public static bool IsRiskParameter(CmdletInfo c, ParameterInfo p) =>
            c.SupportsShouldProcess && (p.Name == "WhatIf" || p.Name == "Confirm") && c.Parameters.All(d => d.Name != p.Name);

        private static ParameterInfo RiskParameter(string name, string alias)
        {
            var p = new ParameterInfo(name, "System.Management.Automation.SwitchParameter") { DefaultValue = "False" };
            p.Aliases.Add(alias);
            p.Sets.Add(new ParameterSetInfo(CmdletInfo.AllParameterSets));
            return p;
        }

        /// <summary>
        /// The parameters of one set in the order Get-Command shows them: positional by position, then mandatory named,
        /// then optional named, then switches (declaration order within each group), then -WhatIf -Confirm.
        /// </summary>
        public static List<(ParameterInfo Parameter, ParameterSetInfo Set)> SyntaxOrder(CmdletInfo c, string setName)
        {
            var items = c.ParametersIn(setName).Where(x => !x.Parameter.DontShow).Select((x, i) => (x.Parameter, x.Set, Index: i)).ToList();
            var ordered = items.Where(x => x.Set.Position != null).OrderBy(x => x.Set.Position).ThenBy(x => x.Index)
                .Concat(items.Where(x => x.Set.Position == null && x.Set.Mandatory).OrderBy(x => x.Index))
                .Concat(items.Where(x => x.Set.Position == null && !x.Set.Mandatory && !x.Parameter.IsSwitch).OrderBy(x => x.Index))
                .Concat(items.Where(x => x.Set.Position == null && !x.Set.Mandatory && x.Parameter.IsSwitch).OrderBy(x => x.Index))
                .Select(x => (x.Parameter, x.Set)).ToList();
            if (c.SupportsShouldProcess)
                foreach (var p in DocumentedParameters(c).Where(p => IsRiskParameter(c, p)).OrderByDescending(p => p.Name))
                    ordered.Add((p, p.Sets[0]));
            return ordered;
        }

        /// <summary>One syntax line as Get-Command -Syntax writes it, e.g. Get-MaceProgram [-Path] &lt;String[]&gt; [-Kind &lt;MaceFileKind&gt;] [&lt;CommonParameters&gt;].</summary>
        public static string SyntaxLine(CmdletInfo c, string setName)
        {
            var parts = new List<string> { c.Name };
            foreach (var (p, s) in SyntaxOrder(c, setName))
            {
                string name = s.Position != null ? $"[-{p.Name}]" : $"-{p.Name}";
                string token = p.IsSwitch ? name : $"{name} <{p.ShortTypeName}>";
                parts.Add(s.Mandatory ? token : $"[{token}]");
            }
            parts.Add("[<CommonParameters>]");
            return string.Join(" ", parts);
        }

        /// <summary>Wraps a syntax line at <paramref name="width"/> columns, continuation lines indented by one space (as PlatyPS writes it).</summary>
        public static string WrapSyntax(string line, int width = 100)
        {
            // Split only between tokens, never inside "[-Name <Type>]".
            var tokens = new List<string>();
            var sb = new StringBuilder();
            int depth = 0;
            foreach (char ch in line)
            {
                if (ch == '[' || ch == '<') depth++;
                if (ch == ']' || ch == '>') depth--;
                if (ch == ' ' && depth == 0) { tokens.Add(sb.ToString()); sb.Clear(); continue; }
                sb.Append(ch);
            }
            if (sb.Length > 0) tokens.Add(sb.ToString());
            var lines = new List<string>();
            var current = new StringBuilder();
            foreach (var t in tokens)
            {
                if (current.Length > 0 && current.Length + 1 + t.Length > width)
                {
                    lines.Add(current.ToString());
                    current.Clear().Append(' ');
                }
                if (current.Length > 0 && current.ToString() != " ") current.Append(' ');
                current.Append(t);
            }
            lines.Add(current.ToString());
            return string.Join("\n", lines);
        }
    }
}
