using System;
using System.IO;
using System.Linq;
using MaceTools.Config;
using Xunit.Abstractions;

namespace MaceTools.Tests.Config
{
    /// <summary>
    /// Issue 14: a bounded run of the structure-aware fuzzers of the deployment and inventory readers (`macetools fuzz config`
    /// and `fuzz inventory` run 100,000 cases each from ./build.sh bench). No case may hang, throw anything but a
    /// MaceException, or give a finding without a line and column.
    /// </summary>
    public class YamlFuzzTests
    {
        private readonly ITestOutputHelper _output;

        public YamlFuzzTests(ITestOutputHelper output) => _output = output;

        private void AssertClean(YamlFuzzReport report)
        {
            _output.WriteLine(report.ToString());
            _output.WriteLine("mutations: " + string.Join(", ", report.MutationCounts.Select(k => $"{k.Key}={k.Value}")));
            foreach (var f in report.Failures.Take(10)) _output.WriteLine(f + "\n--- input ---\n" + f.Input);
            Assert.True(report.FailureCount == 0, $"{report}\n" + string.Join("\n", report.Failures.Take(5).Select(f => f + "\n--- input ---\n" + f.Input)));
            Assert.True(report.Cases >= 200, $"only {report.Cases} cases ran");
            Assert.Equal(report.Cases, report.Accepted + report.Rejected);
            Assert.True(report.Accepted > 0 && report.Rejected > 0, report.ToString());
        }

        [Fact]
        public void Mutated_deployment_files_never_hang_or_throw_unhandled_exceptions()
        {
            var seeds = ConfigFixtures.All.Select(n => File.ReadAllText(ConfigFixtures.Path(n)))
                .Concat(YamlFuzzer.ExampleConfigs(Fixtures.RepoRoot).Select(File.ReadAllText)).Append(ConfigFixtures.Valid).ToList();
            AssertClean(YamlFuzzer.Run(YamlFuzzTarget.Config, seeds, 100_000, seed: 14, degreeOfParallelism: 2, budget: TimeSpan.FromSeconds(4)));
        }

        [Fact]
        public void Mutated_inventories_never_hang_or_throw_unhandled_exceptions()
        {
            var report = YamlFuzzer.Run(YamlFuzzTarget.Inventory, YamlFuzzer.InventorySeeds, 100_000, seed: 14, degreeOfParallelism: 2, budget: TimeSpan.FromSeconds(4));
            AssertClean(report);
            Assert.True(report.BoundHits > 0, "no case reached a YAML bound: the bombs are not being grafted in");
        }
    }
}
