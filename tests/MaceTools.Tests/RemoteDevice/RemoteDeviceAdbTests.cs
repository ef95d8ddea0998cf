using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using MaceTools.Devices;
using MaceTools.Operations;
using MaceTools.Remote;
using MaceTools.Tests.Adb;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.RemoteDevice
{
    /// <summary>An adb entry of an inventory through the real adb client and server and the device stand-in.</summary>
    [UnsupportedOSPlatform("windows")]
    public sealed class RemoteDeviceAdbTests : IClassFixture<AdbFixture>
    {
        private readonly AdbFixture _adb;

        public RemoteDeviceAdbTests(AdbFixture adb) => _adb = adb;

        [Fact]
        public void An_adb_entry_gives_model_soc_and_gpu_from_getprop_and_SurfaceFlinger_and_an_unreachable_phone_is_an_error_naming_it()
        {
            using var dir = new TempDir();
            int closed = AdbFixture.FreePort();
            string yml = dir.File("devices.yml");
            File.WriteAllText(yml,
                "devices:\n" +
                $"  mi9: {{transport: adb, address: '{_adb.Device.Address}', target_socs: SM8150, tags: [phone]}}\n" +
                $"  gone: {{transport: adb, serial: '127.0.0.1:{closed}', tags: [phone]}}\n");
            var host = new RecordingHost();
            new GetDeviceOperation
            {
                Inventory = yml,
                Tags = new[] { "phone" },
                RemoteFactory = h => new RemoteDevices(h) { AdbClientFactory = _adb.NewClient },
            }.Run(host);

            var d = Assert.Single(host.Of<MaceDevice>());
            Assert.Equal("adb", d.Transport);
            Assert.Equal(_adb.Serial, d.Address);
            Assert.Equal("mi9", d.Target);
            Assert.Equal("mi9:0", d.Id);
            Assert.Equal("MI9", d.Model);          // ro.product.model without spaces (MACE's device_name)
            Assert.Equal("msmnihilo", d.Soc);      // ro.board.platform wins over the inventory's target_socs
            Assert.Equal("Adreno (TM) 640", d.Name);
            Assert.Equal("Qualcomm", d.Vendor);
            Assert.Equal("GPU", d.Type);
            // MACE's rule reads CL_DEVICE_NAME ("QUALCOMM Adreno(TM)"); the GLES renderer string is not that, so it stays unknown.
            Assert.Equal(MaceGpuType.Unknown, d.GpuType);

            var e = Assert.Single(host.Errors);
            Assert.Equal(ErrorIds.RemoteUnreachable, e.ErrorId);
            Assert.Equal("gone", e.Target);
            Assert.StartsWith($"gone (adb 127.0.0.1:{closed}): ", e.Message);
        }
    }
}
