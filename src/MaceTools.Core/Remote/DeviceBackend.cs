using System;
using System.Collections.Generic;
using MaceTools.Compilation;
using MaceTools.Devices;
using MaceTools.OpenCL;
using MaceTools.Operations;
using MaceTools.Verification;

namespace MaceTools.Remote
{
    /// <summary>
    /// Where a device's builds and loads run, chosen by its <see cref="MaceDevice.Transport"/>: here in driver workers
    /// (<see cref="LocalBackend"/>), or on its ssh host through the MaceTools agent (<see cref="AgentBackend"/>). Both give the
    /// same objects, so the operations do not care which.
    /// </summary>
    public interface IDeviceBackend : IDisposable
    {
        /// <summary>Builds the jobs (all for devices of this backend); failures are outcomes, not exceptions.</summary>
        List<BuildOutcome> Build(IReadOnlyList<BuildJob> jobs, IOperationHost host);
        /// <summary>Loads every program entry of the file on the device, each isolated in a driver worker.</summary>
        List<MaceEntryLoad> LoadAll(MaceProgram file, MaceDevice device, IOperationHost host);
    }

    /// <summary>This machine's devices: <see cref="ProgramCompiler"/> and <see cref="DeviceLoader"/> with local driver workers.</summary>
    public sealed class LocalBackend : IDeviceBackend
    {
        private readonly ProgramCompiler _compiler;

        public LocalBackend(ProgramCompiler compiler) { _compiler = compiler; }
        public LocalBackend(WorkerCommand worker) : this(new ProgramCompiler(worker)) { }

        public List<BuildOutcome> Build(IReadOnlyList<BuildJob> jobs, IOperationHost host) => _compiler.Build(jobs, host);
        public List<MaceEntryLoad> LoadAll(MaceProgram file, MaceDevice device, IOperationHost host) => DeviceLoader.LoadAll(file, device, _compiler.Worker, host);
        public void Dispose() { }
    }

    /// <summary>
    /// A device of an ssh host: each call is one run of the host's MaceTools agent (<see cref="AgentProtocol"/> build or
    /// load), over one shared ssh connection that <see cref="Dispose"/> closes. Errors name the device and its address.
    /// </summary>
    public sealed class AgentBackend : IDeviceBackend
    {
        // Builds from source on a small board take long, and loading a file starts a driver worker (a .NET start, seconds on
        // a board, tens of seconds under emulation) before each program loads; the agent answers once, at the end. The
        // limit only ends a host that hangs, so it is the same generous one for both.
        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);
        private readonly SshClient _ssh;
        private readonly AgentClient _agent;
        private readonly IOperationHost _host;

        public AgentBackend(InventoryDevice entry, RemoteDevices remote, IOperationHost host)
        {
            _host = host;
            _ssh = remote.SshClientFactory(entry);
            _ssh.Cancellation = host.CancellationToken;
            _agent = new AgentClient(_ssh, remote.Agents, host);
        }

        /// <summary>Ignore the host's build cache (-Force).</summary>
        public bool Force { get; set; }

        public List<BuildOutcome> Build(IReadOnlyList<BuildJob> jobs, IOperationHost host)
        {
            if (jobs.Count == 0) return new List<BuildOutcome>();
            host.WriteVerbose($"{_agent.Device.Display}: building {jobs.Count} program(s) on the host through the MaceTools agent");
            var reply = Call(AgentProtocol.BuildRequest(jobs[0].Device, jobs, Force), BuildTimeout);
            return Read(() => AgentProtocol.ReadBuild(reply, jobs));
        }

        public List<MaceEntryLoad> LoadAll(MaceProgram file, MaceDevice device, IOperationHost host)
        {
            host.WriteVerbose($"{_agent.Device.Display}: loading {file.Name} on {device.Name} through the MaceTools agent");
            var reply = Call(AgentProtocol.LoadRequest(device, file), BuildTimeout);
            return Read(() => AgentProtocol.ReadLoads(reply));
        }

        private Dictionary<string, object?> Call(string request, TimeSpan? timeout)
        {
            var reply = _agent.Call(new[] { request }, timeout)[0];
            // What the compiler and loader said on the host, marked as the host's.
            foreach (var line in AgentProtocol.Verbose(reply)) _host.WriteVerbose($"{_agent.Device.Display}: agent: {line}");
            return reply;
        }

        private T Read<T>(Func<T> read)
        {
            try { return read(); }
            catch (FormatException e)
            {
                throw new MaceException(ErrorIds.RemoteCommandFailed, MaceErrorCategory.InvalidOperation,
                    $"{_agent.Device.Display}: the MaceTools agent in {_agent.Directory}: {e.Message}", _agent.Device.Name, e);
            }
        }

        public void Dispose() => _ssh.Dispose();
    }

    /// <summary>Chooses a device's backend by its transport; the one place that asks.</summary>
    public static class DeviceBackends
    {
        /// <summary>Devices that share a backend share this key: "local", or the inventory entry of a remote device.</summary>
        public static string Key(MaceDevice device) => device.Transport == "local" ? "local" : device.Transport + ":" + device.InventoryPath + ":" + device.Target;

        /// <summary>
        /// The backend for a device: <paramref name="local"/> for this machine's, the agent for an ssh host's. An adb phone
        /// has no agent (Android runs no .NET), so building or loading there is <see cref="ErrorIds.Unsupported"/>.
        /// </summary>
        public static IDeviceBackend For(MaceDevice device, Func<IDeviceBackend> local, Func<IOperationHost, RemoteDevices> remote, IOperationHost host, bool force = false)
        {
            if (device.Transport == "local") return local();
            if (device.Transport != RemoteTransport.Ssh)
                throw new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidOperation,
                    $"{device.Target} ({device.Address}): building and loading run on Linux hosts over ssh; a {device.Transport} device has no MaceTools agent", device.Target);
            return new AgentBackend(RemoteDevices.EntryOf(device), remote(host), host) { Force = force };
        }

        /// <summary>For operations that only run here (measuring, tuning): a remote device is an error naming it, never a silent local run.</summary>
        public static void RequireLocal(MaceDevice? device, string what)
        {
            if (device != null && device.Transport != "local")
                throw new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidOperation,
                    $"{device.Target} ({device.Address}): {what} runs on this machine's devices only; this is a {device.Transport} device", device.Target);
        }
    }
}
