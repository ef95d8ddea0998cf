using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using MaceTools.Config;
using MaceTools.Remote;
using MaceTools.Tuning;
using YamlDotNet.Core;

namespace MaceTools.Tests.Config
{
    /// <summary>
    /// Issue 14 rows 2 and 15a: the deployment, inventory and sidecar readers parse YAML through one bounded helper. Alias and
    /// merge-key bombs, deep nesting and oversized text are errors at their line, and a tab is reported where it is.
    /// </summary>
    public class BoundedYamlTests
    {
        /// <summary>The classic "billion laughs": 9 aliases per level, <paramref name="levels"/> levels, as top-level keys.</summary>
        internal static string Laughs(int levels)
        {
            var sb = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
            for (int i = 1; i <= levels; i++)
                sb.Append($"a{i}: &a{i} [").Append(string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))).Append("]\n");
            return sb.ToString();
        }

        /// <summary>A merge-key bomb inside devices.yml: each device merges the previous one ten times.</summary>
        internal static string MergeBomb(int levels)
        {
            var sb = new StringBuilder("devices:\n  d0: &m0 {address: 10.0.0.1, username: pi}\n");
            for (int i = 1; i <= levels; i++)
                sb.Append($"  d{i}: &m{i} {{<<: [").Append(string.Join(", ", Enumerable.Repeat($"*m{i - 1}", 10))).Append("]}\n");
            return sb.ToString();
        }

        /// <summary>Runs <paramref name="read"/> with a generous bound, so a reader that never returns fails instead of hanging the run.</summary>
        private static async Task<Exception?> Within(Action read)
        {
            var task = Task.Run(read);
            Assert.True(await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(20))) == task, "the reader did not return");
            return task.Exception?.InnerException;
        }

        [Fact]
        public async Task Billion_laughs_in_a_deployment_file_is_a_finding_at_the_alias_that_crosses_the_limit()
        {
            MaceConfigReadResult? result = null;
            Assert.Null(await Within(() => result = new MaceConfigReader().ReadText(Laughs(9) + "library_name: x\n", "mace.yml")));
            var f = Assert.Single(result!.Findings);
            Assert.Equal(ConfigFindingCodes.YamlSyntax, f.Code);
            Assert.Equal((6, 10), (f.Line, f.Column)); // a5's first *a4: the expanded count passes 100,000 there
            Assert.Contains("past 100,000 nodes with every alias expanded", f.Message);
        }

        [Fact]
        public async Task A_merge_key_bomb_in_devices_yml_is_an_error_naming_its_line()
        {
            var e = Assert.IsType<MaceConfigException>(await Within(() => MaceInventory.Parse(MergeBomb(8), "devices.yml")));
            Assert.Equal(ErrorIds.ConfigInvalid, e.ErrorId);
            Assert.Equal(7, e.Line); // d5's merge of *m4
            Assert.Contains("alias *m4", e.Message);
        }

        [Fact]
        public async Task Billion_laughs_in_devices_yml_is_refused_as_in_a_deployment_file()
        {
            var e = Assert.IsType<MaceConfigException>(await Within(() => MaceInventory.Parse(Laughs(9) + "devices: {}\n", "devices.yml")));
            Assert.Equal((6, 10), (e.Line, e.Column));
        }

        [Fact]
        public void Aliases_and_merge_keys_below_the_limit_still_read()
        {
            var devices = MaceInventory.Parse(MergeBomb(3), "devices.yml");
            Assert.Equal(4, devices.Count);
            Assert.All(devices, d => Assert.Equal("10.0.0.1", d.Address));
            Assert.DoesNotContain(new MaceConfigReader().ReadText(Laughs(3) + ConfigFixtures.Valid, "mace.yml").Findings, f => f.Code == ConfigFindingCodes.YamlSyntax);
        }

        [Fact]
        public async Task Nesting_beyond_64_levels_is_refused_without_exhausting_the_stack()
        {
            // 100,000 levels would overflow the stack of YamlDotNet's recursive node construction (a crash no catch survives).
            string deep = "library_name: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
            MaceConfigReadResult? result = null;
            Assert.Null(await Within(() => result = new MaceConfigReader().ReadText(deep, "mace.yml")));
            var f = Assert.Single(result!.Findings);
            Assert.Equal((1, 15 + BoundedYaml.MaxDepth - 1), (f.Line, f.Column)); // the root mapping is the first level
            Assert.Contains("nesting deeper than 64 levels", f.Message);
            var e = Assert.IsType<MaceConfigException>(await Within(() => MaceInventory.Parse("devices: " + new string('{', 100_000), "devices.yml")));
            Assert.Contains("nesting deeper than 64 levels", e.Message);
        }

        [Theory]
        [InlineData("? &k [*k]\n: v\n", 1, 7, "the alias *k is inside the node it names")]
        [InlineData("KEY: &x [a, *x]\n", 1, 13, "the alias *x is inside the node it names")]
        [InlineData("KEY: *later\ntarget_abis: &later [arm64-v8a]\n", 1, 6, "the alias *later names no anchor (&later) defined before it")]
        public async Task Recursive_and_forward_aliases_are_refused_at_the_alias(string yaml, int line, int column, string message)
        {
            // A recursive key crashed the process with a stack overflow in YamlDotNet's hashing (found by `macetools fuzz config`).
            MaceConfigReadResult? result = null;
            Assert.Null(await Within(() => result = new MaceConfigReader().ReadText(yaml.Replace("KEY", "abi"), "mace.yml")));
            var f = Assert.Single(result!.Findings);
            Assert.Equal((line, column), (f.Line, f.Column));
            Assert.Contains(message, f.Message);
            var e = Assert.IsType<MaceConfigException>(await Within(() => MaceInventory.Parse(yaml.Replace("KEY", "dev"), "devices.yml")));
            Assert.Equal((line, column), (e.Line, e.Column));
        }

        [Fact]
        public void Text_beyond_the_kinds_cap_is_refused_before_parsing()
        {
            string huge = "library_name: x\n# " + new string('x', 5 << 20) + "\n";
            var f = Assert.Single(new MaceConfigReader().ReadText(huge, "mace.yml").Findings);
            Assert.Contains("deployment files are capped at 4 MB", f.Message);
            Assert.Contains("inventories are capped at 4 MB", Assert.Throws<MaceConfigException>(() => MaceInventory.Parse(huge, "devices.yml")).Message);
        }

        [Theory]
        [InlineData("library_name: x\ntarget_abis: [arm64-v8a]\nmodels:\n  m:\n\tplatform: onnx\n", 5, 1)]
        [InlineData("library_name: x\n\tfoo: 1\n", 2, 1)]
        [InlineData("devices:\n  pi:\n    address: 1.2.3.4\n\tusername: x\n", 4, 1)]
        public void A_tab_is_reported_at_its_line_and_column_in_both_readers(string yaml, int line, int column)
        {
            // Before: the same damage gave 1:1 in mace.yml and the end of the line above in devices.yml.
            var finding = new MaceConfigReader().ReadText(yaml, "mace.yml").Findings.First(x => x.Code == ConfigFindingCodes.YamlSyntax);
            Assert.Equal((line, column), (finding.Line, finding.Column));
            Assert.Contains("tab", finding.Message);
            var e = Assert.Throws<MaceConfigException>(() => MaceInventory.Parse(yaml, "devices.yml"));
            Assert.Equal((line, column), (e.Line, e.Column));
        }

        [Fact]
        public async Task The_tuning_sidecar_reader_is_bounded_too()
        {
            string bomb = "{" + string.Join(", ", Laughs(9).Split('\n').Where(l => l.Length > 0).Select(l => l.Replace(": ", ": "))) + "}";
            var e = await Within(() => TunedParameterFile.FromJson<MaceTuningResult>(bomb));
            Assert.IsAssignableFrom<YamlException>(e);
            Assert.Contains("past 100,000 nodes", e!.Message);
        }
    }
}
