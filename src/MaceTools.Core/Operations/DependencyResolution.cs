using System;
using System.Collections.Generic;
using System.Reflection;

namespace MaceTools.Operations
{
    /// <summary>The decision of the module's assembly resolver, kept pure so it is tested without PowerShell.</summary>
    public static class DependencyResolution
    {
        private static readonly HashSet<string> OurAssemblies = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "MaceTools", "MaceTools.Core" };

        /// <summary>
        /// Serve a request only when one of our assemblies (or a dependency of ours) asks, for a library in our
        /// Dependencies folder; everything else is left to the engine and other modules.
        /// </summary>
        public static bool IsOurs(AssemblyName requested, string? requestingName, IReadOnlyDictionary<string, string> dependencies, out string? path)
        {
            path = null;
            if (requested.Name == null || !dependencies.TryGetValue(requested.Name, out var p)) return false;
            if (requestingName != null && !OurAssemblies.Contains(requestingName) && !dependencies.ContainsKey(requestingName)) return false;
            path = p;
            return true;
        }
    }
}
