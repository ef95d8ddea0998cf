using System.IO;
using System.Linq;
using System.Text.Json;
using MaceTools.Tests.Operations;
using static MaceTools.Tests.Cli.CliRunner;

namespace MaceTools.Tests.Cli
{
    /// <summary>The command line, run in-process through the same entry point as the executable.</summary>
    public class CliTests
    {
        [Fact]
        public void Program_show_json_has_the_documented_shape()
        {
            var (code, stdout, _) = Run(null, "program", "show", Fixtures.Path(Fixtures.Adreno), "--json");
            Assert.Equal(0, code);
            var root = JsonLine(stdout);
            Assert.Equal("G1", root.GetProperty("generation").GetString());
            Assert.Equal("Programs", root.GetProperty("kind").GetString());
            Assert.Equal(518558, root.GetProperty("size").GetInt64());
            Assert.Equal("e0471044afa6744f3c9b6f4eeee45502b32f9975b558b40e8a9a454e3dd52c09", root.GetProperty("sha256").GetString());
            Assert.StartsWith("QUALCOMM Snapdragon(TM), FULL_PROFILE, OpenCL 2.0", root.GetProperty("platformInfo").GetString());
            Assert.Equal("v0.10.1-rc4-0-gb83487a", root.GetProperty("maceVersion").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("deviceName").ValueKind);
            var entries = root.GetProperty("entries").EnumerateArray().ToList();
            Assert.Equal(29, entries.Count);
            var first = entries[0];
            foreach (var name in new[] { "key", "program", "options", "size", "sha256", "vendor" })
                Assert.True(first.TryGetProperty(name, out _), name);
            Assert.Equal("Adreno", first.GetProperty("vendor").GetString());
            Assert.Equal(64, first.GetProperty("sha256").GetString()!.Length);
        }

        [Fact]
        public void Program_test_exit_code_is_1_when_checks_fail_and_0_when_they_pass()
        {
            using var dir = new TempDir();
            File.WriteAllBytes(dir.File("cut.bin"), Fixtures.Bytes(Fixtures.Mali).Take(100).ToArray());
            var bad = Run(dir.Path, "program", "test", "cut.bin", "--json");
            Assert.Equal(1, bad.Code);
            Assert.False(JsonLine(bad.Out).GetProperty("passed").GetBoolean());
            var good = Run(null, "program", "test", Fixtures.Path(Fixtures.Mali));
            Assert.Equal(0, good.Code);
            Assert.Contains("PASS", good.Out);
        }

        [Fact]
        public void Errors_go_to_stderr_as_json_with_id_and_exit_2()
        {
            var (code, stdout, stderr) = Run(null, "program", "show", "/no/such/file.bin", "--json");
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            var err = JsonLine(stderr).GetProperty("error");
            Assert.Equal("FileNotFound", err.GetProperty("id").GetString());
            Assert.Equal("/no/such/file.bin", err.GetProperty("target").GetString());
        }

        [Fact]
        public void Usage_errors_exit_2()
        {
            Assert.Equal(2, Run(null, "program", "convert", Fixtures.Path(Fixtures.Mali)).Code); // --out missing
            Assert.Equal(2, Run(null, "program", "frobnicate").Code);
            Assert.Equal(2, Run(null, "program", "export", Fixtures.Path(Fixtures.Mali), "--cpp", "--text").Code);
            Assert.Equal(2, Run(null, "program", "test", Fixtures.Path(Fixtures.Mali), "--mace-version", "latest").Code);
        }

        [Fact]
        public void Convert_merge_export_round_trip_through_the_cli()
        {
            using var dir = new TempDir();
            Assert.Equal(0, Run(dir.Path, "program", "convert", Fixtures.Path(Fixtures.Mali), "--to", "G2", "--out", "m2.bin").Code);
            Assert.Equal(0, Run(dir.Path, "program", "convert", "m2.bin", "--to", "G1", "--out", "m1.bin").Code);
            Assert.Equal(Fixtures.Bytes(Fixtures.Mali), File.ReadAllBytes(dir.File("m1.bin")));

            var merged = Run(dir.Path, "program", "merge", Fixtures.Path(Fixtures.Adreno), Fixtures.Path(Fixtures.Mali), "--out", "all.bin");
            Assert.Equal(2, merged.Code);
            Assert.Contains("PlatformConflict", merged.Err);
            Assert.False(File.Exists(dir.File("all.bin")));

            Assert.Equal(0, Run(dir.Path, "program", "export", "m2.bin", "--cpp", "--out", "m2.cc").Code);
            Assert.Contains("LoadOpenCLBinary", File.ReadAllText(dir.File("m2.cc")));

            var whatIf = Run(dir.Path, "program", "convert", "m2.bin", "--to", "G1", "--out", "w.bin", "--what-if");
            Assert.Equal(0, whatIf.Code);
            Assert.Contains("What if", whatIf.Err);
            Assert.False(File.Exists(dir.File("w.bin")));
        }

        [Fact]
        public void Tuning_show_lists_readable_keys()
        {
            var (code, stdout, _) = Run(null, "tuning", "show", Fixtures.Path(Fixtures.PoclTuning), "--json");
            Assert.Equal(0, code);
            var names = JsonLines(stdout).Select(e => e.GetProperty("name").GetString()).ToList();
            Assert.Contains("softmax_opencl_kernel_1_1_1_10", names);
            Assert.Equal(16, names.Count);
        }
    }
}
