using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using MaceTools.Operations;

namespace MaceTools.Remote
{
    /// <summary>
    /// This machine's <c>macetools</c> build on one ssh host: copied there once per host and build into
    /// <c>${XDG_CACHE_HOME:-$HOME/.cache}/macetools/agent/VERSION</c> (<see cref="Install"/>), then run as <c>macetools agent</c>
    /// with a batch of <see cref="AgentProtocol"/> requests on its standard input (<see cref="Call"/>). One agent process
    /// answers the whole batch, so a request that fails (or a driver that crashes in the agent's worker) does not end the rest.
    /// </summary>
    public sealed class AgentClient
    {
        private readonly SshClient _ssh;
        private readonly AgentPackage? _package;
        private readonly IOperationHost _host;

        public AgentClient(SshClient ssh, AgentPackage? package, IOperationHost host)
        {
            _ssh = ssh;
            _package = package;
            _host = host;
        }

        public InventoryDevice Device => _ssh.Device;
        /// <summary>The agent's folder on the host, once <see cref="Install"/> ran.</summary>
        public string Directory { get; private set; } = "";

        // $1 = agent version. Prints the agent folder, the architecture and, when the copy exists, its macetools.dll's sha256.
        private const string ProbeScript =
            "d=\"${XDG_CACHE_HOME:-$HOME/.cache}/macetools/agent/$1\"; printf '%s\\n' \"$d\"; uname -m; " +
            "if [ -f \"$d/macetools.dll\" ]; then sha256sum < \"$d/macetools.dll\"; fi";

        // $1 = agent folder. Unpacks standard input beside it and renames it into place, so a broken copy never looks complete.
        private const string InstallScript =
            "t=\"$1.part.$$\"; mkdir -p \"$t\" && if tar -C \"$t\" -xf -; then rm -rf \"$1\" && mv \"$t\" \"$1\"; else s=$?; rm -rf \"$t\"; exit $s; fi";

        // $1 = agent folder. The dotnet host where it is on PATH, else the apphost (which finds a runtime in the usual places).
        private const string RunScript =
            "if command -v dotnet >/dev/null 2>&1; then exec dotnet \"$1/macetools.dll\" agent; fi; exec \"$1/macetools\" agent";

        /// <summary>
        /// Makes sure the host has this build's agent (one probe; the copy only when missing or different). Returns null when
        /// it is there, else why the agent cannot serve this host (no agent build here, another architecture).
        /// </summary>
        public string? Install()
        {
            var probe = _ssh.RunChecked(new[] { "sh", "-c", ProbeScript, "sh", _package?.Version ?? "none" }).Stdout.Split('\n');
            Directory = probe[0].Trim();
            string arch = probe.Length > 1 ? probe[1].Trim() : "";
            string? remoteSha = probe.Length > 2 && probe[2].Length >= 64 ? probe[2].Substring(0, 64) : null;
            if (_package == null) return "no MaceTools agent build found next to this one (macetools with macetools.deps.json)";
            if (arch != _package.Architecture)
                return $"no MaceTools agent for {(arch.Length == 0 ? "this host's architecture" : arch)} (this build runs on {_package.Architecture})";
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
                    (run.ExitCode == 127 ? " (it needs a .NET 10 runtime on the host)" : ""), Device.Name);
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
