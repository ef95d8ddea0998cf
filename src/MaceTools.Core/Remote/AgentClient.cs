using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using MaceTools.Operations;

namespace MaceTools.Remote
{
    /// <summary>
    /// The <c>macetools</c> agent for one ssh host's architecture (<see cref="AgentSet"/>): copied there once per host and build into
    /// <c>${XDG_CACHE_HOME:-$HOME/.cache}/macetools/agent/VERSION</c> (<see cref="Install"/>), then run as <c>macetools agent</c>
    /// with a batch of <see cref="AgentProtocol"/> requests on its standard input (<see cref="Call"/>). One agent process
    /// answers the whole batch, so a request that fails (or a driver that crashes in the agent's worker) does not end the rest.
    /// </summary>
    public sealed class AgentClient
    {
        private readonly SshClient _ssh;
        private readonly AgentSet _agents;
        private readonly IOperationHost _host;
        private AgentPackage? _package;

        public AgentClient(SshClient ssh, AgentSet agents, IOperationHost host)
        {
            _ssh = ssh;
            _agents = agents;
            _host = host;
        }

        /// <summary>One agent build for every host (a test's, or this build's alone).</summary>
        public AgentClient(SshClient ssh, AgentPackage? package, IOperationHost host)
            : this(ssh, new AgentSet(package == null ? new AgentPackage[0] : new[] { package }), host) { }

        public InventoryDevice Device => _ssh.Device;
        /// <summary>The agent build chosen for the host's architecture, once <see cref="Install"/> ran.</summary>
        public AgentPackage? Package => _package;
        /// <summary>What a host needs besides the agent: a framework-dependent build needs the host's own .NET runtime.</summary>
        internal string RuntimeHint => _package != null && _package.SelfContained ? "" : " (it needs a .NET 10 runtime on the host)";
        /// <summary>The agent's folder on the host, once <see cref="Install"/> ran.</summary>
        public string Directory { get; private set; } = "";

        // $1... = the agent versions on offer. Prints the architecture, then per version the agent folder and, when the copy
        // exists, its macetools.dll's sha256 (or -): one round trip whichever agent the architecture picks.
        private const string ProbeScript =
            "uname -m; for v in \"$@\"; do d=\"${XDG_CACHE_HOME:-$HOME/.cache}/macetools/agent/$v\"; printf '%s\\n' \"$d\"; " +
            "if [ -f \"$d/macetools.dll\" ]; then sha256sum < \"$d/macetools.dll\"; else echo -; fi; done";

        // $1 = agent folder. Unpacks standard input beside it and renames it into place, so a broken copy never looks complete.
        private const string InstallScript =
            "t=\"$1.part.$$\"; mkdir -p \"$t\" && if tar -C \"$t\" -xf -; then rm -rf \"$1\" && mv \"$t\" \"$1\"; else s=$?; rm -rf \"$t\"; exit $s; fi";

        // $1 = agent folder. A self-contained build runs its apphost; a framework-dependent one the dotnet host where it is on
        // PATH, else the apphost (which finds a runtime in the usual places).
        private const string RunScript =
            "if [ ! -f \"$1/" + AgentPackage.SelfContainedMarker + "\" ] && command -v dotnet >/dev/null 2>&1; then exec dotnet \"$1/macetools.dll\" agent; fi; exec \"$1/macetools\" agent";

        /// <summary>
        /// Makes sure the host has this build's agent (one probe; the copy only when missing or different). Returns null when
        /// it is there, else why the agent cannot serve this host (no agent build here, another architecture).
        /// </summary>
        public string? Install()
        {
            var args = new List<string> { "sh", "-c", ProbeScript, "sh" };
            args.AddRange(_agents.Packages.Select(p => p.Version));
            var probe = _ssh.RunChecked(args.ToArray()).Stdout.Split('\n');
            string arch = probe[0].Trim();
            _package = _agents.For(arch);
            if (_package == null) return _agents.Missing(arch);
            int at = 1 + 2 * _agents.Packages.ToList().IndexOf(_package);
            Directory = probe.Length > at ? probe[at].Trim() : "";
            string? remoteSha = probe.Length > at + 1 && probe[at + 1].Length >= 64 ? probe[at + 1].Substring(0, 64) : null;
            _host.WriteVerbose($"{Device.Display}: {arch} host: the agent {_package.Version} from {_package.Directory}{(_package.SelfContained ? " (self-contained)" : "")}");
            if (remoteSha == _package.DllSha256)
                _host.WriteVerbose($"{Device.Display}: the MaceTools agent {_package.Version} is already in {Directory}");
            else
            {
                _host.WriteVerbose($"{Device.Display}: copying the MaceTools agent {_package.Version} ({_package.Files.Count} files from {_package.Directory}) to {Directory}");
                _ssh.RunChecked(new[] { "sh", "-c", InstallScript, "sh", Directory }, _package.Tar());
            }
            return null;
        }

        /// <summary>Runs the agent once with these request lines; its exit code and output as they came (discovery judges them itself).</summary>
        public CommandResult Run(IEnumerable<string> requests, TimeSpan? timeout = null) =>
            _ssh.Run(new[] { "sh", "-c", RunScript, "sh", Directory }, Encoding.UTF8.GetBytes(string.Concat(requests.Select(r => r + "\n"))), timeout);

        /// <summary>
        /// Installs the agent if needed, runs it with these requests and returns one parsed answer per request. An agent that
        /// cannot be installed or run, or answers fewer lines, is a <see cref="MaceException"/> naming the device and its address;
        /// an <c>error</c> answer is returned as such (the readers of <see cref="AgentProtocol"/> turn it into one).
        /// </summary>
        public List<Dictionary<string, object?>> Call(IReadOnlyList<string> requests, TimeSpan? timeout = null)
        {
            string? unusable = Install();
            if (unusable != null)
                throw new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidOperation, $"{Device.Display}: {unusable}", Device.Name);
            var run = Run(requests, timeout);
            var lines = run.Stdout.Split('\n').Where(l => l.Trim().Length > 0).ToList();
            if (run.ExitCode != 0 || lines.Count < requests.Count)
                throw new MaceException(ErrorIds.RemoteCommandFailed, MaceErrorCategory.InvalidOperation,
                    $"{Device.Display}: the MaceTools agent in {Directory} answered {lines.Count} of {requests.Count} request(s) and exited with {run.ExitCode}: {Tail(run.Stderr)}" +
                    (run.ExitCode == 127 ? RuntimeHint : ""), Device.Name);
            try { return lines.Select(JsonLine.ParseObject).ToList(); }
            catch (FormatException e)
            {
                throw new MaceException(ErrorIds.RemoteCommandFailed, MaceErrorCategory.InvalidData, $"{Device.Display}: the MaceTools agent in {Directory} answered: {e.Message}", Device.Name, e);
            }
        }

        internal static string Tail(string text)
        {
            string t = text.Trim();
            return t.Length == 0 ? "no message" : t.Length <= 300 ? t : "…" + t.Substring(t.Length - 300);
        }
    }
}
