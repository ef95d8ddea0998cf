using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace MaceTools.Cli
{
    /// <summary>
    /// Core's messages name the cmdlets and their parameters ("name a target generation (-To G1|G2)"); the command line
    /// shows its own verbs and options instead ("--to G1|G2"). The one table from the cmdlet spelling to the CLI's.
    /// </summary>
    internal sealed class CliSpelling
    {
        /// <summary>Each cmdlet parameter's CLI options; where a parameter has two, the one the running verb defines wins.</summary>
        private static readonly Dictionary<string, string[]> Options = new Dictionary<string, string[]>
        {
            ["To"] = new[] { "--to" },
            ["MaceVersion"] = new[] { "--mace-version" },
            ["OutFile"] = new[] { "--out" },
            // New- and Optimize-MaceProgram's -Destination is --dest; Convert-, Merge- and Export-MaceProgram's is --out.
            ["Destination"] = new[] { "--dest", "--out" },
            ["Force"] = new[] { "--force" },
            ["NoClobber"] = new[] { "--no-clobber" },
            ["WhatIf"] = new[] { "--what-if" },
            ["Inventory"] = new[] { "--inventory" },
            ["Target"] = new[] { "--target" },
            ["Tag"] = new[] { "--tag" },
            ["Device"] = new[] { "--device" },
            ["Kernel"] = new[] { "--kernel" },
            ["KernelSource"] = new[] { "--kernel-source" },
            ["From"] = new[] { "--from" },
            ["Config"] = new[] { "--config" },
            ["ModelCache"] = new[] { "--model-cache" },
            ["Model"] = new[] { "--model" },
            ["Fetch"] = new[] { "--fetch" },
            ["Strategy"] = new[] { "--strategy" },
            ["RemotePath"] = new[] { "--remote-path" },
            ["Verbose"] = new[] { "--verbose" },
            ["Debug"] = new[] { "--debug" },
        };

        /// <summary>The cmdlets Core's messages name, as the verbs of the command line.</summary>
        private static readonly Dictionary<string, string> Verbs = new Dictionary<string, string>
        {
            ["Get-MaceProgram"] = "macetools program show",
            ["Get-MaceProgramEntry"] = "macetools program entries",
            ["Test-MaceProgram"] = "macetools program test",
            ["Convert-MaceProgram"] = "macetools program convert",
            ["Merge-MaceProgram"] = "macetools program merge",
            ["Export-MaceProgram"] = "macetools program export",
            ["New-MaceProgram"] = "macetools program new",
            ["Measure-MaceProgram"] = "macetools program measure",
            ["Publish-MaceProgram"] = "macetools program publish",
            ["Compare-MaceProgram"] = "macetools program drift",
            ["Optimize-MaceProgram"] = "macetools tune",
            ["Get-MaceTuningParameter"] = "macetools tuning show",
            ["Get-MaceDevice"] = "macetools device list",
            ["Get-MaceKernel"] = "macetools kernel list",
            ["Get-MaceConfig"] = "macetools config show",
            ["Test-MaceConfig"] = "macetools config test",
        };

        private static readonly Regex Cmdlet = new Regex(@"\b[A-Z][a-z]+-Mace[A-Za-z]+\b", RegexOptions.CultureInvariant);

        // "-To" not inside a word or an option ("-DBIAS", "a-To" stay); where a message gives both spellings,
        // "-Force / --force" or "-Inventory (--inventory)", the CLI's alone is left.
        private static readonly Regex Parameter = new Regex(@"(?<![\w-])-([A-Z][A-Za-z]*)\b(?: / (--[a-z][a-z-]*)| \((--[a-z][a-z-]*)\))?", RegexOptions.CultureInvariant);

        private readonly HashSet<string> _defined;

        /// <param name="defined">The options of the running verb.</param>
        public CliSpelling(IEnumerable<string> defined) => _defined = new HashSet<string>(defined);

        public string Translate(string message) => Parameter.Replace(Cmdlet.Replace(message, m => Verbs.TryGetValue(m.Value, out var verb) ? verb : m.Value), m =>
            m.Groups[2].Success ? m.Groups[2].Value
            : m.Groups[3].Success ? m.Groups[3].Value
            : Options.TryGetValue(m.Groups[1].Value, out var cli) ? cli.FirstOrDefault(_defined.Contains) ?? cli[0]
            : m.Value);
    }
}
