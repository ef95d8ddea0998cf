using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Text.Json;
using MaceTools.Devices;
using MaceTools.Operations;
using MaceTools.Remote;
using MaceTools.Tests.Cli;
using MaceTools.Tests.Operations;
using MaceTools.Tests.Remote;

namespace MaceTools.Tests.RemoteDevice
{
    /// <summary>
    /// Device discovery over the real sshd fleet: this machine's macetools build runs on each host as the agent and finds
    /// the hosts' (that is, this machine's) pocl device; the fleet's down and changed hosts fail with errors naming them.
    /// </summary>
    [Collection(SshFleetCollection.Name)]
    [UnsupportedOSPlatform("windows")]
    public sealed class RemoteDeviceSshTests
    {
        private readonly SshFleet _fleet;

        public RemoteDeviceSshTests(SshFleet fleet) => _fleet = fleet;

        private static MaceDevice Local => LocalDevices.Discover().First();

        private GetDeviceOperation Operation(params string[] targets) => new GetDeviceOperation
        {
            Inventory = _fleet.DevicesYml,
            Targets = targets,
            // Test-sized timeouts; everything else comes from the devices.yml.
            RemoteFactory = h => new RemoteDevices(h) { SshClientFactory = SshFleet.Client },
        };

        private string Address(string host) => $"{SshFleet.User}@{_fleet[host].Address}:{SshFleet.Port}";

        [Fact]
        public void Inventory_lists_the_good_hosts_pocl_devices_over_ssh_and_names_the_down_and_changed_hosts_in_errors()
        {
            var host = new RecordingHost();
            Operation().Run(host);

            var devices = host.Of<MaceDevice>().ToList();
            foreach (var name in new[] { "good1", "good2" })
            {
                var d = devices.Single(x => x.Target == name);
                Assert.Equal("ssh", d.Transport);
                Assert.Equal(Address(name), d.Address);
                Assert.Equal(name + ":0", d.Id);
                Assert.Equal("TestBoard" + name, d.Model);   // models: "Test Board good1" without spaces, as MACE names it
                Assert.Equal("rk3399", d.Soc);               // target_socs lower-cased, as MACE compares socs
                // The same object local discovery gives: the agent ran pocl on the host.
                Assert.Equal(Local.Name, d.Name);
                Assert.Equal(Local.PlatformInfo, d.PlatformInfo);
                Assert.Equal(Local.Version, d.Version);
                Assert.Equal(Local.Class.Id, d.Class.Id);
                Assert.Equal(Local.Extensions, d.Extensions);
            }
            Assert.Equal(2, host.Errors.Count);
            var down = host.Errors.Single(e => Equals(e.Target, "down"));
            Assert.Equal(ErrorIds.RemoteUnreachable, down.ErrorId);
            Assert.StartsWith($"down ({Address("down")}): connection refused", down.Message);
            var changed = host.Errors.Single(e => Equals(e.Target, "changed"));
            Assert.Equal(ErrorIds.RemoteHostKeyChanged, changed.ErrorId);
            Assert.StartsWith($"changed ({Address("changed")}): the host key has CHANGED", changed.Message);
            Assert.DoesNotContain(devices, d => d.Target == "down" || d.Target == "changed");
        }

        [Fact]
        public void The_agent_is_copied_to_a_host_once_and_reused_on_the_next_call()
        {
            var good2 = _fleet["good2"];
            foreach (var dir in Directory.GetDirectories(good2.CacheDir)) Directory.Delete(dir, true);
            var agent = AgentPackage.Find()!;
            string dll = Path.Combine(good2.CacheDir, "macetools", "agent", agent.Version, "macetools.dll");

            var first = new RecordingHost();
            Operation("good2").Run(first);
            Assert.Single(first.Of<MaceDevice>());
            Assert.Contains(first.Verbose, v => v.StartsWith($"good2 ({Address("good2")}): copying the MaceTools agent {agent.Version}", StringComparison.Ordinal));
            Assert.True(File.Exists(dll));
            Assert.Equal(File.ReadAllBytes(Path.Combine(agent.Directory, "macetools.dll")), File.ReadAllBytes(dll));
            var written = File.GetLastWriteTimeUtc(dll);
            // Only the files macetools needs travel, not the test folder it was found in.
            Assert.Equal(agent.Files.OrderBy(f => f), Directory.GetFiles(Path.GetDirectoryName(dll)!).Select(Path.GetFileName).OrderBy(f => f));

            var second = new RecordingHost();
            Operation("good2").Run(second);
            Assert.Single(second.Of<MaceDevice>());
            Assert.DoesNotContain(second.Verbose, v => v.Contains("copying the MaceTools agent"));
            Assert.Contains(second.Verbose, v => v.Contains($"the MaceTools agent {agent.Version} is already in {Path.GetDirectoryName(dll)}"));
            Assert.Equal(written, File.GetLastWriteTimeUtc(dll));
            Assert.Empty(first.Errors.Concat(second.Errors));
        }

        [Fact]
        public void A_damaged_agent_copy_is_replaced()
        {
            var good2 = _fleet["good2"];
            Operation("good2").Run(new RecordingHost());
            var agent = AgentPackage.Find()!;
            string dll = Path.Combine(good2.CacheDir, "macetools", "agent", agent.Version, "macetools.dll");
            File.WriteAllText(dll, "truncated");

            var host = new RecordingHost();
            Operation("good2").Run(host);
            Assert.Single(host.Of<MaceDevice>());
            Assert.Contains(host.Verbose, v => v.Contains("copying the MaceTools agent"));
            Assert.Equal(File.ReadAllBytes(Path.Combine(agent.Directory, "macetools.dll")), File.ReadAllBytes(dll));
        }

        [Fact]
        public void An_armv7l_host_gets_no_agent_and_is_read_with_clinfo_with_a_warning_naming_the_agents_and_what_works_without_one()
        {
            var good1 = _fleet["good1"];
            // good1's PATH starts with its own bin folder (sshd SetEnv): there uname -m says armv7l, as on a 32-bit ARM board.
            string shim = Path.Combine(good1.BinDir, "uname");
            File.WriteAllText(shim, "#!/bin/sh\nif [ \"$1\" = -m ]; then echo armv7l; else exec /usr/bin/uname \"$@\"; fi\n");
            File.SetUnixFileMode(shim, (UnixFileMode)Convert.ToInt32("755", 8));
            try
            {
                foreach (var dir in Directory.GetDirectories(good1.CacheDir)) Directory.Delete(dir, true);
                var host = new RecordingHost();
                Operation("good1").Run(host);

                Assert.Empty(host.Errors);
                var warning = Assert.Single(host.Warnings);
                Assert.Equal($"good1 ({Address("good1")}): no MaceTools agent for armv7l (agents exist for x86_64); without one, discovery works (clinfo), " +
                    "compiling and loading programs on the host does not; falling back to clinfo", warning);
                Assert.False(Directory.Exists(Path.Combine(good1.CacheDir, "macetools")), "no agent is copied"); // (pocl keeps its own cache there)
                var d = Assert.Single(host.Of<MaceDevice>());
                Assert.Equal("clinfo", d.Library);
                Assert.Equal("ssh", d.Transport);
                Assert.Equal("good1", d.Target);
                Assert.Equal(Local.Name, d.Name);
                Assert.Equal(Local.Type, d.Type);
                Assert.Equal(Local.DriverVersion, d.DriverVersion);
                Assert.Equal(Local.PlatformInfo, d.PlatformInfo);
                Assert.Equal(Local.Class.Id, d.Class.Id);
                Assert.Equal(Local.SupportsFp16, d.SupportsFp16);
                Assert.Equal(Local.MaxWorkGroupSize, d.MaxWorkGroupSize);
                Assert.Equal(Local.ComputeUnits, d.ComputeUnits);
            }
            finally { File.Delete(shim); }
        }

        [Fact]
        public void An_aarch64_host_is_given_the_arm64_agent_by_its_uname()
        {
            // The self-contained linux-arm64 agent ./build.sh publishes; good1's uname -m says aarch64 (a shim, as above).
            string arm64 = Path.Combine(Fixtures.RepoRoot, "out", "agents", "linux-arm64");
            Assert.True(File.Exists(Path.Combine(arm64, "macetools")), $"{arm64} is missing: run ./build.sh");
            var agents = new AgentSet(new[] { AgentPackage.FromDirectory(arm64), AgentPackage.Find()! });
            Assert.Equal(new[] { "aarch64", "x86_64" }, agents.Packages.Select(p => p.Architecture));
            var good1 = _fleet["good1"];
            string shim = Path.Combine(good1.BinDir, "uname");
            File.WriteAllText(shim, "#!/bin/sh\nif [ \"$1\" = -m ]; then echo aarch64; else exec /usr/bin/uname \"$@\"; fi\n");
            File.SetUnixFileMode(shim, (UnixFileMode)Convert.ToInt32("755", 8));
            try
            {
                foreach (var dir in Directory.GetDirectories(good1.CacheDir)) Directory.Delete(dir, true);
                var host = new RecordingHost();
                new GetDeviceOperation
                {
                    Inventory = _fleet.DevicesYml,
                    Targets = new[] { "good1" },
                    RemoteFactory = h => new RemoteDevices(h) { SshClientFactory = SshFleet.Client, Agents = agents },
                }.Run(host);

                var arm = agents.For("aarch64")!;
                Assert.True(arm.SelfContained);
                Assert.Contains(host.Verbose, v => v.StartsWith($"good1 ({Address("good1")}): copying the MaceTools agent {arm.Version}", StringComparison.Ordinal));
                string copied = Path.Combine(good1.CacheDir, "macetools", "agent", arm.Version, "macetools");
                Assert.Equal("aarch64", MaceTools.Formats.ElfMachine.OfHeader(File.ReadAllBytes(copied)));
                // This x86_64 host cannot run it, so discovery falls back to clinfo, saying so without asking for a .NET runtime.
                var warning = Assert.Single(host.Warnings);
                Assert.StartsWith($"good1 ({Address("good1")}): the MaceTools agent in {Path.GetDirectoryName(copied)} did not run (exit ", warning);
                Assert.DoesNotContain(".NET", warning);
                Assert.EndsWith("; falling back to clinfo", warning);
                Assert.Equal("clinfo", Assert.Single(host.Of<MaceDevice>()).Library);
            }
            finally { File.Delete(shim); }
        }

        [Fact]
        public void Cli_device_list_inventory_json_gives_the_remote_devices_and_the_text_table_says_where_they_are()
        {
            var (code, stdout, stderr) = CliRunner.Run(null, "device", "list", "--inventory", _fleet.DevicesYml, "--target", "good*", "--json");
            Assert.True(code == 0, stderr);
            var items = CliRunner.JsonLines(stdout);
            Assert.Equal(new[] { "good1", "good2" }, items.Select(i => i.GetProperty("target").GetString()).OrderBy(s => s));
            Assert.All(items, i => Assert.Equal("ssh", i.GetProperty("transport").GetString()));
            Assert.Contains(items, i => i.GetProperty("address").GetString() == Address("good1"));
            Assert.All(items, i => Assert.Equal(Local.Name, i.GetProperty("name").GetString()));

            var text = CliRunner.Run(null, "device", "list", "--inventory", _fleet.DevicesYml, "--target", "good1");
            Assert.True(text.Code == 0, text.Err);
            Assert.Contains("Transport", text.Out);
            Assert.Contains("Address", text.Out);
            Assert.Contains(Address("good1"), text.Out);
            Assert.Contains("good1:0", text.Out);

            var down = CliRunner.Run(null, "device", "list", "--inventory", _fleet.DevicesYml, "--target", "good1", "--target", "down");
            Assert.Contains(Address("good1"), down.Out);
            Assert.Contains($"down ({Address("down")}): connection refused", down.Err);
            Assert.Equal(3, down.Code); // an unreachable device is a failure (3), not bad input (2)
        }
    }
}
