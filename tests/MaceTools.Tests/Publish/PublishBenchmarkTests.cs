using MaceTools.Remote;
using MaceTools.Tests.Remote;
using Xunit.Abstractions;

namespace MaceTools.Tests.Publish
{
    /// <summary>
    /// The publish benchmark on a fleet of 16 real sshd hosts: prints one host against 16 at throttle 8. Timing targets belong to
    /// benchmarks, not tests, so only correctness is asserted (every target published).
    /// </summary>
    [Collection(SshFleetCollection.Name)] // not beside the fleet tests: their ssh sessions would share the two cores being timed
    public sealed class PublishBenchmarkTests
    {
        private readonly ITestOutputHelper output;

        public PublishBenchmarkTests(ITestOutputHelper output) => this.output = output;

        [Fact]
        public void PublishBenchmark_SixteenHostsAtThrottleEight_PrintsTimings()
        {
            using var fleet = SshFleet.WithGoodHosts(16);
            var devices = MaceTools.Remote.MaceInventory.Read(fleet.DevicesYml);
            var r = PublishBenchmark.Run(devices, Fixtures.Path(Fixtures.Adreno), throttle: 8, rounds: 3, log: output.WriteLine);
            output.WriteLine($"file {r.FileBytes:N0} bytes; 1 host {r.OneHostSeconds:0.000} s; {r.Hosts} hosts at throttle {r.Throttle} {r.AllHostsSeconds:0.000} s; ratio {r.Ratio:0.00} (target <= 3); CPU {r.OneHostCpuPercent:0}% vs {r.AllHostsCpuPercent:0}% of {System.Environment.ProcessorCount} cores; " +
                $"bare ssh logins {r.OneLoginSeconds:0.000} s vs {r.AllLoginsSeconds:0.000} s, ratio {r.LoginRatio:0.00}");
            Assert.Empty(r.Failures);
            Assert.Equal(16, r.Hosts);
            Assert.All(fleet.Hosts, h => Assert.DoesNotContain(System.IO.Directory.EnumerateFiles(h.UploadDir), f => f.Contains("macetools")));
        }
    }
}
