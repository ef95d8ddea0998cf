using System;
using System.IO;
using System.Linq;
using MaceTools.Config;
using MaceTools.Remote;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Remote
{
    public class InventoryTests
    {
        // The shape of MACE's docs/user_guide/devices/demo_device_nanopi.yml, comments indented as MACE has them.
        private const string NanopiYml =
            "# one yaml config file can contain multi device info\n" +
            "devices:\n" +
            "  # The name of the device\n" +
            "  nanopi:\n" +
            "  # arm64 or armhf\n" +
            "    target_abis: [arm64, armhf]\n" +
            "  # device soc, you can get it from device manual\n" +
            "    target_socs: RK3399\n" +
            "    models: FriendlyElec Nanopi M4\n" +
            "    address: 10.0.0.0\n" +
            "    username: user\n" +
            "  raspberry:\n" +
            "    target_abis: [armv7l]\n" +
            "    target_socs: BCM2837\n" +
            "    models: Raspberry Pi 3 Model B Plus Rev 1.3\n" +
            "    address: 10.0.0.1\n" +
            "    username: user\n";

        [Fact]
        public void MACEs_demo_device_file_reads_as_is_with_MACEs_device_name_and_arm_linux_paths()
        {
            var devices = MaceInventory.Parse(NanopiYml, "/cfg/devices.yml");
            Assert.Equal(new[] { "nanopi", "raspberry" }, devices.Select(d => d.Name));
            var n = devices[0];
            Assert.Equal(new[] { "arm64", "armhf" }, n.TargetAbis);
            Assert.Equal(new[] { "RK3399" }, n.TargetSocs);
            Assert.Equal("FriendlyElec Nanopi M4", n.Models);
            Assert.Equal("FriendlyElecNanopiM4", n.DeviceName);
            Assert.Equal("10.0.0.0", n.Address);
            Assert.Equal("user", n.Username);
            Assert.Equal(RemoteTransport.Ssh, n.Transport);
            Assert.Null(n.Port);
            Assert.Null(n.IdentityFile);
            Assert.Null(n.Serial);
            Assert.Empty(n.Tags);
            Assert.Equal("/tmp/data/mace_run/interior/mace_cl_compiled_program.bin", n.ProgramPath);
            Assert.Equal("/tmp/data/mace_run/mace_run.config", n.TuningPath);
            Assert.Equal("user@10.0.0.0", n.Destination);
            Assert.Equal("nanopi (user@10.0.0.0:22)", n.Display);
            Assert.Equal((4, 3), (n.Line, n.Column));
            Assert.Equal("RaspberryPi3ModelBPlusRev1.3", devices[1].DeviceName);
        }

        [Fact]
        public void Extended_keys_resolve_key_files_from_the_files_folder_and_home()
        {
            using var dir = new TempDir();
            string yml = dir.File("devices.yml");
            File.WriteAllText(yml,
                "devices:\n" +
                "  board:\n" +
                "    models: Khadas VIM3\n" +
                "    address: board.lan\n" +
                "    port: 2222\n" +
                "    identity_file: keys/id_ed25519\n" +
                "    known_hosts_file: ~/.ssh/known_hosts_boards\n" +
                "    ssh_config: /etc/ssh/boards.conf\n" +
                "    transport: SSH\n" +
                "    program_path: /opt/app/cache/prog.bin\n" +
                "    tuning_path: /opt/app/cache/tune.bin\n" +
                "    tags: [mali, lab]\n" +
                "  other:\n" +
                "    address: 10.1.1.1\n" +
                "    tags: solo\n");
            var devices = MaceInventory.Read(yml);
            var b = devices[0];
            Assert.Equal(2222, b.Port);
            Assert.Null(b.Username);
            Assert.Equal("board.lan", b.Destination);
            Assert.Equal("board (board.lan:2222)", b.Display);
            Assert.Equal(Path.Combine(dir.Path, "keys", "id_ed25519"), b.IdentityFile);
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "known_hosts_boards"), b.KnownHostsFile);
            Assert.Equal("/etc/ssh/boards.conf", b.SshConfig);
            Assert.Equal(RemoteTransport.Ssh, b.Transport);
            Assert.Equal("/opt/app/cache/prog.bin", b.ProgramPath);
            Assert.Equal("/opt/app/cache/tune.bin", b.TuningPath);
            Assert.Equal(new[] { "mali", "lab" }, b.Tags);
            Assert.Equal(yml, b.InventoryPath);
            Assert.Equal(new[] { "solo" }, devices[1].Tags);
            Assert.Null(devices[1].DeviceName);
        }

        [Fact]
        public void Adb_devices_take_the_address_as_serial_and_MACEs_Android_paths()
        {
            var d = MaceInventory.Parse("devices:\n  phone:\n    transport: adb\n    address: 0123456789ABCDEF\n    models: Mi 9\n", "d.yml").Single();
            Assert.Equal(RemoteTransport.Adb, d.Transport);
            Assert.Equal("0123456789ABCDEF", d.Serial);
            Assert.Equal("Mi9", d.DeviceName);
            Assert.Equal("/data/local/tmp/mace_run/interior/mace_cl_compiled_program.bin", d.ProgramPath);
            Assert.Equal("/data/local/tmp/mace_run/mace_run.config", d.TuningPath);
            Assert.Equal("phone (adb 0123456789ABCDEF)", d.Display);
            var s = MaceInventory.Parse("devices:\n  p:\n    transport: adb\n    serial: emulator-5554\n", "d.yml").Single();
            Assert.Equal("emulator-5554", s.Serial);
            Assert.Null(s.Address);
        }

        [Fact]
        public void Yaml_merge_keys_share_settings_and_the_devices_own_keys_win()
        {
            const string yml =
                "defaults: &lab\n" +
                "  username: ci\n" +
                "  port: 2200\n";
            // A top-level key other than devices is an error, so the anchor lives on the first device.
            var devices = MaceInventory.Parse(
                "devices:\n  a: &lab\n    address: 10.0.0.1\n    username: ci\n    port: 2200\n  b:\n    <<: *lab\n    address: 10.0.0.2\n", "d.yml");
            Assert.Equal(("ci", 2200, "10.0.0.2"), (devices[1].Username, devices[1].Port!.Value, devices[1].Address));
            var e = Assert.Throws<MaceConfigException>(() => MaceInventory.Parse(yml + "devices: {}\n", "d.yml"));
            Assert.Equal("d.yml:1:1: defaults: unknown top-level key; a device file holds only 'devices'", e.Message);
        }

        [Theory]
        [InlineData("    usernme: user\n", "devices.nanopi.usernme", 4, 5, "did you mean 'username'?")]
        [InlineData("    port: 99999\n", "devices.nanopi.port", 4, 11, "'99999' is not a port number")]
        [InlineData("    port: 22a\n", "devices.nanopi.port", 4, 11, "not a port number")]
        [InlineData("    transport: telnet\n", "devices.nanopi.transport", 4, 16, "'telnet' is not one of ssh, adb")]
        [InlineData("    username: -oProxyCommand=x\n", "devices.nanopi.username", 4, 15, "must not start with '-'")]
        [InlineData("    program_path: data/prog.bin\n", "devices.nanopi.program_path", 4, 19, "not an absolute file path")]
        [InlineData("    tuning_path: /data/\n", "devices.nanopi.tuning_path", 4, 18, "not an absolute file path")]
        [InlineData("    target_abis: {a: b}\n", "devices.nanopi.target_abis", 4, 18, "expected a single value, found a mapping")]
        [InlineData("    models: [a, b]\n", "devices.nanopi.models", 4, 13, "expected a single value, found a list")]
        public void Bad_device_keys_are_errors_naming_file_line_column_and_key(string extra, string key, int line, int column, string message)
        {
            string yml = "devices:\n  nanopi:\n    address: 10.0.0.0\n" + extra;
            var e = Assert.Throws<MaceConfigException>(() => MaceInventory.Parse(yml, "/cfg/devices.yml"));
            Assert.Equal(ErrorIds.ConfigInvalid, e.ErrorId);
            Assert.StartsWith($"/cfg/devices.yml:{line}:{column}: {key}: ", e.Message);
            Assert.Contains(message, e.Message);
        }

        [Fact]
        public void An_unknown_key_lists_the_allowed_keys_as_MACE_raises_KeyError()
        {
            var e = Assert.Throws<MaceConfigException>(() => MaceInventory.Parse("devices:\n  x:\n    address: a\n    password: secret\n", "d.yml"));
            Assert.Contains("unknown device key (MACE raises KeyError for it)", e.Message);
            Assert.Contains("Allowed keys: target_abis, target_socs, models, address, username, device_name, system, port, identity_file, known_hosts_file, ssh_config, transport, serial, program_path, tuning_path, tags", e.Message);
        }

        [Theory]
        [InlineData("devices:\n  x:\n    username: u\n", "d.yml:3:5: devices.x.address: required key is missing")]
        [InlineData("devices:\n  x:\n    address: -oProxyCommand=touch /tmp/x\n", "d.yml:3:14: devices.x.address: '-oProxyCommand=touch /tmp/x' is not a valid address")]
        [InlineData("devices:\n  x:\n    address: a b\n", "d.yml:3:14: devices.x.address: 'a b' is not a valid address")]
        [InlineData("devices:\n  p:\n    transport: adb\n", "d.yml:3:5: devices.p.serial: required key is missing for an adb device")]
        [InlineData("devices: [a, b]\n", "d.yml:1:10: devices: expected a mapping of device names to devices")]
        [InlineData("devices:\n  x: 10.0.0.1\n", "d.yml:2:6: devices.x: expected a mapping of device keys")]
        [InlineData("nodes:\n  x: {}\n", "d.yml:1:1: nodes: unknown top-level key")]
        [InlineData("", "d.yml:1:1: expected a mapping with a 'devices' key")]
        [InlineData("devices:\n  x: {address: [\n", "d.yml:3:1: invalid YAML")]
        public void Structural_errors_name_the_place(string yml, string expectedStart)
        {
            var e = Assert.Throws<MaceConfigException>(() => MaceInventory.Parse(yml, "d.yml"));
            Assert.StartsWith(expectedStart, e.Message);
        }

        [Fact]
        public void A_missing_file_is_FileNotFound()
        {
            var e = Assert.Throws<MaceException>(() => MaceInventory.Read("/nonexistent/devices.yml"));
            Assert.Equal(ErrorIds.FileNotFound, e.ErrorId);
        }

        [Fact]
        public void Select_filters_by_name_wildcards_and_any_tag_and_names_a_pattern_that_matches_nothing()
        {
            var devices = MaceInventory.Parse(
                "devices:\n  lab-a: {address: a, tags: [mali, lab]}\n  lab-b: {address: b, tags: [adreno]}\n  home: {address: c, tags: [MALI]}\n", "d.yml");
            Assert.Equal(new[] { "lab-a", "lab-b", "home" }, MaceInventory.Select(devices).Select(d => d.Name));
            Assert.Equal(new[] { "lab-a", "lab-b" }, MaceInventory.Select(devices, new[] { "LAB-*" }).Select(d => d.Name));
            Assert.Equal(new[] { "lab-a", "home" }, MaceInventory.Select(devices, tags: new[] { "mali" }).Select(d => d.Name));
            Assert.Equal(new[] { "lab-a" }, MaceInventory.Select(devices, new[] { "lab-?" }, new[] { "mali", "x" }).Select(d => d.Name));
            var e = Assert.Throws<MaceException>(() => MaceInventory.Select(devices, new[] { "lab-*", "office" }));
            Assert.Equal(ErrorIds.DeviceNotFound, e.ErrorId);
            Assert.Equal("no device matches 'office' (devices: lab-a, lab-b, home)", e.Message);
        }
    }
}
