using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using MaceTools.Devices;
using MaceTools.Operations;
using MaceTools.Remote;
using MaceTools.Runtime;
using MaceTools.Tests.Cli;
using MaceTools.Tests.OpenCLTests;
using MaceTools.Tests.Operations;
using MaceTools.Tests.Remote;
using Xunit;

namespace MaceTools.Tests.RemoteBuild
{
    /// <summary>
    /// Model runs on Linux hosts over ssh: the real fleet's sshd, this machine's macetools build as the agent on the host
    /// (its <c>run</c> op), and the host's pocl. The example classifier is converted here and run there.
    /// </summary>
    [Collection(SshFleetCollection.Name)]
    [UnsupportedOSPlatform("windows")]
    public sealed class RemoteModelTests
    {
        private readonly SshFleet _fleet;

        public RemoteModelTests(SshFleet fleet) => _fleet = fleet;

        private static RemoteDevices Remote(IOperationHost h) => new RemoteDevices(h) { SshClientFactory = SshFleet.Client };

        private static string Config(TempDir tmp)
        {
            string dir = Path.Combine(Fixtures.RepoRoot, "examples", "paddleocr");
            File.Copy(Path.Combine(dir, "ch_ppocr_mobile_v2.0_cls_infer.onnx"), tmp.File("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
            File.Copy(Path.Combine(dir, "mace.yml"), tmp.File("mace.yml"));
            return tmp.File("mace.yml");
        }

        [Fact]
        public void Test_model_on_an_ssh_host_runs_the_model_there_through_the_agent_and_validates_it()
        {
            using var tmp = new TempDir();
            var device = Remote(new RecordingHost()).Discover(_fleet.Device("good1")).Single();
            var host = new RecordingHost(tmp.Path);
            new TestModelOperation { Config = Config(tmp), Devices = new List<MaceDevice> { device }, RemoteFactory = Remote, Count = 2 }.Run(host);
            Assert.Empty(host.Errors);
            var r = Assert.Single(host.Of<MaceValidationResult>());
            Assert.Equal(Pocl.Device.Name, r.Device);
            Assert.True(r.Passed);
            Assert.True(r.Cosine >= 0.99999, $"cosine {r.Cosine}");
            Assert.Equal(1.0, r.PixelAccuracy);
            // The run happened on the host, in the agent's driver worker.
            Assert.Contains(host.Verbose, v => v.StartsWith($"good1 ({SshFleet.User}@{_fleet["good1"].Address}:{SshFleet.Port}): agent: running 1 model run(s) on {Pocl.Device.Name}", StringComparison.Ordinal));
        }

        [Fact]
        public void Measure_model_on_an_ssh_host_sends_its_whole_schedule_in_one_agent_run()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            new MeasureModelOperation { Config = Config(tmp), Inventory = _fleet.DevicesYml, Targets = new[] { "good2" }, RemoteFactory = Remote, Round = 2, Reference = false }.Run(host);
            Assert.Empty(host.Errors);
            var w = Assert.Single(host.Of<MaceLatencyResult>());
            Assert.Equal(2, w.WallMs.Length);
            Assert.True(w.KernelMs > 0 && w.FirstInferenceMs > 0, w.ToString());
            // Build run, the way's first inference and two rounds: four runs, one trip.
            Assert.Contains(host.Verbose, v => v.EndsWith($"agent: running 4 model run(s) on {Pocl.Device.Name} in one driver worker", StringComparison.Ordinal));
            Assert.Single(host.Verbose, v => v.Contains("model run(s) on " + Pocl.Device.Name + " through the MaceTools agent"));
        }

        [Fact]
        public void The_CLI_validates_the_model_on_an_inventory_target()
        {
            using var tmp = new TempDir();
            var (code, stdout, stderr) = CliRunner.Run(tmp.Path, "model", "validate", "--config", Config(tmp), "--inventory", _fleet.DevicesYml, "--target", "good2", "--count", "1", "--json");
            Assert.True(code == 0, stderr);
            var r = CliRunner.JsonLine(stdout);
            Assert.True(r.GetProperty("passed").GetBoolean());
            Assert.Equal(Pocl.Device.Name, r.GetProperty("device").GetString());
        }
    }
}
