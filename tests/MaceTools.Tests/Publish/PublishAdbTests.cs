using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using MaceTools.Operations;
using MaceTools.Remote;
using MaceTools.Tests.Adb;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Publish
{
    /// <summary>Publish-MaceProgram to an adb device: the real adb client and server against <see cref="AdbDeviceStandIn"/> (a MI 9, SM8150).</summary>
    [UnsupportedOSPlatform("windows")]
    public sealed class PublishAdbTests : IClassFixture<AdbFixture>
    {
        private readonly AdbFixture adb;

        public PublishAdbTests(AdbFixture adb) => this.adb = adb;

        [Fact]
        public void Publish_Adb_PushesVerifiesAndKeepsThePreviousFile()
        {
            using var tmp = new TempDir();
            const string dest = "/data/local/tmp/mace_run/interior/" + MaceInventory.ProgramFileName;
            string inventory = tmp.File("devices.yml");
            File.WriteAllText(inventory, $"devices:\n  phone:\n    transport: adb\n    serial: {adb.Serial}\n    models: MI 9\n    target_socs: sm8150\n");
            string file = tmp.File("mace_compiled_opencl_kernel.MI9.sm8150.bin");
            File.Copy(Fixtures.Path(Fixtures.Adreno), file);
            Directory.CreateDirectory(Path.GetDirectoryName(adb.Device.HostPath(dest))!);
            File.WriteAllBytes(adb.Device.HostPath(dest), new byte[] { 7, 7, 7 });

            var host = new RecordingHost();
            new PublishProgramOperation { Paths = new[] { file }, LiteralPaths = true, Inventory = inventory, Adb = adb.Client }.Run(host);

            var r = Assert.Single(host.Of<PublishResult>());
            Assert.True(r.Status == PublishStatus.Published, r.Error);
            Assert.Equal(RemoteTransport.Adb, r.Transport);
            Assert.Equal(adb.Serial, r.Address);
            Assert.Equal(dest, r.Path);
            Assert.Equal(dest + ".bak", r.Backup);
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(adb.Device.HostPath(dest)));
            Assert.Equal(new byte[] { 7, 7, 7 }, File.ReadAllBytes(adb.Device.HostPath(dest + ".bak")));
            Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(adb.Device.HostPath(dest))!, "*.tmp"));

            host = new RecordingHost();
            new PublishProgramOperation { Paths = new[] { file }, LiteralPaths = true, Inventory = inventory, Adb = adb.Client }.Run(host);
            Assert.Equal(PublishStatus.Unchanged, Assert.Single(host.Of<PublishResult>()).Status);
        }
    }
}
