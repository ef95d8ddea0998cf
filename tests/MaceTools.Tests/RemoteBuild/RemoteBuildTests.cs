using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Text.Json;
using MaceTools.Compilation;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Operations;
using MaceTools.Remote;
using MaceTools.Tests.Cli;
using MaceTools.Tests.OpenCLTests;
using MaceTools.Tests.Operations;
using MaceTools.Tests.Remote;
using MaceTools.Verification;

namespace MaceTools.Tests.RemoteBuild
{
    /// <summary>
    /// Building and load-testing on Linux hosts over ssh: the real fleet's sshd, this machine's macetools build as the agent
    /// on the host, and the host's pocl (the hosts share this machine's file system, so what the agent leaves, such as its
    /// build cache under the host's own XDG_CACHE_HOME, is visible here).
    /// </summary>
    [Collection(SshFleetCollection.Name)]
    [UnsupportedOSPlatform("windows")]
    public sealed class RemoteBuildTests
    {
        private static readonly string[] Keys =
        {
            "softmax -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dsoftmax=s4wA5uH",
            "pooling -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dpooling=p453171",
        };

        private readonly SshFleet _fleet;

        public RemoteBuildTests(SshFleet fleet) => _fleet = fleet;

        private string Address(string host) => $"{SshFleet.User}@{_fleet[host].Address}:{SshFleet.Port}";

        // Test-sized ssh timeouts; everything else comes from the devices.yml.
        private static RemoteDevices Remote(IOperationHost h) => new RemoteDevices(h) { SshClientFactory = SshFleet.Client };

        private MaceDevice Discovered(string name) => new RemoteDevices(new RecordingHost()) { SshClientFactory = SshFleet.Client }.Discover(_fleet.Device(name)).Single();

        private static string HostBuildCache(FleetHost h) => Path.Combine(h.CacheDir, "macetools", "builds");

        /// <summary>A program file with good, damaged and random binaries (as in the local isolation tests).</summary>
        private static string PoisonedFile(TempDir tmp)
        {
            byte[] good = Pocl.BuildBinary(Pocl.SmallKernel);
            byte[] flipped = (byte[])good.Clone();
            for (int i = flipped.Length / 2; i < flipped.Length / 2 + 64; i++) flipped[i] ^= 0xFF;
            var random = new byte[4096];
            new Random(7).NextBytes(random);
            var records = new[] { ("a_good", good), ("b_flipped", flipped), ("c_truncated", good.Take(good.Length / 2).ToArray()), ("e_random", random), ("f_good_after", good) }
                .Select(e => KvRecord.Bytes(e.Item1, e.Item2)).ToList();
            string path = tmp.File("poisoned.bin");
            File.WriteAllBytes(path, MaceFileCodec.EncodeToArray(records, MaceFileFormat.G2));
            return path;
        }

        [Fact]
        public void New_program_for_an_ssh_target_builds_on_the_host_and_the_file_loads_here_too()
        {
            var good1 = _fleet["good1"];
            if (Directory.Exists(HostBuildCache(good1))) Directory.Delete(HostBuildCache(good1), true);
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            new NewProgramOperation
            {
                Kernels = Keys,
                Inventory = _fleet.DevicesYml,
                Targets = new[] { "good1" },
                Cache = new BuildCache(tmp.File("local-cache")),
                RemoteFactory = Remote,
            }.Run(host);

            Assert.Empty(host.Errors);
            var written = Assert.Single(host.Of<MaceProgram>());
            // Named as MACE names it for the inventory entry: models "Test Board good1", target_socs RK3399.
            Assert.Equal(tmp.File("mace_compiled_opencl_kernel.TestBoardgood1.rk3399.bin"), written.Path);
            Assert.Equal(Keys.OrderBy(k => k, StringComparer.Ordinal), written.Entries.Where(e => e.Kind == MaceEntryKind.Program).Select(e => e.Key));
            // The build ran on the host: its compiler spoke through the agent, and its build cache (under the host's
            // XDG_CACHE_HOME) holds the binaries, while the local cache was never written.
            Assert.Contains(host.Verbose, v => v.StartsWith($"good1 ({Address("good1")}): agent: building 2 program(s) from source", StringComparison.Ordinal));
            Assert.Equal(2, Directory.GetFiles(HostBuildCache(good1), "*", SearchOption.AllDirectories).Length);
            Assert.False(Directory.Exists(tmp.File("local-cache")) && Directory.EnumerateFileSystemEntries(tmp.File("local-cache")).Any());

            // The host's pocl is this machine's: every entry loads here as well.
            var local = TestProgramOperation.TestOnDevice(written.Path, new MaceTarget(), Pocl.Device, Pocl.Worker, host);
            Assert.Equal(2, local.Loads.Length);
            Assert.All(local.Loads, l => Assert.Equal(EntryLoadStatus.Loaded, l.Status));
        }

        [Fact]
        public void Test_program_on_an_ssh_target_loads_every_entry_on_the_host()
        {
            using var tmp = new TempDir();
            var build = new RecordingHost(tmp.Path);
            new NewProgramOperation { Kernels = Keys, Devices = new List<MaceDevice> { Pocl.Device }, OutFile = "local.bin", Cache = new BuildCache(tmp.File("cache")) }.Run(build);
            Assert.Empty(build.Errors);
            int logins = _fleet["good2"].AcceptedLogins;

            var host = new RecordingHost(tmp.Path);
            new TestProgramOperation { Paths = new[] { "local.bin" }, Inventory = _fleet.DevicesYml, Targets = new[] { "good2" }, RemoteFactory = Remote }.Run(host);

            Assert.Empty(host.Errors);
            var result = Assert.Single(host.Of<MaceTestResult>());
            // (pocl's empty MACE device name is a finding of its own; no load finding may appear.)
            Assert.DoesNotContain(result.Findings, f => f.Code.StartsWith("Entry", StringComparison.Ordinal) || f.Code == "KernelMissing");
            Assert.Equal(Pocl.Device.Name, result.Device);
            Assert.Equal(Keys.OrderBy(k => k, StringComparer.Ordinal), result.Loads.Select(l => l.Key));
            Assert.All(result.Loads, l =>
            {
                Assert.Equal(EntryLoadStatus.Loaded, l.Status);
                Assert.Equal("ok", l.Stage);
                Assert.NotEmpty(l.Kernels);
                Assert.True(l.BuildMs > 0);
            });
            // The loads ran in the host's agent, over good2's sshd.
            Assert.Contains(host.Verbose, v => v.StartsWith($"good2 ({Address("good2")}): agent: loading 2 program entries of local.bin", StringComparison.Ordinal));
            Assert.True(_fleet["good2"].AcceptedLogins > logins);
        }

        [Fact]
        public void A_damaged_file_tested_on_a_host_reports_crashed_and_rejected_entries_and_the_agent_answers_on()
        {
            using var tmp = new TempDir();
            string path = PoisonedFile(tmp);
            var host = new RecordingHost(tmp.Path);
            new TestProgramOperation { Paths = new[] { path }, Inventory = _fleet.DevicesYml, Targets = new[] { "good1" }, RemoteFactory = Remote }.Run(host);

            Assert.Empty(host.Errors);
            var result = Assert.Single(host.Of<MaceTestResult>());
            Assert.False(result.Passed);
            var loads = result.Loads.ToDictionary(l => l.Key);
            Assert.Equal(EntryLoadStatus.Loaded, loads["a_good"].Status);
            Assert.Equal(EntryLoadStatus.Rejected, loads["e_random"].Status);
            Assert.Equal("CL_INVALID_BINARY", loads["e_random"].StatusName);
            Assert.Contains(loads.Values, l => l.Status == EntryLoadStatus.Crashed && l.StatusName.StartsWith("SIG", StringComparison.Ordinal));
            // The host's worker isolation took the crashes: the entry after them loads in a fresh worker.
            Assert.Equal(EntryLoadStatus.Loaded, loads["f_good_after"].Status);
            Assert.Contains(result.Findings, f => f.Code == "EntryCrashesDriver");

            // One agent process, two requests: the crashing load does not end it.
            var device = Discovered("good1");
            using var ssh = SshFleet.Client(_fleet.Device("good1"));
            var answers = new AgentClient(ssh, AgentPackage.Find(), new RecordingHost())
                .Call(new[] { AgentProtocol.LoadRequest(device, MaceProgram.Load(path)), "{\"op\":\"hello\"}" });
            Assert.Equal(2, answers.Count);
            Assert.Equal(5, AgentProtocol.ReadLoads(answers[0]).Count);
            Assert.Equal("hello", answers[1]["op"]);
        }

        [Fact]
        public void A_down_host_is_an_error_naming_the_device_and_its_address()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            new NewProgramOperation { Kernels = Keys, Inventory = _fleet.DevicesYml, Targets = new[] { "down" }, RemoteFactory = Remote, Cache = null }.Run(host);
            var e = Assert.Single(host.Errors);
            Assert.Equal(ErrorIds.RemoteUnreachable, e.ErrorId);
            Assert.StartsWith($"down ({Address("down")}): connection refused", e.Message);
            Assert.Empty(host.Of<MaceProgram>());
            Assert.Empty(Directory.GetFiles(tmp.Path, "*.bin"));

            // A device found while its host was up, tested after it went down: the load names the host, nothing runs here.
            var gone = Discovered("good1");
            gone.Target = "down";
            string file = tmp.File("x.bin");
            File.WriteAllBytes(file, MaceFileCodec.EncodeToArray(new[] { KvRecord.Bytes("a_good", Pocl.BuildBinary(Pocl.SmallKernel)) }.ToList(), MaceFileFormat.G2));
            var test = new RecordingHost(tmp.Path);
            new TestProgramOperation { Paths = new[] { file }, Device = gone, RemoteFactory = Remote }.Run(test);
            var te = Assert.Single(test.Errors);
            Assert.Equal(ErrorIds.RemoteUnreachable, te.ErrorId);
            Assert.StartsWith($"down ({Address("down")}): connection refused", te.Message);
            Assert.Empty(test.Of<MaceTestResult>());
        }

        [Fact]
        public void Measuring_on_a_remote_device_is_refused_naming_it_rather_than_run_here()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            string file = tmp.File("x.bin");
            File.WriteAllBytes(file, MaceFileCodec.EncodeToArray(new[] { KvRecord.Bytes("a_good", Pocl.BuildBinary(Pocl.SmallKernel)) }.ToList(), MaceFileFormat.G2));
            new MeasureProgramOperation { Paths = new[] { file }, Device = Discovered("good2") }.Run(host);
            var e = Assert.Single(host.Errors);
            Assert.Equal(ErrorIds.Unsupported, e.ErrorId);
            Assert.StartsWith($"good2 ({Address("good2")}): Measure-MaceProgram runs on this machine's devices only", e.Message);
        }

        [Fact]
        public void Cli_program_new_and_test_with_inventory_and_target_build_and_load_on_the_host()
        {
            using var tmp = new TempDir();
            var args = new List<string> { "program", "new", "--inventory", _fleet.DevicesYml, "--target", "good2", "--dest", tmp.Path, "--json" };
            foreach (var k in Keys) { args.Add("--kernel"); args.Add(k); }
            var built = CliRunner.Run(tmp.Path, args.ToArray());
            Assert.True(built.Code == 0, built.Err);
            string file = tmp.File("mace_compiled_opencl_kernel.TestBoardgood2.rk3399.bin");
            Assert.True(File.Exists(file), built.Out + built.Err);

            var tested = CliRunner.Run(tmp.Path, "program", "test", file, "--inventory", _fleet.DevicesYml, "--target", "good2", "--json");
            // Exit 1 at most: pocl's empty MACE device name is a finding; the loads themselves must all succeed.
            Assert.True(tested.Code is 0 or 1, tested.Out + tested.Err);
            var result = CliRunner.JsonLine(tested.Out);
            var loads = result.GetProperty("loads").EnumerateArray().ToList();
            Assert.Equal(2, loads.Count);
            Assert.All(loads, l => Assert.Equal("Loaded", l.GetProperty("status").GetString()));

            var down = CliRunner.Run(tmp.Path, "program", "test", file, "--inventory", _fleet.DevicesYml, "--target", "down");
            Assert.Equal(3, down.Code); // unreachable: a failure, not bad input
            Assert.Contains($"down ({Address("down")}): connection refused", down.Err);
        }
    }
}
