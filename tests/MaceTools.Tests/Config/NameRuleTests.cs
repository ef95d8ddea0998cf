using System.IO;
using System.Linq;
using MaceTools.Config;
using MaceTools.Devices;
using MaceTools.Remote;
using MaceTools.Tests.Operations;
using MaceTools.Tuning;
using static MaceTools.Tests.Config.ConfigFixtures;

namespace MaceTools.Tests.Config
{
    /// <summary>Names that become file names (library, device model, soc, inventory names) cannot escape a folder (issue 14 row 4).</summary>
    public class NameRuleTests
    {
        [Theory]
        [InlineData("../../escaped", "it holds a path separator")]
        [InlineData("/etc/escaped", "it holds a path separator")]
        [InlineData("a\\b", "it holds a path separator")]
        [InlineData("..", "'..' names a folder")]
        [InlineData(".", "'.' names a folder")]
        [InlineData("", "it is empty")]
        [InlineData("a\0b", "it holds a control character")]
        [InlineData("a\nb", "it holds a control character")]
        public void A_name_that_could_leave_its_folder_is_refused_with_the_reason(string name, string problem) =>
            Assert.Equal(problem, NameRule.Problem(name));

        [Theory]
        [InlineData("mobilenet-v1")]
        [InlineData("Mi9")]
        [InlineData("rk3399")]
        [InlineData("a..b")]
        [InlineData("Adreno(TM)640")]
        public void Ordinary_names_pass(string name) => Assert.Null(NameRule.Problem(name));

        [Fact]
        public void An_escaping_library_name_in_mace_yml_is_an_error_at_its_line_and_column()
        {
            Assert.Equal("mace.yml:1:15: library_name: '../../escaped' cannot become part of a file name: it holds a path separator",
                FirstError(Valid.Replace("library_name: demo", "library_name: ../../escaped")));
            Assert.Equal("mace.yml:2:15: target_socs[0]: '..' cannot become part of a file name: '..' names a folder",
                FirstError(Valid.Replace("target_abis:", "target_socs: [..]\ntarget_abis:")));
        }

        [Fact]
        public void Config_test_fails_an_escaping_library_name_and_program_new_writes_nothing()
        {
            using var dir = new TempDir();
            string yml = dir.File("mace.yml");
            File.WriteAllText(yml, Valid.Replace("library_name: demo", "library_name: ../../escaped"));
            Directory.CreateDirectory(dir.File("a/b/d"));

            var test = Cli.CliRunner.Run(dir.Path, "config", "test", yml);
            Assert.Equal(1, test.Code);
            Assert.Contains("library_name: '../../escaped' cannot become part of a file name", test.Out + test.Err);

            var create = Cli.CliRunner.Run(dir.Path, "program", "new", "--config", yml, "--dest", dir.File("a/b/d"));
            Assert.Equal(2, create.Code);
            Assert.Contains("cannot become part of a file name", create.Err);
            Assert.Equal(new[] { yml }, Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories));
        }

        [Fact]
        public void A_library_option_with_a_path_is_refused_before_anything_is_built()
        {
            using var dir = new TempDir();
            var r = Cli.CliRunner.Run(dir.Path, "program", "new", "--kernel", "no_such_program", "--library", "../escaped", "--dest", dir.Path);
            Assert.Equal(2, r.Code);
            Assert.Contains("library name '../escaped' cannot become part of a file name: it holds a path separator [UnsafeName]", r.Err);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        [Theory]
        [InlineData("devices:\n  ../pi:\n    address: 10.0.0.2\n", "d.yml:2:3: devices.../pi: '../pi' cannot become part of a file name: it holds a path separator")]
        [InlineData("devices:\n  pi:\n    address: 10.0.0.2\n    device_name: ../../x\n", "d.yml:4:18: devices.pi.device_name: '../../x' cannot become part of a file name: it holds a path separator")]
        [InlineData("devices:\n  pi:\n    address: 10.0.0.2\n    models: a/b\n", "d.yml:4:13: devices.pi.models: 'a/b' cannot become part of a file name: it holds a path separator")]
        [InlineData("devices:\n  pi:\n    address: 10.0.0.2\n    target_socs: [rk3399, ..]\n", "d.yml:4:18: devices.pi.target_socs: '..' cannot become part of a file name: '..' names a folder")]
        public void Inventory_names_that_become_file_names_are_checked_at_their_position(string yaml, string message)
        {
            var e = Assert.Throws<MaceConfigException>(() => MaceInventory.Parse(yaml, "d.yml"));
            Assert.Equal(message, e.Message);
        }

        [Fact]
        public void A_device_reported_model_or_soc_with_a_path_cannot_name_a_file()
        {
            // getprop values come from the device, not from a file we can point at: the file name made from them is checked.
            var phone = new MaceDevice { Name = "Adreno (TM) 640", Model = "../../evil", Soc = "sm8150" };
            var e = Assert.Throws<MaceException>(() => TunedParameterFile.FileName("mace", phone));
            Assert.Equal(ErrorIds.UnsafeName, e.ErrorId);
            Assert.Equal("device model of Adreno (TM) 640 '../../evil' cannot become part of a file name: it holds a path separator", e.Message);
            Assert.Throws<MaceException>(() => NameRule.DeviceFileName("mace", "compiled_opencl_kernel", new MaceDevice { Name = "x", Model = "m", Soc = "a\nb" }));
            Assert.Equal("mace_compiled_opencl_kernel.Mi9..bin", NameRule.DeviceFileName("mace", "compiled_opencl_kernel", new MaceDevice { Name = "x", Model = "Mi9", Soc = "" }));
        }
    }
}
