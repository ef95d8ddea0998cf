using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Devices;
using MaceTools.Operations;
using MaceTools.Remote;

namespace MaceTools.Completion
{
    /// <summary>One value a completer offers, with the text shown beside it.</summary>
    public sealed class CompletionItem
    {
        public CompletionItem(string value, string description)
        {
            Value = value;
            Description = description;
        }

        public string Value { get; }
        public string Description { get; }
    }

    /// <summary>
    /// The values tab completion offers for -MaceVersion, -Device, -Target and -Tag (the module wraps them in CompletionResults).
    /// Each takes what the user typed so far (a prefix, or a wildcard pattern) and never throws: a completer that fails
    /// offers nothing, as PowerShell expects.
    /// </summary>
    public static class Completions
    {
        /// <summary>MACE versions MaceTools knows, newest first.</summary>
        public static IReadOnlyList<CompletionItem> MaceVersions(string typed) =>
            MaceVersion.Known.Where(v => Matches(v, typed)).Select(v => new CompletionItem(v, $"MACE {v}: {MaceVersion.Parse(v).ProgramFormat} program files")).ToList();

        /// <summary>This machine's OpenCL devices: ids first, then names (both are what -Device takes).</summary>
        public static IReadOnlyList<CompletionItem> Devices(string typed, Func<IReadOnlyList<MaceDevice>>? discover = null)
        {
            IReadOnlyList<MaceDevice> devices;
            try { devices = discover?.Invoke() ?? LocalDevices.Discover(); }
            catch (Exception) { return Array.Empty<CompletionItem>(); }
            var items = devices.Select(d => new CompletionItem(d.Id, $"{d.Id}: {d.Name} ({d.PlatformName})"))
                .Concat(devices.Select(d => new CompletionItem(d.Name, $"{d.Id}: {d.Name} ({d.PlatformName})")));
            return items.Where(i => Matches(i.Value, typed)).GroupBy(i => i.Value).Select(g => g.First()).ToList();
        }

        /// <summary>The device names of the inventory in effect (the one given, else the default one).</summary>
        public static IReadOnlyList<CompletionItem> Targets(string typed, string? inventory, string currentDirectory) =>
            Read(inventory, currentDirectory).Where(d => Matches(d.Name, typed))
                .Select(d => new CompletionItem(d.Name, $"{d.Display} [{string.Join(", ", d.Tags)}]")).ToList();

        /// <summary>The tags used in the inventory in effect, with how many devices carry each.</summary>
        public static IReadOnlyList<CompletionItem> Tags(string typed, string? inventory, string currentDirectory) =>
            Read(inventory, currentDirectory).SelectMany(d => d.Tags).GroupBy(t => t, StringComparer.OrdinalIgnoreCase)
                .Where(g => Matches(g.Key, typed)).OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
                .Select(g => new CompletionItem(g.Key, $"{g.Key}: {g.Count()} device(s)")).ToList();

        private static IReadOnlyList<InventoryDevice> Read(string? inventory, string currentDirectory)
        {
            try { return MaceInventory.Read(MaceInventory.Locate(inventory, currentDirectory)); }
            catch (Exception) { return Array.Empty<InventoryDevice>(); }
        }

        /// <summary>What was typed is a prefix, or a wildcard pattern when it holds * ? or [.</summary>
        private static bool Matches(string value, string typed)
        {
            typed = typed.Trim('\'', '"');
            if (typed.Length == 0) return true;
            if (typed.IndexOfAny(new[] { '*', '?', '[' }) >= 0) return PathResolver.ToRegex(typed + "*").IsMatch(value);
            return value.StartsWith(typed, StringComparison.OrdinalIgnoreCase);
        }
    }
}
