using System.IO;
using System.Linq;
using System.Text.Json;
using MaceTools.Tests.Operations;
using MaceTools.Tests.TuningTests;
using static MaceTools.Tests.Cli.CliRunner;

namespace MaceTools.Tests.Cli
{
    /// <summary>macetools tune and program test --config: JSON results, the MACE-named file, and usage errors.</summary>
    public class TuneCliTests
    {
        [Fact]
        public void Tune_writes_the_MACE_named_file_and_prints_one_result_per_key_that_program_test_finds_complete()
        {
            using var tmp = new TempDir();
            string config = OptimizeProgramTests.SmallConfig(tmp);
            var (code, stdout, stderr) = Run(tmp.Path, "tune", "--config", config, "--strategy", "mace", "--json");
            Assert.True(code == 0, stderr);
            var results = JsonLines(stdout).ToList();
            Assert.NotEmpty(results);
            Assert.All(results, r => Assert.Equal("Mace", r.GetProperty("strategy").GetString()));
            Assert.Contains(results, r => r.GetProperty("tuningKey").GetString()!.StartsWith("conv2d_3x3_opencl_kernel_1_5_5_1"));
            string file = Assert.Single(Directory.GetFiles(tmp.Path, "small_tuned_opencl_parameter.*.bin"));
            Assert.True(File.Exists(file + ".macetools.json"));

            var (testCode, testOut, testErr) = Run(tmp.Path, "program", "test", file, "--config", config, "--json");
            Assert.True(testCode == 0, testErr);
            var findings = JsonLine(testOut).GetProperty("findings").EnumerateArray(); // one file: one object
            Assert.DoesNotContain(findings, f => f.GetProperty("code").GetString() == "KernelNotTuned");
        }

        [Fact]
        public void Tune_without_a_config_or_with_an_unknown_strategy_is_a_usage_error()
        {
            Assert.Equal(2, Run(null, "tune").Code);
            using var tmp = new TempDir();
            var (code, _, stderr) = Run(tmp.Path, "tune", "--config", OptimizeProgramTests.SmallConfig(tmp), "--strategy", "guess");
            Assert.Equal(2, code);
            Assert.Contains("guess", stderr);
            Assert.Empty(Directory.GetFiles(tmp.Path, "*.bin"));
        }
    }
}
