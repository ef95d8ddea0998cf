using System.Linq;
using MaceTools.Kernels;
using MaceTools.Tests.OpenCLTests;
using Xunit;

namespace MaceTools.Tests.Kernels
{
    public class KernelBenchmarkTests
    {
        [Fact]
        public void The_kernel_benchmark_runs_every_op_and_its_results_agree_with_the_CSharp_loop()
        {
            // Figures are printed by `bench kernels`, not asserted: this checks the bench computes what it claims.
            var rows = KernelBenchmark.Run(Pocl.Device, 1, _ => { });
            Assert.Equal(14, rows.Count);
            Assert.All(rows, r => Assert.True(r.MaxError < 1e-3, $"{r.Op} {r.Shape}: max error {r.MaxError}"));
            Assert.All(rows, r => Assert.True(r.DeviceMs > 0 && r.CSharpMs > 0, $"{r.Op}: no time"));
            var oneByOne = rows.First(r => r.Op == "conv2d 1x1");
            Assert.Equal(2.0 * 56 * 56 * 128 * 64 / 1e6, oneByOne.MFlop, 6);
            Assert.Equal(oneByOne.MFlop / oneByOne.DeviceMs, oneByOne.DeviceGflops, 9);
            Assert.True(rows[0].PeakGflops >= Pocl.Device.ComputeUnits * Pocl.Device.MaxClockMHz * 2 / 1000.0);
        }
    }
}
