using System;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using MaceTools.Remote;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Adb
{
    /// <summary>
    /// A private adb server (its own port and HOME, so a user's server and keys are never touched) connected to one
    /// <see cref="AdbDeviceStandIn"/>; shared by a test class and stopped with <c>adb kill-server</c> afterwards.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    public sealed class AdbFixture : IDisposable
    {
        public AdbFixture()
        {
            Device = new AdbDeviceStandIn();
            // Picked after the stand-in holds its port, so the two cannot meet.
            ServerPort = FreePort();
            Client = NewClient();
            Serial = Client.Connect(Device.Address).Serial;
        }

        public TempDir Home { get; } = new TempDir();
        public int ServerPort { get; }
        public AdbDeviceStandIn Device { get; }
        public AdbClient Client { get; }
        public string Serial { get; }

        /// <summary>Another client of the same private server.</summary>
        public AdbClient NewClient() => new AdbClient { ServerPort = ServerPort, Home = Home.Path, Timeout = TimeSpan.FromSeconds(30) };

        /// <summary>A loopback port nothing listens on (bound by the system, then released).</summary>
        public static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        public void Dispose()
        {
            try { Client.KillServer(); }
            catch (MaceException) { }
            Device.Dispose();
            Home.Dispose();
        }
    }
}
