using System.IO;
using System.Linq;
using System.Text.Json;
using MaceTools.Tests.CompilationTests;
using MaceTools.Tests.Operations;
using static MaceTools.Tests.Cli.CliRunner;

namespace MaceTools.Tests.Cli
{
    /// <summary>The device commands of the command line on the real device (pocl).</summary>
    public class DeviceCliTests
    {
        [Fact]
        public void Device_list_json_describes_each_device_and_MACEs_view_of_it()
        {
            var (code, stdout, _) = Run(null, "device", "list", "--json");
            Assert.Equal(0, code);
            var devices = JsonLines(stdout).ToList();
            var pocl = devices.Single(d => d.GetProperty("platformName").GetString() == "Portable Computing Language");
            Assert.Equal("0", pocl.GetProperty("id").GetString());
            Assert.Equal("CPU", pocl.GetProperty("type").GetString());
            Assert.Equal("", pocl.GetProperty("maceDeviceName").GetString());
            Assert.Equal("Unknown", pocl.GetProperty("gpuType").GetString());
            Assert.False(pocl.GetProperty("supportsFp16").GetBoolean());
            Assert.EndsWith(", v1.1.1-0-g8c75d39", pocl.GetProperty("platformInfo").GetString());
            Assert.Equal(12, pocl.GetProperty("class").GetProperty("id").GetString()!.Length);
        }

        [Fact]
        public void Device_list_with_a_name_that_matches_nothing_is_an_error_naming_the_pattern()
        {
            var (code, stdout, stderr) = Run(null, "device", "list", "--name", "*Adreno*");
            Assert.Equal(2, code);
            Assert.Contains("*Adreno*: no OpenCL device matches", stderr);
            Assert.Contains("pthread", stderr); // the devices there are
            Assert.Equal("", stdout.Trim());
        }

        [Fact]
        public void Program_new_then_test_on_the_device_then_measure()
        {
            using var dir = new TempDir();
            string key = NewProgramTests.PoclV111Keys[12];
            var made = Run(dir.Path, "program", "new", "--kernel", key, "--device", "0", "--out", "x.bin", "--cache-dir", "cache", "--json");
            Assert.True(made.Code == 0, made.Err);
            var file = JsonLines(made.Out).Single();
            Assert.Equal("G2", file.GetProperty("generation").GetString());
            Assert.Equal(dir.File("x.bin"), file.GetProperty("path").GetString());

            var tested = Run(dir.Path, "program", "test", "x.bin", "--device", "pthread", "--json");
            var result = JsonLine(tested.Out);
            var load = result.GetProperty("loads").EnumerateArray().Single();
            Assert.Equal("Loaded", load.GetProperty("status").GetString());
            Assert.Equal(key, load.GetProperty("key").GetString());
            Assert.StartsWith("pthread", result.GetProperty("device").GetString());

            var measured = Run(dir.Path, "program", "measure", "x.bin", "--device", "0", "--repeat", "1", "--json");
            Assert.True(measured.Code == 0, measured.Err);
            var m = JsonLine(measured.Out);
            Assert.Equal(1, m.GetProperty("entries").GetArrayLength());
            Assert.True(m.GetProperty("speedup").GetDouble() > 1);
        }

        [Fact]
        public void Unknown_devices_and_unbuildable_programs_are_errors_with_their_exit_codes()
        {
            using var dir = new TempDir();
            var missing = Run(dir.Path, "program", "test", Fixtures.Path(Fixtures.Mali), "--device", "Adreno");
            Assert.Equal(2, missing.Code);
            Assert.Contains("no device name contains 'Adreno'", missing.Err);

            var half = Run(dir.Path, "program", "new", "--kernel", "pooling -DCMD_DATA_TYPE=h -DDATA_TYPE=half -Dpooling=p453171", "--out", "h.bin", "--cache-dir", "cache");
            Assert.NotEqual(0, half.Code);
            Assert.Contains("cl_khr_fp16", half.Err);
            Assert.Contains("no file written", half.Err);
            Assert.False(File.Exists(dir.File("h.bin")));
        }
    }
}
