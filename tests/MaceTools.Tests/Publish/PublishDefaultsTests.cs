using System;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using MaceTools.Operations;
using MaceTools.Remote;
using MaceTools.Tests.Adb;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Publish
{
    /// <summary>These read or set MACETOOLS_INVENTORY: one at a time, never beside each other.</summary>
    [CollectionDefinition("Default inventory", DisableParallelization = true)]
    public sealed class DefaultInventoryCollection { }

    /// <summary>The default inventory: the one given, else $MACETOOLS_INVENTORY, else ./devices.yml (MACE's name), else an error naming all three.</summary>
    [Collection("Default inventory")]
    public sealed class InventoryLocateTests
    {
        [Fact]
        public void Given_wins_and_is_relative_to_the_current_directory()
        {
            using var tmp = new TempDir();
            File.WriteAllText(tmp.File(MaceInventory.InventoryFileName), "devices: {}\n");
            WithVariable("/elsewhere/fleet.yml", () =>
                Assert.Equal(tmp.File("lab.yml"), MaceInventory.Locate("lab.yml", tmp.Path)));
        }

        [Fact]
        public void The_variable_comes_before_the_local_file()
        {
            using var tmp = new TempDir();
            File.WriteAllText(tmp.File(MaceInventory.InventoryFileName), "devices: {}\n");
            WithVariable("fleet.yml", () => Assert.Equal(tmp.File("fleet.yml"), MaceInventory.Locate(null, tmp.Path)));
            WithVariable("", () => Assert.Equal(tmp.File("devices.yml"), MaceInventory.Locate(null, tmp.Path)));
        }

        [Fact]
        public void None_is_InventoryNotFound_naming_every_place_looked_at()
        {
            using var tmp = new TempDir();
            var e = WithVariable(null, () => Assert.Throws<MaceException>(() => MaceInventory.Locate(null, tmp.Path)));
            Assert.Equal(ErrorIds.InventoryNotFound, e.ErrorId);
            Assert.Contains("-Inventory", e.Message);
            Assert.Contains(MaceInventory.InventoryVariable, e.Message);
            Assert.Contains("devices.yml in " + tmp.Path, e.Message);
        }

        [Fact]
        public void A_target_without_an_inventory_uses_the_local_devices_yml()
        {
            using var tmp = new TempDir();
            File.WriteAllText(tmp.File("devices.yml"), "devices:\n  pi:\n    address: 127.0.0.1\n    port: 1\n    username: nobody\n    target_socs: bcm2711\n    models: Pi 4\n");
            var host = new RecordingHost(tmp.Path);
            // The entry is found (an unreachable address, so discovery fails for that device, not for want of an inventory).
            WithVariable(null, () => new GetDeviceOperation { Targets = new[] { "pi" } }.Run(host));
            Assert.DoesNotContain(host.Errors, e => e.ErrorId == ErrorIds.InventoryNotFound);
            var missing = WithVariable(null, () => Assert.Throws<MaceException>(() => new GetDeviceOperation { Targets = new[] { "nope" } }.Run(new RecordingHost(tmp.Path))));
            Assert.Equal(ErrorIds.DeviceNotFound, missing.ErrorId);
            Assert.Contains("pi", missing.Message);
        }

        internal static T WithVariable<T>(string? value, Func<T> body)
        {
            string? saved = Environment.GetEnvironmentVariable(MaceInventory.InventoryVariable);
            Environment.SetEnvironmentVariable(MaceInventory.InventoryVariable, value);
            try { return body(); }
            finally { Environment.SetEnvironmentVariable(MaceInventory.InventoryVariable, saved); }
        }

        internal static void WithVariable(string? value, Action body) => WithVariable<int>(value, () => { body(); return 0; });
    }

    /// <summary>
    /// Publish with no file named: the MACE-named files of the current folder, each device taking the one named for it, over the
    /// real adb client against <see cref="AdbDeviceStandIn"/> (a MI 9, SM8150), with the inventory found as ./devices.yml.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    [Collection("Default inventory")]
    public sealed class PublishDefaultsTests : IClassFixture<AdbFixture>
    {
        private const string Dest = "/data/local/tmp/mace_run/interior/" + MaceInventory.ProgramFileName;
        private readonly AdbFixture adb;

        public PublishDefaultsTests(AdbFixture adb) => this.adb = adb;

        private string Folder(TempDir tmp, string soc = "sm8150")
        {
            File.WriteAllText(tmp.File("devices.yml"), $"devices:\n  phone:\n    transport: adb\n    serial: {adb.Serial}\n    models: MI 9\n    target_socs: {soc}\n");
            return tmp.Path;
        }

        [Fact]
        public void No_file_named_publishes_the_one_named_for_the_device_and_nothing_else()
        {
            using var tmp = new TempDir();
            string dir = Folder(tmp);
            string mine = tmp.File("mace_compiled_opencl_kernel.MI9.sm8150.bin");
            File.Copy(Fixtures.Path(Fixtures.Adreno), mine);
            File.Copy(Fixtures.Path(Fixtures.Mali), tmp.File("mace_compiled_opencl_kernel.MI8.sdm845.bin"));
            File.Copy(Fixtures.Path(Fixtures.Mali), tmp.File("not-a-mace-name.bin"));

            var host = new RecordingHost(dir);
            InventoryLocateTests.WithVariable(null, () =>
                new PublishProgramOperation { FindFiles = true, Adb = adb.Client }.Run(host));

            var r = Assert.Single(host.Of<PublishResult>());
            Assert.True(r.Status == PublishStatus.Published || r.Status == PublishStatus.Unchanged, r.Error);
            Assert.Equal(mine, r.File);
            Assert.Equal(File.ReadAllBytes(mine), File.ReadAllBytes(adb.Device.HostPath(Dest)));
            Assert.Empty(host.Errors);
            Assert.Contains(host.Debug, d => d.StartsWith("inventory: " + tmp.File("devices.yml"), StringComparison.Ordinal));
        }

        [Fact]
        public void No_file_for_the_device_is_a_failed_result_and_an_error_saying_what_was_looked_for()
        {
            using var tmp = new TempDir();
            string dir = Folder(tmp);
            File.Copy(Fixtures.Path(Fixtures.Mali), tmp.File("mace_compiled_opencl_kernel.MI8.sdm845.bin"));

            var host = new RecordingHost(dir);
            InventoryLocateTests.WithVariable(null, () => new PublishProgramOperation { FindFiles = true, Adb = adb.Client }.Run(host));

            var r = Assert.Single(host.Of<PublishResult>());
            Assert.Equal(PublishStatus.Failed, r.Status);
            Assert.Equal(ErrorIds.NoFileForDevice, r.ErrorId);
            var e = Assert.Single(host.Errors);
            Assert.Equal(ErrorIds.NoFileForDevice, e.ErrorId);
            Assert.Equal("phone", e.Target);
            Assert.Contains("*_compiled_opencl_kernel.MI9.<soc>.bin", e.Message);
            Assert.Contains("sm8150", e.Message);
        }

        [Fact]
        public void No_MACE_named_file_at_all_stops_before_any_device()
        {
            using var tmp = new TempDir();
            string dir = Folder(tmp);
            File.Copy(Fixtures.Path(Fixtures.Mali), tmp.File("plain.bin"));
            var e = InventoryLocateTests.WithVariable(null, () =>
                Assert.Throws<MaceException>(() => new PublishProgramOperation { FindFiles = true, Adb = adb.Client }.Run(new RecordingHost(dir))));
            Assert.Equal(ErrorIds.NoFileForDevice, e.ErrorId);
            Assert.Contains("_compiled_opencl_kernel.<device>.<soc>.bin", e.Message);
        }

        [Fact]
        public void A_failed_target_is_an_error_record_with_the_CLI_id_as_well_as_a_result()
        {
            using var tmp = new TempDir();
            File.WriteAllText(tmp.File("devices.yml"), "devices:\n  gone:\n    address: 127.0.0.1\n    port: 1\n    username: nobody\n    target_socs: rk3399\n    models: Board\n");
            string file = tmp.File("mace_compiled_opencl_kernel.Board.rk3399.bin");
            File.Copy(Fixtures.Path(Fixtures.Adreno), file);
            var host = new RecordingHost(tmp.Path);
            new PublishProgramOperation { Paths = new[] { file }, LiteralPaths = true, Inventory = tmp.File("devices.yml") }.Run(host);
            var r = Assert.Single(host.Of<PublishResult>());
            Assert.Equal(PublishStatus.Failed, r.Status);
            var e = Assert.Single(host.Errors);
            Assert.Equal(r.ErrorId, e.ErrorId);
            Assert.Equal(ErrorIds.RemoteUnreachable, e.ErrorId);
            Assert.Equal("gone", e.Target);
            Assert.Empty(host.Warnings);
        }
    }
}
