using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading;
using MaceTools.Tests.Remote;

namespace MaceTools.TestHosts
{
    /// <summary>
    /// <c>fleet --hosts pi,nanopi=NanoPi M4/rk3399</c>: starts those hosts of the ssh test fleet, prints one JSON line that describes them,
    /// and keeps them until standard input closes (the parent ended or let go) or SIGTERM/SIGINT, then removes them all.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length != 3 || args[0] != "fleet" || args[1] != "--hosts")
            {
                Console.Error.WriteLine("usage: MaceTools.TestHosts fleet --hosts NAME[=Models/soc][,...]   (needs root, sshd, ssh, ip)");
                return 2;
            }
            // NAME or NAME=Models/soc (a real board's devices.yml identity), comma-separated.
            string[] names = args[2].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            SshFleet fleet;
            try { fleet = SshFleet.WithHosts(names); }
            catch (Exception e) when (e is InvalidOperationException || e is ArgumentException)
            {
                Console.Error.WriteLine("MaceTools.TestHosts: " + e.Message);
                return 1;
            }
            using (fleet)
            {
                using var done = new ManualResetEventSlim();
                void Stop(PosixSignalContext c) { c.Cancel = true; done.Set(); }
                using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
                using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
                new Thread(() => { Console.In.ReadToEnd(); done.Set(); }) { IsBackground = true }.Start();

                Console.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    dir = fleet.Dir,
                    devicesYml = fleet.DevicesYml,
                    clientKey = fleet.ClientKey,
                    knownHosts = fleet.KnownHosts,
                    hosts = fleet.Hosts.Select(h =>
                    {
                        var d = fleet.Device(h.Name);
                        return new
                        {
                            name = h.Name, models = h.Models, soc = h.Soc, address = h.Address, port = SshFleet.Port, root = h.Root, uploadDir = h.UploadDir,
                            programPath = d.ProgramPath, tuningPath = d.TuningPath,
                        };
                    }),
                }));
                Console.Out.Flush();
                done.Wait();
            }
            return 0;
        }
    }
}
