using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using MaceTools.Remote;
using MaceTools.Tests.Cli;
using MaceTools.Tests.Operations;
using MaceTools.Tests.Remote;

namespace MaceTools.Tests.Drift
{
    /// <summary>macetools program drift over ssh (the real sshd fleet): the device's cache is read with cat over the shared connection.</summary>
    [Collection(SshFleetCollection.Name)]
    public sealed class DriftFleetTests : IDisposable
    {
        private readonly SshFleet fleet;
        private readonly TempDir tmp = new TempDir();
        // A folder of this test's own on every host, as the publish tests do.
        private readonly string sub = "d" + Guid.NewGuid().ToString("N").Substring(0, 8);

        public DriftFleetTests(SshFleet fleet) => this.fleet = fleet;

        public void Dispose()
        {
            foreach (var h in fleet.Hosts)
                try { Directory.Delete(Path.Combine(h.UploadDir, sub), true); } catch (IOException) { }
            tmp.Dispose();
        }

        private string Cache(string host) => Path.Combine(fleet[host].UploadDir, sub, MaceInventory.ProgramFileName);

        [Fact]
        public void DriftCli_Json_OneObjectPerTarget_ExitOneUnlessAllKept()
        {
            string text = File.ReadAllText(fleet.DevicesYml);
            foreach (var h in fleet.Hosts) text = text.Replace(h.UploadDir + "/", h.UploadDir + "/" + sub + "/");
            string inventory = Path.Combine(fleet.Dir, $"devices-{sub}.yml");
            File.WriteAllText(inventory, text);
            string ourFile = tmp.File("mace_compiled_opencl_kernel.TestBoard.RK3399.bin");
            File.Copy(Fixtures.Path(Fixtures.Adreno), ourFile);
            var ours = MaceProgram.Load(ourFile);
            // good1: the app built nothing, our file is still there; good2: MACE rebuilt one program and added one.
            Directory.CreateDirectory(Path.GetDirectoryName(Cache("good1"))!);
            File.Copy(ourFile, Cache("good1"));
            var (rebuilt, added) = DeviceCaches.PartlyRebuilt(ours, Cache("good2"));

            var (code, stdout, stderr) = CliRunner.Run(tmp.Path, "program", "drift", ourFile, "--inventory", inventory, "--tag", "good", "--json");

            Assert.True(code == 1, stderr);
            var items = CliRunner.JsonLines(stdout).ToDictionary(e => e.GetProperty("device").GetString()!);
            Assert.Equal(new[] { "good1", "good2" }, items.Keys.OrderBy(k => k));
            Assert.Equal("Kept", items["good1"].GetProperty("verdict").GetString());
            Assert.Equal(ours.ProgramCount, items["good1"].GetProperty("kept").GetInt32());
            Assert.Equal(Cache("good1"), items["good1"].GetProperty("deviceFile").GetString());
            Assert.Equal("PartlyRebuilt", items["good2"].GetProperty("verdict").GetString());
            Assert.Equal(rebuilt, items["good2"].GetProperty("rebuiltKeys")[0].GetString());
            Assert.Equal(added, items["good2"].GetProperty("addedKeys")[0].GetString());
            Assert.Contains(items["good2"].GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "EntryRebuilt");

            (code, stdout, stderr) = CliRunner.Run(tmp.Path, "program", "drift", ourFile, "--inventory", inventory, "--target", "good1");
            Assert.True(code == 0, stderr);
            Assert.Contains("Kept", stdout);
            Assert.Contains("DeviceCacheUnchanged", stdout);

            // A host that cannot be reached is an error that names it, not a result.
            (code, _, stderr) = CliRunner.Run(tmp.Path, "program", "drift", ourFile, "--inventory", inventory, "--target", "down");
            Assert.NotEqual(0, code);
            Assert.Contains("down", stderr);
        }
    }
}
