using System;
using System.Collections.Generic;
using System.Threading;
using MaceTools.Devices;
using MaceTools.OpenCL;
using MaceTools.Operations;
using MaceTools.Runtime;

namespace MaceTools.Remote
{
    /// <summary>
    /// Model runs on a device of an ssh host: each <see cref="Send"/> is one <c>run</c> request to the host's MaceTools agent
    /// (<see cref="AgentProtocol.RunRequest"/>), whose one driver worker serves the batch, over one ssh connection that
    /// <see cref="Dispose"/> closes. Errors name the device and its address.
    /// </summary>
    public sealed class AgentModelWorker : IModelWorker
    {
        // A batch builds every program from source on the host first; a small board takes long.
        private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(30);
        private readonly MaceDevice _device;
        private readonly SshClient _ssh;
        private readonly AgentClient _agent;
        private readonly IOperationHost _host;

        public AgentModelWorker(MaceDevice device, RemoteDevices remote, IOperationHost host)
        {
            _device = device;
            _host = host;
            _ssh = remote.SshClientFactory(RemoteDevices.EntryOf(device));
            _ssh.Cancellation = host.CancellationToken;
            _agent = new AgentClient(_ssh, remote.Agents, host);
        }

        public bool Remote => true;

        public List<WorkerMessage> Send(IReadOnlyList<WorkerMessage> requests, CancellationToken cancel)
        {
            cancel.ThrowIfCancellationRequested();
            _host.WriteVerbose($"{_agent.Device.Display}: {requests.Count} model run(s) on {_device.Name} through the MaceTools agent");
            var reply = _agent.Call(new[] { AgentProtocol.RunRequest(_device, requests) }, RunTimeout)[0];
            foreach (var line in AgentProtocol.Verbose(reply)) _host.WriteVerbose($"{_agent.Device.Display}: agent: {line}");
            try { return AgentProtocol.ReadRun(reply, requests); }
            catch (FormatException e)
            {
                throw new MaceException(ErrorIds.RemoteCommandFailed, MaceErrorCategory.InvalidOperation,
                    $"{_agent.Device.Display}: the MaceTools agent in {_agent.Directory}: {e.Message}", _agent.Device.Name, e);
            }
        }

        public void Dispose() => _ssh.Dispose();
    }
}
