using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MaceTools.Remote
{
    /// <summary>
    /// The agent builds this MaceTools can copy to ssh hosts, one per architecture (as <c>uname -m</c> names it):
    /// the self-contained builds in an <c>agents/linux-&lt;rid&gt;/</c> folder (./build.sh publishes linux-x64 and
    /// linux-arm64 into out/agents/; <c>MACETOOLS_AGENTS</c> names another such folder), and this build itself for the
    /// architecture it runs on where no self-contained one serves it. A host gets the agent of its <c>uname -m</c>;
    /// an architecture none serves (armv7l, a phone's shell) keeps the clinfo fallback (<see cref="Missing"/> says why).
    /// </summary>
    public sealed class AgentSet
    {
        /// <summary>A folder holding linux-x64/, linux-arm64/, … agent builds (default: agents/ beside this build or up to two folders above).</summary>
        public const string Variable = "MACETOOLS_AGENTS";
        public const string FolderName = "agents";

        private readonly List<AgentPackage> _packages;

        public AgentSet(IEnumerable<AgentPackage> packages)
        {
            // The first build of an architecture wins: callers list the self-contained builds before this one.
            _packages = packages.GroupBy(p => p.Architecture, StringComparer.Ordinal).Select(g => g.First()).ToList();
        }

        public IReadOnlyList<AgentPackage> Packages => _packages;

        /// <summary>The agent for a host whose <c>uname -m</c> says <paramref name="architecture"/>, or null.</summary>
        public AgentPackage? For(string architecture) => _packages.FirstOrDefault(p => p.Architecture == architecture);

        /// <summary>
        /// Why a host of <paramref name="architecture"/> gets no agent, and what works without one: the message discovery's
        /// clinfo fallback and the build and load calls give.
        /// </summary>
        public string Missing(string architecture)
        {
            string arch = architecture.Length == 0 ? "this host's architecture" : architecture;
            string have = _packages.Count == 0 ? "no agent build was found (macetools with macetools.deps.json, or an agents/linux-<rid> folder)"
                : "agents exist for " + string.Join(" and ", _packages.Select(p => p.Architecture));
            return $"no MaceTools agent for {arch} ({have}); without one, discovery works (clinfo), compiling and loading programs on the host does not";
        }

        /// <summary>The self-contained builds of <see cref="Variable"/> or the nearest agents/ folder, then this build.</summary>
        public static AgentSet Find()
        {
            var packages = new List<AgentPackage>();
            var self = AgentPackage.Find();
            string? env = Environment.GetEnvironmentVariable(Variable);
            string? folder = !string.IsNullOrEmpty(env) ? env : Nearest(self?.Directory ?? Path.GetDirectoryName(typeof(AgentSet).Assembly.Location));
            if (folder != null && Directory.Exists(folder))
                foreach (var dir in Directory.GetDirectories(folder, "linux-*").OrderBy(d => d, StringComparer.Ordinal))
                    if (File.Exists(Path.Combine(dir, "macetools.deps.json"))) packages.Add(AgentPackage.FromDirectory(dir));
            if (self != null) packages.Add(self);
            return new AgentSet(packages);
        }

        private static string? Nearest(string? from)
        {
            for (int up = 0; up <= 2 && !string.IsNullOrEmpty(from); up++, from = Path.GetDirectoryName(from))
                if (Directory.Exists(Path.Combine(from!, FolderName))) return Path.Combine(from!, FolderName);
            return null;
        }
    }
}
