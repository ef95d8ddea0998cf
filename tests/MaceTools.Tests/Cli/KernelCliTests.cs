using System.IO;
using System.Linq;
using System.Text.Json;
using MaceTools.Kernels;
using static MaceTools.Tests.Cli.CliRunner;

namespace MaceTools.Tests.Cli
{
    /// <summary>macetools kernel list: the table, the JSON (the object's properties in camelCase), filters and errors.</summary>
    public class KernelCliTests
    {
        [Fact]
        public void Kernel_list_prints_a_table_of_every_kernel()
        {
            var (code, stdout, stderr) = Run(null, "kernel", "list");
            Assert.True(code == 0, stderr);
            var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
            Assert.Matches(@"^Program\s+Kernel\s+Op\s+Symbol\s+ProgramHash\s+Options$", lines[0]);
            Assert.StartsWith("-------", lines[1]);
            Assert.Equal(KernelCatalog.Entries.Count, lines.Count - 2);
            var conv = lines.Single(l => l.StartsWith("conv_2d_1x1 "));
            Assert.Matches(@"^conv_2d_1x1\s+conv_2d_1x1\s+conv2d\s+c44CimyloKq\s+[0-9a-f]{20}\s+-DBIAS -DUSE_RELU", conv);
        }

        [Fact]
        public void Kernel_list_json_is_an_array_of_the_objects_properties()
        {
            var (code, stdout, stderr) = Run(null, "kernel", "list", "--name", "fully_connected_width", "--json");
            Assert.True(code == 0, stderr);
            var k = JsonLines(stdout).Single();
            foreach (var name in new[] { "program", "kernel", "op", "options", "commonOptions", "symbol", "programHash", "sourceHash", "origin", "maceVersion", "description" })
                Assert.True(k.TryGetProperty(name, out _), name);
            Assert.Equal("fully_connected", k.GetProperty("program").GetString());
            Assert.Equal("fully_connected_width", k.GetProperty("kernel").GetString());
            Assert.Equal("f_23Gjx__A32J66tQD_QF", k.GetProperty("symbol").GetString());
            Assert.Contains("-DNON_QUALCOMM_ADRENO", k.GetProperty("options").EnumerateArray().Select(o => o.GetString()));
            Assert.Equal("-Dfully_connected_width=f_23Gjx__A32J66tQD_QF", k.GetProperty("commonOptions").EnumerateArray().Last().GetString());
            Assert.Equal(KernelSourceSet.Builtin.HashStr("fully_connected"), k.GetProperty("programHash").GetString());
            Assert.Equal(KernelSourceSet.Builtin.SourceHash("fully_connected", MaceVersion.Latest), k.GetProperty("sourceHash").GetString());
            Assert.Equal("builtin", k.GetProperty("origin").GetString());
            Assert.Equal("v1.1.1-0-g8c75d39", k.GetProperty("maceVersion").GetString());
        }

        [Fact]
        public void Kernel_list_filters_by_program_and_takes_a_mace_version_and_a_source_directory()
        {
            using var dir = new Operations.TempDir();
            string src = Path.Combine(Fixtures.RepoRoot, "src", "MaceTools.Core", "Kernels", "cl");
            File.Copy(Path.Combine(src, "common.h"), dir.File("common.h"));
            File.Copy(Path.Combine(src, "eltwise.cl"), dir.File("eltwise.cl"));
            File.Copy(Path.Combine(src, "pad.cl"), dir.File("pad.cl"));
            var (code, stdout, stderr) = Run(dir.Path, "kernel", "list", "--program", "e*", "--kernel-source", ".", "--mace-version", "v0.12.0", "--json");
            Assert.True(code == 0, stderr);
            var k = JsonLines(stdout).Single();
            Assert.Equal("eltwise", k.GetProperty("kernel").GetString());
            Assert.Equal("v0.12.0", k.GetProperty("maceVersion").GetString());
            Assert.Equal(Path.GetFullPath(dir.Path), k.GetProperty("origin").GetString());
        }

        [Fact]
        public void Kernel_list_with_a_name_that_matches_nothing_exits_2_and_names_the_pattern()
        {
            var (code, stdout, stderr) = Run(null, "kernel", "list", "--name", "lstm*");
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Contains("lstm*: no kernel matches", stderr);
            Assert.Contains("[KernelNotFound]", stderr);

            var json = Run(null, "kernel", "list", "--name", "lstm*", "--json");
            Assert.Equal(2, json.Code);
            Assert.Equal("KernelNotFound", JsonLine(json.Err).GetProperty("error").GetProperty("id").GetString());

            var badVersion = Run(null, "kernel", "list", "--mace-version", "latest");
            Assert.Equal(2, badVersion.Code);
            Assert.Contains("is not a MACE version", badVersion.Err);
        }
    }
}
