using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using MaceTools.Completion;

namespace MaceTools.Commands
{
    /// <summary>Turns Core's completion items into PowerShell's, quoting values that need it.</summary>
    public abstract class MaceCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters) =>
            Complete(wordToComplete ?? "", fakeBoundParameters).Select(i =>
                new CompletionResult(Quote(i.Value), i.Value, CompletionResultType.ParameterValue, i.Description));

        protected abstract IEnumerable<CompletionItem> Complete(string typed, IDictionary bound);

        /// <summary>The inventory the command line names so far, resolved against the current location; null: the default one.</summary>
        protected static string? Inventory(IDictionary bound) =>
            bound.Contains("Inventory") && bound["Inventory"] is object v ? CurrentLocation.Combine(v.ToString()) : null;

        /// <summary>The session's current file-system location (the process's current directory is not PowerShell's).</summary>
        protected static class CurrentLocation
        {
            // A completer runs on the pipeline thread, where the runspace's SessionStateProxy refuses to answer (a pipeline
            // is running); a script block invoked there reads the location.
            public static string Path
            {
                get
                {
                    try
                    {
                        var result = ScriptBlock.Create("(Get-Location -PSProvider FileSystem).ProviderPath").Invoke();
                        if (result.Count > 0 && result[0]?.BaseObject is string path) return path;
                    }
                    catch (RuntimeException) { }
                    return System.IO.Directory.GetCurrentDirectory();
                }
            }

            public static string Combine(string path) => System.IO.Path.Combine(Path, path);
        }

        private static string Quote(string value) =>
            value.Length > 0 && value.All(c => char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.') ? value : "'" + value.Replace("'", "''") + "'";
    }

    /// <summary>-MaceVersion: the MACE releases MaceTools knows.</summary>
    public sealed class MaceVersionCompleter : MaceCompleter
    {
        protected override IEnumerable<CompletionItem> Complete(string typed, IDictionary bound) => Completions.MaceVersions(typed);
    }

    /// <summary>-Device: this machine's OpenCL device ids and names.</summary>
    public sealed class MaceDeviceCompleter : MaceCompleter
    {
        protected override IEnumerable<CompletionItem> Complete(string typed, IDictionary bound) => Completions.Devices(typed);
    }

    /// <summary>-Target: the device names of the inventory in effect (-Inventory, $env:MACETOOLS_INVENTORY, ./devices.yml).</summary>
    public sealed class InventoryTargetCompleter : MaceCompleter
    {
        protected override IEnumerable<CompletionItem> Complete(string typed, IDictionary bound) =>
            Completions.Targets(typed, Inventory(bound), CurrentLocation.Path);
    }

    /// <summary>-Tag: the tags of the inventory in effect.</summary>
    public sealed class InventoryTagCompleter : MaceCompleter
    {
        protected override IEnumerable<CompletionItem> Complete(string typed, IDictionary bound) =>
            Completions.Tags(typed, Inventory(bound), CurrentLocation.Path);
    }
}
